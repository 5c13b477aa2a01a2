//! Banks' watchlists over GraphQL (贷后监测): a `bank:query` token watches the subjects it lends to
//! (each with its lending authorisation) and reads what happened to them, resuming from a cursor.

use super::connection::Connection;
use super::feed::ChangeNode;
use super::types::SubjectNode;
use super::{actor, answers, connection, page_request, services};
use crate::error::GqlResult;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::Scope;
use persistence::Watched;

/// 关注或取消关注的主体 (subjects to watch or unwatch)
#[derive(InputObject)]
pub struct WatchSubjectsInput {
    /// 统一社会信用代码或身份号码，1–1000 个；每个主体须已授权本机构为信易贷查询
    /// (codes, 1–1000; each subject must have authorised this bank for lending)
    pub codes: Vec<String>,
}

/// 取消关注的主体 (subjects to unwatch)
#[derive(InputObject)]
pub struct UnwatchSubjectsInput {
    /// 统一社会信用代码或身份号码，1–1000 个 (codes, 1–1000)
    pub codes: Vec<String>,
}

/// 关注的结果 (what watchSubjects watched)
#[derive(SimpleObject)]
pub struct WatchSubjectsPayload {
    /// 关注名单上的这些主体 (the subjects, as now watched)
    pub watched: Vec<WatchedSubject>,
}

/// 取消关注的结果 (what unwatchSubjects ended)
#[derive(SimpleObject)]
pub struct UnwatchSubjectsPayload {
    /// 取消关注的个数：原本在关注名单上的 (how many were watched and no longer are)
    pub unwatched_count: i32,
}

/// 关注名单上的一个主体 (a watched subject)
#[derive(SimpleObject)]
pub struct WatchedSubject {
    /// 主体 (the subject)
    pub subject: SubjectNode,
    /// 开始关注的时间 (watched since)
    pub since: DateTime<Utc>,
    /// 主体授权的最后一天；为空表示授权已过期或撤销，在重新授权前不再通知
    /// (last day of the lending authorisation; none once it lapsed: nothing is told until renewed)
    pub authorised_until: Option<super::scalars::Date>,
}

impl From<Watched> for WatchedSubject {
    fn from(w: Watched) -> Self {
        WatchedSubject {
            since: w.watch.since,
            authorised_until: w.authorised_until.map(super::scalars::Date),
            subject: SubjectNode::from(w.subject),
        }
    }
}

#[derive(Default)]
pub struct WatchQuery;

/// 贷后监测 (watchlists)
#[Object]
impl WatchQuery {
    /// 关注主体的动态：被列入名单，或名单条目被撤销、修复、到期；按提交顺序，以上次的
    /// pageInfo.endCursor 续读，不漏不重。只含关注期间且授权有效时的变更；需 bank:query
    /// (what happened to watched subjects, in commit order; resume with the last endCursor)
    async fn watch_feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上次读到的游标；不给则从头读 (resume after this cursor)")] after: Option<
            String,
        >,
    ) -> Result<Connection<ChangeNode>> {
        let actor = actor(ctx, Scope::BankQuery)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let result = services(ctx)?
            .run(move |s| s.watch_feed(&actor, &page))
            .await?;
        Ok(connection(result, had_after, |c| {
            (c.seq.to_string(), ChangeNode::from(c))
        }))
    }
}

#[derive(Default)]
pub struct WatchViewer;

#[Object]
impl WatchViewer {
    /// 本机构的关注名单，最新的在前；需 bank:query (my watchlist)
    async fn watchlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "每页条数，1–100，默认20 (page size)")] first: Option<i32>,
        #[graphql(desc = "上一页最后一条的游标 (cursor)")] after: Option<String>,
    ) -> Result<Connection<WatchedSubject>> {
        let actor = actor(ctx, Scope::BankQuery)?;
        let page = page_request(first, after).gql()?;
        let had_after = page.after.is_some();
        let svc = services(ctx)?;
        let today = svc.today();
        let result = svc.run(move |s| s.watchlist(&actor, &page, today)).await?;
        Ok(connection(result, had_after, |w| {
            (w.watch.id.clone(), WatchedSubject::from(w))
        }))
    }
}

#[derive(Default)]
pub struct WatchMutation;

/// 贷后监测 (watchlists)
#[Object]
impl WatchMutation {
    /// 把主体加入本机构的关注名单：全部成功或全部不加；每个主体须已授权本机构为信易贷查询；
    /// 已关注的保持不变。需 bank:query (watch subjects, all or none)
    async fn watch_subjects(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 WatchSubjectsInput (what to change; see WatchSubjectsInput)"
        )]
        input: WatchSubjectsInput,
    ) -> Result<WatchSubjectsPayload> {
        let actor = actor(ctx, Scope::BankQuery)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let codes = input.codes;
        let watched = svc
            .run(move |s| s.watch_subjects(&actor, &codes, today))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(WatchSubjectsPayload {
            watched: watched.into_iter().map(WatchedSubject::from).collect(),
        })
    }

    /// 取消关注；返回取消的个数。需 bank:query (unwatch subjects; how many were watched)
    async fn unwatch_subjects(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 UnwatchSubjectsInput (what to change; see UnwatchSubjectsInput)"
        )]
        input: UnwatchSubjectsInput,
    ) -> Result<UnwatchSubjectsPayload> {
        let actor = actor(ctx, Scope::BankQuery)?;
        let codes = input.codes;
        let ended = services(ctx)?
            .run(move |s| s.unwatch_subjects(&actor, &codes))
            .await?;
        answers::changed_nothing_public(ctx);
        Ok(UnwatchSubjectsPayload {
            unwatched_count: i32::try_from(ended).unwrap_or(i32::MAX),
        })
    }
}
