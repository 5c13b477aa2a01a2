//! Partner apps (合作方) over GraphQL, for the credit office: register, suspend, reinstate, and
//! read their daily use. A partner then signs its own tokens (see docs/partners.md).

use super::connection::Connection;
use super::{actor, answers, connection, page_request, services};
use crate::error::{ApiError, GqlResult};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use domain::partner::{Partner, RawPartner};

/// 合作方状态 (partner status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::partner::PartnerStatus")]
pub enum PartnerStatus {
    /// 正常 (active)
    Active,
    /// 已暂停：其全部请求被拒绝 (suspended: every request refused)
    Suspended,
}

/// 登记合作方 (register a partner app)
#[derive(InputObject)]
pub struct RegisterPartnerInput {
    /// 名称 (name)
    pub name: String,
    /// 权限范围，目前可用 partner:lookup (scopes)
    pub scopes: Vec<String>,
    /// 每秒请求数 (requests per second)
    pub rate_per_second: i32,
    /// 突发上限：可一次用掉的请求数 (burst)
    pub burst: i32,
    /// 合作方自己的 Ed25519 公钥（PEM）；不给则由平台生成密钥（HS256），只显示一次
    /// (its Ed25519 public key in PEM; without one the platform makes a secret, shown once)
    pub public_key_pem: Option<String>,
}

/// 暂停合作方 (suspend a partner)
#[derive(InputObject)]
pub struct SuspendPartnerInput {
    /// 合作方编号 (client id)
    pub client_id: String,
    /// 原因 (reason)
    pub reason: String,
}

/// 恢复合作方 (reinstate a partner)
#[derive(InputObject)]
pub struct ReinstatePartnerInput {
    /// 合作方编号 (client id)
    pub client_id: String,
}

/// 一天的用量 (one day's use)
#[derive(SimpleObject)]
pub struct PartnerUsageDay {
    /// 日期（北京时间） (day, China time)
    pub day: super::scalars::Date,
    /// 请求数 (requests)
    pub requests: i64,
}

pub struct PartnerNode(Partner);

/// 合作方应用 (a partner app)
#[Object(name = "Partner")]
impl PartnerNode {
    /// 合作方编号：其令牌的 kid、iss、sub (client id: its tokens' kid, iss and sub)
    async fn client_id(&self) -> &str {
        &self.0.client_id
    }
    /// 名称 (name)
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// 权限范围 (scopes)
    async fn scopes(&self) -> Vec<&str> {
        self.0.scopes.iter().map(|s| s.as_str()).collect()
    }
    /// 每秒请求数 (requests per second)
    async fn rate_per_second(&self) -> i64 {
        i64::from(self.0.plan.per_second)
    }
    /// 突发上限 (burst)
    async fn burst(&self) -> i64 {
        i64::from(self.0.plan.burst)
    }
    /// 令牌签名方式：KEY_PAIR（Ed25519）或 SECRET（HS256） (how its tokens are signed)
    async fn signs_with(&self) -> &str {
        if self.0.uses_key_pair {
            "KEY_PAIR"
        } else {
            "SECRET"
        }
    }
    /// 状态 (status)
    async fn status(&self) -> PartnerStatus {
        self.0.status.into()
    }
    /// 登记时间 (registered at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 暂停时间 (suspended at)
    async fn suspended_at(&self) -> Option<DateTime<Utc>> {
        self.0.suspended_at
    }
    /// 暂停原因 (why it was suspended)
    async fn suspension_reason(&self) -> Option<&str> {
        self.0.suspension_reason.as_deref()
    }
    /// 最近若干天（含今天）每天的请求数，无请求的日子不列 (requests per day, most recent days)
    async fn usage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "天数，1–366，默认30 (days)", default = 30)] days: i32,
    ) -> Result<Vec<PartnerUsageDay>> {
        if !(1..=366).contains(&days) {
            return Err(ApiError::bad_input("days", "天数应在 1 到 366 之间").into_graphql());
        }
        let svc = services(ctx)?;
        let to = svc.today();
        let from = to - chrono::Days::new(u64::try_from(days - 1).unwrap_or(0));
        let id = self.0.id.clone();
        let rows = svc.run(move |s| s.partner_usage(&id, from, to)).await?;
        Ok(rows
            .into_iter()
            .map(|(day, requests)| PartnerUsageDay {
                day: super::scalars::Date(day),
                requests,
            })
            .collect())
    }
}

