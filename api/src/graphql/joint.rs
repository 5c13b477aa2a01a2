//! Queries, mutations and subscriptions of joint reward and punishment.

use super::connection::Connection;
use super::joint_inputs::{
    AcknowledgeDispatchInput, AmendMemorandumInput, MemorandumInput, RecordFeedbackInput,
    RetireMemorandumInput,
};
use super::joint_types::{CheckResultNode, DispatchNode, MemorandumNode};
use super::node::{GlobalId, NodeKind};
use super::{actor, answers, any_department, connection, enums, page_request, principal, services};
use crate::error::{ApiError, GqlResult};
use crate::events::DispatchEventKind;
use async_graphql::{Context, ID, Object, Result, SimpleObject, Subscription};
use domain::dispatch::RawFeedback;
use domain::{Principal, Scope};
use futures_util::Stream;
use persistence::DispatchFilter;

#[derive(Default)]
pub struct JointQuery;

#[Object]
impl JointQuery {
    /// 联合奖惩备忘录（当前版本）(memoranda, current versions)
    async fn memoranda(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "包括已废止的 (include retired ones)", default)] include_retired: bool,
    ) -> Result<Vec<MemorandumNode>> {
        let all = services(ctx)?
            .run(move |s| s.memoranda(include_retired))
            .await?;
        Ok(all.into_iter().map(MemorandumNode).collect())
    }

    /// 一份备忘录（当前版本）(one memorandum, current version)
    async fn memorandum(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "备忘录编号 (id)")] id: ID,
    ) -> Result<Option<MemorandumNode>> {
        let id = NodeKind::Memorandum.local(&id, "id").gql()?;
        let found = services(ctx)?.run(move |s| s.memorandum(&id)).await?;
        Ok(found.map(MemorandumNode))
    }

    /// 推送：实施部门的收件箱，及发起部门自己条目的推送；信用办可见全部 (dispatches: an implementing
    /// department's inbox and the dispatches of its own entries; the credit office sees all)
    async fn dispatches(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "状态 (status)")] status: Option<enums::DispatchStatus>,
        #[graphql(desc = "只看超期未签收的（或只看未超期的）(overdue only, or not)")]
        overdue: Option<bool>,
        #[graphql(desc = "只看某名单条目的推送 (of one entry)")] entry: Option<ID>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<DispatchNode>> {
        let actor = any_department(ctx, "只有部门令牌可以查看推送")?;
        let svc = services(ctx)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let today = svc.today();
        let filter = DispatchFilter {
            status: status.map(Into::into),
            overdue,
            entry_id: entry
                .map(|e| NodeKind::ListEntry.local(&e, "entry"))
                .transpose()
                .gql()?,
            id: None,
        };
        let result = svc
            .run(move |s| s.dispatches(&actor, &filter, today, &page))
            .await?;
        Ok(connection(result, had_after, |dispatch| {
            (dispatch.id.clone(), DispatchNode { dispatch, today })
        }))
    }

    /// 嵌入式核查：办理业务时查询该主体当前适用于本部门的措施；每次核查都记录在案。需 dispatch:handle
    /// (the check a department makes while handling business; logged)
    async fn check(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "统一社会信用代码或公民身份号码 (code)")] code: String,
        #[graphql(desc = "正在办理的业务，如 行政许可申请 (business being handled)")]
        business: String,
    ) -> Result<CheckResultNode> {
        let actor = actor(ctx, Scope::DispatchHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let outcome = svc
            .run(move |s| s.check(&actor, &code, &business, today))
            .await?;
        Ok(CheckResultNode(outcome))
    }
}

#[derive(Default)]
pub struct JointMutation;

