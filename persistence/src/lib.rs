//! Xinyong's store: diesel on PostgreSQL or SQLite through one code path.
//!
//! Error policy: every command returns [`StoreError`]. Rule violations come back as
//! `StoreError::Domain` (the domain's own error, unchanged); a database that cannot be reached is
//! `Unavailable`; anything else is `Internal`, whose text is for logs only.

mod conn;
mod error;
mod rows;
mod rows_joint;
pub mod schema;
mod statements;
mod store;

pub use conn::{AnyConnection, Backend};
pub use error::StoreError;
pub use statements::{PoolUse, STATEMENT_BUCKETS, StatementSnapshot, StatementTimes};
pub use store::{
    AsOf, AttemptOutcome, AuditFilter, CalendarHandle, CalendarLoaded, CheckOutcome, ComplaintView,
    DEFAULT_SEARCH_WINDOW, DeadlineTarget, Decided, Decision, DispatchFilter, DispatchView,
    DueDelivery, EndedMeasures, EntryChange, EntryFilter, Filed, FiledComplaint, Filer,
    FilledDeadlines, Imported, LiftConfirmed, ListingCount, MAX_BATCH, MAX_PAGE_SIZE, MAX_SCREEN,
    MeasureFinding, NewAudit, NominationView, ObjectionFilter, Page, PageRequest, Policy,
    RecordFilter, ReferenceData, Repair, RepairDecided, RepairOption, Screened, Stats, Store,
    SubjectFilter, SweepReport, Watched, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
    as_if_at, sha256_hex,
};
