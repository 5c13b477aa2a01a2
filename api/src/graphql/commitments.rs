//! Credit commitments (信用承诺) over GraphQL: a subject publishes with its own token, anyone
//! reads them, the department each was made to records whether it was kept.

use super::connection::Connection;
use super::loaders::{DepartmentKey, SubjectId};
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::types::{DepartmentNode, SubjectNode};
use super::{actor, answers, connection, load, page_request, principal, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::commitment::{Commitment, RawCommitment};

/// 信用承诺类型 (kind of commitment)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::commitment::CommitmentKind")]
pub enum CommitmentKind {
    /// 综合信用承诺 (general)
    General,
    /// 产品和服务质量承诺 (product and service quality)
    Quality,
    /// 公开服务标准承诺 (a published service standard)
    ServiceStandard,
    /// 审批替代型：以承诺替代审批所需的材料或核查 (in place of an approval's document or check)
    ApprovalReplacement,
    /// 容缺受理型：材料暂缺时先行受理 (an application proceeds while documents are missing)
    MissingDocuments,
    /// 信用修复型 (made when applying for credit repair)
    Repair,
}

/// 履行情况 (whether it was kept)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::commitment::CommitmentStatus")]
pub enum CommitmentStatus {
    /// 尚未认定 (not yet assessed)
    Open,
    /// 已履行 (kept)
    Kept,
    /// 未履行：已转为失信记录 (broken: it became a credit record)
    Broken,
}

/// 发布信用承诺 (publish a commitment)
#[derive(InputObject)]
pub struct PublishCommitmentInput {
    /// 类型 (kind)
    pub kind: CommitmentKind,
    /// 承诺内容，10–5000字 (the promise, in full)
    pub text: String,
    /// 承诺事项或适用范围 (what it is about)
    pub scope: String,
    /// 接受承诺、认定履行情况的部门代码 (the department it is made to)
    pub department: String,
    /// 开始日期，不早于今天；不填为今天 (from; today when not given)
    pub valid_from: Option<Date>,
    /// 截止日期，至多5年 (until; at most five years)
    pub valid_until: Date,
}

/// 认定承诺履行情况 (record whether a commitment was kept)
#[derive(InputObject)]
pub struct AssessCommitmentInput {
    /// 承诺编号 (id)
    pub id: ID,
    /// 是否履行 (kept or not)
    pub kept: bool,
    /// 说明；认定未履行时必填，写明未履行的事实 (note; required when broken)
    pub note: Option<String>,
    /// 未履行时失信记录的失信程度，默认一般；决定其公示期限 (the broken commitment's class of
    /// dishonesty; default GENERAL; bounds its record's publicity)
    pub dishonesty_class: Option<super::enums::DishonestyClass>,
}

pub struct CommitmentNode(pub Commitment);

/// 信用承诺 (a credit commitment)
#[Object(name = "Commitment")]
impl CommitmentNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Commitment.id(&self.0.id)
    }
    /// 作出承诺的主体 (the subject that promised)
    async fn subject(&self, ctx: &Context<'_>) -> Result<SubjectNode> {
        load(ctx, SubjectId(self.0.subject_id.clone()), "主体")
            .await
            .map(SubjectNode::from)
    }
    /// 类型 (kind)
    async fn kind(&self) -> CommitmentKind {
        self.0.kind.into()
    }
    /// 承诺内容 (the promise)
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// 承诺事项 (what it is about)
    async fn scope(&self) -> &str {
        &self.0.scope
    }
    /// 接受承诺的部门 (the department it was made to)
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.0.department.to_string()), "部门")
            .await
            .map(DepartmentNode)
    }
    /// 开始日期 (from)
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }
    /// 截止日期 (until)
    async fn valid_until(&self) -> Date {
        Date(self.0.valid_until)
    }
    /// 发布时间 (published at)
    async fn made_at(&self) -> DateTime<Utc> {
        self.0.made_at
    }
    /// 履行情况 (kept, broken, or not yet assessed)
    async fn status(&self) -> CommitmentStatus {
        self.0.status.into()
    }
    /// 状态的中文说明 (the status as people read it)
    async fn status_label(&self) -> &'static str {
        self.0.status.label()
    }
    /// 认定时间 (assessed at)
    async fn assessed_at(&self) -> Option<DateTime<Utc>> {
        self.0.assessed_at
    }
    /// 认定说明 (the department's note)
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// 未履行时转成的信用记录编号 (the credit record a broken commitment became)
    async fn record_id(&self) -> Option<ID> {
        self.0
            .record_id
            .as_deref()
            .map(|r| NodeKind::CreditRecord.id(r))
    }
}

