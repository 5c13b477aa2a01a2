//! Reading objections and correction notices, and setting deadlines.

use super::super::catalogue::acting_department;
use super::super::{Page, PageRequest, Store};
use super::model::*;
use crate::error::StoreError;
use crate::schema::{correction_notices, objection_deadlines, objections};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::DomainError;
use domain::access::{self, DepartmentPrincipal, DispatchScope};
use domain::objection::{CorrectionNotice, Deadlines, Objection, ObjectionStatus};
use std::collections::HashSet;

impl Store {
    /// Objections a department handles; the credit office sees all (and so the overdue ones).
    pub fn objections(
        &self,
        actor: &DepartmentPrincipal,
        filter: &ObjectionFilter,
        today: NaiveDate,
        page: &PageRequest,
    ) -> Result<Page<Objection>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q = objections::table
                .select(ObjectionRow::as_select())
                .into_boxed();
            if let DispatchScope::Own(code) = access::dispatch_scope(&department) {
                q = q.filter(objections::owner_department.eq(code.to_string()));
            }
            if let Some(s) = filter.status {
                q = q.filter(objections::status.eq(s.as_str()));
            }
            if let Some(id) = &filter.id {
                q = q.filter(objections::id.eq(id.clone()));
            }
            // The same rule as Objection::is_overdue, in SQL.
            let submitted = ObjectionStatus::Submitted.as_str();
            let accepted = ObjectionStatus::Accepted.as_str();
            match filter.overdue {
                Some(true) => {
                    q = q.filter(
                        objections::status
                            .eq(submitted)
                            .and(objections::accept_by.lt(today))
                            .or(objections::status
                                .eq(accepted)
                                .and(objections::decide_by.lt(today))),
                    )
                }
                Some(false) => {
                    q = q
                        .filter(
                            objections::status
                                .ne(submitted)
                                .or(objections::accept_by.is_null())
                                .or(objections::accept_by.ge(today)),
                        )
                        .filter(
                            objections::status
                                .ne(accepted)
                                .or(objections::decide_by.is_null())
                                .or(objections::decide_by.ge(today)),
                        )
                }
                None => {}
            }
            if let Some(after) = &page.after {
                q = q.filter(objections::id.gt(after.clone()));
            }
            let rows = q.order(objections::id).limit(page.limit()).load(c)?;
            let items = rows
                .into_iter()
                .map(|row| assemble(c, row))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// Which of these entries and records have an objection pending (异议处理中).
    pub fn pending_objection_targets(&self, ids: &[String]) -> Result<HashSet<String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        self.read(|c| {
            let pending: Vec<&str> = ObjectionStatus::ALL
                .iter()
                .filter(|s| s.is_pending())
                .map(|s| s.as_str())
                .collect();
            let rows: Vec<(Option<String>, Option<String>)> = objections::table
                .filter(objections::status.eq_any(&pending))
                .filter(
                    objections::entry_id
                        .eq_any(ids)
                        .or(objections::record_id.eq_any(ids)),
                )
                .select((objections::entry_id, objections::record_id))
                .load(c)?;
            Ok(rows
                .into_iter()
                .flat_map(|(e, r)| e.into_iter().chain(r))
                .collect())
        })
    }

    /// Correction notices, newest last, of one subject or all.
    pub fn corrections(
        &self,
        subject_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<CorrectionNotice>, StoreError> {
        self.read(|c| {
            let mut q = correction_notices::table
                .select(NoticeRow::as_select())
                .into_boxed();
            if let Some(s) = subject_id {
                q = q.filter(correction_notices::subject_id.eq(s.to_owned()));
            }
            if let Some(after) = &page.after {
                q = q.filter(correction_notices::id.gt(after.clone()));
            }
            let rows = q
                .order(correction_notices::id)
                .limit(page.limit())
                .load(c)?;
            let items = rows
                .into_iter()
                .map(CorrectionNotice::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }

    /// One correction notice (public, as the list).
    pub fn correction(&self, id: &str) -> Result<Option<CorrectionNotice>, StoreError> {
        self.read(|c| {
            correction_notices::table
                .find(id)
                .select(NoticeRow::as_select())
                .first(c)
                .optional()?
                .map(CorrectionNotice::try_from)
                .transpose()
        })
    }

    /// Sets the objection deadlines of a list type or record kind (the credit office).
    pub fn set_objection_deadlines(
        &self,
        actor: &DepartmentPrincipal,
        target: &DeadlineTarget,
        deadlines: Deadlines,
    ) -> Result<(), StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            if let DeadlineTarget::ListType(code) = target
                && super::super::catalogue::find_list_type_by_code(c, code)?.is_none()
            {
                return Err(DomainError::invalid(
                    "input.listType",
                    format!("名单类型 {code} 不存在"),
                )
                .into());
            }
            let key = deadline_key(target);
            diesel::delete(objection_deadlines::table.find(&key)).execute(c)?;
            diesel::insert_into(objection_deadlines::table)
                .values((
                    objection_deadlines::target.eq(&key),
                    objection_deadlines::accept_working_days
                        .eq(i32::try_from(deadlines.accept_working_days).unwrap_or(i32::MAX)),
                    objection_deadlines::decide_working_days
                        .eq(i32::try_from(deadlines.decide_working_days).unwrap_or(i32::MAX)),
                ))
                .execute(c)?;
            Ok(())
        })
    }
}
