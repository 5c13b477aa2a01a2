use super::connection::Connection;
use super::enums;
use super::loaders::{Loaders, pages};
use super::scalars::Date;
use super::types::{
    CreditRecordNode, DepartmentNode, JurisdictionNode, ListEntryNode, ListTypeNode, SubjectNode,
    ViewerNode, entries_key, records_connection,
};
use super::{answers, connection, lookups, page_request, principal, services};
use crate::error::{ApiError, GqlResult};
use async_graphql::{Context, Object, Result};
use domain::lookup::LookupVia;
use domain::{JurisdictionCode, access};
use persistence::{EntryFilter, SubjectFilter};

/// The foundation's queries: subjects, records, lists, the catalogue.
#[derive(Default)]
pub struct CoreQuery;

pub(super) fn jurisdiction_arg(j: Option<String>) -> Result<Option<JurisdictionCode>> {
    j.map(|s| {
        JurisdictionCode::parse(&s).map_err(|_| {
            ApiError::bad_input("jurisdiction", format!("行政区划代码应为6位数字：{s}"))
        })
    })
    .transpose()
    .gql()
}

#[Object]
impl CoreQuery {
    /// 按统一社会信用代码或公民身份号码查询主体；不存在时为空 (a subject by its code; null if none)
    async fn subject(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "统一社会信用代码或公民身份号码 (code)")] code: String,
        #[graphql(
            desc = "查询目的，记入被查询主体可见的查询记录；匿名查询不记录 (purpose: logged for the subject to read; anonymous look-ups are not logged)"
        )]
        purpose: Option<String>,
        #[graphql(
            desc = "某日（含）结束时平台所显示的情况：当时有效的名单条目、当时公示的记录及其当时的版本；不给则为现在 (as at the end of this past day, China time: entries in force and records in publicity then, as they read then)"
        )]
        as_of: Option<Date>,
    ) -> Result<Option<SubjectNode>> {
        access::may_look_up(principal(ctx)).gql()?;
        let svc = services(ctx)?;
        let purpose = lookups::purpose(purpose)?;
        if let Some(Date(date)) = as_of {
            return subject_as_of(ctx, code, date, purpose).await;
        }
        answers::looks_up_code(ctx, &code);
        // The public look-up usually shows the entries in force too: they are read in the same
        // statement and handed to the loader that the nested field asks.
        // Not for a subject's own token: it sees its whole record, not the entries in force.
        let in_force_only = !matches!(principal(ctx), domain::Principal::Subject { .. })
            && matches!(
                access::visible_entry_status(principal(ctx), None, None),
                Some(Some(domain::EntryStatus::Active))
            );
        if in_force_only && default_entries_wanted(ctx) {
            let today = svc.today();
            let found = svc
                .run(move |s| s.subject_with_entries_in_force(&code, "code", today))
                .await?;
            let Some((subject, entries)) = found else {
                return Ok(None);
            };
            if entries.is_empty() && !public_may_find(ctx, &subject).await? {
                return Ok(None);
            }
            answers::shows_subject(ctx, &subject);
            lookups::log(ctx, &[&subject], LookupVia::Subject, purpose).await?;
            let page = page_request(None, None).gql()?;
            if let Some(key) = entries_key(ctx, &subject, None, page) {
                ctx.data::<Loaders>()?
                    .feed_many(pages(&[key], entries))
                    .await;
            }
            return Ok(Some(SubjectNode::from(subject)));
        }
        let found = svc.run(move |s| s.subject_by_code(&code, "code")).await?;
        let Some(subject) = found else {
            return Ok(None);
        };
        if !public_may_find(ctx, &subject).await? {
            return Ok(None);
        }
        answers::shows_subject(ctx, &subject);
        lookups::log(ctx, &[&subject], LookupVia::Subject, purpose).await?;
        Ok(Some(SubjectNode::from(subject)))
    }

    /// 搜索主体：名称中的任意片段，或完整代码 (search subjects by part of a name or a whole code)
    async fn subjects(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "名称片段（至少2个字符）或完整代码；按完全相同、开头相同、包含的顺序排列 (search text, 2 characters or more; ranked exact, prefix, substring)"
        )]
        search: Option<String>,
        #[graphql(desc = "主体类别 (kind)")] kind: Option<enums::SubjectKind>,
        #[graphql(
            desc = "行政区划代码；市级代码包含其所辖区县 (jurisdiction; a city includes its counties)"
        )]
        jurisdiction: Option<String>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<SubjectNode>> {
        let svc = services(ctx)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let length = search.as_deref().map_or(2, |s| s.trim().chars().count());
        if length > 100 {
            return Err(ApiError::bad_input("search", "搜索内容不能超过100个字符").into_graphql());
        }
        // One character matches most names and no index can serve it.
        if length < 2 {
            return Err(ApiError::bad_input("search", "搜索内容至少2个字符").into_graphql());
        }
        let hides_persons = access::sees_persons_only_when_public(principal(ctx));
        let filter = SubjectFilter {
            search,
            kind: kind.map(Into::into),
            jurisdiction: jurisdiction_arg(jurisdiction)?,
            persons_public_on: hides_persons.then(|| svc.today()),
        };
        let result = svc.run(move |s| s.subjects(&filter, &page)).await?;
        super::types::prefetch_ties(ctx, result.items.iter().map(|(_, s)| s)).await?;
        Ok(connection(result, had_after, |s| {
            (s.0, SubjectNode::from(s.1))
        }))
    }

    /// 全部名单类型 (all list types)
    async fn list_types(&self, ctx: &Context<'_>) -> Result<Vec<ListTypeNode>> {
        let all = services(ctx)?.run(|s| s.list_types()).await?;
        Ok(all.into_iter().map(ListTypeNode).collect())
    }

    /// 名单条目；公众只看到有效条目 (list entries; the public sees those in force)
    async fn list_entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "名单类型代码 (list type code)")] list_type: Option<String>,
        #[graphql(desc = "状态 (status)")] status: Option<enums::EntryStatus>,
        #[graphql(desc = "主体所在行政区划代码 (subject's jurisdiction)")] jurisdiction: Option<
            String,
        >,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ListEntryNode>> {
        entries_connection(ctx, None, list_type, status, jurisdiction, first, after).await
    }

    /// 按移出情形移出的名单条目，最新的在前；仅信用办，需 stats:read。late: true 只看超过期限移出的
    /// (entries removed on a ground, newest first, for the credit office; `late` for those removed
    /// after their deadline)
    async fn removals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "只看超期移出的（或只看未超期的）(late only, or not)")] late: Option<bool>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ListEntryNode>> {
        let actor = super::actor(ctx, domain::Scope::StatsRead)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let svc = services(ctx)?;
        let today = svc.today();
        let found = svc.run(move |s| s.removals(&actor, late, &page)).await?;
        Ok(connection(found, had_after, |entry| {
            (entry.id.clone(), ListEntryNode { entry, today })
        }))
    }

    /// 信用记录；公众只看到公示期内的记录 (credit records; the public sees those in publicity)
    async fn credit_records(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "主体代码 (subject code)")] subject: Option<String>,
        #[graphql(desc = "记录类别 (kind)")] kind: Option<enums::CreditRecordKind>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<CreditRecordNode>> {
        let subject_id = match subject {
            None => {
                answers::enumerates(ctx);
                None
            }
            Some(code) => {
                answers::looks_up_code(ctx, &code);
                let svc = services(ctx)?;
                let key = code.trim().to_uppercase();
                let found = svc
                    .run(move |s| s.subject_by_code(&code, "subject"))
                    .await?;
                let subject = found.ok_or_else(|| {
                    ApiError::new(
                        crate::error::ErrorCode::NotFound,
                        format!("主体不存在：{key}"),
                    )
                    .into_graphql()
                })?;
                answers::shows_subject(ctx, &subject);
                Some(subject.id)
            }
        };
        records_connection(ctx, subject_id, kind, first, after).await
    }

    /// 全部部门 (all departments)
    async fn departments(&self, ctx: &Context<'_>) -> Result<Vec<DepartmentNode>> {
        let all = services(ctx)?.run(|s| s.departments()).await?;
        Ok(all.into_iter().map(DepartmentNode).collect())
    }

    /// 全部行政区划 (all jurisdictions)
    async fn jurisdictions(&self, ctx: &Context<'_>) -> Result<Vec<JurisdictionNode>> {
        let all = services(ctx)?.run(|s| s.jurisdictions()).await?;
        Ok(all.into_iter().map(JurisdictionNode).collect())
    }

    /// 当前调用者 (the caller)
    async fn me(&self) -> ViewerNode {
        ViewerNode::default()
    }
}

