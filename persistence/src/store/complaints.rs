//! Complaints: filed by anyone, routed by the credit office, answered by the department concerned,
//! closed by the credit office; followed by the filer with a receipt and a secret query code.

use super::catalogue::{acting_credit_office, acting_department, find_department};
use super::changed_one;
use super::newest_first;
use super::objections::{hash, random_code};
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::schema::complaints;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::DepartmentPrincipal;
use domain::complaint::{
    self, ANSWER_WORKING_DAYS, Complaint, ComplaintCategory, ComplaintStatus, NewComplaint,
    ROUTE_WORKING_DAYS, RawComplaint,
};
use domain::node::NodeKind;
use domain::{DepartmentCode, DomainError};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = complaints, treat_none_as_default_value = false)]
struct ComplaintRow {
    id: String,
    receipt: String,
    query_code_hash: String,
    category: String,
    about: Option<String>,
    description: String,
    contact: Option<String>,
    status: String,
    filed_on: NaiveDate,
    route_by: Option<NaiveDate>,
    routed_to: Option<String>,
    answer_by: Option<NaiveDate>,
    answer: Option<String>,
    conclusion: Option<String>,
    filed_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    routed_on: Option<NaiveDate>,
}

impl TryFrom<ComplaintRow> for Complaint {
    type Error = StoreError;
    fn try_from(r: ComplaintRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("complaint {}: bad {what}", r.id));
        let code = |c: Option<String>| {
            c.map(|c| DepartmentCode::parse(&c).map_err(|_| bad("department")))
                .transpose()
        };
        Ok(Complaint {
            category: ComplaintCategory::parse(&r.category).ok_or_else(|| bad("category"))?,
            status: ComplaintStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            about: code(r.about.clone())?,
            routed_to: code(r.routed_to.clone())?,
            filed_at: r.filed_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            id: r.id,
            receipt: r.receipt,
            description: r.description,
            contact: r.contact,
            filed_on: r.filed_on,
            route_by: r.route_by,
            routed_on: r.routed_on,
            answer_by: r.answer_by,
            answer: r.answer,
            conclusion: r.conclusion,
        })
    }
}

/// What only the credit office does with complaints.
const OFFICE_ONLY: &str = "只有信用办可以转办或办结投诉";

/// A filed complaint and the secret to follow it with (shown once, kept only hashed).
#[derive(Debug, Clone)]
pub struct FiledComplaint {
    pub complaint: Complaint,
    pub query_code: String,
}

/// Which complaints a department lists.
pub enum ComplaintView {
    /// The credit office: all, optionally by status.
    All(Option<ComplaintStatus>),
    /// Those routed to the acting department.
    RoutedToUs,
}

fn load(c: &mut AnyConnection, id: &str) -> Result<Complaint, StoreError> {
    Complaint::try_from(
        complaints::table
            .find(id)
            .select(ComplaintRow::as_select())
            .first(c)
            .optional()?
            .ok_or_else(|| NodeKind::Complaint.not_found(id))?,
    )
}

impl Store {
    /// Anyone files a complaint; it gets a receipt and a query code.
    pub fn file_complaint(
        &self,
        raw: &RawComplaint,
        today: NaiveDate,
    ) -> Result<FiledComplaint, StoreError> {
        let new = NewComplaint::parse(raw)?;
        let route_by = complaint::deadline(&self.calendar(), today, ROUTE_WORKING_DAYS);
        self.write(|c| {
            if let Some(about) = &new.about
                && find_department(c, about)?.is_none()
            {
                return Err(
                    DomainError::invalid("input.about", format!("部门 {about} 未登记")).into(),
                );
            }
            let query_code = random_code(16);
            let at = now();
            let row = ComplaintRow {
                id: new_id(),
                receipt: format!("TS{}{}", today.format("%Y%m%d"), random_code(6)),
                query_code_hash: hash(&query_code),
                category: new.category.as_str().to_owned(),
                about: new.about.as_ref().map(|d| d.to_string()),
                description: new.description.clone(),
                contact: new.contact.clone(),
                status: ComplaintStatus::Submitted.as_str().to_owned(),
                filed_on: today,
                route_by,
                routed_to: None,
                answer_by: None,
                answer: None,
                conclusion: None,
                filed_at: at,
                updated_at: at,
                routed_on: None,
            };
            diesel::insert_into(complaints::table)
                .values(&row)
                .execute(c)?;
            Ok(FiledComplaint {
                complaint: Complaint::try_from(row)?,
                query_code,
            })
        })
    }

