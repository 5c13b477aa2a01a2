//! List entries: adding, revoking, and reading them with their status as of today.

use super::catalogue::{acting_department, find_list_type_by_code};
use super::changes;
use super::lifts::{EndedMeasures, Ending, end_measures};
use super::{Page, PageRequest, Store, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::rows::{ListEntryRow, convert};
use crate::schema::{list_entries, list_types, subjects};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::feed::{ChangeAction, ChangeTarget};
use domain::lift::LiftGround;
use domain::{DomainError, EntryStatus, JurisdictionCode, ListEntry, ListType};

/// An entry as a command left it: the dispatches a listing made, what an ending did to its
/// measures, and the reward dispatches a black listing suspended (of the subject's red entries; a
/// batch reports them with its first entry).
#[derive(Debug, Clone)]
pub struct EntryChange {
    pub entry: ListEntry,
    pub dispatches: Vec<domain::dispatch::Dispatch>,
    pub ended: EndedMeasures,
    pub suspended: Vec<domain::dispatch::Dispatch>,
}

#[derive(Debug, Clone)]
pub struct EntryFilter {
    pub list_type_code: Option<String>,
    pub subject_id: Option<String>,
    pub status: Option<EntryStatus>,
    pub jurisdiction: Option<JurisdictionCode>,
    /// The day statuses are read on.
    pub today: NaiveDate,
}

pub(crate) type BoxedEntries<'a> =
    list_entries::BoxedQuery<'a, <AnyConnection as Connection>::Backend>;

/// Entries in force on `today`: the same rule as `ListEntry::status_on` gives `Active`, in SQL.
pub(crate) fn in_force(
    today: NaiveDate,
) -> diesel::dsl::And<
    diesel::dsl::Eq<list_entries::status, &'static str>,
    diesel::dsl::GtEq<list_entries::end_date, NaiveDate>,
> {
    list_entries::status
        .eq(EntryStatus::Active.as_str())
        .and(list_entries::end_date.ge(today))
}

/// Filters by status as of `today`: the same rule as `ListEntry::status_on`, in SQL.
pub(crate) fn with_status(
    q: BoxedEntries<'_>,
    status: EntryStatus,
    today: NaiveDate,
) -> BoxedEntries<'_> {
    let active = EntryStatus::Active.as_str();
    match status {
        EntryStatus::Active => q.filter(in_force(today)),
        EntryStatus::Expired => q.filter(
            list_entries::status
                .eq(EntryStatus::Expired.as_str())
                .or(list_entries::status
                    .eq(active)
                    .and(list_entries::end_date.lt(today))),
        ),
        other => q.filter(list_entries::status.eq(other.as_str())),
    }
}

impl Store {
    /// Revokes an entry in force, by the department that owns its list type, with a reason; its open
    /// dispatches are cancelled.
    pub fn revoke_list_entry(
        &self,
        actor: &DepartmentPrincipal,
        entry_id: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<EntryChange, StoreError> {
        let reason = domain::subject::required_text("reason", reason, 2000)?;
        let calendar = self.calendar();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let entry: ListEntry = list_entries::table
                .find(entry_id)
                .select(ListEntryRow::as_select())
                .first(c)
                .optional()?
                .map(ListEntry::try_from)
                .transpose()?
                .ok_or_else(|| DomainError::not_found("名单条目", entry_id))?;
            let list_type = load_list_type(c, &entry.list_type_id)?;
            let subject = super::subjects::load_subject_by_id(c, &entry.subject_id)?;
            access::may_write_list(&department, &list_type, &subject)?;
            let status = entry.revoke(today)?;
            let ended = now();
            diesel::update(list_entries::table.find(&entry.id))
                .set((
                    list_entries::status.eq(status.as_str()),
                    list_entries::revocation_reason.eq(&reason),
                    list_entries::ended_at.eq(ended),
                ))
                .execute(c)?;
            let measures = end_measures(
                c,
                std::slice::from_ref(&entry.id),
                Ending {
                    reason: "名单条目已撤销，措施解除",
                    ground: LiftGround::Wrongful,
                    today,
                    calendar: &calendar,
                    acknowledge_working_days: self.policy.acknowledge_working_days,
                },
            )?;
            changes::append(
                c,
                &[changes::made(
                    ChangeTarget::ListEntry,
                    ChangeAction::Revoked,
                    &entry.id,
                    (&subject.id, subject.code.as_str()),
                    Some(&department.code),
                )],
            )?;
            let entry = ListEntry {
                stored_status: status,
                revocation_reason: Some(reason),
                ended_at: Some(ended.and_utc()),
                ..entry
            };
            Ok(EntryChange {
                entry,
                dispatches: Vec::new(),
                ended: measures,
                suspended: Vec::new(),
            })
        })
    }

    pub fn list_entries(
        &self,
        filter: &EntryFilter,
        page: &PageRequest,
    ) -> Result<Page<ListEntry>, StoreError> {
        self.read(|c| {
            let mut q: BoxedEntries<'_> = list_entries::table.into_boxed();
            if let Some(code) = &filter.list_type_code {
                let Some(list_type) = find_list_type_by_code(c, code.trim())? else {
                    return Err(DomainError::invalid(
                        "listType",
                        format!("名单类型 {} 不存在", code.trim()),
                    )
                    .into());
                };
                q = q.filter(list_entries::list_type_id.eq(list_type.id));
            }
            if let Some(s) = &filter.subject_id {
                q = q.filter(list_entries::subject_id.eq(s.clone()));
            }
            if let Some(status) = filter.status {
                q = with_status(q, status, filter.today);
            }
            if let Some(j) = &filter.jurisdiction {
                let (first, last) = j.code_range();
                let inside = subjects::table
                    .filter(subjects::jurisdiction_code.between(first, last))
                    .select(subjects::id);
                q = q.filter(list_entries::subject_id.eq_any(inside));
            }
            if let Some(after) = &page.after {
                q = q.filter(list_entries::id.gt(after.clone()));
            }
            let rows = q
                .select(ListEntryRow::as_select())
                .order(list_entries::id)
                .limit(page.limit())
                .load(c)?;
            Ok(Page::from_overfetch(convert(rows)?, page))
        })
    }

    /// The entries of several subjects at once (for a page of subjects), in subject then id
    /// order, with `status` as of `today` if given: one query however many subjects.
    pub fn entries_of_subjects(
        &self,
        subject_ids: &[String],
        status: Option<EntryStatus>,
        today: NaiveDate,
    ) -> Result<Vec<ListEntry>, StoreError> {
        self.read(|c| {
            let mut q: BoxedEntries<'_> = list_entries::table
                .filter(list_entries::subject_id.eq_any(subject_ids))
                .into_boxed();
            if let Some(status) = status {
                q = with_status(q, status, today);
            }
            let rows = q
                .select(ListEntryRow::as_select())
                .order((list_entries::subject_id, list_entries::id))
                .load(c)?;
            convert(rows)
        })
    }

    pub fn list_entry(&self, id: &str) -> Result<Option<ListEntry>, StoreError> {
        self.read(|c| {
            let row = list_entries::table
                .find(id)
                .select(ListEntryRow::as_select())
                .first(c)
                .optional()?;
            row.map(ListEntry::try_from).transpose()
        })
    }
}

fn load_list_type(c: &mut AnyConnection, id: &str) -> Result<ListType, StoreError> {
    let row = list_types::table
        .find(id)
        .select(crate::rows::ListTypeRow::as_select())
        .first(c)?;
    ListType::try_from(row)
}