/// Whether the selection asks for `listEntries` with no arguments (the public look-up's shape).
fn default_entries_wanted(ctx: &Context<'_>) -> bool {
    let fields = ctx.look_ahead().field("listEntries").selection_fields();
    !fields.is_empty()
        && fields
            .iter()
            .all(|f| f.arguments().is_ok_and(|a| a.is_empty()))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one argument per GraphQL argument"
)]
pub(super) async fn entries_connection(
    ctx: &Context<'_>,
    subject_id: Option<String>,
    list_type: Option<String>,
    status: Option<enums::EntryStatus>,
    jurisdiction: Option<String>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<ListEntryNode>> {
    let svc = services(ctx)?;
    let page = page_request(first, after).gql()?;
    let had_after = page.after.is_some();
    let today = svc.today();
    let Some(status) = access::visible_entry_status(principal(ctx), None, status.map(Into::into))
    else {
        return Ok(Connection::new(had_after, false));
    };
    let filter = EntryFilter {
        list_type_code: list_type,
        subject_id,
        status,
        jurisdiction: jurisdiction_arg(jurisdiction)?,
        today,
    };
    let result = svc.run(move |s| s.list_entries(&filter, &page)).await?;
    Ok(connection(result, had_after, |entry| {
        (entry.id.clone(), ListEntryNode { entry, today })
    }))
}

/// `subject(code:, asOf:)`: the subject as the platform showed it at the end of `date`; none if it
/// was not registered yet.
async fn subject_as_of(
    ctx: &Context<'_>,
    code: String,
    date: chrono::NaiveDate,
    purpose: Option<String>,
) -> Result<Option<SubjectNode>> {
    let svc = services(ctx)?;
    if date > svc.today() {
        return Err(ApiError::bad_input("asOf", "asOf 不能晚于今天").into_graphql());
    }
    answers::looks_up_code(ctx, &code);
    let Some(subject) = svc.run(move |s| s.subject_by_code(&code, "code")).await? else {
        return Ok(None);
    };
    answers::shows_subject(ctx, &subject);
    if !subject.registered_by(date) {
        return Ok(None);
    }
    lookups::log(ctx, &[&subject], LookupVia::Subject, purpose).await?;
    let id = subject.id.clone();
    let then = svc.run(move |s| s.subject_as_of(&id, date)).await?;
    Ok(Some(SubjectNode(subject, Some(std::sync::Arc::new(then)))))
}

/// Whether the caller may find this subject: always, but for the public and partners looking for a
/// natural person with nothing public, who get the answer of an unknown code
/// ([`access::finds_persons_only_when_public`]).
pub(super) async fn public_may_find(ctx: &Context<'_>, subject: &domain::Subject) -> Result<bool> {
    if !access::finds_persons_only_when_public(principal(ctx), &subject.code) {
        return Ok(true);
    }
    let svc = services(ctx)?;
    let (id, today) = (subject.id.clone(), svc.today());
    let public = svc.run(move |s| s.has_public_standing(&id, today)).await?;
    // The answer withheld is dropped from the cache as soon as something about the person is
    // published or listed, like any answer that shows the subject.
    answers::shows_subject_id(ctx, &subject.id);
    Ok(public)
}
