//! Authorised queries (授权查询) and signed credit reports (信用报告) over GraphQL.

use super::connection::Connection;
use super::loaders::DepartmentKey;
use super::node::{GlobalId, NodeKind};
use super::scalars::Date;
use super::types::DepartmentNode;
use super::{answers, connection, load, lookups, page_request, principal, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, SubsecRound, Utc};
use domain::authorisation::{self, Authorisation};
use domain::lookup::LookupVia;

/// 查询目的 (what a report is for)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::authorisation::ReportPurpose")]
pub enum ReportPurpose {
    /// 信易贷：贷款审批 (lending)
    Lending,
    /// 公共资源交易：招标投标 (bidding)
    Bidding,
}

pub struct AuthorisationNode(pub Authorisation);

/// 授权：主体允许某机构为某目的、在某日前查询其信用报告 (an authorisation)
#[Object(name = "Authorisation")]
impl AuthorisationNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::Authorisation.id(&self.0.id)
    }
    /// 被授权的机构 (the bank)
    async fn bank(&self, ctx: &Context<'_>) -> Result<DepartmentNode> {
        load(ctx, DepartmentKey(self.0.bank.to_string()), "机构")
            .await
            .map(DepartmentNode)
    }
    /// 查询目的 (purpose)
    async fn purpose(&self) -> ReportPurpose {
        self.0.purpose.into()
    }
    /// 起始日 (first day)
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }
    /// 截止日（含） (last day)
    async fn valid_until(&self) -> Date {
        Date(self.0.valid_until)
    }
    /// 授权时间 (granted at)
    async fn granted_at(&self) -> DateTime<Utc> {
        self.0.granted_at
    }
    /// 撤销时间 (revoked at)
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// 今天是否有效 (in force today)
    async fn in_force(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.0.in_force_on(services(ctx)?.today()))
    }
}

/// 授权查询 (grant an authorisation)
#[derive(InputObject)]
pub struct GrantAuthorisationInput {
    /// 机构代码，例如 210900.icbc (the bank's code)
    pub bank: String,
    /// 查询目的 (purpose)
    pub purpose: ReportPurpose,
    /// 截止日（含），最长一年 (last day, at most a year from today)
    pub valid_until: Date,
}

/// 撤销授权 (revoke an authorisation)
#[derive(InputObject)]
pub struct RevokeAuthorisationInput {
    /// 授权编号 (id)
    pub id: ID,
}

/// 信用报告：document 为签名后的完整报告，请原样保存；任何人可用 verifyReport 或
/// `xinyong report verify` 核验 (a signed credit report; keep `document` as it is)
#[derive(SimpleObject)]
pub struct CreditReport {
    /// 报告编号 (number)
    pub number: String,
    /// 出具时间 (issued at)
    pub issued_at: DateTime<Utc>,
    /// 主体代码 (subject code)
    pub subject_code: String,
    /// 查询目的 (purpose)
    pub purpose: ReportPurpose,
    /// 签名后的报告（JSON，含 payload 与 jws） (the signed document, JSON)
    pub document: String,
}

/// 报告核验结果 (the result of verifying a report)
#[derive(SimpleObject)]
pub struct ReportVerification {
    /// 是否为本平台出具且未被改动 (genuine and unaltered)
    pub valid: bool,
    /// 不通过的原因，或演示报告的说明 (why not; or that it is a demonstration report)
    pub reason: Option<String>,
    /// 报告编号 (number)
    pub number: Option<String>,
    /// 主体代码 (subject code)
    pub subject_code: Option<String>,
    /// 出具时间 (issued at)
    pub issued_at: Option<String>,
    /// 是否为演示环境出具的报告：签名真实，但不具任何证明效力
    /// (a demonstration's report: genuinely signed, proves nothing)
    pub demonstration: bool,
}

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// 信用报告：银行等机构（需 bank:query）在主体授权的目的和期限内查询，报告经平台签名
    /// (a signed credit report, under the subject's authorisation; needs bank:query)
    async fn credit_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "统一社会信用代码或公民身份号码 (code)")] code: String,
        #[graphql(desc = "查询目的，须与授权一致 (purpose, as authorised)")] purpose: ReportPurpose,
    ) -> Result<CreditReport> {
        let actor = super::actor(ctx, domain::Scope::BankQuery)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let purpose: authorisation::ReportPurpose = purpose.into();
        let (bank, material) = svc
            .run(move |s| s.report_material(&actor, &code, purpose, today))
            .await?;
        let issued_at = Utc::now().trunc_subsecs(0);
        let number = format!(
            "XY{}-{}",
            today.format("%Y%m%d"),
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        )
        .to_uppercase();
        let payload = domain::report::payload(&number, issued_at, purpose, &bank, &material, today);
        lookups::log(
            ctx,
            &[&material.subject],
            LookupVia::Report,
            Some(purpose_label(purpose)),
        )
        .await?;
        Ok(CreditReport {
            number,
            issued_at,
            subject_code: material.subject.code.as_str().to_owned(),
            purpose: purpose.into(),
            document: svc.reports.sign(payload),
        })
    }

    /// 核验信用报告：是否为本平台出具、内容是否未被改动；无需登录，不查数据库
    /// (verify a report: genuine and unaltered; public, no database)
    async fn verify_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "报告文件全文 (the document)")] document: String,
    ) -> Result<ReportVerification> {
        Ok(match services(ctx)?.reports.verifier().verify(&document) {
            Ok(v) => ReportVerification {
                valid: true,
                reason: v.demonstration.then(|| {
                    "演示报告：由演示环境出具，不具任何证明效力 (a demonstration report)".to_owned()
                }),
                number: v.payload["number"].as_str().map(str::to_owned),
                subject_code: v.payload["subject"]["code"].as_str().map(str::to_owned),
                issued_at: v.payload["issuedAt"].as_str().map(str::to_owned),
                demonstration: v.demonstration,
            },
            Err(e) => ReportVerification {
                valid: false,
                reason: Some(e.to_string()),
                number: None,
                subject_code: None,
                issued_at: None,
                demonstration: false,
            },
        })
    }
}

