//! 嵌入式核查: what applies to a subject for the checking department now; every check is logged.

use super::catalogue::acting_department;
use super::memoranda::load_by_version_ids;
use super::subjects::find_subject_by_code;
use super::{Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::rows::{CreditRecordRow, ListEntryRow, ListTypeRow, SubjectRow, convert};
use crate::rows_joint::CheckRow;
use crate::schema::{checks, credit_records, entry_memoranda, list_entries, list_types, subjects};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::check::{self, ApplicableMeasure, Listing};
use domain::green_channel::{self, GreenChannel};
use domain::memorandum::Reach;
use domain::subject::{CodeLookup, code_message, required_text};
use domain::{
    CreditRecord, CreditRecordKind, DomainError, EntryStatus, ListEntry, ListType, Subject,
    SubjectCode,
};
use std::collections::HashMap;

/// A measure to apply, with the listing behind it.
#[derive(Debug, Clone)]
pub struct MeasureFinding {
    pub applicable: ApplicableMeasure,
    pub entry: ListEntry,
    pub list_type: ListType,
    /// The listed subject: the checked one, or the organisation it represents.
    pub listed: Subject,
}

#[derive(Debug, Clone)]
pub struct CheckOutcome {
    pub id: String,
    pub checked_at: DateTime<Utc>,
    pub business: String,
    pub today: NaiveDate,
    pub subject: Option<Subject>,
    /// The subject's own entries in force, red and black.
    pub entries: Vec<(ListEntry, ListType)>,
    pub measures: Vec<MeasureFinding>,
    /// National-scope measures binding the subject, carried out by national bodies.
    pub national_measures: Vec<MeasureFinding>,
    /// 绿色通道 and 容缺受理: granted on a ground, or refused with the reason.
    pub green_channel: GreenChannel,
}

fn entries_of(
    c: &mut AnyConnection,
    subject_ids: &[String],
) -> Result<Vec<(ListEntry, ListType)>, StoreError> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(ListEntryRow, ListTypeRow)> = list_entries::table
        .inner_join(list_types::table)
        .filter(list_entries::subject_id.eq_any(subject_ids))
        .order(list_entries::id)
        .select((ListEntryRow::as_select(), ListTypeRow::as_select()))
        .load(c)?;
    rows.into_iter()
        .map(|(e, t)| Ok((ListEntry::try_from(e)?, ListType::try_from(t)?)))
        .collect()
}

/// Each measure with the listing behind it.
fn findings(applicable: Vec<ApplicableMeasure>, listings: &[Listing]) -> Vec<MeasureFinding> {
    applicable
        .into_iter()
        .filter_map(|a| {
            let l = listings.iter().find(|l| l.entry.id == a.entry_id)?;
            Some(MeasureFinding {
                applicable: a,
                entry: l.entry.clone(),
                list_type: l.list_type.clone(),
                listed: l.listed.clone(),
            })
        })
        .collect()
}

