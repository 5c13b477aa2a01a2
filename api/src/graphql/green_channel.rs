//! The green channel (绿色通道) over GraphQL: the credit office's rule, and the grounds a check
//! gives.

use super::{actor, answers, services};
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use domain::Scope;
use domain::green_channel::{GreenChannelRule, GreenGround};

/// 绿色通道依据 (why a subject qualifies for the green channel)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum GreenChannelGround {
    /// 诚信典型：守信红名单条目有效 (an honest example: a red-list entry in force)
    HonestExample,
    /// 连续三年（信用办设定的年限）无不良信用记录 (the set years with no bad credit record)
    CleanRecord,
}

impl From<&GreenGround> for GreenChannelGround {
    fn from(g: &GreenGround) -> Self {
        match g {
            GreenGround::HonestExample { .. } => GreenChannelGround::HonestExample,
            GreenGround::CleanRecord { .. } => GreenChannelGround::CleanRecord,
        }
    }
}

/// 绿色通道规则，由信用办设定 (the green channel's rule, set by the credit office)
#[derive(SimpleObject)]
#[graphql(name = "GreenChannelRule")]
pub struct GreenChannelRuleNode {
    /// 连续无不良信用记录的年限，默认3年 (clean years; default 3)
    pub clean_years: u32,
    /// 轻微失信的行政处罚是否也算不良记录；一般和严重的总算 (whether minor penalties count)
    pub count_minor_penalties: bool,
}

impl From<GreenChannelRule> for GreenChannelRuleNode {
    fn from(r: GreenChannelRule) -> Self {
        GreenChannelRuleNode {
            clean_years: r.clean_years,
            count_minor_penalties: r.count_minor_penalties,
        }
    }
}

/// 设定绿色通道规则 (set the green channel's rule)
#[derive(InputObject)]
pub struct SetGreenChannelRuleInput {
    /// 年限，1–10 (clean years)
    pub clean_years: i32,
    /// 轻微失信的行政处罚是否算不良记录 (whether minor penalties count)
    pub count_minor_penalties: bool,
}

#[derive(Default)]
pub struct GreenChannelQuery;

#[Object]
impl GreenChannelQuery {
    /// 现行绿色通道规则，公开 (the green channel's rule in force; public)
    async fn green_channel_rule(&self, ctx: &Context<'_>) -> Result<GreenChannelRuleNode> {
        let rule = services(ctx)?.run(|s| s.green_channel_rule()).await?;
        Ok(rule.into())
    }
}

#[derive(Default)]
pub struct GreenChannelMutation;

#[Object]
impl GreenChannelMutation {
    /// 设定绿色通道规则，仅信用办，需 memoranda:admin (set the rule; the credit office)
    async fn set_green_channel_rule(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 SetGreenChannelRuleInput (what to change; see SetGreenChannelRuleInput)"
        )]
        input: SetGreenChannelRuleInput,
    ) -> Result<SetGreenChannelRulePayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let rule = GreenChannelRule::parse(input.clean_years, input.count_minor_penalties)
            .map_err(|e| crate::error::ApiError::from(e).into_graphql())?;
        let set = services(ctx)?
            .run(move |s| s.set_green_channel_rule(&actor, rule))
            .await?;
        answers::changed_everything(ctx);
        Ok(GreenChannelRuleNode::from(set).into())
    }
}

/// `setGreenChannelRule` 的结果 (what setGreenChannelRule changed)
#[derive(SimpleObject)]
pub struct SetGreenChannelRulePayload {
    /// 变更后的规则 (the rule, as changed)
    pub rule: GreenChannelRuleNode,
}

impl From<GreenChannelRuleNode> for SetGreenChannelRulePayload {
    fn from(rule: GreenChannelRuleNode) -> Self {
        SetGreenChannelRulePayload { rule }
    }
}
