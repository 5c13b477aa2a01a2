//! The `xinyong` binary's library: configuration, telemetry, start-up, seeding and the CLI, so that
//! the black-box tests can start the very server the binary runs.

pub mod banner;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod export;
pub mod import;
pub mod progress;
pub mod seed;
pub mod startup;
pub mod telemetry;
