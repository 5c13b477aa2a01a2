//! 归集: a department's file of subjects, records or entries, checked row by row against the rules
//! and the database and stored in one transaction — all of it, or with `GoodRowsOnly` the good rows.
//!
//! Each row has a source key: a subject's code; a record's kind and decision number (文书号) within
//! the department; an entry's `sourceKey` (its idempotency key). A row whose key is stored already
//! with the same content changes nothing, so a file sent twice changes nothing; the same key with
//! other content is a bad row (corrections go through the correction flow, with its notices).

use super::catalogue::acting_department;
use super::changes::{self, made};
use super::entries::EntryChange;
use super::listing::Batch;
use super::records::record_row;
use super::subjects::{resolve_subject, subject_row, subjects_by_code};
use super::{Store, StoreError};
use crate::conn::{AnyConnection, Backend, bulk_insert};
use crate::rows::{CreditRecordRow, SubjectRow, convert};
use crate::schema::{credit_records, jurisdictions, subjects};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::feed::{ChangeAction, ChangeTarget, NewChange};
use domain::import::columns::{Prepared, Rows};
use domain::import::{ImportKind, ImportMode, ImportReport, Problem, Sourced};
use domain::list::RawListEntry;
use domain::record::RawCreditRecord;
use domain::subject::RawSubject;
use domain::{CreditRecord, Department, DomainError, NewCreditRecord, NewSubject, Subject};
use std::collections::{HashMap, HashSet};

/// Rows per statement: under SQLite's 32,766 parameters at 15 columns (COPY has no limit).
const ROWS_PER_STATEMENT: usize = 2_000;

/// What checking the rows found, and what storing the good ones takes.
struct Checked<W> {
    fresh: W,
    created: usize,
    unchanged: usize,
    problems: Vec<Problem>,
}

/// An import's report, and the entries it made with their dispatches (to announce them).
#[derive(Debug)]
pub struct Imported {
    pub report: ImportReport,
    pub listed: Vec<EntryChange>,
}

impl Store {
    /// Checks every row of a prepared file and stores it as one transaction (see the module).
    pub fn import(
        &self,
        actor: &DepartmentPrincipal,
        prepared: Prepared,
        mode: ImportMode,
        today: NaiveDate,
    ) -> Result<Imported, StoreError> {
        let Prepared {
            kind,
            rows,
            row_count,
            row_problems,
            file_problems,
        } = prepared;
        let mut report = ImportReport {
            kind,
            rows: row_count,
            created: 0,
            unchanged: 0,
            committed: false,
            problems: file_problems,
        };
        if !report.problems.is_empty() {
            report.problems.extend(row_problems);
            return Ok(Imported {
                report,
                listed: Vec::new(),
            });
        }
        let mut listed = Vec::new();
        let policy = self.policy.clone();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let stop = |problems: &[Problem]| {
                mode == ImportMode::AllOrNothing
                    && !(row_problems.is_empty() && problems.is_empty())
            };
            let (created, unchanged, problems, committed) = match rows {
                Rows::Subjects(rows) => {
                    let checked = check_subjects(c, &department, rows, today)?;
                    let go = !stop(&checked.problems);
                    if go {
                        write_subjects(c, &department, &checked.fresh)?;
                    }
                    (checked.created, checked.unchanged, checked.problems, go)
                }
                Rows::Records(rows) => {
                    let checked = check_records(c, &department, rows, today)?;
                    let go = !stop(&checked.problems);
                    if go {
                        write_records(c, &department, &checked.fresh)?;
                    }
                    (checked.created, checked.unchanged, checked.problems, go)
                }
                Rows::Entries(rows) => {
                    let raws: Vec<RawListEntry> = rows.iter().map(|r| r.raw.clone()).collect();
                    let mut batch = Batch::start(c, &department, &raws, today)?;
                    let mut problems = Vec::new();
                    for row in &rows {
                        match batch.add(c, &policy, &department, &row.raw, today) {
                            Ok(()) => {}
                            Err(StoreError::Domain(e)) => problems.push(row.problem(&e, "")),
                            Err(e) => return Err(e),
                        }
                    }
                    let (created, unchanged) = (batch.new_entries(), batch.repeated);
                    let go = !stop(&problems);
                    if go {
                        listed = batch.write(c)?;
                    }
                    (created, unchanged, problems, go)
                }
            };
            report.committed = committed;
            report.created = if committed { created } else { 0 };
            report.unchanged = unchanged;
            report.problems = row_problems;
            report.problems.extend(problems);
            report.problems.sort_by_key(|p| p.line);
            Ok(())
        })?;
        if report.committed && report.created >= FRESH_STATISTICS_AFTER {
            self.refresh_statistics(kind);
        }
        Ok(Imported { report, listed })
    }

    /// PostgreSQL plans from table statistics that autovacuum refreshes only a while later; a
    /// file sent again at once would otherwise be checked with plans made for the empty table
    /// (filtering the department's whole index range for every chunk of numbers: minutes, not
    /// seconds). The import is stored already, so a failure here is only logged.
    fn refresh_statistics(&self, kind: ImportKind) {
        use diesel::connection::SimpleConnection;
        if self.backend() != Backend::Postgres {
            return;
        }
        let sql = match kind {
            ImportKind::Subjects => "ANALYZE subjects",
            ImportKind::Records => "ANALYZE credit_records",
            ImportKind::Entries => "ANALYZE list_entries, dispatches",
        };
        if let Err(e) = self.read(|c| c.batch_execute(sql).map_err(StoreError::from)) {
            tracing::warn!(error = %e, "could not refresh table statistics after an import");
        }
    }
}

