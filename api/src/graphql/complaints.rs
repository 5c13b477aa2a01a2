//! Complaints (投诉) over GraphQL: anyone files and follows one; the credit office routes and
//! closes; the department concerned answers.

use super::connection::Connection;
use super::loaders::DepartmentKey;
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::types::DepartmentNode;
use super::{actor, answers, connection, load, page_request, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::complaint::{Complaint, RawComplaint};
use persistence::ComplaintView;

/// 投诉类别 (what the complaint is about)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::complaint::ComplaintCategory")]
pub enum ComplaintCategory {
    /// 异议处理超期或不当 (an objection handled late or wrongly)
    ObjectionHandling,
    /// 联合奖惩措施实施不当 (a measure applied wrongly)
    MeasureApplied,
    /// 信用修复办理不当 (a repair handled wrongly)
    RepairHandling,
    /// 其他 (other)
    Other,
}

/// 投诉状态 (complaint status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::complaint::ComplaintStatus")]
pub enum ComplaintStatus {
    /// 已提交，待信用办转办 (filed; the credit office routes it)
    Submitted,
    /// 已转办，待承办部门答复 (routed; the department answers)
    Routed,
    /// 已答复，待办结 (answered; the credit office closes it)
    Answered,
    /// 已办结 (closed)
    Closed,
}

/// 提交投诉 (file a complaint)
#[derive(InputObject)]
pub struct FileComplaintInput {
    /// 类别 (category)
    pub category: ComplaintCategory,
    /// 被投诉部门的代码，知道的话 (the department complained about, if known)
    pub about: Option<String>,
    /// 事情经过，10–5000字 (what happened)
    pub description: String,
    /// 联系方式，可不填 (contact, optional)
    pub contact: Option<String>,
}

/// 转办投诉 (route a complaint)
#[derive(InputObject)]
pub struct RouteComplaintInput {
    /// 投诉编号 (id)
    pub id: ID,
    /// 承办部门代码 (the department to answer it)
    pub department: String,
}

/// 答复投诉 (answer a complaint)
#[derive(InputObject)]
pub struct AnswerComplaintInput {
    /// 投诉编号 (id)
    pub id: ID,
    /// 答复 (the answer)
    pub answer: String,
}

/// 办结投诉 (close a complaint)
#[derive(InputObject)]
pub struct CloseComplaintInput {
    /// 投诉编号 (id)
    pub id: ID,
    /// 办结意见 (the conclusion)
    pub conclusion: String,
}

pub struct ComplaintNode {
    pub complaint: Complaint,
    pub today: chrono::NaiveDate,
}

/// 投诉 (a complaint)
#[Object(name = "Complaint")]
impl ComplaintNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Complaint.id(&self.complaint.id)
    }
    /// 回执号 (receipt)
    async fn receipt(&self) -> &str {
        &self.complaint.receipt
    }
    /// 类别 (category)
    async fn category(&self) -> ComplaintCategory {
        self.complaint.category.into()
    }
    /// 被投诉部门 (the department complained about)
    async fn about(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        department(ctx, self.complaint.about.as_ref()).await
    }
    /// 事情经过 (what happened)
    async fn description(&self) -> &str {
        &self.complaint.description
    }
    /// 联系方式 (contact)
    async fn contact(&self) -> Option<&str> {
        self.complaint.contact.as_deref()
    }
    /// 状态 (status)
    async fn status(&self) -> ComplaintStatus {
        self.complaint.status.into()
    }
    /// 状态的中文说明 (the status as people read it)
    async fn status_label(&self) -> &'static str {
        self.complaint.status.label()
    }
    /// 提交日期 (filed on)
    async fn filed_on(&self) -> Date {
        Date(self.complaint.filed_on)
    }
    /// 转办期限：信用办应在此日（含）前转办；工作日历尚未载入该年时为空 (route by)
    async fn route_by(&self) -> Option<Date> {
        self.complaint.route_by.map(Date)
    }
    /// 转办期限暂无法计算的原因，如“2027年工作日历尚未载入” (why routeBy is null)
    async fn route_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = services(ctx)?.calendar();
        Ok(self
            .complaint
            .route_by
            .is_none()
            .then(|| calendar.pending_reason(self.complaint.filed_on)))
    }
    /// 承办部门 (the department routed to)
    async fn routed_to(&self, ctx: &Context<'_>) -> Result<Option<DepartmentNode>> {
        department(ctx, self.complaint.routed_to.as_ref()).await
    }
    /// 答复期限：转办后才有；工作日历尚未载入该年时为空 (answer by)
    async fn answer_by(&self) -> Option<Date> {
        self.complaint.answer_by.map(Date)
    }
    /// 答复期限暂无法计算的原因（已转办而期限为空时）(why answerBy is null once routed)
    async fn answer_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = services(ctx)?.calendar();
        Ok(match (self.complaint.answer_by, self.complaint.routed_on) {
            (None, Some(on)) => Some(calendar.pending_reason(on)),
            _ => None,
        })
    }
    /// 承办部门的答复 (the answer)
    async fn answer(&self) -> Option<&str> {
        self.complaint.answer.as_deref()
    }
    /// 办结意见 (the conclusion)
    async fn conclusion(&self) -> Option<&str> {
        self.complaint.conclusion.as_deref()
    }
    /// 已超过当前环节的期限 (past the deadline of the step it waits for)
    async fn overdue(&self) -> bool {
        self.complaint.is_overdue(self.today)
    }
    /// 提交时间 (filed at)
    async fn filed_at(&self) -> DateTime<Utc> {
        self.complaint.filed_at
    }
}

