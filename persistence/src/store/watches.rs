//! Banks' watchlists: the watches, and what each bank is told. A bank is told of a change in the
//! change's own transaction (see [`tell_watchers`]), so its feed follows the change feed's commit
//! order and a consumer resuming from its cursor misses nothing and sees nothing twice.

use super::catalogue::acting_bank;
use super::newest_first;
use super::reports::{of_subject, of_subjects};
use super::subjects::require_subject;
use super::webhooks;
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::{AnyConnection, batch_insert};
use crate::error::StoreError;
use crate::rows::{SubjectRow, convert};
use crate::schema::{subjects, watch_events, watches};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::feed::{Change, NewChange};
use domain::node::NodeKind;
use domain::watch::{self, MAX_CODES, Watch};
use domain::webhook::{WatchNotice, WebhookEvent};
use domain::{DepartmentCode, DomainError, Subject};
use std::collections::{HashMap, HashSet};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = watches)]
struct WatchRow {
    id: String,
    bank: String,
    subject_id: String,
    since: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
}

impl TryFrom<WatchRow> for Watch {
    type Error = StoreError;
    fn try_from(r: WatchRow) -> Result<Self, StoreError> {
        Ok(Watch {
            bank: DepartmentCode::parse(&r.bank)
                .map_err(|_| StoreError::Internal(format!("watch {}: bad bank", r.id)))?,
            subject_id: r.subject_id,
            since: r.since.and_utc(),
            ended_at: r.ended_at.map(|t| t.and_utc()),
            id: r.id,
        })
    }
}

/// A subject on a bank's watchlist, with the last day of its authorisation (none once it lapsed:
/// the bank is then told nothing until the subject authorises it again).
#[derive(Debug, Clone)]
pub struct Watched {
    pub watch: Watch,
    pub subject: Subject,
    pub authorised_until: Option<NaiveDate>,
}

fn bank_of(actor: &DepartmentPrincipal) -> Result<&DepartmentCode, StoreError> {
    Ok(
        watch::watching_bank(&domain::Principal::Department(actor.clone()))
            .map(|_| &actor.department)?,
    )
}

fn distinct_codes(codes: &[String]) -> Result<Vec<(usize, &str)>, StoreError> {
    if codes.is_empty() || codes.len() > MAX_CODES {
        return Err(DomainError::invalid(
            "input.codes",
            format!("请给出 1 到 {MAX_CODES} 个主体代码"),
        )
        .into());
    }
    let mut seen = HashSet::new();
    Ok(codes
        .iter()
        .enumerate()
        .filter(|(_, c)| seen.insert(c.trim().to_uppercase()))
        .map(|(i, c)| (i, c.as_str()))
        .collect())
}

fn active_watch(
    c: &mut AnyConnection,
    bank: &str,
    subject_id: &str,
) -> Result<Option<WatchRow>, StoreError> {
    Ok(watches::table
        .filter(watches::bank.eq(bank))
        .filter(watches::subject_id.eq(subject_id))
        .filter(watches::ended_at.is_null())
        .select(WatchRow::as_select())
        .first(c)
        .optional()?)
}

impl Store {
    /// Adds subjects to the acting bank's watchlist, all or none: each needs its lending
    /// authorisation in force. A subject watched already stays as it is.
    pub fn watch_subjects(
        &self,
        actor: &DepartmentPrincipal,
        codes: &[String],
        today: NaiveDate,
    ) -> Result<Vec<Watched>, StoreError> {
        let bank = bank_of(actor)?.clone();
        let codes = distinct_codes(codes)?;
        self.write(|c| {
            acting_bank(c, actor)?;
            let mut out = Vec::with_capacity(codes.len());
            for (i, code) in codes {
                let field = format!("input.codes[{i}]");
                let subject = require_subject(c, code, &field)?;
                let until = watch::may_watch(
                    &bank,
                    subject.code.as_str(),
                    &of_subject(c, &subject.id)?,
                    today,
                )?;
                let row = match active_watch(c, bank.as_str(), &subject.id)? {
                    Some(row) => row,
                    None => {
                        let row = WatchRow {
                            id: new_id(),
                            bank: bank.to_string(),
                            subject_id: subject.id.clone(),
                            since: now(),
                            ended_at: None,
                        };
                        diesel::insert_into(watches::table)
                            .values(&row)
                            .execute(c)?;
                        row
                    }
                };
                out.push(Watched {
                    watch: Watch::try_from(row)?,
                    subject,
                    authorised_until: Some(until),
                });
            }
            Ok(out)
        })
    }

