//! Nominations by industry associations (行业协会商会推荐) for red lists, over GraphQL.

use super::connection::Connection;
use super::loaders::{DepartmentKey, ListTypeId, SubjectId};
use super::node::{GlobalId, NodeKind};
use super::types::{DepartmentNode, ListEntryNode, ListTypeNode, SubjectNode, entry_made};
use super::{actor, announce_listings, answers, connection, load, page_request, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::nomination::Nomination;
use persistence::NominationView;

/// 推荐状态 (nomination status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::nomination::NominationStatus")]
pub enum NominationStatus {
    /// 待处理 (pending)
    Pending,
    /// 已采纳：已列入红名单 (accepted: listed)
    Accepted,
    /// 不予采纳 (declined)
    Declined,
}

/// 查看哪一方的推荐 (whose nominations)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum NominationSide {
    /// 本协会作出的推荐 (made by my association)
    Made,
    /// 对本部门所管名单的推荐 (received for the lists my department owns)
    Received,
}

/// 推荐会员列入红名单 (nominate a member for a red list)
#[derive(InputObject)]
pub struct NominateInput {
    /// 被推荐主体的代码 (the member's code)
    pub subject: String,
    /// 红名单类型代码 (the red list)
    pub list_type: String,
    /// 推荐理由 (why)
    pub reason: String,
}

/// 处理推荐 (decide a nomination)
#[derive(InputObject)]
pub struct DecideNominationInput {
    /// 推荐编号 (id)
    pub id: ID,
    /// 是否采纳 (accept or decline)
    pub accept: bool,
    /// 说明；不予采纳时必填 (note; required to decline)
    pub note: Option<String>,
}

pub struct NominationNode(pub Nomination);

/// 行业协会商会的推荐 (a nomination by an industry association)
#[Object(name = "Nomination")]
impl NominationNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Nomination.id(&self.0.id)
    }
    /// 推荐的协会 (the association)
    async fn association(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.0.association.to_string()), "协会")
            .await
            .map(DepartmentNode)
    }
    /// 被推荐的主体 (the member)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 红名单类型 (the red list)
    async fn list_type(&self, ctx: &Context<'_>) -> Result<ListTypeNode> {
        load(ctx, ListTypeId(self.0.list_type_id.clone()), "名单类型")
            .await
            .map(ListTypeNode)
    }
    /// 推荐理由 (why)
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// 状态 (status)
    async fn status(&self) -> NominationStatus {
        self.0.status.into()
    }
    /// 状态的中文说明 (the status as people read it)
    async fn status_label(&self) -> &'static str {
        self.0.status.label()
    }
    /// 推荐时间 (made at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 处理时间 (decided at)
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// 处理说明 (the department's note)
    async fn decision_note(&self) -> Option<&str> {
        self.0.decision_note.as_deref()
    }
    /// 采纳后形成的名单条目 (the entry it became)
    async fn entry(&self, ctx: &Context<'_>) -> Result<Option<ListEntryNode>> {
        entry_made(ctx, self.0.entry_id.as_deref()).await
    }
}

#[derive(Default)]
pub struct NominationQuery;

/// 行业协会商会推荐 (nominations)
#[Object]
impl NominationQuery {
    /// 推荐列表，最新的在前：协会看本协会作出的，部门看对其所管名单的；需 lists:write
    /// (nominations made by my association, or received for my lists)
    async fn nominations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "哪一方 (whose)")] side: NominationSide,
        #[graphql(desc = "只看此状态 (only this status)")] status: Option<NominationStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<NominationNode>> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let view = match side {
            NominationSide::Made => NominationView::Made,
            NominationSide::Received => NominationView::Received,
        };
        let status = status.map(Into::into);
        let result = services(ctx)?
            .run(move |s| s.nominations(&actor, view, status, None, &page))
            .await?;
        Ok(connection(result, had_after, |n| {
            (n.id.clone(), NominationNode(n))
        }))
    }
}

#[derive(Default)]
pub struct NominationMutation;

/// 行业协会商会推荐 (nominations)
#[Object]
impl NominationMutation {
    /// 行业协会商会推荐会员列入红名单；需 lists:write，且账户为协会
    /// (an association nominates a member for a red list)
    async fn nominate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "变更的内容，字段见 NominateInput (what to change; see NominateInput)")]
        input: NominateInput,
    ) -> Result<NominatePayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let made = svc
            .run(move |s| {
                s.nominate(
                    &actor,
                    &input.subject,
                    &input.list_type,
                    &input.reason,
                    today,
                )
            })
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(NominationNode(made).into())
    }

    /// 名单管理部门采纳（列入红名单并分发激励措施）或不予采纳；需 lists:write
    /// (the list's owner accepts — the member is listed, its measures dispatched — or declines)
    async fn decide_nomination(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 DecideNominationInput (what to change; see DecideNominationInput)"
        )]
        input: DecideNominationInput,
    ) -> Result<DecideNominationPayload> {
        let actor = actor(ctx, Scope::ListsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let id = NodeKind::Nomination.local(&input.id, "input.id").gql()?;
        let note = input.note;
        let accept = input.accept;
        let (decided, listed) = svc
            .run(move |s| s.decide_nomination(&actor, &id, accept, note.as_deref(), today))
            .await?;
        match &listed {
            Some(_) => announce_listings(ctx, listed.as_slice())?,
            None => answers::changed_nothing_public(ctx),
        }
        Ok(NominationNode(decided).into())
    }
}

/// `nominate` 的结果 (what nominate changed)
#[derive(SimpleObject)]
pub struct NominatePayload {
    /// 变更后的推荐 (the nomination, as changed)
    pub nomination: NominationNode,
}

impl From<NominationNode> for NominatePayload {
    fn from(nomination: NominationNode) -> Self {
        NominatePayload { nomination }
    }
}

/// `decideNomination` 的结果 (what decideNomination changed)
#[derive(SimpleObject)]
pub struct DecideNominationPayload {
    /// 变更后的推荐 (the nomination, as changed)
    pub nomination: NominationNode,
}

impl From<NominationNode> for DecideNominationPayload {
    fn from(nomination: NominationNode) -> Self {
        DecideNominationPayload { nomination }
    }
}
