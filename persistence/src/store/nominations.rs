//! Nominations by industry associations for red lists; accepted, they are listed as any listing
//! is (with its dispatches and feed), in the decision's transaction.

use super::catalogue::{
    acting_department, find_department, find_list_type_by_code, list_type_by_id,
};
use super::changed_one;
use super::entries::EntryChange;
use super::listing::add_one;
use super::newest_first;
use super::subjects::{load_subject_by_id, require_subject};
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::{associations, list_types, nominations};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::node::NodeKind;
use domain::nomination::{self, Nomination, NominationStatus};
use domain::{DepartmentCode, DomainError};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = nominations, treat_none_as_default_value = false)]
struct NominationRow {
    id: String,
    association: String,
    subject_id: String,
    list_type_id: String,
    reason: String,
    status: String,
    created_at: NaiveDateTime,
    decided_at: Option<NaiveDateTime>,
    decision_note: Option<String>,
    entry_id: Option<String>,
}

impl TryFrom<NominationRow> for Nomination {
    type Error = StoreError;
    fn try_from(r: NominationRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("nomination {}: bad {what}", r.id));
        Ok(Nomination {
            association: DepartmentCode::parse(&r.association).map_err(|_| bad("association"))?,
            status: NominationStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
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

fn is_association(c: &mut AnyConnection, code: &DepartmentCode) -> Result<bool, StoreError> {
    Ok(associations::table
        .find(code.as_str())
        .count()
        .get_result::<i64>(c)?
        > 0)
}

/// Who may see a nomination: the association that made it, and the list's owning department.
pub enum NominationView {
    /// The acting department's own nominations (it is an association).
    Made,
    /// Nominations for the lists the acting department owns.
    Received,
}

impl Store {
    /// An association nominates a subject for a red list.
    pub fn nominate(
        &self,
        actor: &DepartmentPrincipal,
        subject: &str,
        list_type: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Nomination, StoreError> {
        let reason = nomination::reason(reason)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let association = is_association(c, &department.code)?;
            let list_type = find_list_type_by_code(c, list_type.trim())?.ok_or_else(|| {
                DomainError::invalid("input.listType", format!("名单类型 {list_type} 不存在"))
            })?;
            nomination::may_nominate(association, &list_type)?;
            let subject = require_subject(c, subject, "input.subject")?;
            let black =
                super::rewards::black_in_force(c, std::slice::from_ref(&subject.id), today)?;
            domain::reward::refuse_while_black(
                domain::reward::RewardAct::Nomination,
                black.get(&subject.id),
            )?;
            let row = NominationRow {
                id: new_id(),
                association: department.code.to_string(),
                subject_id: subject.id,
                list_type_id: list_type.id,
                reason: reason.clone(),
                status: NominationStatus::Pending.as_str().to_owned(),
                created_at: now(),
                decided_at: None,
                decision_note: None,
                entry_id: None,
            };
            diesel::insert_into(nominations::table)
                .values(&row)
                .execute(c)?;
            Nomination::try_from(row)
        })
    }

    /// The list's owning department accepts (the subject is listed, with its dispatches) or
    /// declines a nomination.
    pub fn decide_nomination(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        accept: bool,
        note: Option<&str>,
        today: NaiveDate,
    ) -> Result<(Nomination, Option<EntryChange>), StoreError> {
        let note = nomination::decision_note(accept, note)?;
        let policy = self.policy.clone();
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let row: NominationRow = nominations::table
                .find(id)
                .select(NominationRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| NodeKind::Nomination.not_found(id))?;
            let found = Nomination::try_from(row)?;
            let list_type = list_type_by_id(c, &found.list_type_id)?;
            nomination::may_decide(&department, &list_type)?;
            let status = found.status.decide(accept)?;
            let mut listed = None;
            if status == NominationStatus::Accepted {
                let subject = load_subject_by_id(c, &found.subject_id)?;
                let association = find_department(c, &found.association)?
                    .map_or_else(|| found.association.to_string(), |d| d.name);
                let raw = nomination::entry_for(
                    &found,
                    subject.code.as_str(),
                    &list_type.code,
                    &association,
                );
                listed = add_one(c, &policy, &department, raw, today)?;
            }
            let entry_id = listed.as_ref().map(|l| l.entry.id.clone());
            let at = now();
            let rows = diesel::update(super::in_state!(nominations, id, found.status.as_str()))
                .set((
                    nominations::status.eq(status.as_str()),
                    nominations::decided_at.eq(Some(at)),
                    nominations::decision_note.eq(&note),
                    nominations::entry_id.eq(&entry_id),
                ))
                .execute(c)?;
            changed_one(rows, "该推荐")?;
            Ok((
                Nomination {
                    status,
                    decided_at: Some(at.and_utc()),
                    decision_note: note,
                    entry_id,
                    ..found
                },
                listed,
            ))
        })
    }

    /// Nominations the acting department made (an association) or received (a list owner),
    /// newest first, optionally by status. With `id`, only that one (`node(id:)`), by the same
    /// rule.
    pub fn nominations(
        &self,
        actor: &DepartmentPrincipal,
        view: NominationView,
        status: Option<NominationStatus>,
        id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Nomination>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q = nominations::table
                .select(NominationRow::as_select())
                .into_boxed();
            q = match view {
                NominationView::Made => {
                    q.filter(nominations::association.eq(department.code.to_string()))
                }
                NominationView::Received => {
                    let owned = list_types::table
                        .filter(list_types::owner_department.eq(department.code.to_string()))
                        .select(list_types::id);
                    q.filter(nominations::list_type_id.eq_any(owned))
                }
            };
            if let Some(s) = status {
                q = q.filter(nominations::status.eq(s.as_str()));
            }
            if let Some(id) = id {
                q = q.filter(nominations::id.eq(id.to_owned()));
            }
            let rows = newest_first!(c, q, nominations::id, page)?;
            let items = rows
                .into_iter()
                .map(Nomination::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// The association that nominated the subject of this entry, if the entry came of one.
    pub fn nominator_of_entry(&self, entry_id: &str) -> Result<Option<DepartmentCode>, StoreError> {
        self.read(|c| {
            let found: Option<String> = nominations::table
                .filter(nominations::entry_id.eq(entry_id))
                .select(nominations::association)
                .first(c)
                .optional()?;
            found
                .map(|code| {
                    DepartmentCode::parse(&code)
                        .map_err(|_| StoreError::Internal(format!("nominator {code}")))
                })
                .transpose()
        })
    }
}
