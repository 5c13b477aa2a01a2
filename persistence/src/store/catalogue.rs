//! Jurisdictions, departments and list types: the catalogue the rest hangs on.

use super::{Store, new_id, now};
use crate::conn::AnyConnection;
use crate::error::{OnUnique, StoreError};
use crate::rows::{DepartmentRow, JurisdictionRow, ListTypeRow, convert};
use crate::schema::{associations, departments, jurisdictions, list_types};
use diesel::prelude::*;
use domain::access::{self, DepartmentPrincipal};
use domain::list::ListOwner;
use domain::list::RawListType;
use domain::{Department, DepartmentCode, DomainError, Jurisdiction, ListType, NewListType};

/// Reference data an operator loads (jurisdictions, departments, list types); loading is idempotent.
#[derive(Debug, Clone, Default)]
pub struct ReferenceData {
    pub jurisdictions: Vec<Jurisdiction>,
    pub departments: Vec<Department>,
    pub list_types: Vec<NewListType>,
    /// Departments' accounts that are industry associations (they nominate for red lists).
    pub associations: Vec<DepartmentCode>,
}

impl Store {
    pub fn jurisdictions(&self) -> Result<Vec<Jurisdiction>, StoreError> {
        self.read(|c| {
            let rows = jurisdictions::table
                .order(jurisdictions::code)
                .select(JurisdictionRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }

    pub fn departments(&self) -> Result<Vec<Department>, StoreError> {
        self.read(|c| {
            let rows = departments::table
                .order(departments::code)
                .select(DepartmentRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }

    pub fn department(&self, code: &DepartmentCode) -> Result<Option<Department>, StoreError> {
        self.read(|c| find_department(c, code))
    }

    pub fn list_types(&self) -> Result<Vec<ListType>, StoreError> {
        self.read(|c| {
            let rows = list_types::table
                .order(list_types::code)
                .select(ListTypeRow::as_select())
                .load(c)?;
            convert(rows)
        })
    }

    pub fn list_type_by_id(&self, id: &str) -> Result<Option<ListType>, StoreError> {
        self.read(|c| {
            let row = list_types::table
                .find(id)
                .select(ListTypeRow::as_select())
                .first(c)
                .optional()?;
            row.map(ListType::try_from).transpose()
        })
    }

    /// Creates a list type; only the credit office may.
    pub fn create_list_type(
        &self,
        actor: &DepartmentPrincipal,
        raw: &RawListType,
    ) -> Result<ListType, StoreError> {
        let new = NewListType::parse(raw)?;
        self.write(|c| {
            let department = acting_department(c, actor)?;
            access::may_manage_catalogue(&department)?;
            if let ListOwner::Department(owner) = &new.owner
                && find_department(c, owner)?.is_none()
            {
                return Err(
                    DomainError::invalid("input.owner", format!("部门 {owner} 不存在")).into(),
                );
            }
            insert_list_type(c, &new)
        })
    }

    /// Loads reference data: what is missing is added; a department already there takes the role the
    /// data gives it, and a list type already there its owner and its rules of period, removal and
    /// repair (what the data says of them is the deployment's reference). Returns how many rows were
    /// added.
    pub fn load_reference(&self, data: &ReferenceData) -> Result<usize, StoreError> {
        self.write(|c| {
            let mut added = 0;
            // Parents first, whatever order the data came in.
            let mut places: Vec<&Jurisdiction> = data.jurisdictions.iter().collect();
            places.sort_by_key(|j| (j.code.level() as u8, j.code.clone()));
            for j in places {
                let exists = jurisdictions::table
                    .find(j.code.as_str())
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    let parent = j
                        .code
                        .parent()
                        .filter(|p| data.jurisdictions.iter().any(|k| &k.code == p))
                        .map(|p| p.to_string());
                    diesel::insert_into(jurisdictions::table)
                        .values(JurisdictionRow {
                            code: j.code.to_string(),
                            name: j.name.clone(),
                            parent_code: parent,
                        })
                        .execute(c)?;
                    added += 1;
                }
            }
            for d in &data.departments {
                if find_department(c, &d.code)?.is_none() {
                    diesel::insert_into(departments::table)
                        .values(DepartmentRow::from(d))
                        .execute(c)?;
                    added += 1;
                } else {
                    diesel::update(departments::table.find(d.code.as_str()))
                        .set(departments::role.eq(d.role.as_str()))
                        .execute(c)?;
                }
            }
            for code in &data.associations {
                let exists = associations::table
                    .find(code.as_str())
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    diesel::insert_into(associations::table)
                        .values(associations::code.eq(code.as_str()))
                        .execute(c)?;
                    added += 1;
                }
            }
            for t in &data.list_types {
                let exists = list_types::table
                    .filter(list_types::code.eq(&t.code))
                    .count()
                    .get_result::<i64>(c)?
                    > 0;
                if !exists {
                    insert_list_type(c, t)?;
                    added += 1;
                } else {
                    let row = ListTypeRow::of(t, String::new(), now());
                    diesel::update(list_types::table.filter(list_types::code.eq(&t.code)))
                        .set((
                            list_types::owner_department.eq(row.owner_department),
                            list_types::owner_role.eq(row.owner_role),
                            list_types::max_period_months.eq(row.max_period_months),
                            list_types::removal_grounds.eq(row.removal_grounds),
                            list_types::removal_working_days.eq(row.removal_working_days),
                            list_types::no_repair_basis.eq(row.no_repair_basis),
                        ))
                        .execute(c)?;
                }
            }
            Ok(added)
        })
    }
}

fn insert_list_type(c: &mut AnyConnection, new: &NewListType) -> Result<ListType, StoreError> {
    let row = ListTypeRow::of(new, new_id(), now());
    diesel::insert_into(list_types::table)
        .values(&row)
        .execute(c)
        .on_unique(&format!("名单类型代码 {} 已存在", new.code))?;
    ListType::try_from(row)
}

pub(crate) fn find_department(
    c: &mut AnyConnection,
    code: &DepartmentCode,
) -> Result<Option<Department>, StoreError> {
    let row = departments::table
        .find(code.as_str())
        .select(DepartmentRow::as_select())
        .first(c)
        .optional()?;
    row.map(Department::try_from).transpose()
}

/// The registered department behind a token, checked against the token's claims.
pub(crate) fn acting_department(
    c: &mut AnyConnection,
    actor: &DepartmentPrincipal,
) -> Result<Department, StoreError> {
    let department = find_department(c, &actor.department)?.ok_or_else(|| {
        DomainError::forbidden(format!("令牌中的部门 {} 未登记", actor.department))
    })?;
    access::verify_department(actor, &department)?;
    Ok(department)
}

/// The acting department, when it is the credit office; otherwise FORBIDDEN, saying what only the
/// credit office may do.
pub(crate) fn acting_credit_office(
    c: &mut AnyConnection,
    actor: &DepartmentPrincipal,
    refusal: &str,
) -> Result<Department, StoreError> {
    let department = acting_department(c, actor)?;
    access::may_manage_catalogue(&department).map_err(|_| DomainError::forbidden(refusal))?;
    Ok(department)
}

/// The acting department, which must be a bank (for `bank:query` commands).
pub(crate) fn acting_bank(
    c: &mut AnyConnection,
    actor: &DepartmentPrincipal,
) -> Result<Department, StoreError> {
    let department = acting_department(c, actor)?;
    access::may_act_as_bank(&department)?;
    Ok(department)
}

pub(crate) fn find_list_type_by_code(
    c: &mut AnyConnection,
    code: &str,
) -> Result<Option<ListType>, StoreError> {
    let row = list_types::table
        .filter(list_types::code.eq(code))
        .select(ListTypeRow::as_select())
        .first(c)
        .optional()?;
    row.map(ListType::try_from).transpose()
}

/// A list type a stored row refers to (it exists: the reference is a foreign key).
pub(crate) fn list_type_by_id(c: &mut AnyConnection, id: &str) -> Result<ListType, StoreError> {
    ListType::try_from(
        list_types::table
            .find(id)
            .select(ListTypeRow::as_select())
            .first(c)?,
    )
}