/// Rows created by one import from which the tables' statistics are refreshed at once.
const FRESH_STATISTICS_AFTER: usize = 1_000;

/// A bad row from an error of the rules; any other error stops the import.
fn bad_row<T>(row: &Sourced<T>, e: StoreError, field: &str) -> Result<Problem, StoreError> {
    match e {
        StoreError::Domain(e) => Ok(row.problem(&e, field)),
        other => Err(other),
    }
}

fn check_subjects(
    c: &mut AnyConnection,
    department: &Department,
    rows: Vec<Sourced<RawSubject>>,
    today: NaiveDate,
) -> Result<Checked<Vec<SubjectRow>>, StoreError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        match NewSubject::parse(row.raw.clone(), today) {
            Ok(new) => parsed.push((row, new)),
            Err(e) => problems.push(row.problem(&e, "")),
        }
    }
    let places: HashSet<String> = jurisdictions::table
        .select(jurisdictions::code)
        .load::<String>(c)?
        .into_iter()
        .collect();
    let stored = subjects_by_code(c, parsed.iter().map(|(_, n)| n.code.as_str()))?;
    let mut in_file: HashMap<String, usize> = HashMap::new();
    let mut fresh = Vec::new();
    let mut unchanged = 0;
    for (row, new) in parsed {
        let code = new.code.as_str().to_owned();
        let refused = access::may_register_subject(department, &new)
            .err()
            .or_else(|| {
                (!places.contains(new.jurisdiction.as_str())).then(|| {
                    DomainError::invalid(
                        "input.jurisdiction",
                        format!("行政区划 {} 不在本平台", new.jurisdiction),
                    )
                })
            });
        if let Some(e) = refused {
            problems.push(row.problem(&e, "jurisdiction"));
            continue;
        }
        if let Some(s) = stored.get(&code) {
            if s.name == new.name && s.kind == new.kind {
                unchanged += 1;
            } else {
                let e = DomainError::conflict(format!(
                    "该代码的主体已登记为“{}”，与本行不同；主体信息的变更请联系登记部门",
                    s.name
                ));
                problems.push(row.problem(&e, "code"));
            }
            continue;
        }
        if let Some(first) = in_file.get(&code) {
            let e = DomainError::conflict(format!("与第{first}行的代码重复"));
            problems.push(row.problem(&e, "code"));
            continue;
        }
        in_file.insert(code, row.line);
        fresh.push(subject_row(&new, &department.code, super::now()));
    }
    Ok(Checked {
        created: fresh.len(),
        fresh,
        unchanged,
        problems,
    })
}

fn write_subjects(
    c: &mut AnyConnection,
    department: &Department,
    rows: &[SubjectRow],
) -> Result<(), StoreError> {
    bulk_insert!(c, subjects::table, &rows, ROWS_PER_STATEMENT)?;
    let feed: Vec<NewChange> = rows
        .iter()
        .map(|r| {
            made(
                ChangeTarget::Subject,
                ChangeAction::Created,
                &r.id,
                (&r.id, &r.code),
                Some(&department.code),
            )
        })
        .collect();
    changes::append(c, &feed)
}

/// New records, and their subjects' codes for the feed.
#[derive(Default)]
struct FreshRecords {
    rows: Vec<CreditRecordRow>,
    codes: Vec<String>,
}

