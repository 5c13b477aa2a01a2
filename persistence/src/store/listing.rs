//! Listing: adding subjects to lists, one at a time or many in one transaction, with the dispatches
//! each listing calls for made in the same transaction.
//!
//! One code path serves both: a single listing is a batch of one. The batch reads what it needs in a
//! few queries (list types, subjects, earlier entries) and writes in large statements, so that
//! 10,000 listings with their million dispatches fit in one transaction of seconds.

use super::catalogue::acting_department;
use super::dispatches::{ListingCatalogue, plan_rows};
use super::entries::{EntryChange, with_status};
use super::lifts::EndedMeasures;
use super::subjects::{resolve_subject, subjects_by_code};
use super::webhooks;
use super::{Policy, Store, new_id, now};
use crate::conn::{AnyConnection, batch_insert, bulk_insert};
use crate::error::StoreError;
use crate::rows::{ListEntryRow, ListTypeRow, convert};
use crate::schema::{dispatches, entry_memoranda, list_entries, list_types};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::dispatch::Dispatch;
use domain::feed::{ChangeAction, ChangeTarget};
use domain::list::RawListEntry;
use domain::reward::{self, BlackListing, RewardAct};
use domain::webhook::WebhookEvent;
use domain::{
    Department, DomainError, EntryStatus, ListColour, ListEntry, ListType, NewListEntry, Subject,
};
use std::collections::{HashMap, HashSet};

/// The most entries one batch may hold.
pub const MAX_BATCH: usize = 10_000;

/// Rows per insert statement: under SQLite's 32,766 parameters at 15 columns.
const ROWS_PER_STATEMENT: usize = 2_000;

impl Store {
    /// Adds a subject to a list and, in the same transaction, makes the dispatches the memoranda
    /// call for. With an idempotency key, the same request made again returns the entry it made the
    /// first time and writes nothing.
    pub fn add_list_entry(
        &self,
        actor: &DepartmentPrincipal,
        raw: &RawListEntry,
        today: NaiveDate,
    ) -> Result<EntryChange, StoreError> {
        let mut changes = self.write(|c| {
            let department = acting_department(c, actor)?;
            add_batch(
                c,
                &self.policy,
                &department,
                std::slice::from_ref(raw),
                today,
                |e, _| e,
            )
        })?;
        changes
            .pop()
            .ok_or_else(|| StoreError::Internal("a listing made no entry".into()))
    }

    /// Adds many entries in one transaction: all of them, or none. An error names the item at
    /// fault (`input.entries[3].subject`).
    pub fn add_list_entries(
        &self,
        actor: &DepartmentPrincipal,
        raws: &[RawListEntry],
        today: NaiveDate,
    ) -> Result<Vec<EntryChange>, StoreError> {
        if raws.is_empty() || raws.len() > MAX_BATCH {
            return Err(
                DomainError::invalid("input.entries", format!("一批应有1至{MAX_BATCH}条")).into(),
            );
        }
        self.write(|c| {
            let department = acting_department(c, actor)?;
            add_batch(c, &self.policy, &department, raws, today, at_item)
        })
    }
}

/// Points an error at one item of a batch.
fn at_item(e: StoreError, i: usize) -> StoreError {
    match e {
        StoreError::Domain(DomainError::Invalid { field, message }) => {
            let field = match field.strip_prefix("input.") {
                Some(rest) => format!("input.entries[{i}].{rest}"),
                None => format!("input.entries[{i}]"),
            };
            DomainError::Invalid { field, message }.into()
        }
        StoreError::Domain(DomainError::Conflict(m)) => {
            DomainError::Conflict(format!("第{}条：{m}", i + 1)).into()
        }
        StoreError::Domain(DomainError::Forbidden(m)) => {
            DomainError::Forbidden(format!("第{}条：{m}", i + 1)).into()
        }
        StoreError::Domain(DomainError::NotFound { what, key }) => DomainError::NotFound {
            what,
            key: format!("{key}（第{}条）", i + 1),
        }
        .into(),
        other => other,
    }
}

