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
use domain::list::RawRemoval;
use domain::node::NodeKind;
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
    /// Revokes an entry in force, by the department that owns its list type, with a reason: a
    /// listing in error, so its applied measures are to be undone (WRONGFUL) and its open dispatches
    /// cancelled.
    pub fn revoke_list_entry(
        &self,
        actor: &DepartmentPrincipal,
        entry_id: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<EntryChange, StoreError> {
        let reason = domain::subject::required_text("reason", reason, 2000)?;
        self.write(|c| {
            let owned = owned_entry(c, actor, entry_id)?;
            let status = owned.entry.revoke(today)?;
            let ended = now();
            let rows = diesel::update(super::in_state!(
                list_entries,
                owned.entry.id.as_str(),
                owned.entry.stored_status.as_str()
            ))
            .set((
                list_entries::status.eq(status.as_str()),
                list_entries::revocation_reason.eq(&reason),
                list_entries::ended_at.eq(ended),
            ))
            .execute(c)?;
            super::changed_one(rows, "该名单条目")?;
            let entry = ListEntry {
                stored_status: status,
                revocation_reason: Some(reason),
                ended_at: Some(ended.and_utc()),
                ..owned.entry.clone()
            };
            let ending = (
                "名单条目已撤销，措施解除",
                LiftGround::Wrongful,
                ChangeAction::Revoked,
            );
            self.owner_ended(c, owned, entry, ending, today)
        })
    }

    /// Removes an entry in force on one of its list type's grounds (the court list's debtor
    /// performed, say), by a department that owns the list type in the subject's jurisdiction;
    /// its measures end as for a repair (open dispatches cancelled, lifts for applied ones).
    /// The deadline to remove (working days from the ground arising) is kept.
    pub fn remove_list_entry(
        &self,
        actor: &DepartmentPrincipal,
        entry_id: &str,
        raw: &RawRemoval,
        today: NaiveDate,
    ) -> Result<EntryChange, StoreError> {
        let calendar = self.calendar();
        self.write(|c| {
            let owned = owned_entry(c, actor, entry_id)?;
            let (status, removal) = owned
                .entry
                .remove(&owned.list_type, raw, today, &calendar)?;
            let ended = now();
            let rows = diesel::update(super::in_state!(
                list_entries,
                owned.entry.id.as_str(),
                owned.entry.stored_status.as_str()
            ))
            .set((
                list_entries::status.eq(status.as_str()),
                list_entries::ended_at.eq(Some(ended)),
                list_entries::removal_ground.eq(Some(&removal.ground)),
                list_entries::removal_basis.eq(Some(&removal.basis_document)),
                list_entries::ground_arisen_on.eq(Some(removal.ground_arisen_on)),
                list_entries::remove_by.eq(removal.remove_by),
                list_entries::removed_on.eq(Some(removal.removed_on)),
            ))
            .execute(c)?;
            super::changed_one(rows, "该名单条目")?;
            let entry = ListEntry {
                stored_status: status,
                ended_at: Some(ended.and_utc()),
                removal: Some(removal),
                ..owned.entry.clone()
            };
            let ending = (
                "名单条目已移出，措施解除",
                LiftGround::Ended,
                ChangeAction::Removed,
            );
            self.owner_ended(c, owned, entry, ending, today)
        })
    }

    /// After its owner ended `entry` (stored already): its measures ended on the ground, and the
    /// change feed told.
    fn owner_ended(
        &self,
        c: &mut AnyConnection,
        owned: Owned,
        entry: ListEntry,
        (reason, ground, action): (&str, LiftGround, ChangeAction),
        today: NaiveDate,
    ) -> Result<EntryChange, StoreError> {
        let measures = end_measures(
            c,
            std::slice::from_ref(&entry.id),
            Ending {
                reason,
                ground,
                today,
                calendar: &self.calendar(),
                acknowledge_working_days: self.policy.acknowledge_working_days,
            },
        )?;
        changes::append(
            c,
            &[changes::made(
                ChangeTarget::ListEntry,
                action,
                &entry.id,
                (&owned.subject.id, owned.subject.code.as_str()),
                Some(&owned.department.code),
            )],
        )?;
        Ok(EntryChange {
            entry,
            dispatches: Vec::new(),
            ended: measures,
            suspended: Vec::new(),
        })
    }

    /// Entries removed on a ground, newest first, for the credit office; with `late`, only those
    /// removed after their deadline (or only those that were not).
    pub fn removals(
        &self,
        actor: &DepartmentPrincipal,
        late: Option<bool>,
        page: &PageRequest,
    ) -> Result<Page<ListEntry>, StoreError> {
        self.read(|c| {
            super::catalogue::acting_credit_office(c, actor, "只有信用办可以查看各部门的移出情况")?;
            let mut q: BoxedEntries<'_> = list_entries::table
                .filter(list_entries::removal_ground.is_not_null())
                .into_boxed();
            // Late: removed after a known deadline. Not late: in time, or not known yet.
            let past = list_entries::remove_by
                .is_not_null()
                .and(list_entries::removed_on.gt(list_entries::remove_by));
            match late {
                Some(true) => q = q.filter(past),
                Some(false) => q = q.filter(diesel::dsl::not(past)),
                None => {}
            }
            let rows = super::newest_first!(
                c,
                q.select(ListEntryRow::as_select()),
                list_entries::id,
                page
            )?;
            Ok(Page::from_overfetch(convert(rows)?, page))
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

fn load_entry_row(c: &mut AnyConnection, id: &str) -> Result<ListEntry, StoreError> {
    list_entries::table
        .find(id)
        .select(ListEntryRow::as_select())
        .first(c)
        .optional()?
        .map(ListEntry::try_from)
        .transpose()?
        .ok_or_else(|| NodeKind::ListEntry.not_found(id).into())
}

/// Removal deadlines that fell past the calendar, filled in; returns how many.
pub(crate) fn fill_removals(
    c: &mut AnyConnection,
    calendar: &domain::WorkingDayCalendar,
) -> Result<usize, StoreError> {
    let waiting: Vec<(String, NaiveDate, Option<i32>)> = list_entries::table
        .inner_join(list_types::table)
        .filter(list_entries::removal_ground.is_not_null())
        .filter(list_entries::remove_by.is_null())
        .select((
            list_entries::id,
            list_entries::ground_arisen_on.assume_not_null(),
            list_types::removal_working_days,
        ))
        .load(c)?;
    let mut filled = 0;
    for (id, arisen, days) in waiting {
        let days = days
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(domain::list::DEFAULT_REMOVAL_WORKING_DAYS);
        if let Ok(by) = calendar.add_working_days(arisen, days) {
            diesel::update(list_entries::table.find(&id))
                .set(list_entries::remove_by.eq(Some(by)))
                .execute(c)?;
            filled += 1;
        }
    }
    Ok(filled)
}

/// An entry, with its list type and subject, that the acting department owns and may end.
struct Owned {
    department: domain::Department,
    entry: ListEntry,
    list_type: ListType,
    subject: domain::Subject,
}

fn owned_entry(
    c: &mut AnyConnection,
    actor: &DepartmentPrincipal,
    entry_id: &str,
) -> Result<Owned, StoreError> {
    let department = acting_department(c, actor)?;
    let entry = load_entry_row(c, entry_id)?;
    let list_type = load_list_type(c, &entry.list_type_id)?;
    let subject = super::subjects::load_subject_by_id(c, &entry.subject_id)?;
    access::may_write_list(&department, &list_type, &subject)?;
    Ok(Owned {
        department,
        entry,
        list_type,
        subject,
    })
}
