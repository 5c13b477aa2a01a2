//! Output types of joint reward and punishment: memoranda, measures, dispatches, checks, statistics.

use super::enums;
use super::loaders::{DepartmentKey, EntryId, FeedbackOf, VersionId};
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::types::{DepartmentNode, ListEntryNode, ListTypeNode, SubjectNode};
use super::{load, services};
use async_graphql::{Context, Description, ID, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use domain::dispatch::{Dispatch, Feedback};
use domain::memorandum::{Measure, Memorandum};

/// 联合奖惩备忘录 (memorandum) at one version.
#[derive(Description)]
pub struct MemorandumNode(pub Memorandum);

#[Object(name = "Memorandum", use_type_description)]
impl MemorandumNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Memorandum.id(&self.0.id)
    }
    /// 代码，如 ndrc-2016-141 (key)
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// 版本号；修订后新名单适用新版本，已推送的保留原版本 (version)
    async fn version(&self) -> u32 {
        self.0.version
    }
    /// 标题 (title)
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 文号，如 发改财金〔2016〕141号 (document number)
    async fn document_number(&self) -> &str {
        &self.0.document_number
    }
    /// 发文单位 (issuing bodies)
    async fn issued_by(&self) -> &[String] {
        &self.0.issued_by
    }
    /// 生效日期 (effective date)
    async fn effective_date(&self) -> Date {
        Date(self.0.effective_date)
    }
    /// 适用的名单类型代码；all-red / all-black 表示全部红名单或黑名单 (list types covered)
    async fn list_types(&self) -> Vec<String> {
        self.0.list_types.iter().map(|s| s.as_string()).collect()
    }
    /// 反馈期限：推送所在季度之后第几个季度末 (feedback due, in quarters after the dispatch's quarter)
    async fn feedback_due_quarters(&self) -> u32 {
        self.0.feedback_due_quarters
    }
    /// 名单结束后，实施部门确认解除已实施措施的期限（工作日）(working days to confirm a lift)
    async fn lift_working_days(&self) -> u32 {
        self.0.lift_working_days
    }
    /// 是否已废止 (retired)
    async fn retired(&self) -> bool {
        self.0.retired
    }
    /// 措施 (measures)
    async fn measures(&self) -> Vec<MeasureNode> {
        self.0.measures.iter().cloned().map(MeasureNode).collect()
    }
}

/// 措施 (measure): one reward or punishment, its implementers and legal basis.
#[derive(Description)]
pub struct MeasureNode(pub Measure);

#[Object(name = "Measure", use_type_description)]
impl MeasureNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Measure.id(&self.0.id)
    }
    /// 措施代码 (code)
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// 措施内容 (what it does)
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 奖励或惩戒 (kind)
    async fn kind(&self) -> enums::MeasureKind {
        self.0.kind.into()
    }
    /// 类别 (category)
    async fn category(&self) -> enums::MeasureCategory {
        self.0.category.into()
    }
    /// 法律依据 (legal basis)
    async fn legal_basis(&self) -> &str {
        &self.0.legal_basis
    }
    /// 实施范围 (scope)
    async fn scope(&self) -> enums::MeasureScope {
        self.0.scope.into()
    }
    /// 约束对象 (whom it binds)
    async fn reaches(&self) -> Vec<enums::Reach> {
        self.0.reaches.iter().map(|r| (*r).into()).collect()
    }
    /// 实施部门简称，如 market、tax (implementing departments, by short name)
    async fn implementers(&self) -> &[String] {
        &self.0.implementers
    }
}

/// 反馈 / 联合奖惩案例 (feedback): what the implementing department did, in which business.
#[derive(Description)]
pub struct FeedbackNode(pub Feedback);

#[Object(name = "Feedback", use_type_description)]
impl FeedbackNode {
    /// 结果 (outcome)
    async fn outcome(&self) -> enums::FeedbackOutcome {
        self.0.outcome.into()
    }
    /// 办理的业务，如 行政许可、招标投标、财政补贴、贷款 (business)
    async fn business(&self) -> &str {
        &self.0.business
    }
    /// 说明 (note)
    async fn note(&self) -> &str {
        &self.0.note
    }
    /// 反馈部门 (recorded by)
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.0.recorded_by.to_string()), "部门")
            .await
            .map(DepartmentNode)
    }
    /// 反馈时间 (recorded at)
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// 推送 (dispatch): one measure for one implementing department about one list entry.
#[derive(Description)]
pub struct DispatchNode {
    pub dispatch: Dispatch,
    pub today: NaiveDate,
}

