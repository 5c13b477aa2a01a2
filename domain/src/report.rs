//! The credit report (信用报告): a subject's standing at one moment, for a bank deciding a loan
//! (信易贷) or a tender's organiser (公共资源交易), in a form anyone can verify later. The content is
//! built here; the API signs its canonical form (sorted keys, no spaces) with the platform's key.

use crate::authorisation::ReportPurpose;
use crate::dispatch::DispatchStatus;
use crate::objection::{ObjectionStatus, TargetKind};
use crate::repair::RepairStatus;
use crate::{
    CreditRecord, Department, DepartmentCode, EntryStatus, ListColour, ListEntry, ListType, Subject,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

/// A measure sent to an implementing department for an entry, and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMeasure {
    pub name: String,
    pub department: DepartmentCode,
    pub status: DispatchStatus,
}

#[derive(Debug, Clone)]
pub struct ReportEntry {
    pub entry: ListEntry,
    pub list_type: ListType,
    pub measures: Vec<AppliedMeasure>,
}

/// An objection or a repair, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCase {
    pub target: TargetKind,
    pub target_id: String,
    /// `ObjectionStatus` or `RepairStatus`, as stored.
    pub status: &'static str,
    pub filed_on: NaiveDate,
    /// Still waiting for a decision.
    pub open: bool,
}

impl ReportCase {
    pub fn objection(
        target: TargetKind,
        target_id: String,
        status: ObjectionStatus,
        filed_on: NaiveDate,
    ) -> Self {
        let open = matches!(
            status,
            ObjectionStatus::Submitted | ObjectionStatus::Accepted
        );
        ReportCase {
            target,
            target_id,
            status: status.as_str(),
            filed_on,
            open,
        }
    }

    pub fn repair(
        target: TargetKind,
        target_id: String,
        status: RepairStatus,
        applied_on: NaiveDate,
    ) -> Self {
        let open = status == RepairStatus::Submitted;
        ReportCase {
            target,
            target_id,
            status: status.as_str(),
            filed_on: applied_on,
            open,
        }
    }
}

/// What a report is made of, read in one go.
#[derive(Debug, Clone)]
pub struct ReportMaterial {
    pub subject: Subject,
    pub entries: Vec<ReportEntry>,
    /// Records in publicity on the day.
    pub records: Vec<CreditRecord>,
    pub objections: Vec<ReportCase>,
    pub repairs: Vec<ReportCase>,
}

/// The report's content: what is signed.
pub fn payload(
    number: &str,
    issued_at: DateTime<Utc>,
    purpose: ReportPurpose,
    bank: &Department,
    m: &ReportMaterial,
    today: NaiveDate,
) -> Value {
    let s = &m.subject;
    let entry = |e: &ReportEntry| {
        json!({
            "id": e.entry.id, "listType": e.list_type.code, "listName": e.list_type.name,
            "colour": e.list_type.colour.as_str(), "status": e.entry.status_on(today).as_str(),
            "reason": e.entry.reason, "basisDocument": e.entry.basis_document,
            "startDate": e.entry.start_date, "endDate": e.entry.end_date,
            "listedBy": e.entry.created_by.to_string(),
            "measures": e.measures.iter().map(|a| json!({
                "name": a.name, "department": a.department.to_string(), "status": a.status.as_str(),
            })).collect::<Vec<_>>(),
        })
    };
    let (active, past): (Vec<&ReportEntry>, Vec<&ReportEntry>) = m
        .entries
        .iter()
        .partition(|e| e.entry.status_on(today) == EntryStatus::Active);
    let count = |colour: ListColour| {
        active
            .iter()
            .filter(|e| e.list_type.colour == colour)
            .count()
    };
    let case = |c: &ReportCase| json!({ "target": c.target.as_str(), "targetId": c.target_id, "status": c.status, "date": c.filed_on });
    json!({
        "number": number,
        "issuedAt": issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "asOf": today,
        "purpose": purpose.as_str(),
        "requestedBy": { "code": bank.code.to_string(), "name": bank.name },
        "subject": {
            "code": s.code.as_str(), "name": s.name, "kind": s.kind.as_str(),
            "jurisdiction": s.jurisdiction.to_string(),
            "legalRepresentative": s.representative.as_ref().map(|r| r.name.clone()),
        },
        "activeEntries": active.iter().map(|e| entry(e)).collect::<Vec<_>>(),
        "pastEntries": past.iter().map(|e| entry(e)).collect::<Vec<_>>(),
        "records": m.records.iter().map(|r| json!({
            "id": r.id, "kind": r.kind.as_str(), "title": r.title, "decisionNumber": r.decision_number,
            "decisionDate": r.decision_date, "publicationDate": r.publication_date,
            "legalBasis": r.legal_basis, "content": r.content,
            "department": r.source_department.to_string(), "publicityEnd": r.publicity_end,
            "version": r.version,
        })).collect::<Vec<_>>(),
        "objections": m.objections.iter().map(case).collect::<Vec<_>>(),
        "repairs": m.repairs.iter().map(case).collect::<Vec<_>>(),
        "summary": {
            "redListsInForce": count(ListColour::Red),
            "blackListsInForce": count(ListColour::Black),
            "pastEntries": past.len(),
            "recordsInPublicity": m.records.len(),
            "openObjections": m.objections.iter().filter(|c| c.open).count(),
            "openRepairs": m.repairs.iter().filter(|c| c.open).count(),
        },
    })
}

/// The canonical form that is signed: keys sorted, no insignificant space. Numbers and strings
/// are written as serde_json writes them, so one value has one form.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canonical_form_ignores_key_order_and_spacing_but_not_content() {
        let a: Value =
            serde_json::from_str(r#"{ "b": [1, {"y": "阜新", "x": null}], "a": true }"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":true,"b":[1,{"x":null,"y":"阜新"}]}"#).unwrap();
        assert_eq!(canonical(&a), r#"{"a":true,"b":[1,{"x":null,"y":"阜新"}]}"#);
        assert_eq!(canonical(&a), canonical(&b));
        let c: Value = serde_json::from_str(r#"{"a":true,"b":[1,{"x":null,"y":"阜兴"}]}"#).unwrap();
        assert_ne!(canonical(&a), canonical(&c));
    }
}
