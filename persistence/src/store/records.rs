//! Credit records (licences, penalties, …).

use super::catalogue::acting_department;
use super::changes;
use super::subjects::require_subject;
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::rows::{CreditRecordRow, convert};
use crate::schema::credit_records;
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::feed::{ChangeAction, ChangeTarget};
use domain::node::NodeKind;
use domain::record::RawCreditRecord;
use domain::{CreditRecord, CreditRecordKind, DepartmentCode, DomainError, NewCreditRecord};

#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    pub subject_id: Option<String>,
    pub kind: Option<CreditRecordKind>,
    /// Only what the public may see on this day (published and within publicity).
    pub public_on: Option<NaiveDate>,
}

impl Store {
    /// Adds a record whose source is the acting department.
    pub fn add_credit_record(
        &self,
        actor: &DepartmentPrincipal,
        raw: &RawCreditRecord,
        today: NaiveDate,
    ) -> Result<CreditRecord, StoreError> {
        let new = NewCreditRecord::parse(raw, today)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            let subject = require_subject(c, &raw.subject_code, "input.subject")?;
            access::may_write_record(&department, &subject)?;
            if let Some(earlier) = find_decided(c, &department.code, &new)? {
                return sent_again(&new, &subject.id, earlier);
            }
            let row = record_row(&new, &subject.id, &department.code);
            // In a savepoint: a twin committed since the look-up above leaves the transaction
            // usable, to answer with it.
            let inserted = c.transaction(|c| {
                diesel::insert_into(credit_records::table)
                    .values(&row)
                    .execute(c)
            });
            if let Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) = inserted
            {
                let earlier = find_decided(c, &department.code, &new)?
                    .ok_or_else(|| StoreError::Internal("unique record vanished".into()))?;
                return sent_again(&new, &subject.id, earlier);
            }
            inserted?;
            changes::append(
                c,
                &[changes::made(
                    ChangeTarget::CreditRecord,
                    ChangeAction::Created,
                    &row.id,
                    (&subject.id, subject.code.as_str()),
                    Some(&department.code),
                )],
            )?;
            CreditRecord::try_from(row)
        })
    }

    pub fn credit_records(
        &self,
        filter: &RecordFilter,
        page: &PageRequest,
    ) -> Result<Page<CreditRecord>, StoreError> {
        self.read(|c| {
            let mut q = credit_records::table
                .select(CreditRecordRow::as_select())
                .into_boxed();
            if let Some(s) = &filter.subject_id {
                q = q.filter(credit_records::subject_id.eq(s.clone()));
            }
            if let Some(k) = filter.kind {
                q = q.filter(credit_records::kind.eq(k.as_str()));
            }
            if let Some(today) = filter.public_on {
                q = in_publicity(q, today);
            }
            if let Some(after) = &page.after {
                q = q.filter(credit_records::id.gt(after.clone()));
            }
            let rows = q.order(credit_records::id).limit(page.limit()).load(c)?;
            Ok(Page::from_overfetch(convert(rows)?, page))
        })
    }

    /// The records of several subjects at once (for a page of subjects), in subject then id order:
    /// one query however many subjects.
    pub fn records_of_subjects(
        &self,
        subject_ids: &[String],
        kind: Option<CreditRecordKind>,
        public_on: Option<NaiveDate>,
    ) -> Result<Vec<CreditRecord>, StoreError> {
        self.read(|c| {
            let mut q = credit_records::table
                .select(CreditRecordRow::as_select())
                .filter(credit_records::subject_id.eq_any(subject_ids))
                .into_boxed();
            if let Some(k) = kind {
                q = q.filter(credit_records::kind.eq(k.as_str()));
            }
            if let Some(today) = public_on {
                q = in_publicity(q, today);
            }
            let rows = q
                .order((credit_records::subject_id, credit_records::id))
                .load(c)?;
            convert(rows)
        })
    }
}

/// The record this department already registered under the same kind and decision number.
fn find_decided(
    c: &mut AnyConnection,
    department: &DepartmentCode,
    new: &NewCreditRecord,
) -> Result<Option<CreditRecord>, StoreError> {
    credit_records::table
        .filter(credit_records::source_department.eq(department.as_str()))
        .filter(credit_records::kind.eq(new.kind.as_str()))
        .filter(credit_records::decision_number.eq(&new.decision_number))
        .select(CreditRecordRow::as_select())
        .first(c)
        .optional()?
        .map(CreditRecord::try_from)
        .transpose()
}

/// A record sent again: the same content answers with the record stored the first time (a retry
/// after a lost answer changes nothing); other content under its decision number is a conflict
/// that names it.
fn sent_again(
    new: &NewCreditRecord,
    subject_id: &str,
    earlier: CreditRecord,
) -> Result<CreditRecord, StoreError> {
    if new.same_as(subject_id, &earlier) {
        return Ok(earlier);
    }
    Err(DomainError::conflict(format!(
        "本部门已登记过决定文书号为 {} 的同类记录（编号 {}），内容与本次不同；如需更正，请通过异议更正程序",
        new.decision_number,
        NodeKind::CreditRecord.global_id(&earlier.id)
    ))
    .into())
}

/// The row of a new record from `department`.
pub(crate) fn record_row(
    new: &NewCreditRecord,
    subject_id: &str,
    department: &DepartmentCode,
) -> CreditRecordRow {
    CreditRecordRow {
        id: new_id(),
        subject_id: subject_id.to_owned(),
        kind: new.kind.as_str().to_owned(),
        title: new.title.clone(),
        decision_number: new.decision_number.clone(),
        decision_date: new.decision_date,
        publication_date: new.publication_date,
        legal_basis: new.legal_basis.clone(),
        content: new.content.clone(),
        source_department: department.to_string(),
        dishonesty_class: new.dishonesty_class.map(|k| k.as_str().to_owned()),
        publicity_end: new.publicity_end,
        created_at: now(),
        version: 1,
        withdrawn_at: None,
    }
}

type BoxedRecords<'a> = credit_records::BoxedQuery<
    'a,
    <AnyConnection as Connection>::Backend,
    diesel::dsl::AsSelect<CreditRecordRow, <AnyConnection as Connection>::Backend>,
>;

/// What the public may see on `today`: the same rule as `CreditRecord::is_public_on`, in SQL
/// (`subjects::narrowed` has it once more, as a correlated subquery that a boxed query cannot be).
fn in_publicity(q: BoxedRecords<'_>, today: NaiveDate) -> BoxedRecords<'_> {
    q.filter(credit_records::withdrawn_at.is_null())
        .filter(credit_records::publication_date.le(today))
        .filter(
            credit_records::publicity_end
                .is_null()
                .or(credit_records::publicity_end.ge(today)),
        )
}

impl Store {
    /// Whether anything about the subject is public on `today`: an entry in force or a record in
    /// publicity. The public finds a natural person only then.
    pub fn has_public_standing(
        &self,
        subject_id: &str,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        use crate::schema::list_entries;
        self.read(|c| {
            let entry = list_entries::table
                .filter(list_entries::subject_id.eq(subject_id))
                .filter(super::entries::in_force(today))
                .select(list_entries::id)
                .first::<String>(c)
                .optional()?;
            if entry.is_some() {
                return Ok(true);
            }
            let records = credit_records::table
                .filter(credit_records::subject_id.eq(subject_id))
                .select(CreditRecordRow::as_select())
                .into_boxed();
            Ok(in_publicity(records, today)
                .first::<CreditRecordRow>(c)
                .optional()?
                .is_some())
        })
    }
}
