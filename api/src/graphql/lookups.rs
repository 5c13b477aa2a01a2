//! The query log (查询记录): look-ups are logged as they resolve; the subject reads its own.

use super::loaders::DepartmentKey;
use super::types::DepartmentNode;
use super::{connection, load, page_request, principal, services};
use crate::error::GqlResult;
use async_graphql::connection::Connection;
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
    services(ctx)?.run(move |s| s.log_lookups(&new)).await?;
    Ok(())
}

/// A purpose argument, checked.
pub(crate) fn purpose(raw: Option<String>) -> Result<Option<String>> {
    lookup::purpose(raw.as_deref()).gql()
}

#[derive(Default)]
pub struct LookupQuery;

#[Object]
impl LookupQuery {
    /// 我的查询记录：哪些部门或机构、何时、为何查询了本主体，最新的在前。仅主体本人（主体令牌）
    /// (my query log: who looked me up, newest first; a subject's own token)
    async fn my_query_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<String, LookupNode>> {
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
