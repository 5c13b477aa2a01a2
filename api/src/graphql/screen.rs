//! Batch screening (批量筛查) of up to 1,000 codes.

use super::scalars::Date;
use super::types::{ListEntryNode, SubjectNode};
use super::{answers, services};
use crate::error::{ApiError, GqlResult};
use async_graphql::{Context, Object, Result, SimpleObject};
use persistence::MAX_SCREEN;

/// 一个代码的筛查结果 (the screening of one code)
#[derive(SimpleObject)]
pub struct ScreenResult {
    /// 输入的代码 (the code as given)
    pub input: String,
    /// 代码是否有效 (whether the code is well-formed)
    pub valid: bool,
    /// 代码无效的原因 (why not)
    pub error: Option<String>,
    /// 是否登记在本平台 (whether a subject has it)
    pub found: bool,
    /// 主体（公众视图）(the subject, as the public sees it)
    pub subject: Option<SubjectNode>,
    /// 有效的红名单条目 (red entries in force)
    pub red_entries: Vec<ListEntryNode>,
    /// 有效的黑名单条目 (black entries in force)
    pub black_entries: Vec<ListEntryNode>,
    /// 异议处理中 (an objection is pending)
    pub under_objection: bool,
    /// 筛查日期 (the day screened on)
    pub as_of: Date,
}

#[derive(Default)]
pub struct ScreenQuery;

#[Object]
impl ScreenQuery {
    /// 批量筛查：最多1000个代码，逐个返回是否登记、当前有效的红黑名单、是否异议处理中；无效代码逐个报告，不影响整批
    /// (screen up to 1,000 codes; invalid codes are reported per item)
    async fn screen(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "统一社会信用代码或公民身份号码，最多1000个 (codes)")] codes: Vec<String>,
        #[graphql(
            desc = "筛查目的，记入每个被查到主体可见的查询记录；匿名筛查不记录 (purpose: logged for each subject found)"
        )]
        purpose: Option<String>,
    ) -> Result<Vec<ScreenResult>> {
        domain::access::may_look_up(super::principal(ctx)).gql()?;
        let purpose = super::lookups::purpose(purpose)?;
        if codes.is_empty() || codes.len() > MAX_SCREEN {
            return Err(
                ApiError::bad_input("codes", format!("一次可筛查1至{MAX_SCREEN}个代码"))
                    .into_graphql(),
            );
        }
        let svc = services(ctx)?;
        let today = svc.today();
        for code in &codes {
            answers::looks_up_code(ctx, code);
        }
        let screened = svc.run(move |s| s.screen(&codes, today)).await?;
        let found: Vec<&domain::Subject> =
            screened.iter().filter_map(|s| s.subject.as_ref()).collect();
        for subject in &found {
            answers::shows_subject(ctx, subject);
        }
        super::lookups::log(ctx, &found, domain::lookup::LookupVia::Screen, purpose).await?;
        Ok(screened
            .into_iter()
            .map(|s| {
                let (red, black): (Vec<_>, Vec<_>) = s
                    .entries
                    .into_iter()
                    .partition(|(_, t)| t.colour == domain::ListColour::Red);
                let node = |v: Vec<(domain::ListEntry, domain::ListType)>| {
                    v.into_iter()
                        .map(|(entry, _)| ListEntryNode { entry, today })
                        .collect()
                };
                ScreenResult {
                    valid: s.invalid.is_none(),
                    error: s.invalid,
                    found: s.subject.is_some(),
                    subject: s.subject.map(SubjectNode::from),
                    red_entries: node(red),
                    black_entries: node(black),
                    under_objection: s.under_objection,
                    as_of: Date(today),
                    input: s.input,
                }
            })
            .collect())
    }
}