/// What one batch reads before it decides anything.
struct Known {
    list_types: HashMap<String, ListType>,
    /// Subjects by code, for the well-formed codes of the batch.
    subjects: HashMap<String, Subject>,
    /// This department's earlier entries by idempotency key.
    by_key: HashMap<String, ListEntry>,
    /// (subject id, list type id) of entries in force today.
    in_force: HashSet<(String, String)>,
    /// When each (subject id, list type id) was last repaired off its list.
    repaired: HashMap<(String, String), NaiveDate>,
    /// Each list type's window in which a listing after a repair is flagged, in months.
    relist_windows: HashMap<String, u32>,
    /// The black entry in force of each subject that has one (this batch's listings included):
    /// no red listing for them.
    black: HashMap<String, BlackListing>,
}

impl Known {
    /// Listed again within the window after a repair on the same list.
    fn relisted(&self, subject_id: &str, list_type_id: &str, today: NaiveDate) -> bool {
        let Some(repaired) = self
            .repaired
            .get(&(subject_id.to_owned(), list_type_id.to_owned()))
        else {
            return false;
        };
        let window = self
            .relist_windows
            .get(list_type_id)
            .copied()
            .unwrap_or(domain::repair::DEFAULT_RELIST_WINDOW_MONTHS);
        repaired
            .checked_add_months(chrono::Months::new(window))
            .is_some_and(|until| today <= until)
    }
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    items.collect::<HashSet<_>>().into_iter().collect()
}

fn read_known(
    c: &mut AnyConnection,
    department: &Department,
    raws: &[RawListEntry],
    today: NaiveDate,
) -> Result<Known, StoreError> {
    let codes = distinct(raws.iter().map(|r| r.list_type_code.trim().to_owned()));
    let list_types: HashMap<String, ListType> = convert::<_, ListType>(
        list_types::table
            .filter(list_types::code.eq_any(&codes))
            .select(ListTypeRow::as_select())
            .load(c)?,
    )?
    .into_iter()
    .map(|t| (t.code.clone(), t))
    .collect();
    let subjects = subjects_by_code(c, raws.iter().map(|r| r.subject_code.as_str()))?;
    let keys = distinct(raws.iter().filter_map(|r| {
        r.idempotency_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
    }));
    let mut by_key = HashMap::new();
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<ListEntryRow> = list_entries::table
            .filter(list_entries::created_by.eq(department.code.as_str()))
            .filter(list_entries::idempotency_key.eq_any(chunk))
            .select(ListEntryRow::as_select())
            .load(c)?;
        for row in rows {
            if let Some(key) = row.idempotency_key.clone() {
                by_key.insert(key, ListEntry::try_from(row)?);
            }
        }
    }
    let ids: Vec<String> = subjects.values().map(|s: &Subject| s.id.clone()).collect();
    let mut in_force = HashSet::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let pairs: Vec<(String, String)> = with_status(
            list_entries::table
                .filter(list_entries::subject_id.eq_any(chunk))
                .into_boxed(),
            EntryStatus::Active,
            today,
        )
        .select((list_entries::subject_id, list_entries::list_type_id))
        .load(c)?;
        in_force.extend(pairs);
    }
    let mut repaired: HashMap<(String, String), NaiveDate> = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<(String, String, Option<chrono::NaiveDateTime>)> = list_entries::table
            .filter(list_entries::subject_id.eq_any(chunk))
            .filter(list_entries::status.eq(EntryStatus::Repaired.as_str()))
            .select((
                list_entries::subject_id,
                list_entries::list_type_id,
                list_entries::ended_at,
            ))
            .load(c)?;
        for (subject, list_type, ended) in rows {
            if let Some(ended) = ended {
                let day = domain::time::china_date(ended.and_utc());
                let slot = repaired.entry((subject, list_type)).or_insert(day);
                *slot = (*slot).max(day);
            }
        }
    }
    let mut relist_windows = HashMap::new();
    for t in list_types.values() {
        relist_windows.insert(
            t.id.clone(),
            super::repairs::rule_for_list(c, t)?.relist_window_months,
        );
    }
    let black = super::rewards::black_in_force(c, &ids, today)?;
    Ok(Known {
        list_types,
        subjects,
        by_key,
        in_force,
        repaired,
        relist_windows,
        black,
    })
}