#[Object(name = "Dispatch", use_type_description)]
impl DispatchNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Dispatch.id(&self.dispatch.id)
    }
    /// 状态 (status)
    async fn status(&self) -> enums::DispatchStatus {
        self.dispatch.status.into()
    }
    /// 状态的中文说明 (the status as people read it)
    async fn status_label(&self) -> &'static str {
        self.dispatch.status.label()
    }
    /// 是否超期：超过签收期限未签收，或超过解除期限未确认解除
    /// (past a deadline: unacknowledged past its acknowledgement deadline, or a lift unconfirmed past its)
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        if self.dispatch.status == domain::dispatch::DispatchStatus::LiftRequested {
            let lifts = super::lifts::lifts_of(ctx, &self.dispatch.id).await?;
            return Ok(lifts.iter().any(|l| l.is_overdue(self.today)));
        }
        Ok(self.dispatch.is_overdue(self.today))
    }
    /// 最近一次措施解除请求：名单条目结束时对已实施措施提出；从未实施的为空 (the latest lift request)
    async fn lift(&self, ctx: &Context<'_>) -> Result<Option<super::lifts::LiftNode>> {
        let lifts = super::lifts::lifts_of(ctx, &self.dispatch.id).await?;
        Ok(lifts.into_iter().last().map(|lift| super::lifts::LiftNode {
            lift,
            today: self.today,
        }))
    }
    /// 全部措施解除请求，先早后晚（如先因到期停止实施，后因错误列入恢复信誉）(every lift request, oldest first)
    async fn lifts(&self, ctx: &Context<'_>) -> Result<Vec<super::lifts::LiftNode>> {
        let lifts = super::lifts::lifts_of(ctx, &self.dispatch.id).await?;
        Ok(lifts
            .into_iter()
            .map(|lift| super::lifts::LiftNode {
                lift,
                today: self.today,
            })
            .collect())
    }
    /// 实施部门 (implementing department)
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(
            ctx,
            DepartmentKey(self.dispatch.department.to_string()),
            "部门",
        )
        .await
        .map(DepartmentNode)
    }
    /// 名单条目 (the list entry behind it)
    async fn entry(&self, ctx: &Context<'_>) -> Result<ListEntryNode> {
        let entry = load(ctx, EntryId(self.dispatch.entry_id.clone()), "名单条目").await?;
        Ok(ListEntryNode {
            entry,
            today: self.today,
        })
    }
    /// 推送时适用的备忘录版本 (the memorandum at the version the dispatch was made under)
    async fn memorandum(&self, ctx: &Context<'_>) -> Result<MemorandumNode> {
        load(
            ctx,
            VersionId(self.dispatch.memorandum_version_id.clone()),
            "备忘录",
        )
        .await
        .map(MemorandumNode)
    }
    /// 措施 (measure)
    async fn measure(&self, ctx: &Context<'_>) -> Result<MeasureNode> {
        let m: Memorandum = load(
            ctx,
            VersionId(self.dispatch.memorandum_version_id.clone()),
            "备忘录",
        )
        .await?;
        m.measures
            .into_iter()
            .find(|x| x.id == self.dispatch.measure_id)
            .map(MeasureNode)
            .ok_or_else(|| super::types::missing("措施"))
    }
    /// 推送时间 (created at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.dispatch.created_at
    }
    /// 签收截止日（工作日）；工作日历尚未载入该年时为空，原因见 acknowledgeByPending，载入后补算
    /// (acknowledge by; null until the calendar covers it, then filled in)
    async fn acknowledge_by(&self) -> Option<Date> {
        self.dispatch.acknowledge_by.map(Date)
    }
    /// 签收期限暂无法计算的原因，如“2027年工作日历尚未载入” (why acknowledgeBy is null)
    async fn acknowledge_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = super::services(ctx)?.calendar();
        let made = domain::time::china_date(self.dispatch.created_at);
        Ok(self
            .dispatch
            .acknowledge_by
            .is_none()
            .then(|| calendar.pending_reason(made)))
    }
    /// 反馈截止日：推送后季度末 (feedback due)
    async fn feedback_due(&self) -> Date {
        Date(self.dispatch.feedback_due)
    }
    /// 签收时间 (acknowledged at)
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.dispatch.acknowledged_at
    }
    /// 反馈时间 (answered at)
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.dispatch.answered_at
    }
    /// 撤回时间 (cancelled at)
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.dispatch.cancelled_at
    }
    /// 撤回原因，如名单条目到期或撤销 (why it was cancelled)
    async fn cancel_reason(&self) -> Option<&str> {
        self.dispatch.cancel_reason.as_deref()
    }
    /// 反馈 (feedback), once recorded
    async fn feedback(&self, ctx: &Context<'_>) -> Result<Option<FeedbackNode>> {
        if self.dispatch.answered_at.is_none() {
            return Ok(None);
        }
        let loader = ctx.data::<super::loaders::Loaders>()?;
        let found = loader
            .load_one(FeedbackOf(self.dispatch.id.clone()))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(found.map(FeedbackNode))
    }
}