#[Object]
impl JointMutation {
    /// 新建备忘录，仅信用办，需 memoranda:admin (create a memorandum)
    async fn create_memorandum(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 MemorandumInput (what to change; see MemorandumInput)"
        )]
        input: MemorandumInput,
    ) -> Result<CreateMemorandumPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let raw = input.into();
        let m = services(ctx)?
            .run(move |s| s.create_memorandum(&actor, &raw))
            .await?;
        answers::changed_everything(ctx);
        Ok(MemorandumNode(m).into())
    }

    /// 修订备忘录：生成新版本，适用于此后的新名单；已推送的保留原版本 (amend: a new version)
    async fn amend_memorandum(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AmendMemorandumInput (what to change; see AmendMemorandumInput)"
        )]
        input: AmendMemorandumInput,
    ) -> Result<AmendMemorandumPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let raw = input.memorandum.into();
        let id = NodeKind::Memorandum.local(&input.id, "input.id").gql()?;
        let m = services(ctx)?
            .run(move |s| s.amend_memorandum(&actor, &id, &raw))
            .await?;
        answers::changed_everything(ctx);
        Ok(MemorandumNode(m).into())
    }

    /// 废止备忘录：此后不再推送 (retire: no new dispatches)
    async fn retire_memorandum(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RetireMemorandumInput (what to change; see RetireMemorandumInput)"
        )]
        input: RetireMemorandumInput,
    ) -> Result<RetireMemorandumPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let id = NodeKind::Memorandum.local(&input.id, "input.id").gql()?;
        let m = services(ctx)?
            .run(move |s| s.retire_memorandum(&actor, &id))
            .await?;
        answers::changed_everything(ctx);
        Ok(MemorandumNode(m).into())
    }

    /// 签收推送，仅推送的实施部门，需 dispatch:handle (acknowledge a dispatch)
    async fn acknowledge_dispatch(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AcknowledgeDispatchInput (what to change; see AcknowledgeDispatchInput)"
        )]
        input: AcknowledgeDispatchInput,
    ) -> Result<AcknowledgeDispatchPayload> {
        let actor = actor(ctx, Scope::DispatchHandle)?;
        let svc = services(ctx)?;
        let id = NodeKind::Dispatch.local(&input.id, "input.id").gql()?;
        let dispatch = svc
            .run(move |s| s.acknowledge_dispatch(&actor, &id))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(DispatchNode {
            dispatch,
            today: svc.today(),
        }
        .into())
    }

    /// 反馈实施情况（联合奖惩案例），仅推送的实施部门，只能反馈一次，需 dispatch:handle (record feedback)
    async fn record_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RecordFeedbackInput (what to change; see RecordFeedbackInput)"
        )]
        input: RecordFeedbackInput,
    ) -> Result<RecordFeedbackPayload> {
        let actor = actor(ctx, Scope::DispatchHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let raw = RawFeedback {
            outcome: input.outcome.into(),
            business: input.business,
            note: input.note,
        };
        let id = NodeKind::Dispatch
            .local(&input.dispatch, "input.dispatch")
            .gql()?;
        let view = svc
            .run(move |s| s.record_feedback(&actor, &id, &raw, today))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(DispatchNode {
            dispatch: view.dispatch,
            today,
        }
        .into())
    }
}

/// 订阅 (subscriptions), over WebSocket with the graphql-transport-ws protocol; the token goes in
/// `connection_init` as `{"Authorization": "Bearer …"}`.
#[derive(Default)]
pub struct SubscriptionRoot;

