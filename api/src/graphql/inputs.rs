//! Mutation inputs, each turned into the domain's raw input; the domain validates.

use super::enums;
use super::scalars::Date;
use async_graphql::{ID, InputObject};
use domain::list::{RawListEntry, RawListType};
use domain::record::RawCreditRecord;
use domain::subject::RawSubject;

/// 登记主体 (register a subject)
#[derive(InputObject)]
pub struct RegisterSubjectInput {
    /// 统一社会信用代码或公民身份号码 (code)
    pub code: String,
    /// 主体类别 (kind)
    pub kind: enums::SubjectKind,
    /// 名称或姓名 (name)
    pub name: String,
    /// 所属行政区划代码，如 210902 (jurisdiction code)
    pub jurisdiction: String,
    /// 法定代表人或主要负责人姓名；法人必填 (representative name; required for legal persons)
    pub representative_name: Option<String>,
    /// 法定代表人公民身份号码 (representative's citizen id)
    pub representative_id_number: Option<String>,
    /// 登记校验位不符的早期试点代码；仅市场监督管理部门可用 (accept a pilot code failing its check; market regulation only)
    #[graphql(default)]
    pub allow_check_exception: bool,
    /// 成立日期：连续三年无不良信用记录自此起算；自然人不填则按出生日期 (established on; for a person,
    /// the date of birth when left out)
    pub established_on: Option<Date>,
}

impl From<RegisterSubjectInput> for RawSubject {
    fn from(i: RegisterSubjectInput) -> Self {
        RawSubject {
            code: i.code,
            kind: Some(i.kind.into()),
            name: i.name,
            jurisdiction: i.jurisdiction,
            representative_name: i.representative_name,
            representative_id_number: i.representative_id_number,
            allow_check_exception: i.allow_check_exception,
            established_on: i.established_on.map(|d| d.0),
        }
    }
}

/// 新增信用记录 (add a credit record); the source department is the caller's.
#[derive(InputObject)]
pub struct AddCreditRecordInput {
    /// 主体的统一社会信用代码或公民身份号码 (subject code)
    pub subject: String,
    /// 记录类别 (kind)
    pub kind: enums::CreditRecordKind,
    /// 标题 (title)
    pub title: String,
    /// 决定文书号 (decision number)
    pub decision_number: String,
    /// 决定日期 (decision date)
    pub decision_date: Date,
    /// 公示日期，默认今天 (publication date, default today)
    pub publication_date: Option<Date>,
    /// 法律依据 (legal basis)
    pub legal_basis: String,
    /// 内容 (content)
    pub content: Option<String>,
    /// 失信程度，行政处罚必填 (class of dishonesty; required for penalties)
    pub dishonesty_class: Option<enums::DishonestyClass>,
    /// 公示截止日期，默认按失信程度取上限 (publicity end; default the maximum for the class)
    pub publicity_end: Option<Date>,
}

impl From<AddCreditRecordInput> for RawCreditRecord {
    fn from(i: AddCreditRecordInput) -> Self {
        RawCreditRecord {
            subject_code: i.subject,
            kind: Some(i.kind.into()),
            title: i.title,
            decision_number: i.decision_number,
            decision_date: Some(i.decision_date.0),
            publication_date: i.publication_date.map(|d| d.0),
            legal_basis: i.legal_basis,
            content: i.content.unwrap_or_default(),
            dishonesty_class: i.dishonesty_class.map(Into::into),
            publicity_end: i.publicity_end.map(|d| d.0),
        }
    }
}

/// 列入名单 (add a list entry)
#[derive(InputObject)]
pub struct AddListEntryInput {
    /// 主体的统一社会信用代码或公民身份号码 (subject code)
    pub subject: String,
    /// 名单类型代码，如 court-dishonest-debtor (list type code)
    pub list_type: String,
    /// 列入事由 (reason)
    pub reason: String,
    /// 认定依据文书，如判决书或决定书文号 (basis document)
    pub basis_document: String,
    /// 列入日期，默认今天 (start date, default today)
    pub start_date: Option<Date>,
    /// 移出日期，默认按名单类型的默认期限 (end date, default the type's period)
    pub end_date: Option<Date>,
    /// 幂等键：同一部门以同一键重复提交只列入一次 (idempotency key)
    pub idempotency_key: Option<String>,
}

