//! The change feed: appended inside the command that makes the change, numbered under a lock that
//! is held until that command commits, so numbers follow commit order with no gaps.

use super::catalogue::acting_department;
use super::{Page, PageRequest, Store, hold_sequence_lock};
use crate::conn::{AnyConnection, batch_insert};
use crate::error::StoreError;
use crate::schema::{changes, watch_events};
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::feed::{Change, ChangeAction, ChangeTarget, NewChange};
use domain::{DepartmentCode, DomainError};

/// Any number, the same on every instance: the PostgreSQL advisory lock of the feed's head.
const FEED_LOCK: i64 = 0x7869_6e79_6f6e_6703;
/// Under SQLite's 32,766 parameters at 8 columns.
const ROWS_PER_STATEMENT: usize = 2_000;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = changes)]
struct ChangeRow {
    seq: i64,
    at: NaiveDateTime,
    target: String,
    action: String,
    target_id: String,
    subject_id: String,
    subject_code: String,
    department: Option<String>,
}

impl TryFrom<ChangeRow> for Change {
    type Error = StoreError;

    fn try_from(r: ChangeRow) -> Result<Self, StoreError> {
        let bad =
            |what: &str, v: &str| StoreError::Internal(format!("feed row {}: {what} {v}", r.seq));
        Ok(Change {
            seq: r.seq,
            at: r.at.and_utc(),
            change: NewChange {
                target: ChangeTarget::parse(&r.target).ok_or_else(|| bad("target", &r.target))?,
                action: ChangeAction::parse(&r.action).ok_or_else(|| bad("action", &r.action))?,
                target_id: r.target_id.clone(),
                subject_id: r.subject_id.clone(),
                subject_code: r.subject_code.clone(),
                department: r
                    .department
                    .as_deref()
                    .map(DepartmentCode::parse)
                    .transpose()
                    .map_err(|_| bad("department", r.department.as_deref().unwrap_or("")))?,
            },
        })
    }
}

/// At most `limit` of the changes a bank was told of, after number `after`, oldest first.
pub(crate) fn told_to(
    c: &mut AnyConnection,
    bank: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Change>, StoreError> {
    changes::table
        .inner_join(watch_events::table.on(watch_events::seq.eq(changes::seq)))
        .filter(watch_events::bank.eq(bank))
        .filter(changes::seq.gt(after))
        .order(changes::seq)
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(c)?
        .into_iter()
        .map(Change::try_from)
        .collect()
}

/// The number a page of a feed starts after: 0 for the start.
pub(crate) fn cursor(page: &PageRequest) -> Result<i64, StoreError> {
    match page.after.as_deref() {
        None => Ok(0),
        Some(a) => a
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                DomainError::invalid("after", "游标无效：请使用上一页 pageInfo.endCursor 的值")
                    .into()
            }),
    }
}

/// Appends changes at the head of the feed, in the caller's transaction. Call it last in a
/// command: the lock it takes is held until the command commits.
pub(crate) fn append(c: &mut AnyConnection, new: &[NewChange]) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    hold_sequence_lock(c, FEED_LOCK)?;
    let head: Option<i64> = changes::table
        .select(diesel::dsl::max(changes::seq))
        .first(c)?;
    let at = super::now().trunc_subsecs(6);
    let first = head.unwrap_or(0) + 1;
    let rows: Vec<ChangeRow> = new
        .iter()
        .zip(first..)
        .map(|(n, seq)| ChangeRow {
            seq,
            at,
            target: n.target.as_str().to_owned(),
            action: n.action.as_str().to_owned(),
            target_id: n.target_id.clone(),
            subject_id: n.subject_id.clone(),
            subject_code: n.subject_code.clone(),
            department: n.department.as_ref().map(|d| d.to_string()),
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        batch_insert!(c, changes::table, chunk)?;
    }
    let numbered: Vec<(i64, NaiveDateTime, &NewChange)> = new
        .iter()
        .zip(first..)
        .map(|(n, seq)| (seq, at, n))
        .collect();
    super::watches::tell_watchers(c, &numbered)
}

impl Store {
    /// Changes after `page.after` (a number from this feed), oldest first. For tokens with
    /// `changes:read` (upstream platforms, the credit office).
    pub fn changes(
        &self,
        actor: &DepartmentPrincipal,
        page: &PageRequest,
    ) -> Result<Page<Change>, StoreError> {
        let after = cursor(page)?;
        self.read(|c| {
            acting_department(c, actor)?;
            let items = read_after(c, after, page.limit())?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// At most `limit` changes after number `after`, oldest first: for `xinyong export`, which
    /// runs with the database's own credentials.
    pub fn changes_after(&self, after: i64, limit: usize) -> Result<Vec<Change>, StoreError> {
        self.read(|c| read_after(c, after, i64::try_from(limit).unwrap_or(i64::MAX)))
    }
}

fn read_after(c: &mut AnyConnection, after: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
    changes::table
        .filter(changes::seq.gt(after))
        .order(changes::seq)
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(c)?
        .into_iter()
        .map(Change::try_from)
        .collect()
}

/// A change made by `department` (none for an expiry) to one target of one subject.
pub(crate) fn made(
    target: ChangeTarget,
    action: ChangeAction,
    target_id: &str,
    subject: (&str, &str),
    department: Option<&DepartmentCode>,
) -> NewChange {
    NewChange {
        target,
        action,
        target_id: target_id.to_owned(),
        subject_id: subject.0.to_owned(),
        subject_code: subject.1.to_owned(),
        department: department.cloned(),
    }
}
