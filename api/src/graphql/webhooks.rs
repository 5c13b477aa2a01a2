//! Webhooks over GraphQL: a department registers its endpoint, reads what was sent to it with every
//! attempt, and replays a delivery. Sending is the server's [`crate::webhook_sender`].

use super::connection::Connection;
use super::node::{GlobalId, NodeKind};
use super::{answers, connection, page_request, principal, services};
use crate::error::GqlResult;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::webhook;
use persistence::{WebhookAttempt, WebhookDelivery, WebhookEndpoint};

/// 推送事件 (what an endpoint is told)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::webhook::WebhookEvent")]
pub enum WebhookEvent {
    /// 新分发的联合奖惩措施 (`dispatch.created`: measures the department must apply)
    DispatchCreated,
    /// 推送撤回：条目撤销、修复或到期，尚未办结的推送取消 (`dispatch.cancelled`: open dispatches
    /// cancelled)
    DispatchCancelled,
    /// 请求解除已实施的措施：条目结束，附解除理由与期限 (`dispatch.lift_requested`: measures applied
    /// whose entry ended, to lift)
    DispatchLiftRequested,
    /// 关注的主体被列入名单，或其条目被撤销、修复、到期；银行用 (`watch.changed`: a bank's
    /// watched subject changed)
    WatchedSubjectChanged,
}

/// 推送状态 (delivery status)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::webhook::DeliveryStatus")]
pub enum DeliveryStatus {
    /// 待投递或等待重试 (owed: first or next attempt pending)
    Pending,
    /// 已送达（对方返回 2xx） (the endpoint answered 2xx)
    Delivered,
    /// 多次失败后停止重试，可重放 (every allowed attempt failed; can be replayed)
    Dead,
}

/// 登记推送地址 (register a webhook endpoint)
#[derive(InputObject)]
pub struct RegisterWebhookInput {
    /// 接收推送的 HTTPS 地址（本机地址可用 HTTP）(the endpoint's URL)
    pub url: String,
    /// 订阅的事件；不填为全部 (events wanted; none means all)
    #[graphql(default)]
    pub events: Vec<WebhookEvent>,
}

/// 重放一次推送 (send a delivery again)
#[derive(InputObject)]
pub struct ReplayWebhookDeliveryInput {
    /// 推送编号 (the delivery's id)
    pub id: ID,
}

pub struct WebhookEndpointNode(pub WebhookEndpoint);

/// 删除的结果 (what removeWebhook removed)
#[derive(SimpleObject)]
pub struct RemoveWebhookPayload {
    /// 删除的推送地址的编号；原本没有登记时为空 (the removed endpoint's id; none if there was none)
    pub removed_endpoint_id: Option<ID>,
}

/// 本部门的推送地址 (a department's webhook endpoint)
#[Object(name = "WebhookEndpoint")]
impl WebhookEndpointNode {
    /// 编号 (id)
    pub async fn id(&self) -> ID {
        NodeKind::WebhookEndpoint.id(&self.0.id)
    }
    /// 地址 (URL)
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// 订阅的事件 (events)
    async fn events(&self) -> Vec<WebhookEvent> {
        self.0.events.iter().map(|e| (*e).into()).collect()
    }
    /// 首次登记时间 (registered at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 推送记录，最新的在前，可按状态筛选 (deliveries, newest first)
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "只看此状态 (only this status)")] status: Option<DeliveryStatus>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<WebhookDeliveryNode>> {
        let actor = webhook::may_own(principal(ctx)).gql()?.clone();
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let status = status.map(Into::into);
        let result = services(ctx)?
            .run(move |s| s.webhook_deliveries(&actor, status, None, &page))
            .await?;
        Ok(connection(result, had_after, |d| {
            (d.id.clone(), WebhookDeliveryNode(d))
        }))
    }
}

pub struct WebhookDeliveryNode(pub WebhookDelivery);

/// 一次推送：一个事件的一批分发，带每次尝试 (one delivery, with its attempts)
#[Object(name = "WebhookDelivery")]
impl WebhookDeliveryNode {
    /// 编号，也在推送正文的 deliveryId 和请求头 X-Xinyong-Delivery 中 (id; also in the body)
    pub async fn id(&self) -> ID {
        NodeKind::WebhookDelivery.id(&self.0.id)
    }
    /// 事件 (event)
    async fn event(&self) -> WebhookEvent {
        self.0.event.into()
    }
    /// 状态 (status)
    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }
    /// 推送正文（JSON），签名即对此正文计算 (the body sent, exactly)
    async fn payload(&self) -> &str {
        &self.0.payload
    }
    /// 生成时间 (made at)
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// 本轮已尝试次数（重放后从0计） (attempts since made or replayed)
    async fn attempt_count(&self) -> i32 {
        i32::try_from(self.0.attempts).unwrap_or(i32::MAX)
    }
    /// 下次尝试时间；已送达或已停止时为空 (next attempt)
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    /// 送达时间 (delivered at)
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    /// 每次尝试，最早的在前 (every attempt, oldest first)
    async fn attempts(&self) -> Vec<WebhookAttemptNode> {
        self.0
            .attempt_log
            .iter()
            .cloned()
            .map(WebhookAttemptNode::from)
            .collect()
    }
}

