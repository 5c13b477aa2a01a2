//! Credit repair (信用修复) over GraphQL.

use super::connection::Connection;
use super::enums::{self, ObjectionTargetKind};
use super::loaders::SubjectId;
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::{actor, answers, connection, load, page_request, principal, services};
use crate::error::{ApiError, ErrorCode, GqlResult};
use async_graphql::{Context, Description, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::repair::{RawRepair, RepairRule};
use domain::{CreditRecordKind, Principal, Scope};
use persistence::{Repair, RepairOption};

/// 信用修复申请 (a repair application)
#[derive(Description)]
pub struct RepairNode(pub Repair);

#[Object(name = "Repair", use_type_description)]
impl RepairNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Repair.id(&self.0.id)
    }
    /// 状态 (status)
    async fn status(&self) -> enums::RepairStatus {
        self.0.status.into()
    }
    /// 状态的中文说明 (the status as people read it)
    async fn status_label(&self) -> &'static str {
        self.0.status.label()
    }
    /// 修复对象种类 (target kind)
    async fn target_kind(&self) -> ObjectionTargetKind {
        self.0.target.into()
    }
    /// 修复对象编号 (target id)
    async fn target_id(&self) -> ID {
        NodeKind::from(self.0.target).id(&self.0.target_id)
    }
    /// 主体 (subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<super::types::SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(super::types::SubjectNode::from)
    }
    /// 决定部门（谁认定、谁修复）(the department that decides)
    async fn owner(&self) -> &str {
        self.0.owner.as_str()
    }
    /// 整改情况 (what the subject did to put things right)
    async fn rectification(&self) -> &str {
        &self.0.rectification
    }
    /// 信用承诺书 (the signed commitment)
    async fn commitment(&self) -> &str {
        &self.0.commitment
    }
    /// 附件 (attachments)
    async fn attachments(&self) -> &[String] {
        &self.0.attachments
    }
    /// 申请日期 (applied on)
    async fn applied_on(&self) -> Date {
        Date(self.0.applied_on)
    }
    /// 应作出决定的最后一日：申请后10个工作日；工作日历尚未载入该年时为空，原因见 decideByPending (decide by)
    async fn decide_by(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        let calendar = services(ctx)?.calendar();
        Ok(domain::repair::decide_by(&calendar, self.0.applied_on).map(Date))
    }
    /// 决定期限暂无法计算的原因，如“2027年工作日历尚未载入”；期限已知时为空 (why decideBy is null)
    async fn decide_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = services(ctx)?.calendar();
        Ok(domain::repair::decide_by(&calendar, self.0.applied_on)
            .is_none()
            .then(|| calendar.pending_reason(self.0.applied_on)))
    }
    /// 已过期限仍未决定 (undecided past its term)
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        let svc = services(ctx)?;
        Ok(domain::repair::waits_past_deadline(
            &svc.calendar(),
            self.0.status,
            self.0.applied_on,
            svc.today(),
        ))
    }
    /// 决定部门 (decided by)
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
    /// 决定理由 (reasons)
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    /// 决定时间 (decided at)
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}

/// 可修复事项 (what a subject may repair, and when)
#[derive(SimpleObject)]
#[graphql(name = "RepairOption")]
pub struct RepairOptionNode {
    /// 对象种类 (target kind)
    pub target_kind: ObjectionTargetKind,
    /// 对象编号 (target id)
    pub target_id: ID,
    /// 说明 (what it is)
    pub description: String,
    /// 是否可以申请修复 (whether repair is allowed at all)
    pub allowed: bool,
    /// 最早可申请日期 (the earliest date to apply)
    pub earliest_application_date: Option<Date>,
    /// 到期自动结束公示的日期 (the date it ends by itself)
    pub ends_on: Option<Date>,
    /// 须附材料 (attachments required)
    pub required_attachments: Vec<String>,
    /// 不通过申请修复时的说明及依据，如失信被执行人名单由人民法院依法删除
    /// (why it is not repaired by application, naming the basis)
    pub not_by_application: Option<String>,
}

