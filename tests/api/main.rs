//! Black-box tests: each starts the real server on a free port, with its own database, and speaks
//! GraphQL over HTTP. With XINYONG_TEST_DATABASE_URL (a PostgreSQL server URL) each test gets its
//! own PostgreSQL database; with XINYONG_TEST_REDIS_URL the cache is that Redis. Without them,
//! SQLite files and the in-process cache.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on the first surprise"
)]

mod account;
mod as_of;
mod audit;
mod auth;
mod batching;
mod cache;
mod calendar;
mod candidates;
mod cli;
mod commitments;
mod complaints;
mod court_list;
mod entries;
mod feed;
mod green_channel;
mod helpers;
mod http;
mod identity;
mod import;
mod joint;
mod keys;
mod lifts;
mod limits;
mod lookups;
mod memoranda;
mod metrics;
mod migrations;
mod node;
mod nominations;
mod objections;
mod pagination;
mod partners;
mod persisted;
mod progress;
mod records;
mod redis_server;
mod repairs;
mod reports;
mod rewards;
mod schema;
mod screen;
mod subjects;
mod text;
mod typical_cases;
mod watches;
mod webhooks;
