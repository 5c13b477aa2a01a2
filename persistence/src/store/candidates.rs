//! Broken commitments as black lists' criteria: the criteria the credit office sets, the
//! candidates a broken commitment proposes (in the finding's transaction), and the owning
//! department's decision — listed as any listing is (dispatches, feed), or dismissed.

use super::catalogue::{
    acting_credit_office, acting_department, find_list_type_by_code, list_type_by_id,
};
use super::changed_one;
use super::entries::{EntryChange, in_force};
use super::listing::add_one;
use super::newest_first;
use super::subjects::load_subject_by_id;
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::{
    commitment_criteria, commitments, list_entries, list_types, listing_candidates,
};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::candidate::{self, CandidateStatus, CommitmentCriterion, ListingCandidate};
use domain::commitment::CommitmentStatus;
use domain::node::NodeKind;
use domain::{DepartmentCode, DepartmentRole, DomainError};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_candidates, treat_none_as_default_value = false)]
struct CandidateRow {
    id: String,
    subject_id: String,
    list_type_id: String,
    reason: String,
    commitment_ids: String,
    status: String,
    created_at: NaiveDateTime,
    decided_at: Option<NaiveDateTime>,
    decided_by: Option<String>,
    decision_note: Option<String>,
    entry_id: Option<String>,
}

impl TryFrom<CandidateRow> for ListingCandidate {
    type Error = StoreError;
    fn try_from(r: CandidateRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("candidate {}: bad {what}", r.id));
        Ok(ListingCandidate {
            status: CandidateStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            decided_by: r
                .decided_by
                .as_deref()
                .map(DepartmentCode::parse)
                .transpose()
                .map_err(|_| bad("decided_by"))?,
            commitment_ids: r.commitment_ids.lines().map(str::to_owned).collect(),
            created_at: r.created_at.and_utc(),
            decided_at: r.decided_at.map(|t| t.and_utc()),
            id: r.id,
            subject_id: r.subject_id,
            list_type_id: r.list_type_id,
            reason: r.reason,
            decision_note: r.decision_note,
            entry_id: r.entry_id,
        })
    }
}

fn criteria(c: &mut AnyConnection) -> Result<Vec<CommitmentCriterion>, StoreError> {
    let rows: Vec<(String, i32, i32)> = commitment_criteria::table
        .order(commitment_criteria::list_type_id)
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(list_type_id, broken, within)| CommitmentCriterion {
            list_type_id,
            broken: u32::try_from(broken).unwrap_or(u32::MAX),
            within_months: u32::try_from(within).unwrap_or(u32::MAX),
        })
        .collect())
}

/// After a commitment of `subject_id` was found broken: a candidate for every black list whose
/// criterion the subject now meets, unless it is on that list already or waits as a candidate.
pub(crate) fn propose(
    c: &mut AnyConnection,
    subject_id: &str,
    today: NaiveDate,
) -> Result<Vec<ListingCandidate>, StoreError> {
    let criteria = criteria(c)?;
    if criteria.is_empty() {
        return Ok(Vec::new());
    }
    let broken: Vec<(String, Option<NaiveDateTime>)> = commitments::table
        .filter(commitments::subject_id.eq(subject_id))
        .filter(commitments::status.eq(CommitmentStatus::Broken.as_str()))
        .select((commitments::id, commitments::assessed_at))
        .load(c)?;
    let found: Vec<(String, NaiveDate)> = broken
        .into_iter()
        .filter_map(|(id, at)| at.map(|t| (id, domain::time::china_date(t.and_utc()))))
        .collect();
    let days: Vec<NaiveDate> = found.iter().map(|(_, d)| *d).collect();
    let mut proposed = Vec::new();
    for criterion in criteria.iter().filter(|k| k.is_met(&days, today)) {
        let waiting: i64 = listing_candidates::table
            .filter(listing_candidates::subject_id.eq(subject_id))
            .filter(listing_candidates::list_type_id.eq(&criterion.list_type_id))
            .filter(listing_candidates::status.eq(CandidateStatus::Pending.as_str()))
            .count()
            .get_result(c)?;
        let listed: i64 = list_entries::table
            .filter(list_entries::subject_id.eq(subject_id))
            .filter(list_entries::list_type_id.eq(&criterion.list_type_id))
            .filter(in_force(today))
            .count()
            .get_result(c)?;
        if waiting > 0 || listed > 0 {
            continue;
        }
        let list_type = list_type_by_id(c, &criterion.list_type_id)?;
        let counted: Vec<String> = found
            .iter()
            .filter(|(_, d)| criterion.counts(*d, today))
            .map(|(id, _)| id.clone())
            .collect();
        let row = CandidateRow {
            id: new_id(),
            subject_id: subject_id.to_owned(),
            list_type_id: list_type.id.clone(),
            reason: criterion.reason(&list_type.name, counted.len()),
            commitment_ids: counted.join("\n"),
            status: CandidateStatus::Pending.as_str().to_owned(),
            created_at: now(),
            decided_at: None,
            decided_by: None,
            decision_note: None,
            entry_id: None,
        };
        diesel::insert_into(listing_candidates::table)
            .values(&row)
            .execute(c)?;
        proposed.push(ListingCandidate::try_from(row)?);
    }
    Ok(proposed)
}