fn department_events(
    ctx: &Context<'_>,
    kind: DispatchEventKind,
) -> Result<impl Stream<Item = DispatchNode> + use<>> {
    // The dispatches a department handles are what `dispatch:handle` lets it see: a token for
    // something else (a bank's `bank:query`) streams none of them.
    let department = match principal(ctx) {
        Principal::Department(_) => actor(ctx, Scope::DispatchHandle)?.department,
        _ => {
            return Err(ApiError::new(
                crate::error::ErrorCode::Unauthenticated,
                "订阅推送需要在 connection_init 中提供部门令牌",
            )
            .into_graphql());
        }
    };
    let svc = services(ctx)?.clone();
    let mut receiver = svc.events.subscribe();
    Ok(async_stream::stream! {
        loop {
            match receiver.recv().await {
                Ok(event) if event.kind == kind && event.dispatch.department == department => {
                    yield DispatchNode { dispatch: event.dispatch, today: svc.today() };
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "subscriber fell behind; the inbox query has every dispatch");
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    })
}

/// Subscriptions deliver only the subscriber's own department's dispatches.
#[Subscription(name = "Subscription", use_type_description)]
impl SubscriptionRoot {
    /// 新推送：推送给本部门的措施 (a new dispatch for the subscriber's department)
    async fn dispatch_created(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = DispatchNode> + use<>> {
        department_events(ctx, DispatchEventKind::Created)
    }

    /// 推送撤回：名单条目结束时尚未办结的推送 (a dispatch of the subscriber's department cancelled
    /// before it was answered: the entry ended)
    async fn dispatch_cancelled(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = DispatchNode> + use<>> {
        department_events(ctx, DispatchEventKind::Cancelled)
    }

    /// 请求解除措施：本部门已实施的措施，其名单条目已结束（错误列入或已结束），请确认解除
    /// (a measure the department applied is to be lifted: its entry ended; see `lift` for the ground)
    async fn lift_requested(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = DispatchNode> + use<>> {
        department_events(ctx, DispatchEventKind::LiftRequested)
    }
}

impl async_graphql::Description for SubscriptionRoot {
    fn description() -> &'static str {
        "订阅 (subscriptions) over WebSocket, graphql-transport-ws; token in connection_init"
    }
}

/// `createMemorandum` 的结果 (what createMemorandum changed)
#[derive(SimpleObject)]
pub struct CreateMemorandumPayload {
    /// 变更后的备忘录 (the memorandum, as changed)
    pub memorandum: MemorandumNode,
}

impl From<MemorandumNode> for CreateMemorandumPayload {
    fn from(memorandum: MemorandumNode) -> Self {
        CreateMemorandumPayload { memorandum }
    }
}

/// `amendMemorandum` 的结果 (what amendMemorandum changed)
#[derive(SimpleObject)]
pub struct AmendMemorandumPayload {
    /// 变更后的备忘录 (the memorandum, as changed)
    pub memorandum: MemorandumNode,
}

impl From<MemorandumNode> for AmendMemorandumPayload {
    fn from(memorandum: MemorandumNode) -> Self {
        AmendMemorandumPayload { memorandum }
    }
}

/// `retireMemorandum` 的结果 (what retireMemorandum changed)
#[derive(SimpleObject)]
pub struct RetireMemorandumPayload {
    /// 变更后的备忘录 (the memorandum, as changed)
    pub memorandum: MemorandumNode,
}

impl From<MemorandumNode> for RetireMemorandumPayload {
    fn from(memorandum: MemorandumNode) -> Self {
        RetireMemorandumPayload { memorandum }
    }
}

/// `acknowledgeDispatch` 的结果 (what acknowledgeDispatch changed)
#[derive(SimpleObject)]
pub struct AcknowledgeDispatchPayload {
    /// 变更后的推送 (the dispatch, as changed)
    pub dispatch: DispatchNode,
}

impl From<DispatchNode> for AcknowledgeDispatchPayload {
    fn from(dispatch: DispatchNode) -> Self {
        AcknowledgeDispatchPayload { dispatch }
    }
}

/// `recordFeedback` 的结果 (what recordFeedback changed)
#[derive(SimpleObject)]
pub struct RecordFeedbackPayload {
    /// 变更后的推送 (the dispatch, as changed)
    pub dispatch: DispatchNode,
}

impl From<DispatchNode> for RecordFeedbackPayload {
    fn from(dispatch: DispatchNode) -> Self {
        RecordFeedbackPayload { dispatch }
    }
}