impl From<RepairOption> for RepairOptionNode {
    fn from(o: RepairOption) -> Self {
        RepairOptionNode {
            target_kind: o.target.into(),
            target_id: NodeKind::from(o.target).id(&o.target_id),
            description: o.description,
            allowed: o.allowed,
            earliest_application_date: o.earliest.map(Date),
            ends_on: o.ends.map(Date),
            required_attachments: o.required_attachments,
            not_by_application: o.not_by_application,
        }
    }
}

/// 申请信用修复，须用主体本人的令牌 (apply for repair; the subject's own token)
#[derive(InputObject)]
pub struct ApplyRepairInput {
    /// 修复对象种类 (target kind)
    pub target_kind: ObjectionTargetKind,
    /// 名单条目或信用记录编号 (target id)
    pub target_id: ID,
    /// 整改情况 (what was done to put things right)
    pub rectification: String,
    /// 信用承诺书全文 (the signed commitment's text)
    pub commitment: String,
    /// 附件名称 (attachments)
    #[graphql(default)]
    pub attachments: Vec<String>,
}

/// 设置后的修复规则 (the repair rule as set)
#[derive(SimpleObject)]
pub struct SetRepairRulePayload {
    /// 名单类型代码；按信用记录类别设置时为空 (the list type; none when set for a record kind)
    pub list_type: Option<String>,
    /// 信用记录类别；按名单类型设置时为空 (the record kind; none when set for a list type)
    pub record_kind: Option<enums::CreditRecordKind>,
    /// 是否可以申请修复 (whether repair is allowed)
    pub allowed: bool,
    /// 最短期限（月）(months before one may apply)
    pub min_months: i32,
    /// 须附材料 (attachments required)
    pub required_attachments: Vec<String>,
    /// 修复后再次列入时提示的期间（月）(months within which a relisting is flagged)
    pub relist_window_months: i32,
}

/// 修复决定 (decide a repair application)
#[derive(InputObject)]
pub struct DecideRepairInput {
    /// 申请编号 (repair id)
    pub id: ID,
    /// 是否批准 (approve?)
    pub approve: bool,
    /// 理由 (reasons)
    pub reason: String,
}

/// 设置修复规则，仅信用办 (set a repair rule; the credit office)
#[derive(InputObject)]
pub struct SetRepairRuleInput {
    /// 名单类型代码（与 recordKind 二选一）(list type)
    pub list_type: Option<String>,
    /// 信用记录类别（与 listType 二选一）(record kind)
    pub record_kind: Option<enums::CreditRecordKind>,
    /// 是否允许修复 (allowed)
    pub allowed: bool,
    /// 自列入或决定之日起须满的月数 (months that must pass first)
    pub min_months: i32,
    /// 须附材料 (attachments required)
    #[graphql(default)]
    pub required_attachments: Vec<String>,
    /// 修复后再次列入即标记的期间（月）(months in which a new listing after a repair is flagged)
    pub relist_window_months: Option<i32>,
}

#[derive(Default)]
pub struct RepairQuery;

