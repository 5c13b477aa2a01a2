//! The GraphQL schema. It builds without runtime data ([`build_schema`]), so that its SDL can be
//! exported and compared with `schema.graphql`.

mod account;
pub mod answers;
mod audit_log;
mod calendar;
mod candidates;
mod commitments;
mod complaints;
mod connection;
mod enums;
mod feed;
mod green_channel;
mod import;
mod inputs;
mod joint;
mod joint_inputs;
mod joint_types;
mod lifts;
pub mod limits;
pub mod loaders;
pub mod lookups;
mod mutation;
mod node;
mod nominations;
mod objections;
pub mod operation;
mod parse_cache;
mod partners;
mod persisted;
mod query;
mod repairs;
mod reports;
mod scalars;
mod screen;
mod stats;
mod text;
mod types;
mod typical_cases;
mod validation;
mod watches;
mod webhooks;

use crate::context::{RequestContext, Services};
use crate::error::{ApiError, GqlResult};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, MergedObject, Schema, SchemaBuilder};
use connection::{Connection, Edge};
use domain::Principal;
use persistence::{MAX_PAGE_SIZE, Page, PageRequest};

pub use joint::SubscriptionRoot;

/// 查询 (queries)
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    query::CoreQuery,
    node::NodeQuery,
    joint::JointQuery,
    stats::StatsQuery,
    objections::ObjectionQuery,
    audit_log::AuditQuery,
    repairs::RepairQuery,
    screen::ScreenQuery,
    feed::FeedQuery,
    reports::ReportQuery,
    watches::WatchQuery,
    partners::PartnerQuery,
    commitments::CommitmentQuery,
    candidates::CandidateQuery,
    nominations::NominationQuery,
    typical_cases::TypicalCaseQuery,
    complaints::ComplaintQuery,
    calendar::CalendarQuery,
    green_channel::GreenChannelQuery,
);

/// 变更 (mutations)。约定：verbNoun(input: VerbNounInput!): VerbNounPayload!，结果对象包含变更后的
/// 对象，以后可加字段而不影响调用方；每个变更是一个事务，出错时什么也不写入，错误为带
/// extensions.code 的 GraphQL 错误 (the convention: `verbNoun(input: VerbNounInput!):
/// VerbNounPayload!`, the payload holding what changed, so that a field can be added later without
/// breaking anyone. Each is one transaction: on any error nothing is stored, and the error is a
/// GraphQL error with `extensions.code`.)
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    mutation::CoreMutation,
    joint::JointMutation,
    objections::ObjectionMutation,
    repairs::RepairMutation,
    reports::ReportMutation,
    import::ImportMutation,
    webhooks::WebhookMutation,
    watches::WatchMutation,
    partners::PartnerMutation,
    commitments::CommitmentMutation,
    candidates::CandidateMutation,
    nominations::NominationMutation,
    typical_cases::TypicalCaseMutation,
    complaints::ComplaintMutation,
    calendar::CalendarMutation,
    lifts::LiftMutation,
    green_channel::GreenChannelMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Queries nested deeper than this are refused before they run (GraphiQL's introspection needs 13).
pub const MAX_DEPTH: usize = 16;
/// Queries selecting more fields than this are refused before they run.
pub const MAX_COMPLEXITY: usize = 1_000;

/// How many items a page holds when `first` is not given.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// The schema with its extensions; `limits` bounds what one request may cost.
pub fn schema_builder(
    limits: limits::RequestLimits,
) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .extension(limits)
    .extension(validation::ValidationCodes)
    .extension(lookups::LogShown)
    .extension(crate::audit::AuditTrail)
    .extension(answers::AnswerPolicy)
    .extension(persisted::PersistedQueries::default())
    .extension(parse_cache::ParseCache::new(1_000))
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
}

pub fn build_schema() -> AppSchema {
    schema_builder(limits::RequestLimits::default()).finish()
}

