//! Authorisations (授权查询) and what a credit report is made of.

use super::catalogue::{acting_bank, find_department};
use super::newest_first;
use super::subjects::require_subject;
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::rows::{CreditRecordRow, ListEntryRow, ListTypeRow, convert};
use crate::schema::{
    authorisations, credit_records, dispatches, list_entries, list_types, measures, objections,
    repairs,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::authorisation::{self, Authorisation, ReportPurpose};
use domain::dispatch::DispatchStatus;
use domain::node::NodeKind;
use domain::objection::{ObjectionStatus, TargetKind};
use domain::repair::RepairStatus;
use domain::report::{AppliedMeasure, ReportCase, ReportEntry, ReportMaterial};
use domain::{CreditRecord, Department, DepartmentCode, DomainError, ListEntry, ListType, Subject};
use std::collections::HashMap;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = authorisations)]
struct AuthorisationRow {
    id: String,
    subject_id: String,
    bank: String,
    purpose: String,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    granted_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

impl TryFrom<AuthorisationRow> for Authorisation {
    type Error = StoreError;

    fn try_from(r: AuthorisationRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("authorisation {}: bad {what}", r.id));
        Ok(Authorisation {
            bank: DepartmentCode::parse(&r.bank).map_err(|_| bad("bank"))?,
            purpose: ReportPurpose::parse(&r.purpose).ok_or_else(|| bad("purpose"))?,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            granted_at: r.granted_at.and_utc(),
            revoked_at: r.revoked_at.map(|t| t.and_utc()),
            subject_id: r.subject_id,
            id: r.id,
        })
    }
}

/// The authorisations of these subjects, read in chunks of a thousand.
pub(crate) fn of_subjects(
    c: &mut AnyConnection,
    subject_ids: &[&str],
) -> Result<Vec<Authorisation>, StoreError> {
    let mut all = Vec::new();
    for chunk in subject_ids.chunks(1_000) {
        all.extend(convert::<_, Authorisation>(
            authorisations::table
                .filter(authorisations::subject_id.eq_any(chunk))
                .select(AuthorisationRow::as_select())
                .load(c)?,
        )?);
    }
    Ok(all)
}

pub(crate) fn of_subject(
    c: &mut AnyConnection,
    subject_id: &str,
) -> Result<Vec<Authorisation>, StoreError> {
    convert(
        authorisations::table
            .filter(authorisations::subject_id.eq(subject_id))
            .order(authorisations::id.desc())
            .select(AuthorisationRow::as_select())
            .load(c)?,
    )
}

impl Store {
    /// A subject (by its own code) lets `bank` fetch its report for `purpose` until `until`.
    pub fn grant_authorisation(
        &self,
        subject: &str,
        bank: &str,
        purpose: ReportPurpose,
        until: NaiveDate,
        today: NaiveDate,
    ) -> Result<Authorisation, StoreError> {
        let until = authorisation::valid_until(until, today)?;
        let bank = DepartmentCode::parse(bank.trim()).map_err(|_| {
            DomainError::invalid("input.bank", "机构代码格式不对，例如 210900.icbc")
        })?;
        self.write(|c| {
            let subject = require_subject(c, subject, "sub")?;
            let found = find_department(c, &bank)?
                .ok_or_else(|| DomainError::not_found("机构", bank.to_string()))?;
            domain::access::may_be_authorised(&found)?;
            let row = AuthorisationRow {
                id: new_id(),
                subject_id: subject.id,
                bank: bank.to_string(),
                purpose: purpose.as_str().to_owned(),
                valid_from: today,
                valid_until: until,
                granted_at: now(),
                revoked_at: None,
            };
            diesel::insert_into(authorisations::table)
                .values(&row)
                .execute(c)?;
            Authorisation::try_from(row)
        })
    }

    /// The subject (by its own code) revokes one of its authorisations, at once.
    pub fn revoke_authorisation(
        &self,
        subject: &str,
        id: &str,
    ) -> Result<Authorisation, StoreError> {
        self.write(|c| {
            let subject = require_subject(c, subject, "sub")?;
            let found = of_subject(c, &subject.id)?
                .into_iter()
                .find(|a| a.id == id)
                .ok_or_else(|| NodeKind::Authorisation.not_found(id))?;
            found.revoke()?;
            let at = now();
            diesel::update(authorisations::table.find(id))
                .set(authorisations::revoked_at.eq(Some(at)))
                .execute(c)?;
            Ok(Authorisation {
                revoked_at: Some(at.and_utc()),
                ..found
            })
        })
    }

