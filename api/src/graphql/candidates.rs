//! Broken commitments as black lists' criteria, and the candidates they propose, over GraphQL.

use super::connection::Connection;
use super::loaders::{DepartmentKey, ListTypeId, SubjectId};
use super::node::{GlobalId, NodeKind};
use super::types::{DepartmentNode, ListEntryNode, ListTypeNode, SubjectNode, entry_made};
use super::{actor, announce_listings, answers, connection, load, page_request, services};
use crate::error::{ApiError, GqlResult};
use async_graphql::{Context, Description, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::candidate::{CommitmentCriterion, ListingCandidate};

/// 候选状态 (candidate status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::candidate::CandidateStatus")]
pub enum CandidateStatus {
    /// 待名单管理部门处理 (pending)
    Pending,
    /// 已列入名单 (listed)
    Listed,
    /// 不予列入 (dismissed)
    Dismissed,
}

/// 设定或取消黑名单的违背信用承诺认定标准 (set a black list's criterion of broken commitments)
#[derive(InputObject)]
pub struct SetCommitmentCriterionInput {
    /// 黑名单类型代码 (the black list)
    pub list_type: String,
    /// 违背承诺次数，1–20；与 withinMonths 同时为空即取消该标准 (broken commitments; both empty removes)
    pub broken_commitments: Option<i32>,
    /// 统计期间（月），1–120 (within months)
    pub within_months: Option<i32>,
}

/// 处理候选 (decide a candidate)
#[derive(InputObject)]
pub struct DecideListingCandidateInput {
    /// 候选编号 (id)
    pub id: ID,
    /// 是否列入名单 (list, or dismiss)
    pub list: bool,
    /// 本部门的认定文书编号；列入时必填 (the decision document; required to list)
    pub basis_document: Option<String>,
    /// 说明；不予列入时必填 (note; required to dismiss)
    pub note: Option<String>,
}

/// 黑名单的违背信用承诺认定标准：在若干个月内违背信用承诺达到若干次的主体，提交名单管理部门作为候选
/// (a black list's criterion: broken commitments within months make a candidate)
#[derive(Description)]
pub struct CommitmentCriterionNode(CommitmentCriterion);

#[Object(name = "CommitmentCriterion", use_type_description)]
impl CommitmentCriterionNode {
    /// 黑名单类型 (the black list)
    async fn list_type(&self, ctx: &Context<'_>) -> Result<ListTypeNode> {
        load(ctx, ListTypeId(self.0.list_type_id.clone()), "名单类型")
            .await
            .map(ListTypeNode)
    }
    /// 违背承诺次数 (broken commitments)
    async fn broken_commitments(&self) -> u32 {
        self.0.broken
    }
    /// 统计期间（月）(within months)
    async fn within_months(&self) -> u32 {
        self.0.within_months
    }
}

/// 因违背信用承诺达到认定标准而提交名单管理部门的候选 (a candidate for a black list)
#[derive(Description)]
pub struct ListingCandidateNode(pub ListingCandidate);

#[Object(name = "ListingCandidate", use_type_description)]
impl ListingCandidateNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::ListingCandidate.id(&self.0.id)
    }
    /// 主体 (the subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 黑名单类型 (the black list)
    async fn list_type(&self, ctx: &Context<'_>) -> Result<ListTypeNode> {
        load(ctx, ListTypeId(self.0.list_type_id.clone()), "名单类型")
            .await
            .map(ListTypeNode)
    }
    /// 理由，如 “12个月内违背信用承诺2次…” (why)
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// 计入的违背承诺编号 (the broken commitments counted)
    async fn commitment_ids(&self) -> Vec<ID> {
        self.0
            .commitment_ids
            .iter()
            .map(|c| NodeKind::Commitment.id(c))
            .collect()
    }
    /// 状态 (status)
    async fn status(&self) -> CandidateStatus {
        self.0.status.into()
    }
    /// 提出时间 (proposed at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 处理时间 (decided at)
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// 处理部门 (decided by)
    async fn decided_by(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        let Some(code) = &self.0.decided_by else {
            return Ok(None);
        };
        load(ctx, DepartmentKey(code.to_string()), "部门")
            .await
            .map(|d| Some(DepartmentNode(d)))
    }
    /// 处理说明 (the department's note)
    async fn decision_note(&self) -> Option<&str> {
        self.0.decision_note.as_deref()
    }
    /// 列入后形成的名单条目 (the entry it became)
    async fn entry(&self, ctx: &Context<'_>) -> Result<Option<ListEntryNode>> {
        entry_made(ctx, self.0.entry_id.as_deref()).await
    }
}

