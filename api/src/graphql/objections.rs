//! Objections (异议) and correction notices (更正公告) over GraphQL.

use super::connection::Connection;
use super::enums::{self, ObjectionTargetKind, RecordRemedyKind};
use super::loaders::{EntryId, SubjectId};
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::types::{ListEntryNode, SubjectNode};
use super::{actor, answers, connection, load, page_request, principal, services};
use crate::error::{ApiError, ErrorCode, GqlResult};
use async_graphql::{Context, Description, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use domain::objection::{CorrectionNotice, Deadlines, Objection, RawObjection, RecordRemedy};
use domain::{CreditRecordKind, Principal, Scope};
use persistence::{DeadlineTarget, Decision, Filer, ObjectionFilter};

/// 异议 (objection) against a credit record or a list entry.
#[derive(Description)]
pub struct ObjectionNode {
    pub objection: Objection,
    pub today: NaiveDate,
}

/// 异议处理步骤 (one step of handling: who, when, why)
#[derive(SimpleObject)]
#[graphql(name = "ObjectionStep")]
pub struct ObjectionStepNode {
    /// 该步骤后的状态 (status after the step)
    pub status: enums::ObjectionStatus,
    /// 操作者：部门代码，或 public / 主体 (actor)
    pub actor: String,
    /// 理由或说明 (reasons)
    pub note: String,
    /// 时间 (when)
    pub at: DateTime<Utc>,
}

#[Object(name = "Objection", use_type_description)]
impl ObjectionNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Objection.id(&self.objection.id)
    }
    /// 受理回执号 (receipt number)
    async fn receipt(&self) -> &str {
        &self.objection.receipt
    }
    /// 状态 (status)
    async fn status(&self) -> enums::ObjectionStatus {
        self.objection.status.into()
    }
    /// 状态的中文说明，如“已受理”“异议成立” (the status as people read it)
    async fn status_label(&self) -> &'static str {
        self.objection.status.label()
    }
    /// 异议对象种类 (target kind)
    async fn target_kind(&self) -> ObjectionTargetKind {
        self.objection.target.into()
    }
    /// 异议对象编号 (target id)
    async fn target_id(&self) -> ID {
        NodeKind::from(self.objection.target).id(&self.objection.target_id)
    }
    /// 主体 (subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.objection.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 异议所涉名单条目 (the entry objected to)
    async fn entry(&self, ctx: &Context<'_>) -> Result<Option<ListEntryNode>> {
        if self.objection.target != domain::objection::TargetKind::Entry {
            return Ok(None);
        }
        let entry = load(ctx, EntryId(self.objection.target_id.clone()), "名单条目").await?;
        Ok(Some(ListEntryNode {
            entry,
            today: self.today,
        }))
    }
    /// 处理部门 (the department that handles it)
    async fn owner(&self) -> &str {
        self.objection.owner.as_str()
    }
    /// 异议理由 (reason)
    async fn reason(&self) -> &str {
        &self.objection.reason
    }
    /// 联系方式 (contact)
    async fn contact(&self) -> &str {
        &self.objection.contact
    }
    /// 证据材料 (evidence)
    async fn evidence(&self) -> &[String] {
        &self.objection.evidence
    }
    /// 提交日期 (filed on)
    async fn filed_on(&self) -> Date {
        Date(self.objection.filed_on)
    }
    /// 受理截止日（工作日）；工作日历尚未载入该年时为空，原因见 acceptByPending (accept or refuse by)
    async fn accept_by(&self) -> Option<Date> {
        self.objection.accept_by.map(Date)
    }
    /// 受理期限暂无法计算的原因，如“2027年工作日历尚未载入” (why acceptBy is null)
    async fn accept_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = services(ctx)?.calendar();
        Ok(self
            .objection
            .accept_by
            .is_none()
            .then(|| calendar.pending_reason(self.objection.filed_on)))
    }
    /// 决定截止日（工作日），受理后才有；工作日历尚未载入该年时为空，原因见 decideByPending (decide by)
    async fn decide_by(&self) -> Option<Date> {
        self.objection.decide_by.map(Date)
    }
    /// 决定期限暂无法计算的原因（已受理而期限为空时）(why decideBy is null once accepted)
    async fn decide_by_pending(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let calendar = services(ctx)?.calendar();
        let accepted = self
            .objection
            .steps
            .iter()
            .find(|s| s.status == domain::objection::ObjectionStatus::Accepted);
        Ok(match (self.objection.decide_by, accepted) {
            (None, Some(step)) => Some(calendar.pending_reason(domain::time::china_date(step.at))),
            _ => None,
        })
    }
    /// 是否超期 (past the deadline of the step it waits for)
    async fn overdue(&self) -> bool {
        self.objection.is_overdue(self.today)
    }
    /// 处理过程 (every step)
    async fn steps(&self) -> Vec<ObjectionStepNode> {
        self.objection
            .steps
            .iter()
            .map(|s| ObjectionStepNode {
                status: s.status.into(),
                actor: s.actor.clone(),
                note: s.note.clone(),
                at: s.at,
            })
            .collect()
    }
}

