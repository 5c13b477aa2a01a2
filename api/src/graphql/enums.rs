//! GraphQL enums, each the mirror of a domain enum.

use async_graphql::Enum;

/// 主体类别 (subject kind)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::SubjectKind")]
pub enum SubjectKind {
    /// 法人 (legal person)
    LegalPerson,
    /// 非法人组织 (other organisation)
    OtherOrganisation,
    /// 个体工商户 (individual business)
    IndividualBusiness,
    /// 自然人 (natural person)
    NaturalPerson,
}

/// 主体标识的种类 (kind of identifier)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum SubjectCodeKind {
    /// 统一社会信用代码 (unified social credit code, GB 32100-2015)
    Uscc,
    /// 公民身份号码 (citizen identity number, GB 11643-1999)
    CitizenId,
}

/// 名单颜色：红名单或黑名单 (list colour)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::ListColour")]
pub enum ListColour {
    /// 守信红名单 (red list: rewards)
    Red,
    /// 失信黑名单 (black list: punishments)
    Black,
}

/// 名单条目状态 (list entry status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::EntryStatus")]
pub enum EntryStatus {
    /// 有效 (in force)
    Active,
    /// 已到期 (its end date has passed)
    Expired,
    /// 已撤销 (revoked: an error, or an objection upheld)
    Revoked,
    /// 已修复 (ended early by credit repair)
    Repaired,
    /// 已移出：出现名单类型规定的移出情形，由认定部门移出（如失信被执行人已履行义务）
    /// (removed by its owner on a ground of its list type)
    Removed,
}

/// 信用记录类别 (credit record kind)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::CreditRecordKind")]
pub enum CreditRecordKind {
    /// 行政许可 (administrative licence)
    Licence,
    /// 行政处罚 (administrative penalty)
    Penalty,
    /// 信用承诺 (credit commitment)
    Commitment,
    /// 荣誉表彰 (honour)
    Honour,
    /// 司法判决 (judgment)
    Judgment,
    /// 信用评价 (rating)
    Rating,
    /// 其他 (other)
    Other,
}

/// 失信程度 (class of dishonesty of a penalty, NDRC Order No. 36 of 2025)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::DishonestyClass")]
pub enum DishonestyClass {
    /// 轻微：公示不超过3个月 (minor: at most 3 months of publicity)
    Minor,
    /// 一般：公示3个月至1年 (general: 3 months to 1 year)
    General,
    /// 严重：公示1年至3年 (serious: 1 to 3 years)
    Serious,
}

/// 部门角色 (department role)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::DepartmentRole")]
pub enum DepartmentRole {
    /// 信用办 / 发展和改革委员会 (credit office)
    CreditOffice,
    /// 市场监督管理局 (market regulation)
    MarketRegulation,
    /// 人民法院 (court)
    Court,
    /// 税务局 (tax)
    Tax,
    /// 银行（信易贷）；银行令牌与主体授权只能指向银行 (a lending bank)
    Bank,
    /// 其他部门 (other)
    Other,
}

/// 行政区划层级 (jurisdiction level)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::JurisdictionLevel")]
pub enum JurisdictionLevel {
    /// 省级 (province)
    Province,
    /// 地市级 (city)
    City,
    /// 区县级 (county or district)
    County,
}

/// 调用者类别 (kind of caller)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ViewerKind {
    /// 未登录的公众 (the public, no token)
    Anonymous,
    /// 部门 (a department token)
    Department,
    /// 主体本人 (a subject's own token)
    Subject,
    /// 合作方应用 (a partner app's token)
    Partner,
}

/// 措施性质：奖励或惩戒 (reward or punishment)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::memorandum::MeasureKind")]
pub enum MeasureKind {
    /// 守信激励 (reward)
    Reward,
    /// 失信惩戒 (punishment)
    Punishment,
}

/// 措施类别 (measure category)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::memorandum::MeasureCategory")]
pub enum MeasureCategory {
    /// 行政性 (administrative)
    Administrative,
    /// 市场性 (market)
    Market,
    /// 行业性 (industry)
    Industry,
    /// 社会性 (social)
    Social,
}

/// 实施范围 (scope): 本市部门推送实施，或由国家层面实施、仅记录展示
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::memorandum::MeasureScope")]
pub enum MeasureScope {
    /// 本市实施，推送到实施部门 (carried out in the city: dispatched)
    City,
    /// 国家层面实施，记录并展示，不在本地推送 (national: recorded and shown, not dispatched)
    National,
}

/// 约束对象 (whom a measure binds)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::memorandum::Reach")]
pub enum Reach {
    /// 名单主体本身 (the listed subject)
    Subject,
    /// 法定代表人 (legal representative)
    LegalRepresentative,
    /// 主要负责人 (principal)
    Principal,
    /// 负有直接责任的人员 (directly responsible persons)
    ResponsiblePerson,
    /// 实际控制人 (actual controller)
    ActualController,
}

/// 推送状态 (dispatch status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::dispatch::DispatchStatus")]
pub enum DispatchStatus {
    /// 待签收 (pending)
    Pending,
    /// 已签收 (acknowledged)
    Acknowledged,
    /// 已实施 (applied)
    Applied,
    /// 不适用 (not applicable)
    NotApplicable,
    /// 已撤回：名单条目结束时尚未办结 (cancelled: the entry ended before it was answered)
    Cancelled,
    /// 待解除：已实施的措施，名单条目已结束，待实施部门确认解除 (lift requested)
    LiftRequested,
    /// 已解除：实施部门已确认解除 (lifted)
    Lifted,
}

/// 反馈结果 (feedback outcome)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::dispatch::Outcome")]
pub enum FeedbackOutcome {
    /// 已实施 (applied)
    Applied,
    /// 不适用，须说明原因 (not applicable, with the reason)
    NotApplicable,
}

/// 异议状态 (objection status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::objection::ObjectionStatus")]
pub enum ObjectionStatus {
    /// 已提交，待受理 (submitted)
    Submitted,
    /// 已受理，待决定 (accepted)
    Accepted,
    /// 异议成立 (upheld)
    Upheld,
    /// 异议不成立 (rejected)
    Rejected,
    /// 不予受理 (not accepted)
    NotAccepted,
}

/// 异议对象的种类 (what an objection is against)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::objection::TargetKind")]
pub enum ObjectionTargetKind {
    /// 名单条目 (a list entry)
    Entry,
    /// 信用记录 (a credit record)
    Record,
}

/// 异议成立时对信用记录的处理 (what an upheld objection does to a record)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RecordRemedyKind {
    /// 撤回记录 (withdraw it)
    Withdraw,
    /// 更正记录，原版本留档 (correct it, keeping the old version)
    Correct,
}

/// 修复申请状态 (repair status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::repair::RepairStatus")]
pub enum RepairStatus {
    /// 已提交，待决定 (submitted)
    Submitted,
    /// 已批准 (approved)
    Approved,
    /// 已驳回 (rejected)
    Rejected,
}