/// 一次投递尝试 (one attempt)
#[derive(SimpleObject)]
#[graphql(name = "WebhookAttempt")]
pub struct WebhookAttemptNode {
    /// 时间 (when)
    pub at: DateTime<Utc>,
    /// 对方返回的 HTTP 状态码；未应答时为空 (HTTP status answered, if any)
    pub status_code: Option<i32>,
    /// 失败原因：非 2xx、超时、连接被拒等 (why it failed)
    pub error: Option<String>,
    /// 耗时，毫秒 (duration, ms)
    pub duration_ms: i32,
}

impl From<WebhookAttempt> for WebhookAttemptNode {
    fn from(a: WebhookAttempt) -> Self {
        WebhookAttemptNode {
            at: a.at,
            status_code: a.status_code.map(i32::from),
            error: a.error,
            duration_ms: i32::try_from(a.duration_ms).unwrap_or(i32::MAX),
        }
    }
}

/// 登记结果：地址与签名密钥（密钥只显示这一次） (the endpoint and its secret, shown once)
#[derive(SimpleObject)]
pub struct RegisterWebhookPayload {
    /// 推送地址 (the endpoint)
    pub endpoint: WebhookEndpointNode,
    /// 签名密钥：X-Xinyong-Signature = "v1=" + hex(HMAC-SHA256(密钥, 时间戳 + "." + 正文))；请妥善保存
    /// (the signing secret; keep it, it is not shown again)
    pub secret: String,
}

#[derive(Default)]
pub struct WebhookViewer;

#[Object]
impl WebhookViewer {
    /// 本部门登记的推送地址及其推送记录；未登记时为空 (my webhook endpoint)
    async fn webhook(&self, ctx: &Context<'_>) -> Result<Option<WebhookEndpointNode>> {
        let actor = webhook::may_own(principal(ctx)).gql()?.clone();
        Ok(services(ctx)?
            .run(move |s| s.webhook_of(&actor))
            .await?
            .map(WebhookEndpointNode))
    }
}

#[derive(Default)]
pub struct WebhookMutation;

/// 推送 (webhooks)
#[Object]
impl WebhookMutation {
    /// 登记或更换本部门的推送地址：每次登记生成新的签名密钥，未送达的推送改送新地址
    /// (register or replace the endpoint; a new secret each time)
    async fn register_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 RegisterWebhookInput (what to change; see RegisterWebhookInput)"
        )]
        input: RegisterWebhookInput,
    ) -> Result<RegisterWebhookPayload> {
        let actor = webhook::may_own(principal(ctx)).gql()?.clone();
        let events: Vec<webhook::WebhookEvent> = input.events.into_iter().map(Into::into).collect();
        let url = input.url;
        let (endpoint, secret) = services(ctx)?
            .run(move |s| s.register_webhook(&actor, &url, &events))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(RegisterWebhookPayload {
            endpoint: WebhookEndpointNode(endpoint),
            secret,
        })
    }

    /// 删除本部门的推送地址及其全部推送记录 (remove the endpoint and its deliveries)
    async fn remove_webhook(&self, ctx: &Context<'_>) -> Result<RemoveWebhookPayload> {
        let actor = webhook::may_own(principal(ctx)).gql()?.clone();
        let removed = services(ctx)?
            .run(move |s| s.remove_webhook(&actor))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(RemoveWebhookPayload {
            removed_endpoint_id: removed.map(|id| NodeKind::WebhookEndpoint.id(&id)),
        })
    }

    /// 重放一次已送达或已停止的推送：重新计次，原有尝试记录保留 (send a delivery again)
    async fn replay_webhook_delivery(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 ReplayWebhookDeliveryInput (what to change; see ReplayWebhookDeliveryInput)"
        )]
        input: ReplayWebhookDeliveryInput,
    ) -> Result<ReplayWebhookDeliveryPayload> {
        let actor = webhook::may_own(principal(ctx)).gql()?.clone();
        let id = NodeKind::WebhookDelivery
            .local(&input.id, "input.id")
            .gql()?;
        let delivery = services(ctx)?
            .run(move |s| s.replay_delivery(&actor, &id))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(WebhookDeliveryNode(delivery).into())
    }
}

/// `replayWebhookDelivery` 的结果 (what replayWebhookDelivery changed)
#[derive(SimpleObject)]
pub struct ReplayWebhookDeliveryPayload {
    /// 变更后的推送记录 (the delivery, as changed)
    pub delivery: WebhookDeliveryNode,
}

impl From<WebhookDeliveryNode> for ReplayWebhookDeliveryPayload {
    fn from(delivery: WebhookDeliveryNode) -> Self {
        ReplayWebhookDeliveryPayload { delivery }
    }
}
