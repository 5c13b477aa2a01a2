//! Typical cases (典型案例) over GraphQL: put forward by the department that applied a measure,
//! published by the credit office, then public and in the change feed.

use super::connection::Connection;
use super::enums::MeasureKind;
use super::loaders::{DepartmentKey, SubjectId};
use super::node::{GlobalId, NodeKind};
use super::types::{DepartmentNode, SubjectNode};
use super::{actor, answers, connection, load, page_request, principal, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::typical_case::TypicalCase;

/// 典型案例状态 (typical case status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::typical_case::CaseStatus")]
pub enum CaseStatus {
    /// 已上报，待信用办审核 (put forward; awaiting the credit office)
    Proposed,
    /// 已发布 (published)
    Approved,
    /// 不予发布 (rejected)
    Rejected,
    /// 已撤回：所依据的名单条目被认定为错误列入并撤销 (withdrawn: its entry was revoked as wrongful)
    Withdrawn,
}

/// 上报典型案例 (put an applied measure forward as a typical case)
#[derive(InputObject)]
pub struct ProposeTypicalCaseInput {
    /// 已反馈“已实施”的分发编号 (the dispatch, applied)
    pub dispatch: ID,
    /// 标题 (title)
    pub title: String,
    /// 案例摘要，20–5000字 (summary)
    pub summary: String,
}

/// 审核典型案例 (publish or reject a typical case)
#[derive(InputObject)]
pub struct DecideTypicalCaseInput {
    /// 案例编号 (id)
    pub id: ID,
    /// 是否发布 (publish or not)
    pub approve: bool,
    /// 说明；不予发布时必填 (note; required to reject)
    pub note: Option<String>,
}

pub struct TypicalCaseNode(pub TypicalCase);

/// 典型案例 (a typical case)
#[Object(name = "TypicalCase")]
impl TypicalCaseNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::TypicalCase.id(&self.0.id)
    }
    /// 守信激励或失信惩戒：所实施措施的性质 (reward or punishment: the measure's kind)
    async fn kind(&self) -> MeasureKind {
        self.0.kind.into()
    }
    /// 标题 (title)
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 案例摘要 (summary)
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// 涉及的主体 (the subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 实施措施并上报的部门 (the department that applied the measure)
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.0.department.to_string()), "部门")
            .await
            .map(DepartmentNode)
    }
    /// 状态 (status)
    async fn status(&self) -> CaseStatus {
        self.0.status.into()
    }
    /// 上报时间 (put forward at)
    async fn proposed_at(&self) -> DateTime<Utc> {
        self.0.proposed_at
    }
    /// 审核时间 (decided at)
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// 审核说明 (the credit office's note)
    async fn decision_note(&self) -> Option<&str> {
        self.0.decision_note.as_deref()
    }
    /// 撤回时间：所依据的名单条目被认定为错误列入并撤销 (withdrawn at: its entry was revoked as wrongful)
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
}

#[derive(Default)]
pub struct TypicalCaseQuery;

/// 典型案例 (typical cases)
#[Object]
impl TypicalCaseQuery {
    /// 典型案例，最新的在前：已发布的公开；其他状态仅信用办可看 (typical cases; published ones are
    /// public, the others the credit office's)
    async fn typical_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "状态，默认已发布 (status; published by default)")] status: Option<
            CaseStatus,
        >,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<TypicalCaseNode>> {
        answers::enumerates(ctx);
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let actor = match principal(ctx) {
            domain::Principal::Department(d) => Some(d.clone()),
            _ => None,
        };
        let result = services(ctx)?
            .run(move |s| {
                let status = status.map_or(domain::typical_case::CaseStatus::Approved, Into::into);
                s.typical_cases(actor.as_ref(), status, &page)
            })
            .await?;
        Ok(connection(result, had_after, |c| {
            (c.id.clone(), TypicalCaseNode(c))
        }))
    }
}

#[derive(Default)]
pub struct TypicalCaseMutation;

/// 典型案例 (typical cases)
#[Object]
impl TypicalCaseMutation {
    /// 把本部门已实施的措施上报为典型案例；需 dispatch:handle (put forward an applied measure)
    async fn propose_typical_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 ProposeTypicalCaseInput (what to change; see ProposeTypicalCaseInput)"
        )]
        input: ProposeTypicalCaseInput,
    ) -> Result<ProposeTypicalCasePayload> {
        let actor = actor(ctx, Scope::DispatchHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let dispatch = NodeKind::Dispatch
            .local(&input.dispatch, "input.dispatch")
            .gql()?;
        let made = svc
            .run(move |s| {
                s.propose_typical_case(&actor, &dispatch, &input.title, &input.summary, today)
            })
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(TypicalCaseNode(made).into())
    }

    /// 信用办审核：发布（公开并进入变更订阅）或不予发布；需 memoranda:admin
    /// (the credit office publishes — public, and in the change feed — or rejects)
    async fn decide_typical_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 DecideTypicalCaseInput (what to change; see DecideTypicalCaseInput)"
        )]
        input: DecideTypicalCaseInput,
    ) -> Result<DecideTypicalCasePayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let id = NodeKind::TypicalCase.local(&input.id, "input.id").gql()?;
        let decided = services(ctx)?
            .run(move |s| s.decide_typical_case(&actor, &id, input.approve, input.note.as_deref()))
            .await?;
        answers::changed_subjects(ctx, [decided.subject_id.as_str()]);
        Ok(TypicalCaseNode(decided).into())
    }
}

/// `proposeTypicalCase` 的结果 (what proposeTypicalCase changed)
#[derive(SimpleObject)]
pub struct ProposeTypicalCasePayload {
    /// 变更后的典型案例 (the typical case, as changed)
    pub typical_case: TypicalCaseNode,
}

impl From<TypicalCaseNode> for ProposeTypicalCasePayload {
    fn from(typical_case: TypicalCaseNode) -> Self {
        ProposeTypicalCasePayload { typical_case }
    }
}

/// `decideTypicalCase` 的结果 (what decideTypicalCase changed)
#[derive(SimpleObject)]
pub struct DecideTypicalCasePayload {
    /// 变更后的典型案例 (the typical case, as changed)
    pub typical_case: TypicalCaseNode,
}

impl From<TypicalCaseNode> for DecideTypicalCasePayload {
    fn from(typical_case: TypicalCaseNode) -> Self {
        DecideTypicalCasePayload { typical_case }
    }
}