/// 提交异议的回执：请保存查询码，凭回执号和查询码查询进度 (the receipt; keep the query code)
#[derive(SimpleObject)]
pub struct FileObjectionPayload {
    /// 异议 (the objection)
    pub objection: ObjectionNode,
    /// 查询码：只显示这一次 (the secret query code, shown once)
    pub query_code: String,
}

/// 更正公告 (correction notice)
#[derive(Description)]
pub struct CorrectionNode(pub CorrectionNotice);

#[Object(name = "CorrectionNotice", use_type_description)]
impl CorrectionNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::CorrectionNotice.id(&self.0.id)
    }
    /// 标题 (title)
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// 正文 (body)
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// 更正对象种类 (target kind)
    async fn target_kind(&self) -> ObjectionTargetKind {
        self.0.target.into()
    }
    /// 更正对象编号 (target id)
    async fn target_id(&self) -> ID {
        NodeKind::from(self.0.target).id(&self.0.target_id)
    }
    /// 主体 (subject)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 发布时间 (published at)
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
}

/// 提交异议：无需账号 (file an objection; no account needed)
#[derive(InputObject)]
pub struct FileObjectionInput {
    /// 主体的统一社会信用代码或公民身份号码 (subject code)
    pub subject: String,
    /// 异议对象种类 (target kind)
    pub target_kind: ObjectionTargetKind,
    /// 名单条目或信用记录的编号 (target id)
    pub target_id: ID,
    /// 异议理由 (reason)
    pub reason: String,
    /// 联系方式 (contact)
    pub contact: String,
    /// 证据材料（名称或链接）(evidence references)
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// 受理异议 (accept an objection)
#[derive(InputObject)]
pub struct AcceptObjectionInput {
    /// 异议编号 (objection id)
    pub id: ID,
    /// 说明 (note)
    pub note: Option<String>,
}

/// 不予受理 (refuse to accept an objection)
#[derive(InputObject)]
pub struct RefuseObjectionInput {
    /// 异议编号 (objection id)
    pub id: ID,
    /// 理由 (reasons)
    pub reason: String,
}

/// 作出决定 (decide an accepted objection)
#[derive(InputObject)]
pub struct DecideObjectionInput {
    /// 异议编号 (objection id)
    pub id: ID,
    /// 异议是否成立 (upheld?)
    pub upheld: bool,
    /// 理由 (reasons)
    pub reason: String,
    /// 异议成立时对信用记录的处理，默认撤回 (for a record: withdraw, the default, or correct)
    pub record_remedy: Option<RecordRemedyKind>,
    /// 更正后的标题 (corrected title)
    pub corrected_title: Option<String>,
    /// 更正后的内容 (corrected content)
    pub corrected_content: Option<String>,
    /// 更正后的法律依据 (corrected legal basis)
    pub corrected_legal_basis: Option<String>,
}

/// 设置异议处理期限，仅信用办 (set objection deadlines; the credit office)
#[derive(InputObject)]
pub struct SetObjectionDeadlinesInput {
    /// 名单类型代码（与 recordKind 二选一）(list type code)
    pub list_type: Option<String>,
    /// 信用记录类别（与 listType 二选一）(record kind)
    pub record_kind: Option<enums::CreditRecordKind>,
    /// 受理期限（工作日）(working days to accept)
    pub accept_working_days: i32,
    /// 决定期限（工作日）(working days to decide)
    pub decide_working_days: i32,
}

/// 设置后的异议处理期限 (the objection deadlines as set)
#[derive(SimpleObject)]
pub struct SetObjectionDeadlinesPayload {
    /// 名单类型代码；按信用记录类别设置时为空 (the list type; none when set for a record kind)
    pub list_type: Option<String>,
    /// 信用记录类别；按名单类型设置时为空 (the record kind; none when set for a list type)
    pub record_kind: Option<enums::CreditRecordKind>,
    /// 受理期限（工作日）(working days to accept)
    pub accept_working_days: i32,
    /// 决定期限（工作日）(working days to decide)
    pub decide_working_days: i32,
}

#[derive(Default)]
pub struct ObjectionQuery;

#[Object]
impl ObjectionQuery {
    /// 凭回执号和查询码查询异议进度 (follow an objection with its receipt and query code)
    async fn objection_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "受理回执号 (receipt)")] receipt: String,
        #[graphql(
            desc = "查询码；主体本人的令牌可不填 (query code; not needed with the subject's own token)"
        )]
        query_code: Option<String>,
    ) -> Result<ObjectionNode> {
        let svc = services(ctx)?;
        let subject = match principal(ctx) {
            Principal::Subject { code } => Some(code.clone()),
            _ => None,
        };
        let objection = svc
            .run(move |s| {
                s.objection_by_receipt_for(&receipt, query_code.as_deref(), subject.as_ref())
            })
            .await?;
        Ok(ObjectionNode {
            objection,
            today: svc.today(),
        })
    }

    /// 本部门处理的异议；信用办可见全部，含超期的。需 objections:handle (objections a department handles)
    async fn objections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "状态 (status)")] status: Option<enums::ObjectionStatus>,
        #[graphql(desc = "只看超期的（或只看未超期的）(overdue only, or not)")] overdue: Option<
            bool,
        >,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<ObjectionNode>> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let svc = services(ctx)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let today = svc.today();
        let filter = ObjectionFilter {
            status: status.map(Into::into),
            overdue,
            id: None,
        };
        let result = svc
            .run(move |s| s.objections(&actor, &filter, today, &page))
            .await?;
        Ok(connection(result, had_after, |objection| {
            (objection.id.clone(), ObjectionNode { objection, today })
        }))
    }

    /// 更正公告，公开 (correction notices; public)
    async fn corrections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "主体代码 (subject code)")] subject: Option<String>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<CorrectionNode>> {
        let svc = services(ctx)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let subject_id = match subject {
            None => None,
            Some(code) => {
                let key = code.trim().to_uppercase();
                let found = svc
                    .run(move |s| s.subject_by_code(&code, "subject"))
                    .await?;
                Some(
                    found
                        .ok_or_else(|| {
                            ApiError::new(ErrorCode::NotFound, format!("主体不存在：{key}"))
                                .into_graphql()
                        })?
                        .id,
                )
            }
        };
        let result = svc
            .run(move |s| s.corrections(subject_id.as_deref(), &page))
            .await?;
        Ok(connection(result, had_after, |n| {
            (n.id.clone(), CorrectionNode(n))
        }))
    }
}

