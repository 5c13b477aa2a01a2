//! What objections and repairs act on: an entry with its list type, or a record; and the archive
//! that keeps a record's earlier version when one of them changes it.

use super::now;
use crate::conn::AnyConnection;
use crate::error::StoreError;
use crate::rows::{CreditRecordRow, ListEntryRow, ListTypeRow};
use crate::schema::{credit_record_versions, credit_records, list_entries, list_types};
use diesel::prelude::*;
use domain::{CreditRecord, ListEntry, ListType};

pub(crate) fn load_entry(
    c: &mut AnyConnection,
    id: &str,
) -> Result<Option<(ListEntry, ListType)>, StoreError> {
    let row: Option<(ListEntryRow, ListTypeRow)> = list_entries::table
        .inner_join(list_types::table)
        .filter(list_entries::id.eq(id))
        .select((ListEntryRow::as_select(), ListTypeRow::as_select()))
        .first(c)
        .optional()?;
    row.map(|(e, t)| Ok((ListEntry::try_from(e)?, ListType::try_from(t)?)))
        .transpose()
}

pub(crate) fn load_record(
    c: &mut AnyConnection,
    id: &str,
) -> Result<Option<CreditRecord>, StoreError> {
    let row = credit_records::table
        .find(id)
        .select(CreditRecordRow::as_select())
        .first(c)
        .optional()?;
    row.map(CreditRecord::try_from).transpose()
}

/// Keeps the record as it is now beside it, before a correction or a repair changes it; the caller
/// then writes the new content with `version + 1`.
pub(crate) fn archive_version(
    c: &mut AnyConnection,
    r: &CreditRecord,
    objection_id: Option<&str>,
) -> Result<(), StoreError> {
    diesel::insert_into(credit_record_versions::table)
        .values((
            credit_record_versions::record_id.eq(&r.id),
            credit_record_versions::version.eq(i32::try_from(r.version).unwrap_or(i32::MAX)),
            credit_record_versions::title.eq(&r.title),
            credit_record_versions::content.eq(&r.content),
            credit_record_versions::legal_basis.eq(&r.legal_basis),
            credit_record_versions::publicity_end.eq(r.publicity_end),
            credit_record_versions::replaced_at.eq(now()),
            credit_record_versions::objection_id.eq(objection_id),
        ))
        .execute(c)?;
    Ok(())
}
