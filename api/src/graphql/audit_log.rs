//! The audit trail, for the credit office.

use super::connection::Connection;
use super::{actor, connection, page_request, services};
use crate::error::GqlResult;
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use persistence::AuditFilter;

/// 审计记录 (one record of the audit trail)
#[derive(SimpleObject)]
#[graphql(name = "AuditRecord")]
pub struct AuditRecordNode {
    /// 序号 (sequence number)
    pub seq: i64,
    /// 时间 (when)
    pub at: DateTime<Utc>,
    /// 请求编号 (request id)
    pub request_id: String,
    /// 操作者 (actor)
    pub actor: String,
    /// 部门 (department)
    pub department: Option<String>,
    /// 操作，即变更名称 (action: the mutation)
    pub action: String,
    /// 操作对象 (target)
    pub target: String,
    /// 结果：ok 或被拒绝的错误代码 (outcome: ok, or the error code)
    pub outcome: String,
    /// 参数和结果的摘要 (digest of arguments and answer)
    pub digest: String,
    /// 上一条记录的哈希 (previous record's hash)
    pub prev_hash: String,
    /// 本条记录的哈希 (this record's hash)
    pub hash: String,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// 审计日志：每次变更（含被拒绝的）都有记录，哈希链防篡改。仅信用办，需 stats:read
    /// (the audit trail, hash-chained; the credit office)
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "按操作筛选 (action)")] action: Option<String>,
        #[graphql(desc = "按部门筛选 (department)")] department: Option<String>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<AuditRecordNode>> {
        let actor = actor(ctx, Scope::StatsRead)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let filter = AuditFilter { action, department };
        let result = services(ctx)?
            .run(move |s| s.audit_log(&actor, &filter, &page))
            .await?;
        Ok(connection(result, had_after, |r| {
            (
                r.seq.to_string(),
                AuditRecordNode {
                    seq: r.seq,
                    at: r.at,
                    request_id: r.request_id,
                    actor: r.actor,
                    department: r.department,
                    action: r.action,
                    target: r.target,
                    outcome: r.outcome,
                    digest: r.digest,
                    prev_hash: r.prev_hash,
                    hash: r.hash,
                },
            )
        }))
    }
}
