//! The query log (查询记录): look-ups are logged as they resolve; the subject reads its own.

use super::connection::Connection;
use super::loaders::DepartmentKey;
use super::types::DepartmentNode;
use super::{connection, load, page_request, principal, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, Object, Result};
use chrono::{DateTime, Utc};
use domain::Subject;
use domain::lookup::{self, Looker, Lookup, NewLookup};

/// 查询方式 (how the subject was looked up)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::lookup::LookupVia")]
pub enum LookupVia {
    /// 按代码查询 (subject by code)
    Subject,
    /// 批量筛查 (one of a screening batch)
    Screen,
    /// 授权查询信用报告 (a credit report, under the subject's authorisation)
    Report,
    /// 列表或页面中显示了完整身份证号码 (the whole identity number shown in a list or page)
    List,
}

pub struct LookupNode(Lookup);

/// 一次查询 (one look-up of the subject)
#[Object(name = "Lookup")]
impl LookupNode {
    /// 时间 (when)
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// 查询的部门或机构；合作方应用查询时为空 (the department or bank that looked; none for a
    /// partner app)
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        match &self.0.by {
            Looker::Department(code) => load(ctx, DepartmentKey(code.to_string()), "部门")
                .await
                .map(|d| Some(DepartmentNode(d))),
            Looker::Partner(_) => Ok(None),
        }
    }
    /// 查询的合作方应用名称；部门查询时为空 (the partner app that looked, by name)
    async fn partner_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Looker::Partner(client_id) = &self.0.by else {
            return Ok(None);
        };
        let client_id = client_id.clone();
        let name = services(ctx)?
            .run(move |s| s.partner_name(&client_id))
            .await?;
        Ok(Some(name.unwrap_or_else(|| "已注销的合作方".to_owned())))
    }
    /// 查询方式 (how)
    async fn via(&self) -> LookupVia {
        self.0.via.into()
    }
    /// 查询目的，查询方填写 (purpose, as the asker gave it)
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }
}

/// The persons whose whole identity numbers a request's answer shows, to be written to their query
/// logs in one statement when the request ends ([`log_shown`]); those the request logged already
/// (a look-up by code) are not logged twice.
#[derive(Clone, Default)]
pub struct ShownWhole(std::sync::Arc<std::sync::Mutex<Shown>>);

#[derive(Default)]
struct Shown {
    logged: std::collections::HashSet<String>,
    subjects: std::collections::HashSet<String>,
    person_codes: std::collections::HashSet<String>,
}

impl ShownWhole {
    fn with(&self, f: impl FnOnce(&mut Shown)) {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard);
    }

    /// A subject (a person) whose code was shown whole.
    pub fn subject(&self, id: &str) {
        self.with(|s| {
            s.subjects.insert(id.to_owned());
        });
    }

    /// A person's number shown whole as an organisation's representative.
    pub fn person(&self, code: &str) {
        self.with(|s| {
            s.person_codes.insert(code.to_owned());
        });
    }

    fn logged(&self, ids: impl IntoIterator<Item = String>) {
        self.with(|s| s.logged.extend(ids));
    }
}

/// The extension that writes, when an operation ends, the query-log entries of the whole identity
/// numbers its answer shows. A query whose entries cannot be written shows nothing (an answer with
/// unlogged numbers would break the rule); a mutation has committed, so it answers and the failure
/// is logged.
pub struct LogShown;

struct LogShownExtension {
    mutation: std::sync::atomic::AtomicBool,
}

