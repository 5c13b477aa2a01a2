//! Credit commitments: published by subjects, assessed by the department each was made to; a
//! broken one becomes a credit record in the same transaction.

use super::catalogue::{acting_department, find_department};
use super::changed_one;
use super::changes;
use super::newest_first;
use super::records::record_row;
use super::subjects::{load_subject_by_id, require_subject};
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{OnUnique, StoreError};
use crate::schema::{commitments, credit_records};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::commitment::{
    self, Commitment, CommitmentKind, CommitmentStatus, NewCommitment, RawCommitment,
};
use domain::feed::{ChangeAction, ChangeTarget};
use domain::node::NodeKind;
use domain::{DepartmentCode, DomainError, NewCreditRecord, SubjectCode};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = commitments, treat_none_as_default_value = false)]
struct CommitmentRow {
    id: String,
    subject_id: String,
    kind: String,
    text: String,
    scope: String,
    department: String,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    made_at: NaiveDateTime,
    status: String,
    assessed_at: Option<NaiveDateTime>,
    note: Option<String>,
    record_id: Option<String>,
}

impl TryFrom<CommitmentRow> for Commitment {
    type Error = StoreError;
    fn try_from(r: CommitmentRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Internal(format!("commitment {}: bad {what}", r.id));
        Ok(Commitment {
            kind: CommitmentKind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
            status: CommitmentStatus::parse(&r.status).ok_or_else(|| bad("status"))?,
            department: DepartmentCode::parse(&r.department).map_err(|_| bad("department"))?,
            made_at: r.made_at.and_utc(),
            assessed_at: r.assessed_at.map(|t| t.and_utc()),
            id: r.id,
            subject_id: r.subject_id,
            text: r.text,
            scope: r.scope,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            note: r.note,
            record_id: r.record_id,
        })
    }
}

fn page_of(
    c: &mut AnyConnection,
    q: commitments::BoxedQuery<'_, <AnyConnection as diesel::Connection>::Backend>,
    page: &PageRequest,
) -> Result<Page<Commitment>, StoreError> {
    let rows: Vec<CommitmentRow> = newest_first!(
        c,
        q.select(CommitmentRow::as_select()),
        commitments::id,
        page
    )?;
    let items = rows
        .into_iter()
        .map(Commitment::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(items, page))
}

impl Store {
    /// A subject (by its own code) publishes a commitment to a department.
    pub fn publish_commitment(
        &self,
        subject: &SubjectCode,
        raw: &RawCommitment,
        today: NaiveDate,
    ) -> Result<Commitment, StoreError> {
        let new = NewCommitment::parse(raw, today)?;
        self.write(|c| {
            let subject = require_subject(c, subject.as_str(), "sub")?;
            if find_department(c, &new.department)?.is_none() {
                return Err(DomainError::invalid(
                    "input.department",
                    format!("部门 {} 未登记", new.department),
                )
                .into());
            }
            let row = CommitmentRow {
                id: new_id(),
                subject_id: subject.id,
                kind: new.kind.as_str().to_owned(),
                text: new.text.clone(),
                scope: new.scope.clone(),
                department: new.department.to_string(),
                valid_from: new.valid_from,
                valid_until: new.valid_until,
                made_at: now(),
                status: CommitmentStatus::Open.as_str().to_owned(),
                assessed_at: None,
                note: None,
                record_id: None,
            };
            diesel::insert_into(commitments::table)
                .values(&row)
                .execute(c)?;
            Commitment::try_from(row)
        })
    }

    /// The department a commitment was made to records whether it was kept; a broken one becomes
    /// a credit record of the subject (kind commitment), and a candidate for any black list whose
    /// criterion of broken commitments the subject now meets, in the same transaction.
    pub fn assess_commitment(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        kept: bool,
        note: Option<&str>,
        class: Option<domain::DishonestyClass>,
        today: NaiveDate,
    ) -> Result<Commitment, StoreError> {
        let note = commitment::breach_note(kept, note)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let row: CommitmentRow = commitments::table
                .find(id)
                .select(CommitmentRow::as_select())
                .first(c)
                .optional()?
                .ok_or_else(|| NodeKind::Commitment.not_found(id))?;
            let found = Commitment::try_from(row)?;
            commitment::may_assess(&department.code, &found)?;
            let status = found.status.assess(kept)?;
            let record_id = if status == CommitmentStatus::Broken {
                let subject = load_subject_by_id(c, &found.subject_id)?;
                access::may_write_record(&department, &subject)?;
                let raw = commitment::breach_record(
                    &found.id,
                    found.kind,
                    subject.code.as_str(),
                    &found.scope,
                    note.as_deref().unwrap_or_default(),
                    class.unwrap_or(commitment::DEFAULT_BREACH_CLASS),
                    today,
                );
                let new = NewCreditRecord::parse(&raw, today)?;
                let record = record_row(&new, &subject.id, &department.code);
                diesel::insert_into(credit_records::table)
                    .values(&record)
                    .execute(c)
                    .on_unique("该承诺的失信记录已存在")?;
                changes::append(
                    c,
                    &[changes::made(
                        ChangeTarget::CreditRecord,
                        ChangeAction::Created,
                        &record.id,
                        (&subject.id, subject.code.as_str()),
                        Some(&department.code),
                    )],
                )?;
                Some(record.id)
            } else {
                None
            };
            let at = now();
            let rows = diesel::update(super::in_state!(commitments, id, found.status.as_str()))
                .set((
                    commitments::status.eq(status.as_str()),
                    commitments::assessed_at.eq(Some(at)),
                    commitments::note.eq(&note),
                    commitments::record_id.eq(&record_id),
                ))
                .execute(c)?;
            changed_one(rows, "该信用承诺")?;
            if status == CommitmentStatus::Broken {
                let proposed = super::candidates::propose(c, &found.subject_id, today)?;
                if !proposed.is_empty() {
                    tracing::info!(
                        candidates = proposed.len(),
                        "broken commitments met a list's criterion"
                    );
                }
            }
            Ok(Commitment {
                status,
                assessed_at: Some(at.and_utc()),
                note,
                record_id,
                ..found
            })
        })
    }

    /// One commitment: public, as a subject's list of them.
    pub fn commitment(&self, id: &str) -> Result<Option<Commitment>, StoreError> {
        self.read(|c| {
            let q = commitments::table
                .filter(commitments::id.eq(id.to_owned()))
                .into_boxed();
            Ok(page_of(
                c,
                q,
                &PageRequest {
                    first: 1,
                    after: None,
                },
            )?
            .items
            .pop())
        })
    }

    /// A subject's commitments, newest first: public.
    pub fn commitments_of(
        &self,
        code: &str,
        page: &PageRequest,
    ) -> Result<Page<Commitment>, StoreError> {
        self.read(|c| {
            let subject = require_subject(c, code, "subject")?;
            let q = commitments::table
                .filter(commitments::subject_id.eq(subject.id))
                .into_boxed();
            page_of(c, q, page)
        })
    }

    /// The commitments made to the acting department, newest first, optionally by status.
    pub fn commitments_made_to(
        &self,
        actor: &DepartmentPrincipal,
        status: Option<CommitmentStatus>,
        page: &PageRequest,
    ) -> Result<Page<Commitment>, StoreError> {
        self.read(|c| {
            let department = acting_department(c, actor)?;
            let mut q = commitments::table
                .filter(commitments::department.eq(department.code.to_string()))
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(commitments::status.eq(s.as_str()));
            }
            page_of(c, q, page)
        })
    }
}
