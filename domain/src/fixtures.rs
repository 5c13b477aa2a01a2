//! Values for unit tests: one way to make each, so that tests say only what matters to them.

use crate::{
    Department, DepartmentCode, DepartmentRole, EntryStatus, JurisdictionCode, ListColour,
    ListEntry, ListType, Subject, SubjectCode, SubjectKind,
};
use chrono::{NaiveDate, Utc};

pub fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A department of `code` (its jurisdiction read from the code).
pub fn dept(code: &str, role: DepartmentRole) -> Department {
    let code = DepartmentCode::parse(code).unwrap();
    let jurisdiction = JurisdictionCode::parse(&code.as_str()[..6]).unwrap();
    Department {
        code,
        name: "部门".into(),
        jurisdiction,
        role,
    }
}

/// A legal person in `jurisdiction`.
pub fn subject(jurisdiction: &str) -> Subject {
    Subject {
        id: "s".into(),
        code: SubjectCode::parse("91350100M000100Y43").unwrap(),
        check_exception: false,
        kind: SubjectKind::LegalPerson,
        name: "公司".into(),
        jurisdiction: JurisdictionCode::parse(jurisdiction).unwrap(),
        representative: None,
        registered_by: DepartmentCode::parse("210900.market").unwrap(),
        created_at: Utc::now(),
        established_on: None,
    }
}

/// A list type owned by the city court, 24 months by default.
pub fn list_type(code: &str, colour: ListColour) -> ListType {
    ListType {
        id: code.into(),
        code: code.into(),
        name: code.into(),
        colour,
        owner: crate::list::ListOwner::Department(DepartmentCode::parse("210900.court").unwrap()),
        max_period_months: None,
        removal: None,
        no_repair_basis: None,
        default_period_months: 24,
        legal_basis: "b".into(),
        description: String::new(),
        created_at: Utc::now(),
    }
}

/// An entry of the city court from `start` to `end`.
pub fn entry(start: &str, end: &str, status: EntryStatus) -> ListEntry {
    ListEntry {
        id: "e".into(),
        subject_id: "s".into(),
        list_type_id: "t".into(),
        reason: "r".into(),
        basis_document: "b".into(),
        start_date: d(start),
        end_date: d(end),
        stored_status: status,
        revocation_reason: None,
        created_by: DepartmentCode::parse("210900.court").unwrap(),
        created_at: Utc::now(),
        ended_at: None,
        relisted_after_repair: false,
        removal: None,
    }
}

/// A penalty of the city market regulator, public from 2026-03-02 to 2029-03-01.
pub fn record() -> crate::CreditRecord {
    crate::CreditRecord {
        id: "r".into(),
        subject_id: "s".into(),
        kind: crate::CreditRecordKind::Penalty,
        title: "罚款".into(),
        decision_number: "阜市监罚〔2026〕1号".into(),
        decision_date: d("2026-02-27"),
        publication_date: d("2026-03-02"),
        legal_basis: "《产品质量法》".into(),
        content: "罚款".into(),
        source_department: DepartmentCode::parse("210900.market").unwrap(),
        dishonesty_class: None,
        publicity_end: Some(d("2029-03-01")),
        created_at: Utc::now(),
        version: 1,
        withdrawn_at: None,
    }
}

/// A memorandum of these measures, covering every list type named in `list_types`, in force since
/// 2016-01-20.
pub fn memorandum(
    list_types: Vec<crate::memorandum::ListSelector>,
    measures: Vec<crate::memorandum::Measure>,
) -> crate::memorandum::Memorandum {
    crate::memorandum::Memorandum {
        id: "m".into(),
        version_id: "v".into(),
        version: 1,
        key: "k".into(),
        title: "t".into(),
        document_number: "n".into(),
        issued_by: vec!["x".into()],
        effective_date: d("2016-01-20"),
        list_types,
        feedback_due_quarters: 1,
        lift_working_days: 5,
        retired: false,
        measures,
    }
}

/// A city-scope measure of `kind`, binding the subject only, carried out by `implementers`.
pub fn measure(
    code: &str,
    kind: crate::memorandum::MeasureKind,
    implementers: &[&str],
) -> crate::memorandum::Measure {
    crate::memorandum::Measure {
        id: code.into(),
        code: code.into(),
        name: code.into(),
        kind,
        category: crate::memorandum::MeasureCategory::Administrative,
        legal_basis: "b".into(),
        scope: crate::memorandum::MeasureScope::City,
        reaches: vec![crate::memorandum::Reach::Subject],
        implementers: implementers.iter().map(|s| s.to_string()).collect(),
    }
}