#[derive(Default)]
pub struct CommitmentQuery;

/// 信用承诺 (commitments)
#[Object]
impl CommitmentQuery {
    /// 某主体公开的信用承诺，最新的在前 (a subject's commitments: public)
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "主体代码 (the subject's code)")] subject: String,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<CommitmentNode>> {
        answers::looks_up_code(ctx, &subject);
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let result = services(ctx)?
            .run(move |s| s.commitments_of(&subject, &page))
            .await?;
        if let Some(c) = result.items.first() {
            answers::shows_subject_id(ctx, &c.subject_id);
        }
        Ok(connection(result, had_after, |c| {
            (c.id.clone(), CommitmentNode(c))
        }))
    }
}

#[derive(Default)]
pub struct CommitmentViewer;

#[Object]
impl CommitmentViewer {
    /// 向本部门作出的信用承诺及其履行情况，最新的在前；需 records:write
    /// (commitments made to my department)
    async fn commitments_made_to_us(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "只看此履行情况 (only this status)")] status: Option<CommitmentStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<CommitmentNode>> {
        let actor = actor(ctx, Scope::RecordsWrite)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let status = status.map(Into::into);
        let result = services(ctx)?
            .run(move |s| s.commitments_made_to(&actor, status, &page))
            .await?;
        Ok(connection(result, had_after, |c| {
            (c.id.clone(), CommitmentNode(c))
        }))
    }
}

#[derive(Default)]
pub struct CommitmentMutation;

/// 信用承诺 (commitments)
#[Object]
impl CommitmentMutation {
    /// 主体本人发布信用承诺（主体令牌）；承诺公开 (publish a commitment, with the subject's token)
    async fn publish_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 PublishCommitmentInput (what to change; see PublishCommitmentInput)"
        )]
        input: PublishCommitmentInput,
    ) -> Result<PublishCommitmentPayload> {
        let code = domain::authorisation::granting_subject(principal(ctx))
            .gql()?
            .clone();
        let svc = services(ctx)?;
        let today = svc.today();
        let raw = RawCommitment {
            kind: input.kind.into(),
            text: input.text,
            scope: input.scope,
            department: input.department,
            valid_from: input.valid_from.map(|d| d.0),
            valid_until: input.valid_until.0,
        };
        let published = code.clone();
        let made = svc
            .run(move |s| s.publish_commitment(&code, &raw, today))
            .await?;
        answers::changed_codes(ctx, [published.as_str()]);
        answers::changed_subjects(ctx, [made.subject_id.as_str()]);
        Ok(CommitmentNode(made).into())
    }

    /// 接受承诺的部门认定是否履行；未履行的转为该主体的失信记录（信用承诺类）；需 records:write
    /// (record whether a commitment was kept; a broken one becomes a credit record)
    async fn assess_commitment(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 AssessCommitmentInput (what to change; see AssessCommitmentInput)"
        )]
        input: AssessCommitmentInput,
    ) -> Result<AssessCommitmentPayload> {
        let actor = actor(ctx, Scope::RecordsWrite)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let id = NodeKind::Commitment.local(&input.id, "input.id").gql()?;
        let note = input.note;
        let kept = input.kept;
        let class = input.dishonesty_class.map(Into::into);
        let assessed = svc
            .run(move |s| s.assess_commitment(&actor, &id, kept, note.as_deref(), class, today))
            .await?;
        answers::changed_subjects(ctx, [assessed.subject_id.as_str()]);
        Ok(CommitmentNode(assessed).into())
    }
}

/// `publishCommitment` 的结果 (what publishCommitment changed)
#[derive(SimpleObject)]
pub struct PublishCommitmentPayload {
    /// 变更后的信用承诺 (the commitment, as changed)
    pub commitment: CommitmentNode,
}

impl From<CommitmentNode> for PublishCommitmentPayload {
    fn from(commitment: CommitmentNode) -> Self {
        PublishCommitmentPayload { commitment }
    }
}

/// `assessCommitment` 的结果 (what assessCommitment changed)
#[derive(SimpleObject)]
pub struct AssessCommitmentPayload {
    /// 变更后的信用承诺 (the commitment, as changed)
    pub commitment: CommitmentNode,
}

impl From<CommitmentNode> for AssessCommitmentPayload {
    fn from(commitment: CommitmentNode) -> Self {
        AssessCommitmentPayload { commitment }
    }
}