async fn department(
    ctx: &Context<'_>,
    code: Option<&domain::DepartmentCode>,
) -> Result<Option<DepartmentNode>> {
    let Some(code) = code else {
        return Ok(None);
    };
    load(ctx, DepartmentKey(code.to_string()), "部门")
        .await
        .map(|d| Some(DepartmentNode(d)))
}

/// 投诉回执：请保存回执号与查询码 (the receipt; keep both, the query code is shown once)
#[derive(SimpleObject)]
pub struct FileComplaintPayload {
    /// 投诉 (the complaint)
    pub complaint: ComplaintNode,
    /// 查询码，只显示这一次 (query code, shown once)
    pub query_code: String,
}

fn node(ctx: &Context<'_>, complaint: Complaint) -> Result<ComplaintNode> {
    Ok(ComplaintNode {
        complaint,
        today: services(ctx)?.today(),
    })
}

#[derive(Default)]
pub struct ComplaintQuery;

/// 投诉 (complaints)
#[Object]
impl ComplaintQuery {
    /// 凭回执号和查询码查询投诉办理情况 (follow a complaint with its receipt and query code)
    async fn complaint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "回执号 (receipt)")] receipt: String,
        #[graphql(desc = "查询码 (query code)")] query_code: String,
    ) -> Result<ComplaintNode> {
        let found = services(ctx)?
            .run(move |s| s.complaint_by_receipt(&receipt, &query_code))
            .await?;
        node(ctx, found)
    }

    /// 信用办：全部投诉，最新的在前，可按状态筛选；需 memoranda:admin (all complaints)
    async fn complaints(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "只看此状态 (only this status)")] status: Option<ComplaintStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ComplaintNode>> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let view = ComplaintView::All(status.map(Into::into));
        list(ctx, actor, view, first, after).await
    }
}

#[derive(Default)]
pub struct ComplaintViewer;

#[Object]
impl ComplaintViewer {
    /// 转办给本部门的投诉；需 objections:handle (complaints routed to my department)
    async fn complaints_routed_to_us(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ComplaintNode>> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        list(ctx, actor, ComplaintView::RoutedToUs, first, after).await
    }
}