    /// Ends the acting bank's watches on these subjects; returns how many it ended.
    pub fn unwatch_subjects(
        &self,
        actor: &DepartmentPrincipal,
        codes: &[String],
    ) -> Result<usize, StoreError> {
        let bank = bank_of(actor)?.clone();
        let codes = distinct_codes(codes)?;
        self.write(|c| {
            acting_bank(c, actor)?;
            let at = now();
            let mut ended = 0;
            for (i, code) in codes {
                let subject = require_subject(c, code, &format!("input.codes[{i}]"))?;
                ended += diesel::update(
                    watches::table
                        .filter(watches::bank.eq(bank.as_str()))
                        .filter(watches::subject_id.eq(&subject.id))
                        .filter(watches::ended_at.is_null()),
                )
                .set(watches::ended_at.eq(Some(at)))
                .execute(c)?;
            }
            Ok(ended)
        })
    }

    /// The acting bank's watchlist, newest first.
    pub fn watchlist(
        &self,
        actor: &DepartmentPrincipal,
        page: &PageRequest,
        today: NaiveDate,
    ) -> Result<Page<Watched>, StoreError> {
        let bank = bank_of(actor)?.clone();
        self.read(|c| {
            acting_bank(c, actor)?;
            let q = watches::table
                .inner_join(subjects::table)
                .filter(watches::bank.eq(bank.as_str()))
                .filter(watches::ended_at.is_null())
                .select((WatchRow::as_select(), SubjectRow::as_select()))
                .into_boxed();
            let rows: Vec<(WatchRow, SubjectRow)> = newest_first!(c, q, watches::id, page)?;
            let ids: Vec<&str> = rows.iter().map(|(w, _)| w.subject_id.as_str()).collect();
            let auths = of_subjects(c, &ids)?;
            let mut items = Vec::with_capacity(rows.len());
            for (w, s) in rows {
                let subject = Subject::try_from(s)?;
                let own: Vec<_> = auths
                    .iter()
                    .filter(|a| a.subject_id == subject.id)
                    .cloned()
                    .collect();
                items.push(Watched {
                    authorised_until: watch::authorised_until(&bank, &own, today),
                    watch: Watch::try_from(w)?,
                    subject,
                });
            }
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// What the acting bank was told, after number `page.after`, oldest first.
    pub fn watch_feed(
        &self,
        actor: &DepartmentPrincipal,
        page: &PageRequest,
    ) -> Result<Page<Change>, StoreError> {
        let bank = bank_of(actor)?.clone();
        let after = super::changes::cursor(page)?;
        self.read(|c| {
            acting_bank(c, actor)?;
            let items = super::changes::told_to(c, bank.as_str(), after, page.limit())?;
            Ok(Page::from_overfetch(items, page))
        })
    }
}

/// Tells the banks watching the subjects of these just-numbered changes, in the changes'
/// transaction: a row in each bank's feed, and a delivery to its endpoint if it has one.
pub(crate) fn tell_watchers(
    c: &mut AnyConnection,
    numbered: &[(i64, NaiveDateTime, &NewChange)],
) -> Result<(), StoreError> {
    let relevant: Vec<&(i64, NaiveDateTime, &NewChange)> = numbered
        .iter()
        .filter(|(_, _, n)| watch::concerns_watchers(n))
        .collect();
    if relevant.is_empty() {
        return Ok(());
    }
    // Most changes concern nobody's watchlist: one cheap question first.
    let any: Option<String> = watches::table
        .filter(watches::ended_at.is_null())
        .select(watches::id)
        .first(c)
        .optional()?;
    if any.is_none() {
        return Ok(());
    }
    let ids: Vec<&str> = relevant
        .iter()
        .map(|(_, _, n)| n.subject_id.as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut open: Vec<Watch> = Vec::new();
    for chunk in ids.chunks(1_000) {
        open.extend(convert::<_, Watch>(
            watches::table
                .filter(watches::subject_id.eq_any(chunk))
                .filter(watches::ended_at.is_null())
                .select(WatchRow::as_select())
                .load(c)?,
        )?);
    }
    if open.is_empty() {
        return Ok(());
    }
    let watched: Vec<&str> = open.iter().map(|w| w.subject_id.as_str()).collect();
    let auths = of_subjects(c, &watched)?;
    let mut rows = Vec::new();
    let mut notices: HashMap<String, Vec<WatchNotice>> = HashMap::new();
    for w in &open {
        for (seq, at, n) in relevant
            .iter()
            .filter(|(_, _, n)| n.subject_id == w.subject_id)
        {
            if !watch::told(w, &auths, at.and_utc()) {
                continue;
            }
            rows.push((
                watch_events::bank.eq(w.bank.to_string()),
                watch_events::seq.eq(*seq),
            ));
            notices
                .entry(w.bank.to_string())
                .or_default()
                .push(WatchNotice {
                    seq: *seq,
                    at: at.and_utc(),
                    action: n.action.as_str(),
                    entry_id: NodeKind::ListEntry.global_id(&n.target_id),
                    subject_code: n.subject_code.clone(),
                });
        }
    }
    for chunk in rows.chunks(1_000) {
        batch_insert!(c, watch_events::table, chunk)?;
    }
    let hooked = webhooks::subscribers(c, WebhookEvent::WatchedSubjectChanged)?;
    webhooks::enqueue(c, &hooked, notices)?;
    Ok(())
}