#[derive(Default)]
pub struct ReportViewer;

#[Object]
impl ReportViewer {
    /// 我的授权：主体本人（主体令牌）查看授权过的机构，最新的在前 (my authorisations)
    async fn authorisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<AuthorisationNode>> {
        let code = authorisation::granting_subject(principal(ctx))
            .gql()?
            .clone();
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let found = services(ctx)?
            .run(move |s| s.authorisations_of(code.as_str(), None, &page))
            .await?;
        Ok(connection(found, had_after, |a| {
            (a.id.clone(), AuthorisationNode(a))
        }))
    }
}

fn purpose_label(p: authorisation::ReportPurpose) -> String {
    match p {
        authorisation::ReportPurpose::Lending => "信用报告：信易贷",
        authorisation::ReportPurpose::Bidding => "信用报告：公共资源交易",
    }
    .to_owned()
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// 授权查询：主体本人（主体令牌）允许某机构为某目的、在截止日前查询其信用报告
    /// (authorise a bank to fetch my credit report; a subject's own token)
    async fn grant_authorisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 GrantAuthorisationInput (what to change; see GrantAuthorisationInput)"
        )]
        input: GrantAuthorisationInput,
    ) -> Result<GrantAuthorisationPayload> {
        let code = authorisation::granting_subject(principal(ctx))
            .gql()?
            .clone();
        let svc = services(ctx)?;
        let today = svc.today();
        let purpose = input.purpose.into();
        let Date(until) = input.valid_until;
        let granted = svc
            .run(move |s| s.grant_authorisation(code.as_str(), &input.bank, purpose, until, today))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(AuthorisationNode(granted).into())
    }

    /// 撤销授权：立即生效 (revoke an authorisation, at once)
    async fn revoke_authorisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RevokeAuthorisationInput (what to change; see RevokeAuthorisationInput)"
        )]
        input: RevokeAuthorisationInput,
    ) -> Result<RevokeAuthorisationPayload> {
        let code = authorisation::granting_subject(principal(ctx))
            .gql()?
            .clone();
        let id = NodeKind::Authorisation.local(&input.id, "input.id").gql()?;
        let revoked = services(ctx)?
            .run(move |s| s.revoke_authorisation(code.as_str(), &id))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(AuthorisationNode(revoked).into())
    }
}

/// `grantAuthorisation` 的结果 (what grantAuthorisation changed)
#[derive(SimpleObject)]
pub struct GrantAuthorisationPayload {
    /// 变更后的授权 (the authorisation, as changed)
    pub authorisation: AuthorisationNode,
}

impl From<AuthorisationNode> for GrantAuthorisationPayload {
    fn from(authorisation: AuthorisationNode) -> Self {
        GrantAuthorisationPayload { authorisation }
    }
}

/// `revokeAuthorisation` 的结果 (what revokeAuthorisation changed)
#[derive(SimpleObject)]
pub struct RevokeAuthorisationPayload {
    /// 变更后的授权 (the authorisation, as changed)
    pub authorisation: AuthorisationNode,
}

impl From<AuthorisationNode> for RevokeAuthorisationPayload {
    fn from(authorisation: AuthorisationNode) -> Self {
        RevokeAuthorisationPayload { authorisation }
    }
}