#[derive(Default)]
pub struct CandidateQuery;

/// 违背信用承诺的认定标准与候选 (criteria and candidates)
#[Object]
impl CandidateQuery {
    /// 各黑名单的违背信用承诺认定标准（公开）(every criterion of broken commitments; public)
    async fn commitment_criteria(&self, ctx: &Context<'_>) -> Result<Vec<CommitmentCriterionNode>> {
        let all = services(ctx)?.run(|s| s.commitment_criteria()).await?;
        Ok(all.into_iter().map(CommitmentCriterionNode).collect())
    }

    /// 本部门所管黑名单的候选，最新的在前（信用办看全部）；需 lists:write
    /// (candidates for the lists my department owns)
    async fn listing_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "只看此状态 (only this status)")] status: Option<CandidateStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ListingCandidateNode>> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let status = status.map(Into::into);
        let result = services(ctx)?
            .run(move |s| s.listing_candidates(&actor, status, None, &page))
            .await?;
        Ok(connection(result, had_after, |n| {
            (n.id.clone(), ListingCandidateNode(n))
        }))
    }
}

/// 设置后的认定标准 (the criterion as set)
#[derive(SimpleObject)]
pub struct SetCommitmentCriterionPayload {
    /// 名单类型代码 (the list type's code)
    pub list_type: String,
    /// 现行标准；已取消时为空 (the criterion now; none once cancelled)
    pub criterion: Option<CommitmentCriterionNode>,
}

#[derive(Default)]
pub struct CandidateMutation;

/// 违背信用承诺的认定标准与候选 (criteria and candidates)
#[Object]
impl CandidateMutation {
    /// 信用办设定（或取消）黑名单的违背信用承诺认定标准；此后认定违背的承诺按此提出候选；
    /// 需 memoranda:admin (set or remove a black list's criterion of broken commitments)
    async fn set_commitment_criterion(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 SetCommitmentCriterionInput (what to change; see SetCommitmentCriterionInput)"
        )]
        input: SetCommitmentCriterionInput,
    ) -> Result<SetCommitmentCriterionPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let rule = match (input.broken_commitments, input.within_months) {
            (Some(b), Some(m)) => Some((b, m)),
            (None, None) => None,
            (None, Some(_)) => {
                return Err(ApiError::bad_input(
                    "input.brokenCommitments",
                    "请同时填写违背承诺次数和统计期间；两者都不填即取消该标准",
                )
                .into_graphql());
            }
            (Some(_), None) => {
                return Err(ApiError::bad_input(
                    "input.withinMonths",
                    "请同时填写违背承诺次数和统计期间；两者都不填即取消该标准",
                )
                .into_graphql());
            }
        };
        let list_type = input.list_type;
        let code = list_type.trim().to_owned();
        let set = services(ctx)?
            .run(move |s| s.set_commitment_criterion(&actor, &list_type, rule))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(SetCommitmentCriterionPayload {
            list_type: code,
            criterion: set.map(CommitmentCriterionNode),
        })
    }

    /// 名单管理部门处理候选：凭本部门认定文书列入黑名单（分发惩戒措施），或说明理由不予列入；
    /// 需 lists:write (the list's owner lists the candidate, or dismisses it)
    async fn decide_listing_candidate(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 DecideListingCandidateInput (what to change; see DecideListingCandidateInput)"
        )]
        input: DecideListingCandidateInput,
    ) -> Result<DecideListingCandidatePayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let DecideListingCandidateInput {
            id,
            list,
            basis_document,
            note,
        } = input;
        let id = NodeKind::ListingCandidate.local(&id, "input.id").gql()?;
        let (decided, listed) = svc
            .run(move |s| {
                s.decide_listing_candidate(
                    &actor,
                    &id,
                    list,
                    basis_document.as_deref(),
                    note.as_deref(),
                    today,
                )
            })
            .await?;
        match &listed {
            Some(_) => announce_listings(ctx, listed.as_slice())?,
            None => answers::changed_nothing_public(ctx),
        }
        Ok(ListingCandidateNode(decided).into())
    }
}

/// `decideListingCandidate` 的结果 (what decideListingCandidate changed)
#[derive(SimpleObject)]
pub struct DecideListingCandidatePayload {
    /// 变更后的候选 (the candidate, as changed)
    pub candidate: ListingCandidateNode,
}

impl From<ListingCandidateNode> for DecideListingCandidatePayload {
    fn from(candidate: ListingCandidateNode) -> Self {
        DecideListingCandidatePayload { candidate }
    }
}