/// 登记结果 (a registered partner, with its secret when the platform made one)
#[derive(SimpleObject)]
pub struct RegisterPartnerPayload {
    /// 合作方 (the partner)
    pub partner: PartnerNode,
    /// HS256 签名密钥，只显示这一次；登记公钥时为空 (its signing secret, shown once)
    pub secret: Option<String>,
}

#[derive(Default)]
pub struct PartnerQuery;

/// 合作方 (partner apps)
#[Object]
impl PartnerQuery {
    /// 合作方列表，最新的在前；信用办，需 memoranda:admin (partner apps, for the credit office)
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<PartnerNode>> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let result = services(ctx)?
            .run(move |s| s.partners(&actor, &page))
            .await?;
        Ok(connection(result, had_after, |p| {
            (p.id.clone(), PartnerNode(p))
        }))
    }
}

#[derive(Default)]
pub struct PartnerMutation;

/// 合作方 (partner apps)
#[Object]
impl PartnerMutation {
    /// 登记合作方应用：名称、权限范围、速率方案、公钥或由平台生成的密钥；信用办，需 memoranda:admin
    /// (register a partner app)
    async fn register_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RegisterPartnerInput (what to change; see RegisterPartnerInput)"
        )]
        input: RegisterPartnerInput,
    ) -> Result<RegisterPartnerPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let raw = RawPartner {
            name: input.name,
            scopes: input.scopes,
            per_second: i64::from(input.rate_per_second),
            burst: i64::from(input.burst),
            public_key_pem: input.public_key_pem,
        };
        let (partner, secret) = services(ctx)?
            .run(move |s| s.register_partner(&actor, raw))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(RegisterPartnerPayload {
            partner: PartnerNode(partner),
            secret,
        })
    }

    /// 暂停合作方：立即生效，其后每个请求都被拒绝 (suspend a partner, at once)
    async fn suspend_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 SuspendPartnerInput (what to change; see SuspendPartnerInput)"
        )]
        input: SuspendPartnerInput,
    ) -> Result<SuspendPartnerPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let partner = services(ctx)?
            .run(move |s| s.suspend_partner(&actor, &input.client_id, &input.reason))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(PartnerNode(partner).into())
    }

    /// 恢复被暂停的合作方 (reinstate a suspended partner)
    async fn reinstate_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 ReinstatePartnerInput (what to change; see ReinstatePartnerInput)"
        )]
        input: ReinstatePartnerInput,
    ) -> Result<ReinstatePartnerPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let partner = services(ctx)?
            .run(move |s| s.reinstate_partner(&actor, &input.client_id))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(PartnerNode(partner).into())
    }
}

/// `suspendPartner` 的结果 (what suspendPartner changed)
#[derive(SimpleObject)]
pub struct SuspendPartnerPayload {
    /// 变更后的合作方 (the partner, as changed)
    pub partner: PartnerNode,
}

impl From<PartnerNode> for SuspendPartnerPayload {
    fn from(partner: PartnerNode) -> Self {
        SuspendPartnerPayload { partner }
    }
}

/// `reinstatePartner` 的结果 (what reinstatePartner changed)
#[derive(SimpleObject)]
pub struct ReinstatePartnerPayload {
    /// 变更后的合作方 (the partner, as changed)
    pub partner: PartnerNode,
}

impl From<PartnerNode> for ReinstatePartnerPayload {
    fn from(partner: PartnerNode) -> Self {
        ReinstatePartnerPayload { partner }
    }
}
