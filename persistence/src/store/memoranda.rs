//! Memoranda: created, amended (a new version) and retired by the credit office.

use super::catalogue::acting_department;
use super::{Store, new_id, now};
use crate::conn::{AnyConnection, batch_insert};
use crate::error::{OnUnique, StoreError, corrupt};
use crate::rows_joint::{MeasureRow, MemorandumRow, VersionRow, parse_selectors};
use crate::schema::{departments, list_types, measures, memoranda, memorandum_versions};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::memorandum::{ListSelector, Measure, Memorandum, NewMemorandum, RawMemorandum};
use domain::node::NodeKind;
use domain::{DepartmentCode, DomainError};
use std::collections::HashMap;

impl Store {
    pub fn create_memorandum(
        &self,
        actor: &DepartmentPrincipal,
        raw: &RawMemorandum,
    ) -> Result<Memorandum, StoreError> {
        let new = NewMemorandum::parse(raw)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            insert_memorandum(c, &new, &department.code)
        })
    }

    /// A new version of a memorandum: new listings fall under it, earlier dispatches keep theirs.
    pub fn amend_memorandum(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
        raw: &RawMemorandum,
    ) -> Result<Memorandum, StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            let row = find_row(c, id)?;
            if row.retired_at.is_some() {
                return Err(DomainError::conflict("该备忘录已废止，不能修订").into());
            }
            // The key names the memorandum; an amendment keeps it.
            let raw = RawMemorandum {
                key: row.key.clone(),
                ..raw.clone()
            };
            let new = NewMemorandum::parse(&raw)?;
            check_references(c, &new)?;
            let current: i32 = memorandum_versions::table
                .filter(memorandum_versions::memorandum_id.eq(id))
                .select(diesel::dsl::max(memorandum_versions::version))
                .first::<Option<i32>>(c)?
                .unwrap_or(0);
            let version_id = insert_version(c, id, current + 1, &new, &department.code)?;
            diesel::update(memoranda::table.find(id))
                .set(memoranda::current_version_id.eq(&version_id))
                .execute(c)?;
            load_by_version_ids(c, &[version_id])?
                .pop()
                .ok_or_else(|| StoreError::Internal("amended version vanished".into()))
        })
    }

    /// Retires a memorandum: no new dispatches under it; what was dispatched stands.
    pub fn retire_memorandum(
        &self,
        actor: &DepartmentPrincipal,
        id: &str,
    ) -> Result<Memorandum, StoreError> {
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            let row = find_row(c, id)?;
            if row.retired_at.is_some() {
                return Err(DomainError::conflict("该备忘录已经废止").into());
            }
            diesel::update(memoranda::table.find(id))
                .set(memoranda::retired_at.eq(Some(now())))
                .execute(c)?;
            load_by_version_ids(c, &[row.current_version_id])?
                .pop()
                .ok_or_else(|| StoreError::Internal("retired memorandum vanished".into()))
        })
    }

    /// Current versions, retired ones included when asked.
    pub fn memoranda(&self, include_retired: bool) -> Result<Vec<Memorandum>, StoreError> {
        self.read(|c| {
            let mut all = current_memoranda(c)?;
            if !include_retired {
                all.retain(|m| !m.retired);
            }
            Ok(all)
        })
    }

    pub fn memorandum(&self, id: &str) -> Result<Option<Memorandum>, StoreError> {
        self.read(|c| {
            let Some(row) = memoranda::table
                .find(id)
                .select(MemorandumRow::as_select())
                .first(c)
                .optional()?
            else {
                return Ok(None);
            };
            Ok(load_by_version_ids(c, &[row.current_version_id])?.pop())
        })
    }

    /// Memorandum versions by id (a dispatch shows the version it was made under).
    pub fn memorandum_versions(
        &self,
        version_ids: &[String],
    ) -> Result<Vec<Memorandum>, StoreError> {
        if version_ids.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| load_by_version_ids(c, version_ids))
    }

    /// One measure, from the memorandum version it belongs to (public, as the memoranda are).
    pub fn measure(&self, id: &str) -> Result<Option<domain::memorandum::Measure>, StoreError> {
        self.read(|c| {
            let Some(version) = crate::schema::measures::table
                .find(id)
                .select(crate::schema::measures::version_id)
                .first::<String>(c)
                .optional()?
            else {
                return Ok(None);
            };
            Ok(load_by_version_ids(c, &[version])?
                .pop()
                .and_then(|m| m.measures.into_iter().find(|x| x.id == id)))
        })
    }

    /// Loads a memorandum unless one with its key exists (seeding); returns whether it was added.
    pub fn seed_memorandum(
        &self,
        by: &DepartmentCode,
        new: &NewMemorandum,
    ) -> Result<bool, StoreError> {
        self.write(|c| {
            let exists = memoranda::table
                .filter(memoranda::key.eq(&new.key))
                .count()
                .get_result::<i64>(c)?
                > 0;
            if exists {
                return Ok(false);
            }
            insert_memorandum(c, new, by)?;
            Ok(true)
        })
    }
}

fn find_row(c: &mut AnyConnection, id: &str) -> Result<MemorandumRow, StoreError> {
    memoranda::table
        .find(id)
        .select(MemorandumRow::as_select())
        .first(c)
        .optional()?
        .ok_or_else(|| NodeKind::Memorandum.not_found(id).into())
}

