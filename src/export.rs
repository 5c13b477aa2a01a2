//! `xinyong export`: the change feed as JSON Lines, for upstream platforms that take files rather
//! than GraphQL. Each line is one change with the object it touched, as that object stands at
//! export time (a later change to it follows later in the feed).

use anyhow::Context;
use domain::feed::{Change, ChangeTarget};
use domain::{CreditRecord, ListEntry, Subject};
use persistence::Store;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;

/// Changes read and written per round.
const BATCH: usize = 1_000;

/// What an export wrote, and where the next one starts.
#[derive(Debug, PartialEq, Eq)]
pub struct Exported {
    pub changes: usize,
    /// The last number written (or the one started after, when none was new).
    pub last: i64,
}

/// Writes the changes after `after` (at most `limit`) to `out`, one JSON object per line.
pub fn export(
    store: &Store,
    after: i64,
    limit: Option<usize>,
    today: chrono::NaiveDate,
    out: &mut dyn Write,
) -> anyhow::Result<Exported> {
    let mut done = Exported {
        changes: 0,
        last: after,
    };
    loop {
        let want = limit.map_or(BATCH, |l| BATCH.min(l - done.changes));
        if want == 0 {
            return Ok(done);
        }
        let changes = store.changes_after(done.last, want)?;
        let Some(last) = changes.last() else {
            return Ok(done);
        };
        done.last = last.seq;
        done.changes += changes.len();
        let objects = Objects::load(store, &changes)?;
        for change in &changes {
            let line = json!({
                "seq": change.seq,
                "at": change.at,
                "target": change.change.target.as_str(),
                "action": change.change.action.as_str(),
                "targetId": change.change.target_id,
                "subjectCode": change.change.subject_code,
                "department": change.change.department.as_ref().map(|d| d.to_string()),
                "object": objects.of(change, today),
            });
            serde_json::to_writer(&mut *out, &line).context("writing the export")?;
            out.write_all(b"\n").context("writing the export")?;
        }
    }
}

/// The objects one round of changes touched, read in one query per kind.
struct Objects {
    subjects: HashMap<String, Subject>,
    records: HashMap<String, CreditRecord>,
    entries: HashMap<String, ListEntry>,
    list_types: HashMap<String, String>,
    cases: HashMap<String, domain::typical_case::TypicalCase>,
}

impl Objects {
    fn load(store: &Store, changes: &[Change]) -> anyhow::Result<Objects> {
        let ids = |t: ChangeTarget| -> Vec<String> {
            changes
                .iter()
                .filter(|c| c.change.target == t)
                .map(|c| c.change.target_id.clone())
                .collect()
        };
        let entries = store.list_entries_by_ids(&ids(ChangeTarget::ListEntry))?;
        let type_ids: Vec<String> = entries.iter().map(|e| e.list_type_id.clone()).collect();
        Ok(Objects {
            subjects: by_id(store.subjects_by_ids(&ids(ChangeTarget::Subject))?, |s| {
                &s.id
            }),
            records: by_id(
                store.credit_records_by_ids(&ids(ChangeTarget::CreditRecord))?,
                |r| &r.id,
            ),
            list_types: store
                .list_types_by_ids(&type_ids)?
                .into_iter()
                .map(|t| (t.id, t.code))
                .collect(),
            entries: by_id(entries, |e| &e.id),
            cases: by_id(
                store.typical_cases_by_ids(&ids(ChangeTarget::TypicalCase))?,
                |c| &c.id,
            ),
        })
    }

    fn of(&self, change: &Change, today: chrono::NaiveDate) -> Value {
        let id = &change.change.target_id;
        match change.change.target {
            ChangeTarget::Subject => self.subjects.get(id).map_or(Value::Null, |s| {
                json!({
                    "id": s.id, "code": s.code.as_str(), "kind": s.kind.as_str(), "name": s.name,
                    "jurisdiction": s.jurisdiction.to_string(),
                    "legalRepresentative": s.representative.as_ref().map(|r| r.name.clone()),
                    "registeredBy": s.registered_by.to_string(),
                })
            }),
            ChangeTarget::CreditRecord => self.records.get(id).map_or(Value::Null, |r| {
                json!({
                    "id": r.id, "kind": r.kind.as_str(), "title": r.title,
                    "decisionNumber": r.decision_number, "decisionDate": r.decision_date,
                    "publicationDate": r.publication_date, "legalBasis": r.legal_basis,
                    "content": r.content, "sourceDepartment": r.source_department.to_string(),
                    "dishonestyClass": r.dishonesty_class.map(|d| d.as_str()),
                    "publicityEnd": r.publicity_end, "version": r.version,
                    "withdrawn": r.withdrawn_at.is_some(),
                })
            }),
            ChangeTarget::ListEntry => self.entries.get(id).map_or(Value::Null, |e| {
                json!({
                    "id": e.id, "listType": self.list_types.get(&e.list_type_id),
                    "reason": e.reason, "basisDocument": e.basis_document,
                    "startDate": e.start_date, "endDate": e.end_date,
                    "status": e.status_on(today).as_str(),
                    "revocationReason": e.revocation_reason,
                    "createdBy": e.created_by.to_string(),
                })
            }),
            ChangeTarget::TypicalCase => self.cases.get(id).map_or(Value::Null, |c| {
                json!({
                    "id": c.id, "kind": c.kind.as_str(), "title": c.title, "summary": c.summary,
                    "department": c.department.to_string(), "status": c.status.as_str(),
                })
            }),
        }
    }
}

fn by_id<T>(items: Vec<T>, id: impl Fn(&T) -> &String) -> HashMap<String, T> {
    items.into_iter().map(|t| (id(&t).clone(), t)).collect()
}
