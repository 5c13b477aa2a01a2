//! Inputs of joint reward and punishment.

use super::enums;
use super::scalars::Date;
use async_graphql::{ID, InputObject};
use domain::memorandum::{RawMeasure, RawMemorandum};

/// 措施 (a measure of a memorandum)
#[derive(InputObject)]
pub struct MeasureInput {
    /// 措施代码，在备忘录内唯一 (code)
    pub code: String,
    /// 措施内容 (what it does)
    pub name: String,
    /// 奖励或惩戒 (kind)
    pub kind: enums::MeasureKind,
    /// 类别 (category)
    pub category: enums::MeasureCategory,
    /// 法律依据，默认为备忘录文号 (legal basis; default the document number)
    pub legal_basis: Option<String>,
    /// 实施范围，默认本市 (scope; default CITY)
    pub scope: Option<enums::MeasureScope>,
    /// 约束对象，默认仅主体本身 (whom it binds; default the subject)
    #[graphql(default)]
    pub reaches: Vec<enums::Reach>,
    /// 实施部门简称，如 market、tax (implementing departments by short name)
    pub implementers: Vec<String>,
}

/// 备忘录内容 (a memorandum's content, new or amended)
#[derive(InputObject)]
pub struct MemorandumInput {
    /// 代码，如 ndrc-2016-141；修订时沿用原代码 (key; kept on amendment)
    pub key: String,
    /// 标题 (title)
    pub title: String,
    /// 文号 (document number)
    pub document_number: String,
    /// 发文单位 (issuing bodies)
    pub issued_by: Vec<String>,
    /// 生效日期 (effective date)
    pub effective_date: Date,
    /// 适用的名单类型代码，或 all-red / all-black (list types covered)
    pub list_types: Vec<String>,
    /// 反馈期限（季度），默认1 (feedback due, quarters after the dispatch's; default 1)
    pub feedback_due_quarters: Option<i32>,
    /// 名单结束后实施部门确认解除措施的期限（工作日），1–30，默认5 (working days to confirm a lift; default 5)
    pub lift_working_days: Option<i32>,
    /// 措施 (measures)
    pub measures: Vec<MeasureInput>,
}

impl From<MemorandumInput> for RawMemorandum {
    fn from(i: MemorandumInput) -> Self {
        RawMemorandum {
            key: i.key,
            title: i.title,
            document_number: i.document_number,
            issued_by: i.issued_by,
            effective_date: Some(i.effective_date.0),
            list_types: i.list_types,
            feedback_due_quarters: i.feedback_due_quarters,
            lift_working_days: i.lift_working_days,
            measures: i
                .measures
                .into_iter()
                .map(|m| RawMeasure {
                    code: m.code,
                    name: m.name,
                    kind: Some(m.kind.into()),
                    category: Some(m.category.into()),
                    legal_basis: m.legal_basis,
                    scope: m.scope.map(Into::into),
                    reaches: m.reaches.into_iter().map(Into::into).collect(),
                    implementers: m.implementers,
                })
                .collect(),
        }
    }
}

/// 修订备忘录：新版本适用于此后的新名单 (amend a memorandum: the new version applies to new listings)
#[derive(InputObject)]
pub struct AmendMemorandumInput {
    /// 备忘录编号 (memorandum id)
    pub id: ID,
    /// 新版本的内容 (the new version's content)
    pub memorandum: MemorandumInput,
}

/// 废止备忘录 (retire a memorandum)
#[derive(InputObject)]
pub struct RetireMemorandumInput {
    /// 备忘录编号 (memorandum id)
    pub id: ID,
}

/// 签收推送 (acknowledge a dispatch)
#[derive(InputObject)]
pub struct AcknowledgeDispatchInput {
    /// 推送编号 (dispatch id)
    pub id: ID,
}

/// 反馈实施情况 (record what was done for a dispatch)
#[derive(InputObject)]
pub struct RecordFeedbackInput {
    /// 推送编号 (dispatch id)
    pub dispatch: ID,
    /// 结果 (outcome)
    pub outcome: enums::FeedbackOutcome,
    /// 办理的业务，如 行政许可申请、招标投标、财政补贴、贷款 (business)
    pub business: String,
    /// 说明；不适用时必填 (note; required when not applicable)
    pub note: Option<String>,
}
