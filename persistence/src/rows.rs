//! Row structs, and their conversion into domain types. Diesel stops here.

use crate::error::{StoreError, corrupt};
use crate::schema::*;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::citizen_id::CitizenId;
use domain::list::{ListOwner, RemovalRule};
use domain::subject::Representative;
use domain::{
    CreditRecord, CreditRecordKind, Department, DepartmentCode, DepartmentRole, DishonestyClass,
    EntryStatus, Jurisdiction, JurisdictionCode, ListColour, ListEntry, ListType, Subject,
    SubjectCode, SubjectKind, Uscc,
};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = jurisdictions)]
pub struct JurisdictionRow {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

impl TryFrom<JurisdictionRow> for Jurisdiction {
    type Error = StoreError;
    fn try_from(r: JurisdictionRow) -> Result<Self, StoreError> {
        Ok(Jurisdiction {
            code: jurisdiction(&r.code)?,
            name: r.name,
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub jurisdiction_code: String,
    pub role: String,
}

impl TryFrom<DepartmentRow> for Department {
    type Error = StoreError;
    fn try_from(r: DepartmentRow) -> Result<Self, StoreError> {
        Ok(Department {
            code: department(&r.code)?,
            name: r.name,
            jurisdiction: jurisdiction(&r.jurisdiction_code)?,
            role: DepartmentRole::parse(&r.role)
                .ok_or_else(|| corrupt("department role", &r.role))?,
        })
    }
}

impl From<&Department> for DepartmentRow {
    fn from(d: &Department) -> Self {
        DepartmentRow {
            code: d.code.to_string(),
            name: d.name.clone(),
            jurisdiction_code: d.jurisdiction.to_string(),
            role: d.role.as_str().to_owned(),
        }
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = subjects, treat_none_as_default_value = false)]
pub struct SubjectRow {
    pub id: String,
    pub code: String,
    pub check_exception: bool,
    pub kind: String,
    pub name: String,
    pub jurisdiction_code: String,
    pub representative_name: Option<String>,
    pub representative_id_number: Option<String>,
    pub registered_by: String,
    pub created_at: NaiveDateTime,
    pub established_on: Option<chrono::NaiveDate>,
}

impl TryFrom<SubjectRow> for Subject {
    type Error = StoreError;
    fn try_from(r: SubjectRow) -> Result<Self, StoreError> {
        let code = if r.check_exception {
            SubjectCode::Uscc(
                Uscc::parse_pilot(&r.code).map_err(|_| corrupt("pilot code", &r.code))?,
            )
        } else {
            // A code stored before a check was added (the organisation code's, the authority
            // pair) was valid when registered: it is read as it is, never as corrupt.
            let corrupted = || corrupt("subject code", &domain::citizen_id::mask(&r.code));
            match SubjectCode::parse(&r.code) {
                Ok(code) => code,
                Err(e) if e.pilot_may_fail() => {
                    SubjectCode::Uscc(Uscc::parse_pilot(&r.code).map_err(|_| corrupted())?)
                }
                Err(_) => return Err(corrupted()),
            }
        };
        let id_number = match &r.representative_id_number {
            Some(s) => {
                Some(CitizenId::parse(s).map_err(|_| corrupt("representative id", "(masked)"))?)
            }
            None => None,
        };
        Ok(Subject {
            id: r.id,
            code,
            check_exception: r.check_exception,
            kind: SubjectKind::parse(&r.kind).ok_or_else(|| corrupt("subject kind", &r.kind))?,
            name: r.name,
            jurisdiction: jurisdiction(&r.jurisdiction_code)?,
            representative: r
                .representative_name
                .map(|name| Representative { name, id_number }),
            registered_by: department(&r.registered_by)?,
            created_at: r.created_at.and_utc(),
            established_on: r.established_on,
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = list_types)]
pub struct ListTypeRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub colour: String,
    pub owner_department: Option<String>,
    pub default_period_months: i32,
    pub legal_basis: String,
    pub description: String,
    pub created_at: NaiveDateTime,
    pub owner_role: Option<String>,
    pub max_period_months: Option<i32>,
    /// JSON: the removal grounds, `[{"code", "name"}]`.
    pub removal_grounds: Option<String>,
    pub removal_working_days: Option<i32>,
    pub no_repair_basis: Option<String>,
}

impl ListTypeRow {
    /// The row of a new list type.
    pub fn of(new: &domain::NewListType, id: String, created_at: NaiveDateTime) -> Self {
        let (owner_department, owner_role) = match &new.owner {
            ListOwner::Department(code) => (Some(code.to_string()), None),
            ListOwner::Role(role) => (None, Some(role.as_str().to_owned())),
        };
        ListTypeRow {
            id,
            code: new.code.clone(),
            name: new.name.clone(),
            colour: new.colour.as_str().to_owned(),
            owner_department,
            default_period_months: i32::try_from(new.default_period_months).unwrap_or(i32::MAX),
            legal_basis: new.legal_basis.clone(),
            description: new.description.clone(),
            created_at,
            owner_role,
            max_period_months: new
                .max_period_months
                .map(|m| i32::try_from(m).unwrap_or(i32::MAX)),
            removal_grounds: new
                .removal
                .as_ref()
                .map(|r| serde_json::to_string(&r.grounds).unwrap_or_default()),
            removal_working_days: new
                .removal
                .as_ref()
                .map(|r| i32::try_from(r.working_days).unwrap_or(i32::MAX)),
            no_repair_basis: new.no_repair_basis.clone(),
        }
    }
}

impl TryFrom<ListTypeRow> for ListType {
    type Error = StoreError;
    fn try_from(r: ListTypeRow) -> Result<Self, StoreError> {
        let code = r.code.clone();
        Ok(ListType {
            id: r.id,
            code: r.code,
            name: r.name,
            colour: ListColour::parse(&r.colour)
                .ok_or_else(|| corrupt("list colour", &r.colour))?,
            owner: match (&r.owner_department, &r.owner_role) {
                (Some(code), None) => ListOwner::Department(department(code)?),
                (None, Some(role)) => ListOwner::Role(
                    DepartmentRole::parse(role).ok_or_else(|| corrupt("owner role", role))?,
                ),
                _ => return Err(corrupt("list type owner", &code)),
            },
            default_period_months: u32::try_from(r.default_period_months)
                .map_err(|_| corrupt("period", &r.default_period_months.to_string()))?,
            max_period_months: r.max_period_months.and_then(|m| u32::try_from(m).ok()),
            removal: match (&r.removal_grounds, r.removal_working_days) {
                (Some(json), Some(days)) => Some(RemovalRule {
                    grounds: serde_json::from_str(json)
                        .map_err(|_| corrupt("removal grounds", json))?,
                    working_days: u32::try_from(days)
                        .map_err(|_| corrupt("removal days", &days.to_string()))?,
                }),
                _ => None,
            },
            no_repair_basis: r.no_repair_basis,
            legal_basis: r.legal_basis,
            description: r.description,
            created_at: r.created_at.and_utc(),
        })
    }
}

#[derive(Queryable, Selectable, Insertable, Clone)]
#[diesel(table_name = list_entries)]
pub struct ListEntryRow {
    pub id: String,
    pub subject_id: String,
    pub list_type_id: String,
    pub reason: String,
    pub basis_document: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: String,
    pub revocation_reason: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub idempotency_key: Option<String>,
    pub relisted_after_repair: bool,
    pub removal_ground: Option<String>,
    pub removal_basis: Option<String>,
    pub ground_arisen_on: Option<NaiveDate>,
    pub remove_by: Option<NaiveDate>,
    pub removed_on: Option<NaiveDate>,
}

impl TryFrom<ListEntryRow> for ListEntry {
    type Error = StoreError;
    fn try_from(r: ListEntryRow) -> Result<Self, StoreError> {
        Ok(ListEntry {
            id: r.id,
            subject_id: r.subject_id,
            list_type_id: r.list_type_id,
            reason: r.reason,
            basis_document: r.basis_document,
            start_date: r.start_date,
            end_date: r.end_date,
            stored_status: EntryStatus::parse(&r.status)
                .ok_or_else(|| corrupt("entry status", &r.status))?,
            revocation_reason: r.revocation_reason,
            created_by: department(&r.created_by)?,
            created_at: r.created_at.and_utc(),
            ended_at: r.ended_at.map(|t| t.and_utc()),
            relisted_after_repair: r.relisted_after_repair,
            removal: match (
                r.removal_ground,
                r.removal_basis,
                r.ground_arisen_on,
                r.removed_on,
            ) {
                (Some(ground), Some(basis_document), Some(ground_arisen_on), Some(removed_on)) => {
                    Some(domain::list::Removal {
                        ground,
                        basis_document,
                        ground_arisen_on,
                        remove_by: r.remove_by,
                        removed_on,
                    })
                }
                _ => None,
            },
        })
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_records, treat_none_as_default_value = false)]
pub struct CreditRecordRow {
    pub id: String,
    pub subject_id: String,
    pub kind: String,
    pub title: String,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub publication_date: NaiveDate,
    pub legal_basis: String,
    pub content: String,
    pub source_department: String,
    pub dishonesty_class: Option<String>,
    pub publicity_end: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub version: i32,
    pub withdrawn_at: Option<NaiveDateTime>,
}

impl TryFrom<CreditRecordRow> for CreditRecord {
    type Error = StoreError;
    fn try_from(r: CreditRecordRow) -> Result<Self, StoreError> {
        let class = match &r.dishonesty_class {
            Some(c) => {
                Some(DishonestyClass::parse(c).ok_or_else(|| corrupt("dishonesty class", c))?)
            }
            None => None,
        };
        Ok(CreditRecord {
            id: r.id,
            subject_id: r.subject_id,
            kind: CreditRecordKind::parse(&r.kind)
                .ok_or_else(|| corrupt("record kind", &r.kind))?,
            title: r.title,
            decision_number: r.decision_number,
            decision_date: r.decision_date,
            publication_date: r.publication_date,
            legal_basis: r.legal_basis,
            content: r.content,
            source_department: department(&r.source_department)?,
            dishonesty_class: class,
            publicity_end: r.publicity_end,
            created_at: r.created_at.and_utc(),
            version: u32::try_from(r.version)
                .map_err(|_| corrupt("record version", &r.version.to_string()))?,
            withdrawn_at: r.withdrawn_at.map(|t| t.and_utc()),
        })
    }
}

fn jurisdiction(s: &str) -> Result<JurisdictionCode, StoreError> {
    JurisdictionCode::parse(s).map_err(|_| corrupt("jurisdiction", s))
}

fn department(s: &str) -> Result<DepartmentCode, StoreError> {
    DepartmentCode::parse(s).map_err(|_| corrupt("department", s))
}

/// Converts a batch of rows, failing on the first corrupt one.
pub fn convert<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}