/// The SDL as checked in at `schema.graphql`.
pub fn schema_sdl() -> String {
    build_schema().sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}

static ANONYMOUS: Principal = Principal::Anonymous;

pub(crate) fn principal<'a>(ctx: &Context<'a>) -> &'a Principal {
    ctx.data_opt::<RequestContext>()
        .map_or(&ANONYMOUS, |r| &r.principal)
}

/// The acting department, if the caller's token holds `scope`.
pub(crate) fn actor(
    ctx: &Context<'_>,
    scope: domain::Scope,
) -> async_graphql::Result<domain::DepartmentPrincipal> {
    principal(ctx).department_with(scope).cloned().gql()
}

/// Any department token, whatever its scopes (what a department may see of its own work);
/// `refusal` says why a subject's or partner's token is refused.
pub(crate) fn any_department(
    ctx: &Context<'_>,
    refusal: &str,
) -> async_graphql::Result<domain::DepartmentPrincipal> {
    match principal(ctx) {
        Principal::Department(d) => Ok(d.clone()),
        Principal::Anonymous => Err(ApiError::new(
            crate::error::ErrorCode::Unauthenticated,
            "此查询需要部门令牌",
        )
        .into_graphql()),
        Principal::Subject { .. } | Principal::Partner(_) => {
            Err(ApiError::new(crate::error::ErrorCode::Forbidden, refusal).into_graphql())
        }
    }
}

pub(crate) fn services<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Services> {
    ctx.data::<Services>()
}

/// After a command that listed subjects: their cached answers go, and the implementing
/// departments hear of the measures dispatched to them.
pub(crate) fn announce_listings(
    ctx: &Context<'_>,
    changes: &[persistence::EntryChange],
) -> async_graphql::Result<()> {
    let svc = services(ctx)?;
    answers::changed_subjects(ctx, changes.iter().map(|c| c.entry.subject_id.as_str()));
    for change in changes {
        svc.events.publish(
            crate::events::DispatchEventKind::Created,
            &change.dispatches,
        );
        // A black listing suspends the subject's rewards.
        svc.events.publish(
            crate::events::DispatchEventKind::Cancelled,
            &change.suspended,
        );
    }
    Ok(())
}

/// Loads a related row through the request's loader.
pub(crate) async fn load<K, V>(ctx: &Context<'_>, key: K, what: &str) -> async_graphql::Result<V>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    loaders::StoreLoader: Loader<K, Value = V, Error = ApiError>,
    V: Send + Sync + Clone + 'static,
{
    let loader = ctx.data::<loaders::Loaders>()?;
    loader
        .load_one(key)
        .await
        .gql()?
        .ok_or_else(|| types::missing(what))
}

/// Checks `first` and `after`.
pub(crate) fn page_request(
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest, ApiError> {
    let first = match first {
        None => DEFAULT_PAGE_SIZE,
        Some(n) if n >= 1 && n as usize <= MAX_PAGE_SIZE => n as usize,
        Some(_) => {
            return Err(ApiError::bad_input(
                "first",
                format!("first 应在 1 到 {MAX_PAGE_SIZE} 之间"),
            ));
        }
    };
    if let Some(a) = &after {
        let ok =
            !a.is_empty() && a.len() <= 64 && a.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
        if !ok {
            return Err(ApiError::bad_input(
                "after",
                "游标 (after) 无效：请使用上一页 pageInfo.endCursor 的值",
            ));
        }
    }
    Ok(PageRequest { first, after })
}

/// A Relay connection over one page; the cursor of an item is its id.
pub(crate) fn connection<T, N>(
    page: Page<T>,
    had_after: bool,
    node: impl Fn(T) -> (String, N),
) -> Connection<N>
where
    N: async_graphql::OutputType,
{
    let mut c = Connection::new(had_after, page.has_next_page);
    c.edges.extend(page.items.into_iter().map(|t| {
        let (cursor, n) = node(t);
        Edge::new(cursor, n)
    }));
    c
}
