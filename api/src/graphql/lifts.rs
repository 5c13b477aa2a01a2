//! Lifting measures (措施解除) over GraphQL: a dispatch's lift requests, and their confirmation by
//! the implementing department.

use super::joint_types::DispatchNode;
use super::loaders::{DepartmentKey, LiftsOf};
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::types::DepartmentNode;
use super::{actor, load, services};
use crate::error::GqlResult;
use async_graphql::{Context, Description, Enum, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use domain::Scope;
use domain::lift::{Lift, RawLiftConfirmation};

/// 解除理由 (why a measure is lifted)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::lift::LiftGround")]
pub enum LiftGround {
    /// 错误列入（撤销或异议成立）：撤销已采取的措施，恢复主体在该业务中的信誉、消除不良影响
    /// (wrongful: undo what was done and restore the subject's standing)
    Wrongful,
    /// 名单已结束（修复、移出、到期）：自即日起停止实施 (ended: stop applying it from now on)
    Ended,
}

/// 措施解除请求 (a request to lift a measure the department applied), and its confirmation.
#[derive(Description)]
pub struct LiftNode {
    pub lift: Lift,
    pub today: NaiveDate,
}

#[Object(name = "Lift", use_type_description)]
impl LiftNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Lift.id(&self.lift.id)
    }
    /// 解除理由 (ground)
    async fn ground(&self) -> LiftGround {
        self.lift.ground.into()
    }
    /// 应如何处理，中文说明 (what the department is asked to do)
    async fn what_to_do(&self) -> &'static str {
        self.lift.ground.label()
    }
    /// 实施部门 (the implementing department)
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.lift.department.to_string()), "部门")
            .await
            .map(DepartmentNode)
    }
    /// 提出时间 (requested at)
    async fn requested_at(&self) -> DateTime<Utc> {
        self.lift.requested_at
    }
    /// 确认期限（工作日）；工作日历尚未载入该年时为空，原因见 liftByPending (confirm by)
    async fn lift_by(&self) -> Option<Date> {
        self.lift.lift_by.map(Date)
    }
    /// 确认期限暂无法计算的原因，如“2027年工作日历尚未载入” (why liftBy is null)
    async fn lift_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = services(ctx)?.calendar();
        Ok(self
            .lift
            .lift_by
            .is_none()
            .then(|| calendar.pending_reason(self.lift.requested_on)))
    }
    /// 超期未确认 (unconfirmed past its deadline)
    async fn overdue(&self) -> bool {
        self.lift.is_overdue(self.today)
    }
    /// 确认解除的时间；未确认时为空 (confirmed at)
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.lift.confirmed_at
    }
    /// 在哪项业务中解除 (the business it was lifted in)
    async fn business(&self) -> Option<&str> {
        self.lift.business.as_deref()
    }
    /// 解除情况说明，如撤销了哪项决定、如何恢复信誉 (how it was lifted)
    async fn note(&self) -> Option<&str> {
        self.lift.note.as_deref()
    }
}

/// A dispatch's lifts, through the request's loader.
pub(super) async fn lifts_of(ctx: &Context<'_>, dispatch_id: &str) -> Result<Vec<Lift>> {
    let loader = ctx.data::<super::loaders::Loaders>()?;
    let found = loader
        .load_one(LiftsOf(dispatch_id.to_owned()))
        .await
        .map_err(|e| e.into_graphql())?;
    Ok(found.unwrap_or_default())
}

/// 确认解除措施 (confirm that a measure was lifted)
#[derive(InputObject)]
pub struct ConfirmLiftInput {
    /// 推送编号 (the dispatch)
    pub dispatch: ID,
    /// 在哪项业务中解除，如 招标投标资格恢复 (the business it was lifted in)
    pub business: String,
    /// 解除情况；错误列入的须说明如何恢复主体信誉 (how; required when the listing was wrongful)
    pub note: Option<String>,
}

/// 确认解除的结果 (what confirming a lift did)
#[derive(Description)]
pub struct ConfirmLiftPayload {
    dispatch: DispatchNode,
    lift: LiftNode,
}

#[Object(use_type_description)]
impl ConfirmLiftPayload {
    /// 推送，现为已解除 (the dispatch, now lifted)
    async fn dispatch(&self) -> &DispatchNode {
        &self.dispatch
    }
    /// 已确认的解除请求 (the lift, confirmed)
    async fn lift(&self) -> &LiftNode {
        &self.lift
    }
}

#[derive(Default)]
pub struct LiftMutation;

#[Object]
impl LiftMutation {
    /// 实施部门确认已解除措施（待解除 → 已解除），需 dispatch:handle (confirm a lift)
    async fn confirm_lift(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 ConfirmLiftInput (what to change; see ConfirmLiftInput)"
        )]
        input: ConfirmLiftInput,
    ) -> Result<ConfirmLiftPayload> {
        let actor = actor(ctx, Scope::DispatchHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let raw = RawLiftConfirmation {
            business: input.business,
            note: input.note,
        };
        let id = NodeKind::Dispatch
            .local(&input.dispatch, "input.dispatch")
            .gql()?;
        let done = svc
            .run(move |s| s.confirm_lift(&actor, &id, &raw, today))
            .await?;
        Ok(ConfirmLiftPayload {
            dispatch: DispatchNode {
                dispatch: done.dispatch.dispatch,
                today,
            },
            lift: LiftNode {
                lift: done.lift,
                today,
            },
        })
    }
}
