//! The change feed, for upstream platforms (信用辽宁, 信用中国) and the credit office.

use super::connection::Connection;
use super::node::{GlobalId, NodeKind};
use super::{actor, connection, page_request, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;

/// 变更对象 (what changed)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::feed::ChangeTarget")]
pub enum ChangeTarget {
    /// 主体 (a subject)
    Subject,
    /// 信用记录 (a credit record)
    CreditRecord,
    /// 名单条目 (a list entry)
    ListEntry,
    /// 典型案例，信用办审核发布时 (a typical case, when the credit office publishes it)
    TypicalCase,
}

/// 变更类型 (how it changed)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::feed::ChangeAction")]
pub enum ChangeAction {
    /// 新增：登记、归集或列入 (created: registered, recorded or listed)
    Created,
    /// 更正：异议成立后更正记录，原记录留档 (amended: corrected after an upheld objection)
    Amended,
    /// 撤销：撤回记录或撤销名单条目 (revoked: withdrawn, or an entry revoked)
    Revoked,
    /// 信用修复：提前结束 (repaired: ended early by an approved credit repair)
    Repaired,
    /// 到期 (expired: past its end date)
    Expired,
    /// 移出：出现移出情形，由认定部门移出 (removed by its owner on a ground of its list type)
    Removed,
}

/// 一条变更 (one change in the feed)
#[derive(SimpleObject)]
#[graphql(name = "Change")]
pub struct ChangeNode {
    /// 序号：按提交顺序，从1起连续 (place in commit order, from 1, without gaps)
    pub seq: i64,
    /// 时间 (when it was made)
    pub at: DateTime<Utc>,
    /// 变更对象 (what changed)
    pub target: ChangeTarget,
    /// 变更类型 (how)
    pub action: ChangeAction,
    /// 对象编号：主体、信用记录或名单条目的 id (the id of the subject, record or entry)
    pub target_id: ID,
    /// 主体的统一社会信用代码或身份号码 (the subject's code)
    pub subject_code: String,
    /// 作出变更的部门；到期时为空 (the department that made it; none for an expiry)
    pub department: Option<String>,
}

impl From<domain::feed::Change> for ChangeNode {
    fn from(c: domain::feed::Change) -> Self {
        ChangeNode {
            seq: c.seq,
            at: c.at,
            target: c.change.target.into(),
            action: c.change.action.into(),
            target_id: NodeKind::from(c.change.target).id(&c.change.target_id),
            subject_code: c.change.subject_code,
            department: c.change.department.map(|d| d.to_string()),
        }
    }
}

#[derive(Default)]
pub struct FeedQuery;

#[Object]
impl FeedQuery {
    /// 变更订阅：按提交顺序列出每一项变更（新增、更正、撤销、修复、到期）。保存最后一页的
    /// pageInfo.endCursor，下次以 after 传入即可续读，不漏不重。需 changes:read
    /// (the change feed, in commit order; resume with the last page's endCursor as `after`)
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(
            desc = "上次读到的游标：上一页的 pageInfo.endCursor；不给则从头读 (resume after this cursor)"
        )]
        after: Option<String>,
    ) -> Result<Connection<ChangeNode>> {
        let actor = actor(ctx, Scope::ChangesRead)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let result = services(ctx)?
            .run(move |s| s.changes(&actor, &page))
            .await?;
        Ok(connection(result, had_after, |c| {
            (c.seq.to_string(), ChangeNode::from(c))
        }))
    }
}