impl Store {
    pub fn check(
        &self,
        actor: &DepartmentPrincipal,
        code: &str,
        business: &str,
        today: NaiveDate,
    ) -> Result<CheckOutcome, StoreError> {
        let business = required_text("business", business, 200)
            .map_err(|_| DomainError::invalid("business", "请说明办理的业务"))?;
        let lookup =
            CodeLookup::parse(code).map_err(|e| DomainError::invalid("code", code_message(e)))?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let subject = find_subject_by_code(c, code, "code")?;
            // Organisations this person represents: their listings bind the person too.
            let organisations: Vec<Subject> = match &lookup {
                CodeLookup::Exact(SubjectCode::CitizenId(id)) => convert(
                    subjects::table
                        .filter(subjects::representative_id_number.eq(id.as_str()))
                        .select(SubjectRow::as_select())
                        .load(c)?,
                )?,
                _ => Vec::new(),
            };
            let mut bound: Vec<(Subject, Reach)> = Vec::new();
            if let Some(s) = &subject {
                bound.push((s.clone(), Reach::Subject));
            }
            bound.extend(organisations.into_iter().map(|o| {
                let via = check::representative_reach(&o);
                (o, via)
            }));
            let ids: Vec<String> = bound.iter().map(|(s, _)| s.id.clone()).collect();
            let all_entries = entries_of(c, &ids)?;
            let active: Vec<&(ListEntry, ListType)> =
                all_entries.iter().filter(|(e, _)| e.status_on(today) == EntryStatus::Active).collect();
            let entry_ids: Vec<String> = active.iter().map(|(e, _)| e.id.clone()).collect();
            let links: Vec<(String, String)> = if entry_ids.is_empty() {
                Vec::new()
            } else {
                entry_memoranda::table
                    .filter(entry_memoranda::entry_id.eq_any(&entry_ids))
                    .select((entry_memoranda::entry_id, entry_memoranda::version_id))
                    .load(c)?
            };
            let version_ids: Vec<String> = links.iter().map(|(_, v)| v.clone()).collect();
            let versions: HashMap<String, domain::memorandum::Memorandum> =
                load_by_version_ids(c, &version_ids)?.into_iter().map(|m| (m.version_id.clone(), m)).collect();
            let mut listings = Vec::new();
            for (entry, list_type) in &active {
                let Some((listed, via)) = bound.iter().find(|(s, _)| s.id == entry.subject_id) else { continue };
                let memoranda = links
                    .iter()
                    .filter(|(e, _)| *e == entry.id)
                    .filter_map(|(_, v)| versions.get(v).cloned())
                    .collect();
                listings.push(Listing { entry: entry.clone(), list_type: list_type.clone(), listed: listed.clone(), via: *via, memoranda });
            }
            let measures = findings(check::applicable_measures(&department, &listings), &listings);
            let national_measures = findings(check::national_measures(&listings), &listings);
            let own: Vec<(ListEntry, ListType)> = match &subject {
                Some(s) => all_entries.iter().filter(|(e, _)| e.subject_id == s.id).cloned().collect(),
                None => Vec::new(),
            };
            let penalties: Vec<CreditRecord> = match &subject {
                Some(s) => convert(
                    credit_records::table
                        .filter(credit_records::subject_id.eq(&s.id))
                        .filter(credit_records::kind.eq(CreditRecordKind::Penalty.as_str()))
                        .select(CreditRecordRow::as_select())
                        .load(c)?,
                )?,
                None => Vec::new(),
            };
            let rule = super::green_channel::rule(c)?;
            let green_channel =
                green_channel::green_channel(&rule, subject.as_ref(), &own, &penalties, &listings, today);
            let own_entries: Vec<(ListEntry, ListType)> =
                own.into_iter().filter(|(e, _)| e.status_on(today) == EntryStatus::Active).collect();
            let result = serde_json::json!({
                "subjectFound": subject.is_some(),
                "entries": own_entries.iter().map(|(e, _)| &e.id).collect::<Vec<_>>(),
                "measures": measures.iter().map(|m| format!("{}@{}", m.applicable.measure.code, m.entry.id)).collect::<Vec<_>>(),
                "greenChannel": green_channel.is_granted(),
            });
            let at = now();
            let id = new_id();
            diesel::insert_into(checks::table)
                .values(CheckRow {
                    id: id.clone(),
                    department_code: department.code.to_string(),
                    subject_code: lookup.as_str().to_owned(),
                    subject_id: subject.as_ref().map(|s| s.id.clone()),
                    business: business.clone(),
                    result: result.to_string(),
                    created_at: at,
                    created_on: today,
                })
                .execute(c)?;
            Ok(CheckOutcome {
                id,
                checked_at: at.and_utc(),
                business: business.clone(),
                today,
                subject,
                entries: own_entries,
                measures,
                national_measures,
                green_channel,
            })
        })
    }
}
