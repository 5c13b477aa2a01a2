//! Xinyong's API: the GraphQL schema and its resolvers, the HTTP routes, JWT verification and the
//! cache. Business rules are not here: resolvers parse arguments into domain types, call the store
//! (which applies the domain's rules in one transaction) and map errors once, in [`error`].

pub mod audit;
pub mod auth;
pub mod cache;
pub mod context;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod progress_files;
pub mod rate_limit;
mod read_gate;
pub mod report_signing;
pub mod usage;
pub mod webhook_sender;

mod store_queue;
pub mod worker_redis;

pub use context::{Clock, RequestContext, Services};
pub use graphql::{AppSchema, build_schema, schema_builder, schema_sdl};