/// Adds one listing that another decision makes (a nomination accepted, a candidate listed), in
/// that decision's transaction; `None` when its idempotency key answered it already.
pub(super) fn add_one(
    c: &mut AnyConnection,
    policy: &Policy,
    department: &Department,
    raw: RawListEntry,
    today: NaiveDate,
) -> Result<Option<EntryChange>, StoreError> {
    Ok(add_batch(c, policy, department, &[raw], today, |e, _| e)?
        .into_iter()
        .next())
}

/// Adds `raws` as one unit; `locate` points an error at the item it concerns.
fn add_batch(
    c: &mut AnyConnection,
    policy: &Policy,
    department: &Department,
    raws: &[RawListEntry],
    today: NaiveDate,
    locate: impl Fn(StoreError, usize) -> StoreError,
) -> Result<Vec<EntryChange>, StoreError> {
    let mut batch = Batch::start(c, department, raws, today)?;
    for (i, raw) in raws.iter().enumerate() {
        batch
            .add(c, policy, department, raw, today)
            .map_err(|e| locate(e, i))?;
    }
    batch.write(c)
}

/// Listings decided one by one against what was read before, then written in large statements.
pub(super) struct Batch {
    catalogue: ListingCatalogue,
    known: Known,
    changes: Vec<EntryChange>,
    /// Items answered by an earlier entry with the same idempotency key.
    pub(super) repeated: usize,
    entry_rows: Vec<ListEntryRow>,
    links: Vec<(String, String)>,
    dispatch_rows: Vec<crate::rows_joint::DispatchRow>,
    /// How many of `dispatch_rows`, in order, belong to each of `changes`.
    dispatch_counts: Vec<usize>,
    /// Departments whose webhook wants new dispatches, and what they will be told.
    hooked: webhooks::Subscribers,
    notices: Vec<domain::webhook::DispatchNotice>,
    feed: Vec<domain::feed::NewChange>,
    /// Subjects black-listed by this batch while no other black entry bound them: their rewards
    /// are suspended when it is written.
    suspends: HashMap<String, BlackListing>,
    today: NaiveDate,
}

impl Batch {
    pub(super) fn start(
        c: &mut AnyConnection,
        department: &Department,
        raws: &[RawListEntry],
        today: NaiveDate,
    ) -> Result<Self, StoreError> {
        Ok(Batch {
            catalogue: ListingCatalogue::load(c)?,
            known: read_known(c, department, raws, today)?,
            changes: Vec::with_capacity(raws.len()),
            repeated: 0,
            entry_rows: Vec::new(),
            links: Vec::new(),
            dispatch_rows: Vec::new(),
            dispatch_counts: Vec::with_capacity(raws.len()),
            hooked: webhooks::subscribers(c, WebhookEvent::DispatchCreated)?,
            notices: Vec::new(),
            feed: Vec::new(),
            suspends: HashMap::new(),
            today,
        })
    }