async fn list(
    ctx: &Context<'_>,
    actor: domain::DepartmentPrincipal,
    view: ComplaintView,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Connection<ComplaintNode>> {
    let page = page_request(first, after).gql()?;
    let had_after = page.after.is_some();
    let svc = services(ctx)?;
    let today = svc.today();
    let result = svc
        .run(move |s| s.complaints(&actor, view, None, &page))
        .await?;
    Ok(connection(result, had_after, |c| {
        (
            c.id.clone(),
            ComplaintNode {
                complaint: c,
                today,
            },
        )
    }))
}

#[derive(Default)]
pub struct ComplaintMutation;

/// 投诉 (complaints)
#[Object]
impl ComplaintMutation {
    /// 提交投诉，无需登录；返回回执号和查询码 (file a complaint; no account needed)
    async fn file_complaint(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 FileComplaintInput (what to change; see FileComplaintInput)"
        )]
        input: FileComplaintInput,
    ) -> Result<FileComplaintPayload> {
        let svc = services(ctx)?;
        let today = svc.today();
        let raw = RawComplaint {
            category: input.category.into(),
            about: input.about,
            description: input.description,
            contact: input.contact,
        };
        let filed = svc.run(move |s| s.file_complaint(&raw, today)).await?;
        answers::changed_nothing_public(ctx);
        Ok(FileComplaintPayload {
            complaint: node(ctx, filed.complaint)?,
            query_code: filed.query_code,
        })
    }

    /// 信用办转办给承办部门；需 memoranda:admin (route to the department that must answer)
    async fn route_complaint(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RouteComplaintInput (what to change; see RouteComplaintInput)"
        )]
        input: RouteComplaintInput,
    ) -> Result<RouteComplaintPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let id = NodeKind::Complaint.local(&input.id, "input.id").gql()?;
        let svc = services(ctx)?;
        let today = svc.today();
        let routed = svc
            .run(move |s| s.route_complaint(&actor, &id, &input.department, today))
            .await?;
        answers::changed_nothing_public(ctx);
        node(ctx, routed).map(Into::into)
    }

    /// 承办部门答复；需 objections:handle (the department answers)
    async fn answer_complaint(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AnswerComplaintInput (what to change; see AnswerComplaintInput)"
        )]
        input: AnswerComplaintInput,
    ) -> Result<AnswerComplaintPayload> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let id = NodeKind::Complaint.local(&input.id, "input.id").gql()?;
        let answered = services(ctx)?
            .run(move |s| s.answer_complaint(&actor, &id, &input.answer))
            .await?;
        answers::changed_nothing_public(ctx);
        node(ctx, answered).map(Into::into)
    }

    /// 信用办办结；需 memoranda:admin (the credit office closes it)
    async fn close_complaint(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 CloseComplaintInput (what to change; see CloseComplaintInput)"
        )]
        input: CloseComplaintInput,
    ) -> Result<CloseComplaintPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let id = NodeKind::Complaint.local(&input.id, "input.id").gql()?;
        let closed = services(ctx)?
            .run(move |s| s.close_complaint(&actor, &id, &input.conclusion))
            .await?;
        answers::changed_nothing_public(ctx);
        node(ctx, closed).map(Into::into)
    }
}

/// `routeComplaint` 的结果 (what routeComplaint changed)
#[derive(SimpleObject)]
pub struct RouteComplaintPayload {
    /// 变更后的投诉 (the complaint, as changed)
    pub complaint: ComplaintNode,
}

impl From<ComplaintNode> for RouteComplaintPayload {
    fn from(complaint: ComplaintNode) -> Self {
        RouteComplaintPayload { complaint }
    }
}

/// `answerComplaint` 的结果 (what answerComplaint changed)
#[derive(SimpleObject)]
pub struct AnswerComplaintPayload {
    /// 变更后的投诉 (the complaint, as changed)
    pub complaint: ComplaintNode,
}

impl From<ComplaintNode> for AnswerComplaintPayload {
    fn from(complaint: ComplaintNode) -> Self {
        AnswerComplaintPayload { complaint }
    }
}

/// `closeComplaint` 的结果 (what closeComplaint changed)
#[derive(SimpleObject)]
pub struct CloseComplaintPayload {
    /// 变更后的投诉 (the complaint, as changed)
    pub complaint: ComplaintNode,
}

impl From<ComplaintNode> for CloseComplaintPayload {
    fn from(complaint: ComplaintNode) -> Self {
        CloseComplaintPayload { complaint }
    }
}