impl From<AddListEntryInput> for RawListEntry {
    fn from(i: AddListEntryInput) -> Self {
        RawListEntry {
            subject_code: i.subject,
            list_type_code: i.list_type,
            reason: i.reason,
            basis_document: i.basis_document,
            start_date: i.start_date.map(|d| d.0),
            end_date: i.end_date.map(|d| d.0),
            idempotency_key: i.idempotency_key,
        }
    }
}

/// 撤销名单条目 (revoke a list entry)
#[derive(InputObject)]
pub struct RevokeListEntryInput {
    /// 名单条目编号 (entry id)
    pub id: ID,
    /// 撤销原因 (reason)
    pub reason: String,
}

/// 新建名单类型，仅信用办 (create a list type; credit office only)
#[derive(InputObject)]
pub struct CreateListTypeInput {
    /// 代码，3–64位小写字母、数字或连字符 (code)
    pub code: String,
    /// 名称 (name)
    pub name: String,
    /// 红名单或黑名单 (colour)
    pub colour: enums::ListColour,
    /// 认定部门代码；与 ownerRole 二者只填其一 (owning department code; or ownerRole)
    pub owner: Option<String>,
    /// 认定部门类别：该类各部门在各自辖区内列入，如 COURT（各级人民法院）(owned by every department of
    /// this role, each in its own jurisdiction; or owner)
    pub owner_role: Option<enums::DepartmentRole>,
    /// 默认有效期（月），1–120 (default period in months)
    pub default_period_months: i32,
    /// 最长有效期（月），不填即不限 (the longest an entry may last, in months; none for no bound)
    pub max_period_months: Option<i32>,
    /// 移出情形：认定部门在出现这些情形时移出条目 (the grounds on which the owner removes an entry)
    #[graphql(default)]
    pub removal_grounds: Vec<RemovalGroundInput>,
    /// 情形出现后移出的期限（工作日），默认3 (working days to remove once a ground arises; default 3)
    pub removal_working_days: Option<i32>,
    /// 不适用申请修复的依据：填写后该名单不能申请信用修复 (not repaired by application, on this basis)
    pub no_repair_basis: Option<String>,
    /// 认定依据 (legal basis)
    pub legal_basis: String,
    /// 说明 (description)
    pub description: Option<String>,
}

/// 移出情形 (a ground on which an entry is removed)
#[derive(InputObject)]
pub struct RemovalGroundInput {
    /// 代码，如 performed (code)
    pub code: String,
    /// 名称，如 被执行人已履行义务 (name)
    pub name: String,
}

impl From<CreateListTypeInput> for RawListType {
    fn from(i: CreateListTypeInput) -> Self {
        RawListType {
            code: i.code,
            name: i.name,
            colour: Some(i.colour.into()),
            owner: i.owner,
            owner_role: i.owner_role.map(Into::into),
            default_period_months: i.default_period_months,
            max_period_months: i.max_period_months,
            removal_grounds: i
                .removal_grounds
                .into_iter()
                .map(|g| domain::list::RemovalGround {
                    code: g.code,
                    name: g.name,
                })
                .collect(),
            removal_working_days: i.removal_working_days,
            no_repair_basis: i.no_repair_basis,
            legal_basis: i.legal_basis,
            description: i.description,
        }
    }
}

/// 移出名单条目：出现名单类型规定的移出情形时，由认定部门移出 (remove an entry on a ground of its list)
#[derive(InputObject)]
pub struct RemoveListEntryInput {
    /// 名单条目编号 (entry id)
    pub id: ID,
    /// 移出情形代码，须为该名单类型规定的情形之一，如 performed (the ground's code)
    pub ground: String,
    /// 移出依据文书，如 结案通知书文号 (the document that removes it)
    pub basis_document: String,
    /// 移出情形出现的日期，移出期限自此起算；默认今天 (the day the ground arose; default today)
    pub ground_arisen_on: Option<Date>,
}

/// 批量列入名单：全部成功或全部不写入 (add many entries: all or none)
#[derive(InputObject)]
pub struct AddListEntriesInput {
    /// 名单条目，最多10000条 (entries, at most 10,000)
    pub entries: Vec<AddListEntryInput>,
}