impl Store {
    /// Sets (or with `None` removes) a black list's criterion of broken commitments. Credit
    /// office only. Applies to commitments found broken from now on.
    pub fn set_commitment_criterion(
        &self,
        actor: &DepartmentPrincipal,
        list_type_code: &str,
        rule: Option<(i32, i32)>,
    ) -> Result<Option<CommitmentCriterion>, StoreError> {
        self.write(|c| {
            acting_credit_office(c, actor, "只有信用办可以设定名单的认定标准")?;
            let list_type = find_list_type_by_code(c, list_type_code.trim())?.ok_or_else(|| {
                DomainError::invalid(
                    "input.listType",
                    format!("名单类型 {} 不存在", list_type_code.trim()),
                )
            })?;
            let criterion = rule
                .map(|(broken, within)| CommitmentCriterion::parse(&list_type, broken, within))
                .transpose()?;
            diesel::delete(commitment_criteria::table.find(&list_type.id)).execute(c)?;
            if let Some(k) = &criterion {
                diesel::insert_into(commitment_criteria::table)
                    .values((
                        commitment_criteria::list_type_id.eq(&k.list_type_id),
                        commitment_criteria::broken.eq(i32::try_from(k.broken).unwrap_or(i32::MAX)),
                        commitment_criteria::within_months
                            .eq(i32::try_from(k.within_months).unwrap_or(i32::MAX)),
                    ))
                    .execute(c)?;
            }
            Ok(criterion)
        })
    }

    /// Every criterion in force: public, as the list types are.
    pub fn commitment_criteria(&self) -> Result<Vec<CommitmentCriterion>, StoreError> {
        self.read(criteria)
    }

    /// Candidates for the lists the acting department owns (the credit office sees all), newest
    /// first, optionally by status. With `id`, only that one (`node(id:)`), by the same rule.
    pub fn listing_candidates(
        &self,
        actor: &DepartmentPrincipal,
        status: Option<CandidateStatus>,
        id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<ListingCandidate>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q = listing_candidates::table
                .select(CandidateRow::as_select())
                .into_boxed();
            if department.role != DepartmentRole::CreditOffice {
                let owned = list_types::table
                    .filter(list_types::owner_department.eq(department.code.to_string()))
                    .select(list_types::id);
                q = q.filter(listing_candidates::list_type_id.eq_any(owned));
            }
            if let Some(s) = status {
                q = q.filter(listing_candidates::status.eq(s.as_str()));
            }
            if let Some(id) = id {
                q = q.filter(listing_candidates::id.eq(id.to_owned()));
            }
            let rows = newest_first!(c, q, listing_candidates::id, page)?;
            let items = rows
                .into_iter()
                .map(ListingCandidate::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// The list's owning department lists the candidate, on its decision document (its entry and
    /// dispatches made in this transaction), or dismisses it with reasons.
    pub fn decide_listing_candidate(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        list: bool,
        basis_document: Option<&str>,
        note: Option<&str>,
        today: NaiveDate,
    ) -> Result<(ListingCandidate, Option<EntryChange>), StoreError> {
        let (basis, note) = candidate::decision(list, basis_document, note)?;
        let policy = self.policy.clone();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let row: CandidateRow = listing_candidates::table
                .find(id)
                .select(CandidateRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| NodeKind::ListingCandidate.not_found(id))?;
            let found = ListingCandidate::try_from(row)?;
            let list_type = list_type_by_id(c, &found.list_type_id)?;
            let subject = load_subject_by_id(c, &found.subject_id)?;
            access::may_write_list(&department, &list_type, &subject)?;
            let status = found.status.decide(list)?;
            let mut listed = None;
            if let Some(basis) = &basis {
                let raw =
                    candidate::entry_for(&found, subject.code.as_str(), &list_type.code, basis);
                listed = add_one(c, &policy, &department, raw, today)?;
            }
            let entry_id = listed.as_ref().map(|l| l.entry.id.clone());
            let at = now();
            let rows = diesel::update(super::in_state!(
                listing_candidates,
                id,
                found.status.as_str()
            ))
            .set((
                listing_candidates::status.eq(status.as_str()),
                listing_candidates::decided_at.eq(Some(at)),
                listing_candidates::decided_by.eq(Some(department.code.to_string())),
                listing_candidates::decision_note.eq(&note),
                listing_candidates::entry_id.eq(&entry_id),
            ))
            .execute(c)?;
            changed_one(rows, "该候选")?;
            Ok((
                ListingCandidate {
                    status,
                    decided_at: Some(at.and_utc()),
                    decided_by: Some(department.code.clone()),
                    decision_note: note,
                    entry_id,
                    ..found
                },
                listed,
            ))
        })
    }
}