    /// A subject's authorisations (by its own code), newest first.
    pub fn authorisations_of(
        &self,
        subject: &str,
        id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Authorisation>, StoreError> {
        self.read(|c| {
            let subject = require_subject(c, subject, "sub")?;
            let mut q = authorisations::table
                .filter(authorisations::subject_id.eq(&subject.id))
                .select(AuthorisationRow::as_select())
                .into_boxed();
            if let Some(id) = id {
                q = q.filter(authorisations::id.eq(id.to_owned()));
            }
            let rows = newest_first!(c, q, authorisations::id, page)?;
            Ok(Page::from_overfetch(convert(rows)?, page))
        })
    }

    /// What a bank's report on `code` for `purpose` shows today, if the subject authorised it;
    /// with the bank, as registered.
    pub fn report_material(
        &self,
        actor: &DepartmentPrincipal,
        code: &str,
        purpose: ReportPurpose,
        today: NaiveDate,
    ) -> Result<(Department, ReportMaterial), StoreError> {
        self.read(|c| {
            let bank = acting_bank(c, actor)?;
            let subject = require_subject(c, code, "code")?;
            let principal = domain::Principal::Department(actor.clone());
            authorisation::may_fetch_report(
                &principal,
                &of_subject(c, &subject.id)?,
                purpose,
                today,
            )?;
            let material = read_material(c, subject, today)?;
            Ok((bank, material))
        })
    }
}

fn read_material(
    c: &mut AnyConnection,
    subject: Subject,
    today: NaiveDate,
) -> Result<ReportMaterial, StoreError> {
    let pairs: Vec<(ListEntryRow, ListTypeRow)> = list_entries::table
        .inner_join(list_types::table)
        .filter(list_entries::subject_id.eq(&subject.id))
        .order(list_entries::id)
        .select((ListEntryRow::as_select(), ListTypeRow::as_select()))
        .load(c)?;
    let ids: Vec<String> = pairs.iter().map(|(e, _)| e.id.clone()).collect();
    let mut measures_of: HashMap<String, Vec<AppliedMeasure>> = HashMap::new();
    let sent: Vec<(String, String, String, String)> = dispatches::table
        .inner_join(measures::table)
        .filter(dispatches::entry_id.eq_any(&ids))
        .order((
            dispatches::entry_id,
            measures::position,
            dispatches::department_code,
        ))
        .select((
            dispatches::entry_id,
            measures::name,
            dispatches::department_code,
            dispatches::status,
        ))
        .load(c)?;
    for (entry_id, name, department, status) in sent {
        let bad = || StoreError::Internal(format!("dispatch of {entry_id}: bad row"));
        measures_of
            .entry(entry_id.clone())
            .or_default()
            .push(AppliedMeasure {
                name,
                department: DepartmentCode::parse(&department).map_err(|_| bad())?,
                status: DispatchStatus::parse(&status).ok_or_else(bad)?,
            });
    }
    let mut entries = Vec::with_capacity(pairs.len());
    for (e, t) in pairs {
        let entry = ListEntry::try_from(e)?;
        let measures = measures_of.remove(&entry.id).unwrap_or_default();
        entries.push(ReportEntry {
            entry,
            list_type: ListType::try_from(t)?,
            measures,
        });
    }
    let records: Vec<CreditRecord> = convert::<_, CreditRecord>(
        credit_records::table
            .filter(credit_records::subject_id.eq(&subject.id))
            .order(credit_records::id)
            .select(CreditRecordRow::as_select())
            .load(c)?,
    )?
    .into_iter()
    .filter(|r| r.is_public_on(today))
    .collect();
    let target = |kind: &str,
                  entry: Option<String>,
                  record: Option<String>|
     -> Result<(TargetKind, String), StoreError> {
        let kind = TargetKind::parse(kind)
            .ok_or_else(|| StoreError::Internal(format!("bad target kind {kind}")))?;
        let id = entry.or(record).unwrap_or_default();
        Ok((kind, id))
    };
    let mut cases = Vec::new();
    for (kind, entry, record, status, on) in objections::table
        .filter(objections::subject_id.eq(&subject.id))
        .order(objections::id)
        .select((
            objections::target_kind,
            objections::entry_id,
            objections::record_id,
            objections::status,
            objections::filed_on,
        ))
        .load::<(String, Option<String>, Option<String>, String, NaiveDate)>(c)?
    {
        let (kind, id) = target(&kind, entry, record)?;
        let status = ObjectionStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("bad objection status {status}")))?;
        cases.push(ReportCase::objection(kind, id, status, on));
    }
    let mut repaired = Vec::new();
    for (kind, entry, record, status, on) in repairs::table
        .filter(repairs::subject_id.eq(&subject.id))
        .order(repairs::id)
        .select((
            repairs::target_kind,
            repairs::entry_id,
            repairs::record_id,
            repairs::status,
            repairs::applied_on,
        ))
        .load::<(String, Option<String>, Option<String>, String, NaiveDate)>(c)?
    {
        let (kind, id) = target(&kind, entry, record)?;
        let status = RepairStatus::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("bad repair status {status}")))?;
        repaired.push(ReportCase::repair(kind, id, status, on));
    }
    Ok(ReportMaterial {
        subject,
        entries,
        records,
        objections: cases,
        repairs: repaired,
    })
}
