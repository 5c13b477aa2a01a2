//! Subjects: registration and look-up.

use super::catalogue::acting_department;
use super::changes;
use super::entries::in_force;
use super::{Page, PageRequest, Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{OnUnique, StoreError};
use crate::rows::{ListEntryRow, SubjectRow, convert};
use crate::schema::{jurisdictions, list_entries, subjects};
use chrono::NaiveDate;
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::feed::{ChangeAction, ChangeTarget};
use domain::subject::{CodeLookup, RawSubject, invalid_code_message};
use domain::{
    DepartmentCode, DomainError, JurisdictionCode, ListEntry, NewSubject, Subject, SubjectKind,
};
use std::collections::{HashMap, HashSet};

/// What `subjects(…)` filters by.
#[derive(Debug, Clone, Default)]
pub struct SubjectFilter {
    /// A part of the name, or a whole code.
    pub search: Option<String>,
    pub kind: Option<SubjectKind>,
    pub jurisdiction: Option<JurisdictionCode>,
    /// For the public: natural persons only where something about them is public on this day
    /// (an entry in force or a record in publicity).
    pub persons_public_on: Option<chrono::NaiveDate>,
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `\` as escape.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

impl Store {
    /// Registers a subject on behalf of a department.
    pub fn register_subject(
        &self,
        actor: &DepartmentPrincipal,
        raw: RawSubject,
        today: NaiveDate,
    ) -> Result<Subject, StoreError> {
        let new = NewSubject::parse(raw, today)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_register_subject(&department, &new)?;
            let known = jurisdictions::table
                .find(new.jurisdiction.as_str())
                .count()
                .get_result::<i64>(c)?
                > 0;
            if !known {
                return Err(DomainError::invalid(
                    "input.jurisdiction",
                    format!("行政区划 {} 不在本平台", new.jurisdiction),
                )
                .into());
            }
            let row = subject_row(&new, &department.code, now());
            diesel::insert_into(subjects::table)
                .values(&row)
                .execute(c)
                .on_unique("该代码的主体已经登记")?;
            changes::append(
                c,
                &[changes::made(
                    ChangeTarget::Subject,
                    ChangeAction::Created,
                    &row.id,
                    (&row.id, &row.code),
                    Some(&department.code),
                )],
            )?;
            Subject::try_from(row)
        })
    }

    /// Finds a subject by a code someone typed. `field` names the argument, for the error when
    /// the code itself is invalid; a valid code that names no subject is `Ok(None)`.
    pub fn subject_by_code(&self, code: &str, field: &str) -> Result<Option<Subject>, StoreError> {
        self.read(|c| find_subject_by_code(c, code, field))
    }

    /// The public look-up in one statement: a subject by code with its entries in force.
    pub fn subject_with_entries_in_force(
        &self,
        code: &str,
        field: &str,
        today: NaiveDate,
    ) -> Result<Option<(Subject, Vec<ListEntry>)>, StoreError> {
        self.read(|c| {
            let lookup = CodeLookup::parse(code)
                .map_err(|e| DomainError::invalid(field, invalid_code_message(code, e)))?;
            let on = list_entries::subject_id
                .eq(subjects::id)
                .and(in_force(today));
            // Not boxed: a query of static shape is prepared once per connection, not per call
            // (this is the public look-up, the platform's hottest statement).
            let q = subjects::table
                .left_join(list_entries::table.on(on))
                .filter(subjects::code.eq(lookup.as_str()))
                .select((SubjectRow::as_select(), Option::<ListEntryRow>::as_select()))
                .order(list_entries::id);
            let rows: Vec<(SubjectRow, Option<ListEntryRow>)> = if lookup.needs_exception_flag() {
                q.filter(subjects::check_exception.eq(true)).load(c)?
            } else {
                q.load(c)?
            };
            let mut rows = rows.into_iter();
            let Some((first, entry)) = rows.next() else {
                return found_or_invalid(None, &lookup, field).map(|_| None);
            };
            let entries = entry
                .into_iter()
                .chain(rows.filter_map(|(_, e)| e))
                .map(ListEntry::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some((Subject::try_from(first)?, entries)))
        })
    }

    pub fn subject_by_id(&self, id: &str) -> Result<Option<Subject>, StoreError> {
        self.read(|c| {
            let row = subjects::table
                .find(id)
                .select(SubjectRow::as_select())
                .first(c)
                .optional()?;
            row.map(Subject::try_from).transpose()
        })
    }

    /// Subjects in id order; with `search`, ranked: exact name or code first, then names that begin
    /// with it, then names that contain it (each in id order). Items come with their cursors.
    pub fn subjects(
        &self,
        filter: &SubjectFilter,
        page: &PageRequest,
    ) -> Result<Page<(String, Subject)>, StoreError> {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let backend = self.backend();
        let window = self.policy().search_window.max(1);
        self.read(|c| match search {
            None => {
                let rows = narrowed(filter, page.after.as_deref())
                    .order(subjects::id)
                    .limit(page.limit())
                    .load(c)?;
                let items = convert::<_, Subject>(rows)?
                    .into_iter()
                    .map(|s| (s.id.clone(), s))
                    .collect();
                Ok(Page::from_overfetch(items, page))
            }
            Some(text) => super::search::ranked(c, backend, window, filter, text, page),
        })
    }
}

pub(super) type BoxedSubjects<'a> = subjects::BoxedQuery<
    'a,
    <AnyConnection as Connection>::Backend,
    diesel::dsl::AsSelect<SubjectRow, <AnyConnection as Connection>::Backend>,
>;

/// The filters every listing of subjects shares: kind, jurisdiction, and the page's start.
pub(super) fn narrowed<'a>(filter: &SubjectFilter, after: Option<&str>) -> BoxedSubjects<'a> {
    let mut q = subjects::table.select(SubjectRow::as_select()).into_boxed();
    if let Some(kind) = filter.kind {
        q = q.filter(subjects::kind.eq(kind.as_str()));
    }
    if let Some(j) = &filter.jurisdiction {
        let (first, last) = j.code_range();
        q = q.filter(subjects::jurisdiction_code.between(first, last));
    }
    if let Some(after) = after {
        q = q.filter(subjects::id.gt(after.to_owned()));
    }
    if let Some(today) = filter.persons_public_on {
        use crate::schema::{credit_records, list_entries};
        let entry_in_force = list_entries::table
            .filter(list_entries::subject_id.eq(subjects::id))
            .filter(super::entries::in_force(today))
            .select(list_entries::id);
        // `records::in_publicity`'s rule.
        let record_in_publicity = credit_records::table
            .filter(credit_records::subject_id.eq(subjects::id))
            .filter(credit_records::withdrawn_at.is_null())
            .filter(credit_records::publication_date.le(today))
            .filter(
                credit_records::publicity_end
                    .is_null()
                    .or(credit_records::publicity_end.ge(today)),
            )
            .select(credit_records::id);
        q = q.filter(
            subjects::kind
                .ne(SubjectKind::NaturalPerson.as_str())
                .or(diesel::dsl::exists(entry_in_force))
                .or(diesel::dsl::exists(record_in_publicity)),
        );
    }
    q
}

pub(crate) fn find_subject_by_code(
    c: &mut AnyConnection,
    input: &str,
    field: &str,
) -> Result<Option<Subject>, StoreError> {
    let lookup = CodeLookup::parse(input)
        .map_err(|e| DomainError::invalid(field, invalid_code_message(input, e)))?;
    let mut q = subjects::table
        .filter(subjects::code.eq(lookup.as_str()))
        .into_boxed();
    if lookup.needs_exception_flag() {
        q = q.filter(subjects::check_exception.eq(true));
    }
    let row = q.select(SubjectRow::as_select()).first(c).optional()?;
    let found = row.map(Subject::try_from).transpose()?;
    found_or_invalid(found, &lookup, field)
}

/// The row of a new subject registered by `department` at `made`.
pub(crate) fn subject_row(
    new: &NewSubject,
    department: &DepartmentCode,
    made: chrono::NaiveDateTime,
) -> SubjectRow {
    SubjectRow {
        id: new_id(),
        code: new.code.as_str().to_owned(),
        check_exception: new.check_exception,
        kind: new.kind.as_str().to_owned(),
        name: new.name.clone(),
        jurisdiction_code: new.jurisdiction.to_string(),
        representative_name: new.representative.as_ref().map(|r| r.name.clone()),
        representative_id_number: new
            .representative
            .as_ref()
            .and_then(|r| r.id_number.as_ref().map(|i| i.as_str().to_owned())),
        registered_by: department.to_string(),
        created_at: made,
        established_on: new.established_on,
    }
}

/// The subjects named by many typed codes, by their canonical code, in a few queries. Codes that
/// fail their check are left out: [`resolve_subject`] looks those up one by one.
pub(crate) fn subjects_by_code<'a>(
    c: &mut AnyConnection,
    inputs: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Subject>, StoreError> {
    let exact: Vec<String> = inputs
        .filter_map(|input| match CodeLookup::parse(input) {
            Ok(CodeLookup::Exact(code)) => Some(code.as_str().to_owned()),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut found = HashMap::with_capacity(exact.len());
    for chunk in exact.chunks(CODES_PER_STATEMENT) {
        let rows = subjects::table
            .filter(subjects::code.eq_any(chunk))
            .select(SubjectRow::as_select())
            .load(c)?;
        for s in convert::<_, Subject>(rows)? {
            found.insert(s.code.as_str().to_owned(), s);
        }
    }
    Ok(found)
}

/// The subject a typed code names, from those [`subjects_by_code`] read, as
/// [`require_subject`] would answer.
pub(crate) fn resolve_subject(
    c: &mut AnyConnection,
    known: &HashMap<String, Subject>,
    input: &str,
    field: &str,
) -> Result<Subject, StoreError> {
    match CodeLookup::parse(input) {
        Ok(CodeLookup::Exact(code)) => known
            .get(code.as_str())
            .cloned()
            .ok_or_else(|| DomainError::not_found("主体", input.trim().to_uppercase()).into()),
        // A code failing its check names a subject only if registered as a pilot exception.
        Ok(CodeLookup::PilotOnly(..)) => require_subject(c, input, field),
        Err(e) => Err(DomainError::invalid(field, invalid_code_message(input, e)).into()),
    }
}

/// Codes per `IN` list: well under PostgreSQL's 65,535 parameters.
const CODES_PER_STATEMENT: usize = 2_000;

/// A look-up's answer: a code failing its check names nothing unless registered as an exception,
/// so when nothing is found it is invalid; a valid code may name nothing.
fn found_or_invalid(
    found: Option<Subject>,
    lookup: &CodeLookup,
    field: &str,
) -> Result<Option<Subject>, StoreError> {
    match (found, lookup) {
        (Some(s), _) => Ok(Some(s)),
        (None, CodeLookup::PilotOnly(code, why)) => {
            Err(DomainError::invalid(field, invalid_code_message(code.as_str(), *why)).into())
        }
        (None, CodeLookup::Exact(_)) => Ok(None),
    }
}

/// As [`find_subject_by_code`], for commands that need the subject to exist.
pub(crate) fn require_subject(
    c: &mut AnyConnection,
    input: &str,
    field: &str,
) -> Result<Subject, StoreError> {
    find_subject_by_code(c, input, field)?
        .ok_or_else(|| DomainError::not_found("主体", input.trim().to_uppercase()).into())
}

pub(crate) fn load_subject_by_id(c: &mut AnyConnection, id: &str) -> Result<Subject, StoreError> {
    let row = subjects::table
        .find(id)
        .select(SubjectRow::as_select())
        .first(c)?;
    Subject::try_from(row)
}

#[cfg(test)]
mod tests {
    use super::like_escape;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
