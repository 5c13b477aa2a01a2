//! The model and rules of the Xinyong credit-information platform.
//!
//! Nothing here does I/O: no database, no network, no files. The persistence crate stores these types
//! and calls the rules inside its transactions; the API crate parses requests into them.
//!
//! Error policy: every fallible rule returns [`DomainError`], which names the field at fault where
//! there is one. Code parsing has its own [`CodeError`] so that callers can tell *why* a code is bad.

pub mod access;
pub mod as_of;
pub mod audit;
pub mod authorisation;
pub mod calendar;
pub mod candidate;
pub mod check;
pub mod citizen_id;
pub mod commitment;
pub mod complaint;
pub mod department;
pub mod dispatch;
pub mod error;
pub mod feed;
#[cfg(test)]
mod fixtures;
pub mod green_channel;
pub mod import;
pub mod jurisdiction;
pub mod lift;
pub mod list;
pub mod lookup;
pub mod memorandum;
pub mod node;
pub mod nomination;
pub mod objection;
pub mod partner;
pub mod progress;
pub mod record;
pub mod repair;
pub mod report;
pub mod reward;
pub mod subject;
pub mod text;
pub mod time;
pub mod typical_case;
pub mod uscc;
pub mod watch;
pub mod webhook;

pub use access::{DepartmentPrincipal, PartnerPrincipal, Principal, Scope};
pub use calendar::{CalendarError, WorkingDayCalendar};
pub use citizen_id::CitizenId;
pub use department::{Department, DepartmentCode, DepartmentRole};
pub use error::{CodeError, DomainError};
pub use jurisdiction::{Jurisdiction, JurisdictionCode, JurisdictionLevel};
pub use list::{EntryStatus, ListColour, ListEntry, ListType, NewListEntry, NewListType};
pub use record::{CreditRecord, CreditRecordKind, DishonestyClass, NewCreditRecord};
pub use subject::{NewSubject, Representative, Subject, SubjectCode, SubjectKind};
pub use uscc::Uscc;