    /// Decides one listing; an error leaves the batch as it was.
    pub(super) fn add(
        &mut self,
        c: &mut AnyConnection,
        policy: &Policy,
        department: &Department,
        raw: &RawListEntry,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let known = &mut self.known;
        let code = raw.list_type_code.trim();
        let list_type = known.list_types.get(code).cloned().ok_or_else(|| {
            DomainError::invalid("input.listType", format!("名单类型 {code} 不存在"))
        })?;
        let subject = resolve_subject(c, &known.subjects, &raw.subject_code, "input.subject")?;
        access::may_write_list(department, &list_type, &subject)?;
        let new = NewListEntry::parse(raw, &list_type, today)?;
        if let Some(key) = &new.idempotency_key
            && let Some(earlier) = known.by_key.get(key)
        {
            if earlier.subject_id != subject.id || earlier.list_type_id != list_type.id {
                return Err(DomainError::conflict("该幂等键已用于另一条名单条目").into());
            }
            self.changes.push(EntryChange {
                entry: earlier.clone(),
                dispatches: Vec::new(),
                ended: EndedMeasures::default(),
                suspended: Vec::new(),
            });
            self.dispatch_counts.push(0);
            self.repeated += 1;
            return Ok(());
        }
        if list_type.colour == ListColour::Red {
            reward::refuse_while_black(RewardAct::RedListing, known.black.get(&subject.id))?;
        }
        if known
            .in_force
            .contains(&(subject.id.clone(), list_type.id.clone()))
        {
            return Err(DomainError::conflict(format!(
                "该主体已在“{}”中，且条目仍有效",
                list_type.name
            ))
            .into());
        }
        let row = ListEntryRow {
            id: new_id(),
            subject_id: subject.id.clone(),
            list_type_id: list_type.id.clone(),
            reason: new.reason,
            basis_document: new.basis_document,
            start_date: new.start_date,
            end_date: new.end_date,
            status: EntryStatus::Active.as_str().to_owned(),
            revocation_reason: None,
            created_by: department.code.to_string(),
            created_at: now(),
            ended_at: None,
            idempotency_key: new.idempotency_key.clone(),
            relisted_after_repair: known.relisted(&subject.id, &list_type.id, today),
            removal_ground: None,
            removal_basis: None,
            ground_arisen_on: None,
            remove_by: None,
            removed_on: None,
        };
        let entry = ListEntry::try_from(row.clone())?;
        // An entry already past its end binds nobody: nothing to dispatch.
        let (versions, rows) = if entry.status_on(today) == EntryStatus::Active {
            plan_rows(policy, &self.catalogue, &entry, &list_type, &subject, today)
        } else {
            (Vec::new(), Vec::new())
        };
        self.dispatch_counts.push(rows.len());
        for r in rows
            .iter()
            .filter(|r| self.hooked.wants(&r.department_code))
        {
            let d = Dispatch::try_from(r.clone())?;
            self.notices
                .push(webhooks::notice(&d, subject.code.as_str(), &list_type.code));
        }
        known
            .in_force
            .insert((subject.id.clone(), list_type.id.clone()));
        if list_type.colour == ListColour::Black && entry.status_on(today) == EntryStatus::Active {
            let black = BlackListing {
                entry_id: entry.id.clone(),
                list_name: list_type.name.clone(),
            };
            if !known.black.contains_key(&subject.id) {
                self.suspends.insert(subject.id.clone(), black.clone());
            }
            known.black.entry(subject.id.clone()).or_insert(black);
        }
        if let Some(key) = new.idempotency_key {
            known.by_key.insert(key, entry.clone());
        }
        self.links
            .extend(versions.into_iter().map(|v| (entry.id.clone(), v)));
        self.dispatch_rows.extend(rows);
        self.feed.push(super::changes::made(
            ChangeTarget::ListEntry,
            ChangeAction::Created,
            &row.id,
            (&subject.id, subject.code.as_str()),
            Some(&department.code),
        ));
        self.entry_rows.push(row);
        self.changes.push(EntryChange {
            entry,
            dispatches: Vec::new(),
            ended: EndedMeasures::default(),
            suspended: Vec::new(),
        });
        Ok(())
    }

    /// Entries this batch would make (not counting repeats).
    pub(super) fn new_entries(&self) -> usize {
        self.entry_rows.len()
    }

    pub(super) fn write(self, c: &mut AnyConnection) -> Result<Vec<EntryChange>, StoreError> {
        for chunk in self.entry_rows.chunks(ROWS_PER_STATEMENT) {
            batch_insert!(c, list_entries::table, chunk)?;
        }
        let links: Vec<_> = self
            .links
            .into_iter()
            .map(|(entry, version)| {
                (
                    entry_memoranda::entry_id.eq(entry),
                    entry_memoranda::version_id.eq(version),
                )
            })
            .collect();
        for chunk in links.chunks(ROWS_PER_STATEMENT) {
            batch_insert!(c, entry_memoranda::table, chunk)?;
        }
        bulk_insert!(
            c,
            dispatches::table,
            &self.dispatch_rows,
            ROWS_PER_STATEMENT
        )?;
        super::changes::append(c, &self.feed)?;
        webhooks::enqueue(c, &self.hooked, webhooks::by_department(self.notices))?;
        let suspended = if self.suspends.is_empty() {
            Vec::new()
        } else {
            super::rewards::suspend(c, &self.suspends, self.today)?
        };
        // Converted only now, consuming the rows: a large import holds one copy of its dispatches.
        let mut changes = self.changes;
        let mut rows = self.dispatch_rows.into_iter();
        for (change, &count) in changes.iter_mut().zip(&self.dispatch_counts) {
            change.dispatches = convert(rows.by_ref().take(count).collect::<Vec<_>>())?;
        }
        if let Some(first) = changes.first_mut() {
            first.suspended = suspended;
        }
        Ok(changes)
    }
}