fn check_records(
    c: &mut AnyConnection,
    department: &Department,
    rows: Vec<Sourced<RawCreditRecord>>,
    today: NaiveDate,
) -> Result<Checked<FreshRecords>, StoreError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        match NewCreditRecord::parse(&row.raw, today) {
            Ok(new) => parsed.push((row, new)),
            Err(e) => problems.push(row.problem(&e, "")),
        }
    }
    let subjects = subjects_by_code(c, parsed.iter().map(|(r, _)| r.raw.subject_code.as_str()))?;
    let stored = stored_records(c, department, &parsed)?;
    let mut in_file: HashMap<(&'static str, String), usize> = HashMap::new();
    let mut fresh = FreshRecords::default();
    let mut unchanged = 0;
    for (row, new) in parsed {
        let subject: Subject =
            match resolve_subject(c, &subjects, &row.raw.subject_code, "input.subject").and_then(
                |s| {
                    access::may_write_record(department, &s)
                        .map(|()| s)
                        .map_err(Into::into)
                },
            ) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(bad_row(&row, e, "subject")?);
                    continue;
                }
            };
        let key = (new.kind.as_str(), new.decision_number.clone());
        if let Some(earlier) = stored.get(&key) {
            if new.same_as(&subject.id, earlier) {
                unchanged += 1;
            } else {
                let e = DomainError::conflict(format!(
                    "本部门已登记过决定文书号为 {} 的同类记录，内容与本行不同；更正请用记录更正功能",
                    new.decision_number
                ));
                problems.push(row.problem(&e, "decisionNumber"));
            }
            continue;
        }
        if let Some(first) = in_file.get(&key) {
            let e = DomainError::conflict(format!("与第{first}行的决定文书号重复"));
            problems.push(row.problem(&e, "decisionNumber"));
            continue;
        }
        fresh
            .rows
            .push(record_row(&new, &subject.id, &department.code));
        fresh.codes.push(subject.code.as_str().to_owned());
        in_file.insert(key, row.line);
    }
    Ok(Checked {
        created: fresh.rows.len(),
        fresh,
        unchanged,
        problems,
    })
}

/// This department's records already stored under the decision numbers of the file.
fn stored_records(
    c: &mut AnyConnection,
    department: &Department,
    parsed: &[(Sourced<RawCreditRecord>, NewCreditRecord)],
) -> Result<HashMap<(&'static str, String), CreditRecord>, StoreError> {
    // By kind, so that the look-up walks the unique index (department, kind, number).
    let mut numbers: HashMap<&'static str, HashSet<&str>> = HashMap::new();
    for (_, n) in parsed {
        numbers
            .entry(n.kind.as_str())
            .or_default()
            .insert(n.decision_number.as_str());
    }
    let mut stored = HashMap::new();
    for (kind, numbers) in numbers {
        let numbers: Vec<&str> = numbers.into_iter().collect();
        for chunk in numbers.chunks(ROWS_PER_STATEMENT) {
            stored_records_in(c, department, kind, chunk, &mut stored)?;
        }
    }
    Ok(stored)
}

fn stored_records_in(
    c: &mut AnyConnection,
    department: &Department,
    kind: &str,
    numbers: &[&str],
    stored: &mut HashMap<(&'static str, String), CreditRecord>,
) -> Result<(), StoreError> {
    let rows = credit_records::table
        .filter(credit_records::source_department.eq(department.code.as_str()))
        .filter(credit_records::kind.eq(kind))
        .filter(credit_records::decision_number.eq_any(numbers))
        .select(CreditRecordRow::as_select())
        .load(c)?;
    for r in convert::<_, CreditRecord>(rows)? {
        stored.insert((r.kind.as_str(), r.decision_number.clone()), r);
    }
    Ok(())
}

fn write_records(
    c: &mut AnyConnection,
    department: &Department,
    fresh: &FreshRecords,
) -> Result<(), StoreError> {
    bulk_insert!(c, credit_records::table, &fresh.rows, ROWS_PER_STATEMENT)?;
    let feed: Vec<NewChange> = fresh
        .rows
        .iter()
        .zip(&fresh.codes)
        .map(|(r, code)| {
            made(
                ChangeTarget::CreditRecord,
                ChangeAction::Created,
                &r.id,
                (&r.subject_id, code),
                Some(&department.code),
            )
        })
        .collect();
    changes::append(c, &feed)
}