#[derive(Default)]
pub struct ObjectionMutation;

#[Object]
impl ObjectionMutation {
    /// 提交异议：任何人无需账号即可提交；主体令牌只能对本主体提交。返回回执号和查询码
    /// (file an objection; anyone, without an account)
    async fn file_objection(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 FileObjectionInput (what to change; see FileObjectionInput)"
        )]
        input: FileObjectionInput,
    ) -> Result<FileObjectionPayload> {
        let filer = match principal(ctx) {
            Principal::Subject { code } => Filer::Subject(code.clone()),
            _ => Filer::Public,
        };
        let raw = RawObjection {
            subject_code: input.subject,
            target: Some(input.target_kind.into()),
            target_id: NodeKind::from(domain::objection::TargetKind::from(input.target_kind))
                .local(&input.target_id, "input.targetId")
                .gql()?,
            reason: input.reason,
            contact: input.contact,
            evidence: input.evidence,
        };
        let svc = services(ctx)?;
        let today = svc.today();
        let filed = svc
            .run(move |s| s.file_objection(&filer, &raw, today))
            .await?;
        answers::changed_subjects(ctx, [filed.objection.subject_id.as_str()]);
        Ok(FileObjectionPayload {
            objection: ObjectionNode {
                objection: filed.objection,
                today,
            },
            query_code: filed.query_code,
        })
    }

    /// 受理异议，仅认定部门，需 objections:handle (accept)
    async fn accept_objection(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AcceptObjectionInput (what to change; see AcceptObjectionInput)"
        )]
        input: AcceptObjectionInput,
    ) -> Result<AcceptObjectionPayload> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let note = input.note.unwrap_or_default();
        let id = NodeKind::Objection.local(&input.id, "input.id").gql()?;
        let objection = svc
            .run(move |s| s.accept_objection(&actor, &id, &note, today))
            .await?;
        answers::changed_subjects(ctx, [objection.subject_id.as_str()]);
        Ok(ObjectionNode { objection, today }.into())
    }

    /// 不予受理，须说明理由，需 objections:handle (refuse to accept)
    async fn refuse_objection(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RefuseObjectionInput (what to change; see RefuseObjectionInput)"
        )]
        input: RefuseObjectionInput,
    ) -> Result<RefuseObjectionPayload> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let svc = services(ctx)?;
        let id = NodeKind::Objection.local(&input.id, "input.id").gql()?;
        let objection = svc
            .run(move |s| s.refuse_objection(&actor, &id, &input.reason))
            .await?;
        answers::changed_subjects(ctx, [objection.subject_id.as_str()]);
        Ok(ObjectionNode {
            objection,
            today: svc.today(),
        }
        .into())
    }

    /// 作出决定：成立则撤销名单条目（解除措施）或更正、撤回信用记录，并发布更正公告。需 objections:handle
    /// (uphold or reject; upheld, the target is revoked, corrected or withdrawn and a notice published)
    async fn decide_objection(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 DecideObjectionInput (what to change; see DecideObjectionInput)"
        )]
        input: DecideObjectionInput,
    ) -> Result<DecideObjectionPayload> {
        let actor = actor(ctx, Scope::ObjectionsHandle)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let decision = if input.upheld {
            let record = match input.record_remedy {
                None | Some(RecordRemedyKind::Withdraw) => Some(RecordRemedy::Withdraw),
                Some(RecordRemedyKind::Correct) => Some(RecordRemedy::Correct {
                    title: input.corrected_title,
                    content: input.corrected_content,
                    legal_basis: input.corrected_legal_basis,
                }),
            };
            Decision::Uphold {
                reason: input.reason,
                record,
            }
        } else {
            Decision::Reject {
                reason: input.reason,
            }
        };
        let id = NodeKind::Objection.local(&input.id, "input.id").gql()?;
        let decided = svc
            .run(move |s| s.decide_objection(&actor, &id, &decision, today))
            .await?;
        svc.events.publish_ended(&decided.ended);
        answers::changed_codes(ctx, [decided.subject_code.as_str()]);
        Ok(ObjectionNode {
            objection: decided.objection,
            today,
        }
        .into())
    }

    /// 设置某名单类型或信用记录类别的异议处理期限，仅信用办，需 memoranda:admin (set deadlines)
    async fn set_objection_deadlines(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 SetObjectionDeadlinesInput (what to change; see SetObjectionDeadlinesInput)"
        )]
        input: SetObjectionDeadlinesInput,
    ) -> Result<SetObjectionDeadlinesPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let (list_type, record_kind) = (input.list_type.clone(), input.record_kind);
        let target = match (input.list_type, input.record_kind) {
            (Some(code), None) => DeadlineTarget::ListType(code.trim().to_owned()),
            (None, Some(kind)) => DeadlineTarget::RecordKind(CreditRecordKind::from(kind)),
            _ => {
                return Err(ApiError::bad_input(
                    "input.listType",
                    "请在 listType 和 recordKind 中选择一项",
                )
                .into_graphql());
            }
        };
        let deadlines =
            Deadlines::parse(input.accept_working_days, input.decide_working_days).gql()?;
        services(ctx)?
            .run(move |s| s.set_objection_deadlines(&actor, &target, deadlines))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(SetObjectionDeadlinesPayload {
            list_type: list_type.map(|c| c.trim().to_owned()),
            record_kind,
            accept_working_days: input.accept_working_days,
            decide_working_days: input.decide_working_days,
        })
    }
}

/// `acceptObjection` 的结果 (what acceptObjection changed)
#[derive(SimpleObject)]
pub struct AcceptObjectionPayload {
    /// 变更后的异议 (the objection, as changed)
    pub objection: ObjectionNode,
}

impl From<ObjectionNode> for AcceptObjectionPayload {
    fn from(objection: ObjectionNode) -> Self {
        AcceptObjectionPayload { objection }
    }
}

/// `refuseObjection` 的结果 (what refuseObjection changed)
#[derive(SimpleObject)]
pub struct RefuseObjectionPayload {
    /// 变更后的异议 (the objection, as changed)
    pub objection: ObjectionNode,
}

impl From<ObjectionNode> for RefuseObjectionPayload {
    fn from(objection: ObjectionNode) -> Self {
        RefuseObjectionPayload { objection }
    }
}

/// `decideObjection` 的结果 (what decideObjection changed)
#[derive(SimpleObject)]
pub struct DecideObjectionPayload {
    /// 变更后的异议 (the objection, as changed)
    pub objection: ObjectionNode,
}

impl From<ObjectionNode> for DecideObjectionPayload {
    fn from(objection: ObjectionNode) -> Self {
        DecideObjectionPayload { objection }
    }
}
