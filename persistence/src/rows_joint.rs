//! Rows of the joint reward and punishment tables.

use crate::error::{StoreError, corrupt};
use crate::schema::*;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::DepartmentCode;
use domain::dispatch::{Dispatch, DispatchStatus, Feedback, Outcome};
use domain::memorandum::{
    ListSelector, Measure, MeasureCategory, MeasureKind, MeasureScope, Reach,
};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = memoranda)]
pub struct MemorandumRow {
    pub id: String,
    pub key: String,
    pub current_version_id: String,
    pub retired_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = memorandum_versions)]
pub struct VersionRow {
    pub id: String,
    pub memorandum_id: String,
    pub version: i32,
    pub title: String,
    pub document_number: String,
    pub issued_by: String,
    pub effective_date: NaiveDate,
    pub list_types: String,
    pub feedback_due_quarters: i32,
    pub lift_working_days: i32,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = measures)]
pub struct MeasureRow {
    pub id: String,
    pub version_id: String,
    pub position: i32,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub legal_basis: String,
    pub scope: String,
    pub reaches: String,
    pub implementers: String,
}

impl MeasureRow {
    pub fn from_measure(m: &Measure, id: String, version_id: &str, position: usize) -> Self {
        MeasureRow {
            id,
            version_id: version_id.to_owned(),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            code: m.code.clone(),
            name: m.name.clone(),
            kind: m.kind.as_str().to_owned(),
            category: m.category.as_str().to_owned(),
            legal_basis: m.legal_basis.clone(),
            scope: m.scope.as_str().to_owned(),
            reaches: m
                .reaches
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
            implementers: m.implementers.join(","),
        }
    }
}

impl TryFrom<MeasureRow> for Measure {
    type Error = StoreError;
    fn try_from(r: MeasureRow) -> Result<Self, StoreError> {
        let reaches = r
            .reaches
            .split(',')
            .map(|s| Reach::parse(s).ok_or_else(|| corrupt("reach", s)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Measure {
            kind: MeasureKind::parse(&r.kind).ok_or_else(|| corrupt("measure kind", &r.kind))?,
            category: MeasureCategory::parse(&r.category)
                .ok_or_else(|| corrupt("measure category", &r.category))?,
            scope: MeasureScope::parse(&r.scope)
                .ok_or_else(|| corrupt("measure scope", &r.scope))?,
            reaches,
            implementers: r.implementers.split(',').map(str::to_owned).collect(),
            id: r.id,
            code: r.code,
            name: r.name,
            legal_basis: r.legal_basis,
        })
    }
}

pub fn parse_selectors(text: &str) -> Result<Vec<ListSelector>, StoreError> {
    text.split(',')
        .map(|s| ListSelector::parse(s).map_err(|_| corrupt("list selector", s)))
        .collect()
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = dispatches, treat_none_as_default_value = false)]
pub struct DispatchRow {
    pub id: String,
    pub entry_id: String,
    pub measure_id: String,
    pub version_id: String,
    pub department_code: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub created_on: NaiveDate,
    pub acknowledge_by: Option<NaiveDate>,
    pub feedback_due: NaiveDate,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
    pub answered_on: Option<NaiveDate>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    /// The black entry whose listing suspended this (reward) dispatch, while it does.
    pub suspended_by: Option<String>,
}

impl TryFrom<DispatchRow> for Dispatch {
    type Error = StoreError;
    fn try_from(r: DispatchRow) -> Result<Self, StoreError> {
        Ok(Dispatch {
            department: DepartmentCode::parse(&r.department_code)
                .map_err(|_| corrupt("department", &r.department_code))?,
            status: DispatchStatus::parse(&r.status)
                .ok_or_else(|| corrupt("dispatch status", &r.status))?,
            id: r.id,
            entry_id: r.entry_id,
            measure_id: r.measure_id,
            memorandum_version_id: r.version_id,
            created_at: r.created_at.and_utc(),
            acknowledge_by: r.acknowledge_by,
            feedback_due: r.feedback_due,
            acknowledged_at: r.acknowledged_at.map(|t| t.and_utc()),
            answered_at: r.answered_at.map(|t| t.and_utc()),
            cancelled_at: r.cancelled_at.map(|t| t.and_utc()),
            cancel_reason: r.cancel_reason,
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = feedback)]
pub struct FeedbackRow {
    pub dispatch_id: String,
    pub outcome: String,
    pub business: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

pub fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Applied => "applied",
        Outcome::NotApplicable => "not_applicable",
    }
}

impl TryFrom<FeedbackRow> for Feedback {
    type Error = StoreError;
    fn try_from(r: FeedbackRow) -> Result<Self, StoreError> {
        let outcome = match r.outcome.as_str() {
            "applied" => Outcome::Applied,
            "not_applicable" => Outcome::NotApplicable,
            other => return Err(corrupt("outcome", other)),
        };
        Ok(Feedback {
            dispatch_id: r.dispatch_id,
            outcome,
            business: r.business,
            note: r.note,
            recorded_by: DepartmentCode::parse(&r.recorded_by)
                .map_err(|_| corrupt("department", &r.recorded_by))?,
            recorded_at: r.recorded_at.and_utc(),
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = checks)]
pub struct CheckRow {
    pub id: String,
    pub department_code: String,
    pub subject_code: String,
    pub subject_id: Option<String>,
    pub business: String,
    pub result: String,
    pub created_at: NaiveDateTime,
    pub created_on: NaiveDate,
}