    /// A complaint, for whoever holds its receipt and query code.
    pub fn complaint_by_receipt(
        &self,
        receipt: &str,
        query_code: &str,
    ) -> Result<Complaint, StoreError> {
        self.read(|c| {
            let not_found = || DomainError::not_found("投诉回执", receipt.trim());
            let row: ComplaintRow = complaints::table
                .filter(complaints::receipt.eq(receipt.trim().to_uppercase()))
                .select(ComplaintRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(not_found)?;
            // A wrong code reads as an unknown receipt: receipts cannot be probed.
            if row.query_code_hash != hash(query_code.trim()) {
                return Err(not_found().into());
            }
            Complaint::try_from(row)
        })
    }

    /// The credit office routes a complaint to the department that must answer it.
    pub fn route_complaint(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        to: &str,
        today: NaiveDate,
    ) -> Result<Complaint, StoreError> {
        let answer_by = complaint::deadline(&self.calendar(), today, ANSWER_WORKING_DAYS);
        self.write(|c| {
            acting_credit_office(c, actor, OFFICE_ONLY)?;
            let found = load(c, id)?;
            let status = found.status.route()?;
            let to = DepartmentCode::parse(to.trim())
                .map_err(|e| DomainError::invalid("input.department", e.to_string()))?;
            if find_department(c, &to)?.is_none() {
                return Err(
                    DomainError::invalid("input.department", format!("部门 {to} 未登记")).into(),
                );
            }
            let at = now();
            let rows = diesel::update(super::in_state!(complaints, id, found.status.as_str()))
                .set((
                    complaints::status.eq(status.as_str()),
                    complaints::routed_to.eq(Some(to.to_string())),
                    complaints::answer_by.eq(answer_by),
                    complaints::routed_on.eq(Some(today)),
                    complaints::updated_at.eq(at),
                ))
                .execute(c)?;
            changed_one(rows, "该投诉")?;
            Ok(Complaint {
                status,
                routed_to: Some(to),
                routed_on: Some(today),
                answer_by,
                updated_at: at.and_utc(),
                ..found
            })
        })
    }

    /// The department a complaint was routed to answers it.
    pub fn answer_complaint(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        answer: &str,
    ) -> Result<Complaint, StoreError> {
        let answer = complaint::text("answer", answer)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let found = load(c, id)?;
            if found.routed_to.as_ref() != Some(&department.code) {
                return Err(DomainError::forbidden("该投诉未转办给本部门").into());
            }
            let status = found.status.answer()?;
            let at = now();
            let rows = diesel::update(super::in_state!(complaints, id, found.status.as_str()))
                .set((
                    complaints::status.eq(status.as_str()),
                    complaints::answer.eq(Some(&answer)),
                    complaints::updated_at.eq(at),
                ))
                .execute(c)?;
            changed_one(rows, "该投诉")?;
            Ok(Complaint {
                status,
                answer: Some(answer),
                updated_at: at.and_utc(),
                ..found
            })
        })
    }

    /// The credit office closes a complaint with its conclusion.
    pub fn close_complaint(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        conclusion: &str,
    ) -> Result<Complaint, StoreError> {
        let conclusion = complaint::text("conclusion", conclusion)?;
        self.write(|c| {
            acting_credit_office(c, actor, OFFICE_ONLY)?;
            let found = load(c, id)?;
            let status = found.status.close()?;
            let at = now();
            let rows = diesel::update(super::in_state!(complaints, id, found.status.as_str()))
                .set((
                    complaints::status.eq(status.as_str()),
                    complaints::conclusion.eq(Some(&conclusion)),
                    complaints::updated_at.eq(at),
                ))
                .execute(c)?;
            changed_one(rows, "该投诉")?;
            Ok(Complaint {
                status,
                conclusion: Some(conclusion),
                updated_at: at.and_utc(),
                ..found
            })
        })
    }

    /// Complaints for the credit office (all) or a department (routed to it), newest first. With
    /// `id`, only that one (`node(id:)`), by the same rule.
    pub fn complaints(
        &self,
        actor: &DepartmentPrincipal,
        view: ComplaintView,
        id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Complaint>, StoreError> {
        self.read(|c| {
            let mut q = complaints::table
                .select(ComplaintRow::as_select())
                .into_boxed();
            match view {
                ComplaintView::All(status) => {
                    acting_credit_office(c, actor, "只有信用办可以查看全部投诉")?;
                    if let Some(s) = status {
                        q = q.filter(complaints::status.eq(s.as_str()));
                    }
                }
                ComplaintView::RoutedToUs => {
                    let department = acting_department(c, actor)?;
                    q = q.filter(complaints::routed_to.eq(department.code.to_string()));
                }
            }
            if let Some(id) = id {
                q = q.filter(complaints::id.eq(id.to_owned()));
            }
            let rows = newest_first!(c, q, complaints::id, page)?;
            let items = rows
                .into_iter()
                .map(Complaint::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Page::from_overfetch(items, page))
        })
    }
}

/// Fills the route and answer deadlines of complaints filed or routed past the calendar; returns
/// how many complaints gained one.
pub(crate) fn fill_pending(
    c: &mut AnyConnection,
    calendar: &domain::WorkingDayCalendar,
) -> Result<usize, StoreError> {
    let mut filled = 0;
    let to_route: Vec<(String, NaiveDate)> = complaints::table
        .filter(complaints::route_by.is_null())
        .select((complaints::id, complaints::filed_on))
        .load(c)?;
    for (id, filed_on) in to_route {
        if let Some(by) = complaint::deadline(calendar, filed_on, ROUTE_WORKING_DAYS) {
            diesel::update(complaints::table.find(&id))
                .set(complaints::route_by.eq(Some(by)))
                .execute(c)?;
            filled += 1;
        }
    }
    let to_answer: Vec<(String, Option<NaiveDate>)> = complaints::table
        .filter(complaints::answer_by.is_null())
        .filter(complaints::routed_on.is_not_null())
        .select((complaints::id, complaints::routed_on))
        .load(c)?;
    for (id, routed_on) in to_answer {
        let Some(on) = routed_on else { continue };
        if let Some(by) = complaint::deadline(calendar, on, ANSWER_WORKING_DAYS) {
            diesel::update(complaints::table.find(&id))
                .set(complaints::answer_by.eq(Some(by)))
                .execute(c)?;
            filled += 1;
        }
    }
    Ok(filled)
}