/// 适用措施 (a measure the checking department must apply), with the listing behind it.
#[derive(Description)]
pub struct ApplicableMeasureNode(pub persistence::MeasureFinding);

#[Object(name = "ApplicableMeasure", use_type_description)]
impl ApplicableMeasureNode {
    /// 措施 (measure)
    async fn measure(&self) -> MeasureNode {
        MeasureNode(self.0.applicable.measure.clone())
    }
    /// 备忘录（列入时适用的版本）(memorandum, at the version in force when the entry was made)
    async fn memorandum(&self) -> MemorandumNode {
        MemorandumNode(self.0.applicable.memorandum.clone())
    }
    /// 依据的名单条目 (the entry behind it)
    async fn entry(&self, ctx: &Context<'_>) -> Result<ListEntryNode> {
        Ok(ListEntryNode {
            entry: self.0.entry.clone(),
            today: services(ctx)?.today(),
        })
    }
    /// 名单类型 (list type)
    async fn list_type(&self) -> ListTypeNode {
        ListTypeNode(self.0.list_type.clone())
    }
    /// 被列入名单的主体：被核查主体本身，或其担任法定代表人/负责人的组织 (the listed subject)
    async fn listed_subject(&self) -> SubjectNode {
        SubjectNode::from(self.0.listed.clone())
    }
    /// 约束方式：主体本身或作为法定代表人、主要负责人 (how the checked subject is bound)
    async fn via(&self) -> enums::Reach {
        self.0.applicable.via.into()
    }
    /// 是否全国范围实施 (whether it applies nationally, carried out by national bodies)
    async fn applies_nationally(&self) -> bool {
        self.0.applicable.measure.scope == domain::memorandum::MeasureScope::National
    }
    /// 实施地说明 (where it is carried out, as people read it)
    async fn carried_out(&self) -> &'static str {
        match self.0.applicable.measure.scope {
            domain::memorandum::MeasureScope::National => "全国范围，由国家有关机关实施",
            domain::memorandum::MeasureScope::City => "本市，由本部门实施",
        }
    }
}

/// 核查结果 (check result): what applies to a subject for the checking department now. Logged.
#[derive(Description)]
pub struct CheckResultNode(pub persistence::CheckOutcome);

#[Object(name = "CheckResult", use_type_description)]
impl CheckResultNode {
    /// 核查编号 (id of the logged check)
    async fn id(&self) -> ID {
        NodeKind::CheckResult.id(&self.0.id)
    }
    /// 核查时间 (checked at)
    async fn checked_at(&self) -> DateTime<Utc> {
        self.0.checked_at
    }
    /// 办理的业务 (business)
    async fn business(&self) -> &str {
        &self.0.business
    }
    /// 主体；未登记时为空 (the subject; null if not registered)
    async fn subject(&self) -> Option<SubjectNode> {
        self.0.subject.clone().map(SubjectNode::from)
    }
    /// 主体当前有效的红黑名单条目 (the subject's entries in force, red and black)
    async fn entries(&self) -> Vec<ListEntryNode> {
        self.0
            .entries
            .iter()
            .map(|(e, _)| ListEntryNode {
                entry: e.clone(),
                today: self.0.today,
            })
            .collect()
    }
    /// 本部门应实施的措施及其依据 (measures this department must apply, with their basis)
    async fn measures(&self) -> Vec<ApplicableMeasureNode> {
        self.0
            .measures
            .iter()
            .cloned()
            .map(ApplicableMeasureNode)
            .collect()
    }
    /// 全国范围实施的措施：由国家有关机关在全国实施（如限制高消费），不向本市部门推送，供了解全貌
    /// (national-scope measures binding the subject, carried out elsewhere by national bodies)
    async fn national_measures(&self) -> Vec<ApplicableMeasureNode> {
        self.0
            .national_measures
            .iter()
            .cloned()
            .map(ApplicableMeasureNode)
            .collect()
    }
    /// 可走行政审批绿色通道：诚信典型（红名单有效），或连续三年无不良信用记录；受失信惩戒约束时
    /// 从不可以 (green channel: an honest example, or three clean years; never while punished)
    async fn green_channel(&self) -> bool {
        self.0.green_channel.is_granted()
    }
    /// 可容缺受理（与绿色通道同一条件）(acceptance with missing documents; same condition)
    async fn acceptance_with_missing_documents(&self) -> bool {
        self.0.green_channel.is_granted()
    }
    /// 符合绿色通道的依据；不符合时为空 (the ground that qualified; null when none did)
    async fn green_channel_ground(&self) -> Option<super::green_channel::GreenChannelGround> {
        self.0.green_channel.ground().map(Into::into)
    }
    /// 绿色通道的说明：符合的依据，或不符合的原因 (which ground qualified, or why none did)
    async fn green_channel_explanation(&self) -> String {
        self.0.green_channel.explanation()
    }
}