#[Object]
impl RepairQuery {
    /// 待决定和已决定的修复申请：决定部门看本部门的，信用办看全部。需 objections:handle (repair applications)
    async fn repairs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "状态 (status)")] status: Option<enums::RepairStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<RepairNode>> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let status = status.map(Into::into);
        let result = services(ctx)?
            .run(move |s| s.repairs(&actor, status, None, &page))
            .await?;
        Ok(connection(result, had_after, |r| {
            (r.id.clone(), RepairNode(r))
        }))
    }

    /// 可修复事项：最早可申请日期和到期自动结束的日期。主体本人或部门可查 (what a subject may repair, and when)
    async fn repair_options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "主体代码 (subject code)")] code: String,
    ) -> Result<Vec<RepairOptionNode>> {
        let subject = domain::SubjectCode::parse(&code).map_err(|e| {
            ApiError::bad_input("code", domain::subject::code_message(e)).into_graphql()
        })?;
        domain::access::may_see_own_affairs(principal(ctx), &subject).gql()?;
        let svc = services(ctx)?;
        let today = svc.today();
        let options = svc.run(move |s| s.repair_options(&code, today)).await?;
        Ok(options.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct RepairMutation;

#[Object]
impl RepairMutation {
    /// 申请信用修复：须用主体本人的令牌；不符合规则的申请当即拒绝并指明规则 (apply for repair)
    async fn apply_repair(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 ApplyRepairInput (what to change; see ApplyRepairInput)"
        )]
        input: ApplyRepairInput,
    ) -> Result<ApplyRepairPayload> {
        let Principal::Subject { code } = principal(ctx).clone() else {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "信用修复须由主体本人使用主体令牌申请",
            )
            .into_graphql());
        };
        let svc = services(ctx)?;
        let today = svc.today();
        let kind = input.target_kind.into();
        let raw = RawRepair {
            target_id: NodeKind::from(kind)
                .local(&input.target_id, "input.targetId")
                .gql()?,
            rectification: input.rectification,
            commitment: input.commitment,
            attachments: input.attachments,
        };
        let repair = svc
            .run(move |s| s.apply_repair(&code, kind, &raw, today))
            .await?;
        answers::changed_subjects(ctx, [repair.subject_id.as_str()]);
        Ok(RepairNode(repair).into())
    }

    /// 批准或驳回修复申请，须说明理由；批准后名单条目变为已修复并解除措施，或记录结束公示。需 objections:handle
    /// (approve or reject; approved, the entry ends early or the record's publicity ends)
    async fn decide_repair(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 DecideRepairInput (what to change; see DecideRepairInput)"
        )]
        input: DecideRepairInput,
    ) -> Result<DecideRepairPayload> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let id = NodeKind::Repair.local(&input.id, "input.id").gql()?;
        let decided = svc
            .run(move |s| s.decide_repair(&actor, &id, input.approve, &input.reason, today))
            .await?;
        svc.events.publish_ended(&decided.ended);
        answers::changed_codes(ctx, [decided.subject_code.as_str()]);
        Ok(RepairNode(decided.repair).into())
    }

    /// 设置修复规则，仅信用办，需 memoranda:admin (set a repair rule)
    async fn set_repair_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 SetRepairRuleInput (what to change; see SetRepairRuleInput)"
        )]
        input: SetRepairRuleInput,
    ) -> Result<SetRepairRulePayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let months = |v: i32, field: &str| {
            u32::try_from(v)
                .ok()
                .filter(|m| *m <= 120)
                .ok_or_else(|| ApiError::bad_input(field, "月数应为0至120").into_graphql())
        };
        let rule = RepairRule {
            allowed: input.allowed,
            min_months: months(input.min_months, "input.minMonths")?,
            required_attachments: input.required_attachments,
            relist_window_months: months(
                input.relist_window_months.unwrap_or(12),
                "input.relistWindowMonths",
            )?,
            not_by_application: None,
        };
        let payload = SetRepairRulePayload {
            list_type: input.list_type.clone(),
            record_kind: input.record_kind,
            allowed: rule.allowed,
            min_months: input.min_months,
            required_attachments: rule.required_attachments.clone(),
            relist_window_months: input.relist_window_months.unwrap_or(12),
        };
        let list_type = input.list_type;
        let kind = input.record_kind.map(CreditRecordKind::from);
        services(ctx)?
            .run(move |s| s.set_repair_rule(&actor, list_type.as_deref(), kind, &rule))
            .await?;
        answers::changed_everything(ctx);
        Ok(payload)
    }
}

/// `applyRepair` 的结果 (what applyRepair changed)
#[derive(SimpleObject)]
pub struct ApplyRepairPayload {
    /// 变更后的修复申请 (the repair, as changed)
    pub repair: RepairNode,
}

impl From<RepairNode> for ApplyRepairPayload {
    fn from(repair: RepairNode) -> Self {
        ApplyRepairPayload { repair }
    }
}

/// `decideRepair` 的结果 (what decideRepair changed)
#[derive(SimpleObject)]
pub struct DecideRepairPayload {
    /// 变更后的修复申请 (the repair, as changed)
    pub repair: RepairNode,
}

impl From<RepairNode> for DecideRepairPayload {
    fn from(repair: RepairNode) -> Self {
        DecideRepairPayload { repair }
    }
}