impl async_graphql::extensions::ExtensionFactory for LogShown {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(LogShownExtension {
            mutation: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for LogShownExtension {
    async fn parse_query(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: async_graphql::extensions::NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<async_graphql::parser::types::ExecutableDocument> {
        use async_graphql::parser::types::OperationType;
        let document = next.run(ctx, query, variables).await?;
        let writes = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation);
        self.mutation
            .store(writes, std::sync::atomic::Ordering::SeqCst);
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        let response = next.run(ctx, operation_name).await;
        let (Some(shown), Some(request), Some(services)) = (
            ctx.data_opt::<ShownWhole>(),
            ctx.data_opt::<crate::context::RequestContext>(),
            ctx.data_opt::<crate::context::Services>(),
        ) else {
            return response;
        };
        match log_shown(services, &request.principal, shown).await {
            Ok(()) => response,
            Err(e) if self.mutation.load(std::sync::atomic::Ordering::SeqCst) => {
                tracing::error!(error = %e.message, "query log of whole identity numbers not written after a command");
                response
            }
            Err(e) => {
                tracing::error!(error = %e.message, "query log of whole identity numbers not written: answer withheld");
                async_graphql::Response::from_errors(vec![
                    crate::error::ApiError::new(
                        crate::error::ErrorCode::Internal,
                        "查询记录暂时无法写入，含完整身份证号码的答复未发出，请稍后重试",
                    )
                    .into_server_error(),
                ])
            }
        }
    }
}

/// Writes the query-log entries of the whole identity numbers a request showed: one read for the
/// representatives' subject ids and one insert, whatever the page.
async fn log_shown(
    services: &crate::context::Services,
    principal: &domain::Principal,
    shown: &ShownWhole,
) -> Result<()> {
    let Some(by) = lookup::logged_as(principal) else {
        return Ok(());
    };
    let (logged, mut subjects, codes) = {
        let guard = shown.0.lock().unwrap_or_else(|p| p.into_inner());
        if guard.subjects.is_empty() && guard.person_codes.is_empty() {
            return Ok(());
        }
        (
            guard.logged.clone(),
            guard.subjects.clone(),
            guard.person_codes.iter().cloned().collect::<Vec<_>>(),
        )
    };
    services
        .run(move |store| {
            if !codes.is_empty() {
                subjects.extend(store.subject_ids_by_codes(&codes)?);
            }
            let new: Vec<NewLookup> = subjects
                .into_iter()
                .filter(|id| !logged.contains(id))
                .map(|subject_id| NewLookup {
                    subject_id,
                    by: by.clone(),
                    via: lookup::LookupVia::List,
                    purpose: None,
                })
                .collect();
            if new.is_empty() {
                return Ok(());
            }
            store.log_lookups(&new)
        })
        .await
}

/// Logs that the request's token holder looked these subjects up, when it is one that is logged.
pub(crate) async fn log(
    ctx: &Context<'_>,
    subjects: &[&Subject],
    via: lookup::LookupVia,
    purpose: Option<String>,
) -> Result<()> {
    let Some(by) = lookup::logged_as(principal(ctx)) else {
        return Ok(());
    };
    let new: Vec<NewLookup> = subjects
        .iter()
        .map(|s| NewLookup {
            subject_id: s.id.clone(),
            by: by.clone(),
            via,
            purpose: purpose.clone(),
        })
        .collect();
    if let Some(shown) = ctx.data_opt::<ShownWhole>() {
        shown.logged(new.iter().map(|n| n.subject_id.clone()));
    }
    services(ctx)?.run(move |s| s.log_lookups(&new)).await?;
    Ok(())
}

/// A purpose argument, checked.
pub(crate) fn purpose(raw: Option<String>) -> Result<Option<String>> {
    lookup::purpose(raw.as_deref()).gql()
}

#[derive(Default)]
pub struct LookupViewer;

#[Object]
impl LookupViewer {
    /// 我的查询记录：哪些部门或机构、何时、为何查询了本主体，最新的在前。仅主体本人（主体令牌）
    /// (my query log: who looked me up, newest first; a subject's own token)
    async fn query_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<LookupNode>> {
        let code = lookup::may_read_log(principal(ctx)).gql()?.clone();
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let result = services(ctx)?
            .run(move |s| s.lookups_of(&code, &page))
            .await?;
        Ok(connection(result, had_after, |l| {
            (l.id.clone(), LookupNode(l))
        }))
    }
}