/// Named list types and implementing departments must exist in this deployment.
fn check_references(c: &mut AnyConnection, new: &NewMemorandum) -> Result<(), StoreError> {
    for selector in &new.list_types {
        if let ListSelector::Code(code) = selector {
            let known = list_types::table
                .filter(list_types::code.eq(code))
                .count()
                .get_result::<i64>(c)?
                > 0;
            if !known {
                return Err(DomainError::invalid(
                    "input.listTypes",
                    format!("名单类型 {code} 不存在"),
                )
                .into());
            }
        }
    }
    let codes: Vec<String> = departments::table.select(departments::code).load(c)?;
    for (i, m) in new.measures.iter().enumerate() {
        for name in &m.implementers {
            if !codes
                .iter()
                .any(|code| code.split_once('.').is_some_and(|(_, n)| n == name))
            {
                return Err(DomainError::invalid(
                    format!("input.measures[{i}].implementers"),
                    format!("没有简称为 {name} 的部门"),
                )
                .into());
            }
        }
    }
    Ok(())
}

fn insert_memorandum(
    c: &mut AnyConnection,
    new: &NewMemorandum,
    by: &DepartmentCode,
) -> Result<Memorandum, StoreError> {
    check_references(c, new)?;
    let id = new_id();
    let version_id = new_id();
    diesel::insert_into(memoranda::table)
        .values(MemorandumRow {
            id: id.clone(),
            key: new.key.clone(),
            current_version_id: version_id.clone(),
            retired_at: None,
            created_at: now(),
        })
        .execute(c)
        .on_unique(&format!("备忘录代码 {} 已存在", new.key))?;
    insert_version_with_id(c, &version_id, &id, 1, new, by)?;
    load_by_version_ids(c, &[version_id])?
        .pop()
        .ok_or_else(|| StoreError::Internal("new memorandum vanished".into()))
}

fn insert_version(
    c: &mut AnyConnection,
    memorandum_id: &str,
    version: i32,
    new: &NewMemorandum,
    by: &DepartmentCode,
) -> Result<String, StoreError> {
    let id = new_id();
    insert_version_with_id(c, &id, memorandum_id, version, new, by)?;
    Ok(id)
}

fn insert_version_with_id(
    c: &mut AnyConnection,
    id: &str,
    memorandum_id: &str,
    version: i32,
    new: &NewMemorandum,
    by: &DepartmentCode,
) -> Result<(), StoreError> {
    diesel::insert_into(memorandum_versions::table)
        .values(VersionRow {
            id: id.to_owned(),
            memorandum_id: memorandum_id.to_owned(),
            version,
            title: new.title.clone(),
            document_number: new.document_number.clone(),
            issued_by: new.issued_by.join("\n"),
            effective_date: new.effective_date,
            list_types: new
                .list_types
                .iter()
                .map(ListSelector::as_string)
                .collect::<Vec<_>>()
                .join(","),
            feedback_due_quarters: i32::try_from(new.feedback_due_quarters).unwrap_or(1),
            lift_working_days: i32::try_from(new.lift_working_days)
                .unwrap_or(domain::lift::DEFAULT_LIFT_WORKING_DAYS as i32),
            created_by: by.to_string(),
            created_at: now(),
        })
        .execute(c)?;
    let rows: Vec<MeasureRow> = new
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| MeasureRow::from_measure(m, new_id(), id, i))
        .collect();
    batch_insert!(c, measures::table, &rows)?;
    Ok(())
}

/// The current version of every memorandum.
pub(crate) fn current_memoranda(c: &mut AnyConnection) -> Result<Vec<Memorandum>, StoreError> {
    let ids: Vec<String> = memoranda::table
        .order(memoranda::created_at)
        .select(memoranda::current_version_id)
        .load(c)?;
    load_by_version_ids(c, &ids)
}

/// Memoranda at the given versions, with their measures, in the order of `version_ids`.
pub(crate) fn load_by_version_ids(
    c: &mut AnyConnection,
    version_ids: &[String],
) -> Result<Vec<Memorandum>, StoreError> {
    if version_ids.is_empty() {
        return Ok(Vec::new());
    }
    let versions: Vec<(VersionRow, MemorandumRow)> = memorandum_versions::table
        .inner_join(memoranda::table)
        .filter(memorandum_versions::id.eq_any(version_ids))
        .select((VersionRow::as_select(), MemorandumRow::as_select()))
        .load(c)?;
    let measure_rows: Vec<MeasureRow> = measures::table
        .filter(measures::version_id.eq_any(version_ids))
        .order((measures::version_id, measures::position))
        .select(MeasureRow::as_select())
        .load(c)?;
    let mut by_version: HashMap<String, Vec<Measure>> = HashMap::new();
    for row in measure_rows {
        let version = row.version_id.clone();
        by_version
            .entry(version)
            .or_default()
            .push(Measure::try_from(row)?);
    }
    let mut out: HashMap<String, Memorandum> = HashMap::new();
    for (v, m) in versions {
        let memorandum = Memorandum {
            id: m.id,
            version_id: v.id.clone(),
            version: u32::try_from(v.version)
                .map_err(|_| corrupt("version", &v.version.to_string()))?,
            key: m.key,
            title: v.title,
            document_number: v.document_number,
            issued_by: v.issued_by.lines().map(str::to_owned).collect(),
            effective_date: v.effective_date,
            list_types: parse_selectors(&v.list_types)?,
            feedback_due_quarters: u32::try_from(v.feedback_due_quarters).unwrap_or(1),
            lift_working_days: u32::try_from(v.lift_working_days)
                .unwrap_or(domain::lift::DEFAULT_LIFT_WORKING_DAYS),
            retired: m.retired_at.is_some(),
            measures: by_version.remove(&v.id).unwrap_or_default(),
        };
        out.insert(v.id, memorandum);
    }
    Ok(version_ids.iter().filter_map(|id| out.remove(id)).collect())
}
