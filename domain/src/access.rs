//! Who may do what. Every rule about access lives here; the store calls these inside its
//! transactions, after loading the department behind a token.

use crate::department::{Department, DepartmentCode, DepartmentRole};
use crate::error::DomainError;
use crate::jurisdiction::JurisdictionCode;
use crate::list::ListType;
use crate::subject::{NewSubject, Subject, SubjectCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A permission carried in a token's `scopes` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    SubjectsWrite,
    RecordsWrite,
    ListsWrite,
    DispatchHandle,
    ObjectionsHandle,
    MemorandaAdmin,
    StatsRead,
    BankQuery,
    PartnerLookup,
    ChangesRead,
    /// Whole citizen identity numbers of any person: for the departments that administer persons.
    PersonsRead,
}

impl Scope {
    pub const ALL: [Scope; 11] = [
        Scope::SubjectsWrite,
        Scope::RecordsWrite,
        Scope::ListsWrite,
        Scope::DispatchHandle,
        Scope::ObjectionsHandle,
        Scope::MemorandaAdmin,
        Scope::StatsRead,
        Scope::BankQuery,
        Scope::PartnerLookup,
        Scope::ChangesRead,
        Scope::PersonsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SubjectsWrite => "subjects:write",
            Scope::RecordsWrite => "records:write",
            Scope::ListsWrite => "lists:write",
            Scope::DispatchHandle => "dispatch:handle",
            Scope::ObjectionsHandle => "objections:handle",
            Scope::MemorandaAdmin => "memoranda:admin",
            Scope::StatsRead => "stats:read",
            Scope::BankQuery => "bank:query",
            Scope::PartnerLookup => "partner:lookup",
            Scope::ChangesRead => "changes:read",
            Scope::PersonsRead => "persons:read",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A department acting through a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentPrincipal {
    pub department: DepartmentCode,
    /// The `jur` claim; must agree with the department's registered jurisdiction.
    pub jurisdiction: Option<JurisdictionCode>,
    pub scopes: BTreeSet<Scope>,
}

/// A partner app (合作方) acting through a token signed with its registered key or secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerPrincipal {
    pub client_id: String,
    pub scopes: BTreeSet<Scope>,
}

/// Whoever makes a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Principal {
    /// No token: public data only.
    #[default]
    Anonymous,
    Department(DepartmentPrincipal),
    /// A subject itself (`sub` is its code), through the city's identity provider.
    Subject {
        code: SubjectCode,
    },
    /// A partner app registered by the credit office: public fields only, but logged, counted
    /// and rate limited as itself.
    Partner(PartnerPrincipal),
}

impl Principal {
    /// The department behind the request, if it holds `scope`.
    pub fn department_with(&self, scope: Scope) -> Result<&DepartmentPrincipal, DomainError> {
        match self {
            Principal::Anonymous => Err(DomainError::Unauthenticated(
                "此操作需要登录：请提供部门令牌".into(),
            )),
            Principal::Department(d) if d.scopes.contains(&scope) => Ok(d),
            Principal::Department(_) => Err(DomainError::forbidden(format!(
                "令牌缺少权限范围 {}",
                scope.as_str()
            ))),
            Principal::Subject { .. } => Err(DomainError::forbidden("主体令牌不能执行部门操作")),
            Principal::Partner(_) => Err(DomainError::forbidden("合作方令牌不能执行部门操作")),
        }
    }

    pub fn department_code(&self) -> Option<&DepartmentCode> {
        match self {
            Principal::Department(d) => Some(&d.department),
            _ => None,
        }
    }
}

/// Checks a token against the department it names, as registered.
pub fn verify_department(
    principal: &DepartmentPrincipal,
    department: &Department,
) -> Result<(), DomainError> {
    match &principal.jurisdiction {
        Some(j) if *j != department.jurisdiction => Err(DomainError::forbidden(format!(
            "令牌的行政区划 {j} 与部门 {} 的行政区划 {} 不一致",
            department.code, department.jurisdiction
        ))),
        _ => Ok(()),
    }
}

/// A department acts only on subjects inside its own jurisdiction: a county's departments in
/// their county, a city's in the city and its counties.
pub fn may_act_in(department: &Department, place: &JurisdictionCode) -> Result<(), DomainError> {
    if department.jurisdiction.contains(place) {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!(
            "部门 {} 只能处理本辖区（{}）的主体，该主体属于 {place}",
            department.code, department.jurisdiction
        )))
    }
}

pub fn may_register_subject(
    department: &Department,
    subject: &NewSubject,
) -> Result<(), DomainError> {
    may_act_in(department, &subject.jurisdiction)?;
    if subject.check_exception && department.role != DepartmentRole::MarketRegulation {
        return Err(DomainError::forbidden(
            "只有市场监督管理部门可以登记校验位例外的试点代码",
        ));
    }
    Ok(())
}

/// A department writes entries only on list types it owns — by name, or by its role — about
/// subjects in its jurisdiction: a county court lists the debtors of its county, not another's.
pub fn may_write_list(
    department: &Department,
    list_type: &ListType,
    subject: &Subject,
) -> Result<(), DomainError> {
    if !list_type.owner.owns(department) {
        return Err(DomainError::forbidden(format!(
            "名单类型“{}”由{}管理，部门 {} 不能写入",
            list_type.name,
            list_type.owner.describe(),
            department.code
        )));
    }
    may_act_in(department, &subject.jurisdiction)
}

/// A department writes records only as their source, about subjects in its jurisdiction.
pub fn may_write_record(department: &Department, subject: &Subject) -> Result<(), DomainError> {
    may_act_in(department, &subject.jurisdiction)
}

/// Only a bank (role `bank`) acts under `bank:query`: fetches credit reports, watches subjects.
pub fn may_act_as_bank(department: &Department) -> Result<(), DomainError> {
    if department.role == DepartmentRole::Bank {
        Ok(())
    } else {
        Err(DomainError::forbidden(format!(
            "bank:query 权限只用于银行：部门 {} 不是银行",
            department.code
        )))
    }
}

/// A subject authorises only a bank to fetch its report.
pub fn may_be_authorised(department: &Department) -> Result<(), DomainError> {
    if department.role == DepartmentRole::Bank {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "input.bank",
            format!(
                "只能授权银行查询信用报告：{}（{}）不是银行",
                department.name, department.code
            ),
        ))
    }
}

/// The catalogue of list types belongs to the credit office.
pub fn may_manage_catalogue(department: &Department) -> Result<(), DomainError> {
    if department.role == DepartmentRole::CreditOffice {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "只有信用办（发展和改革委员会）可以管理名单类型",
        ))
    }
}

/// How a caller sees the citizen identity numbers of a subject (its code when it is a person, its
/// representative's): 个人信息保护法 asks for the minimum necessary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityView {
    Whole,
    Masked,
    /// A department without `persons:read`: whole only for a subject it registered, has on its own
    /// lists or records, or that authorised it (a bank, for a report); masked for everyone else.
    WholeIfTied,
}

/// Whether the caller sees a subject's identity numbers whole: the subject itself; a department
/// with `persons:read`; another department where it is tied to the subject; no one else.
pub fn identity_view(principal: &Principal, subject_code: &SubjectCode) -> IdentityView {
    match principal {
        Principal::Anonymous | Principal::Partner(_) => IdentityView::Masked,
        Principal::Subject { code } if code == subject_code => IdentityView::Whole,
        Principal::Subject { .. } => IdentityView::Masked,
        Principal::Department(d) if d.scopes.contains(&Scope::PersonsRead) => IdentityView::Whole,
        Principal::Department(_) => IdentityView::WholeIfTied,
    }
}

/// Whether the caller finds a natural person only where something about them is public (an entry
/// in force or a record in publicity): the public and partner apps, so that they cannot confirm
/// whose number a citizen id is. Organisations are found whatever they have.
pub fn finds_persons_only_when_public(principal: &Principal, code: &SubjectCode) -> bool {
    code.is_citizen_id() && sees_persons_only_when_public(principal)
}

/// Whether the caller's lists of subjects hold natural persons only where something about them is
/// public: the public and partner apps.
pub fn sees_persons_only_when_public(principal: &Principal) -> bool {
    matches!(principal, Principal::Anonymous | Principal::Partner(_))
}

/// A partner looks subjects up only with `partner:lookup`; everyone else as before.
pub fn may_look_up(principal: &Principal) -> Result<(), DomainError> {
    match principal {
        Principal::Partner(p) if !p.scopes.contains(&Scope::PartnerLookup) => Err(
            DomainError::forbidden("合作方令牌缺少权限范围 partner:lookup"),
        ),
        _ => Ok(()),
    }
}

/// Whether the caller sees what is not public: entries no longer in force, records out of
/// publicity. Departments do; the public and subjects (for others) do not.
pub fn sees_non_public(principal: &Principal) -> bool {
    matches!(principal, Principal::Department(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{dept, subject};
    use crate::list::ListColour;
    use crate::subject::SubjectKind;

    fn list_type(owner: &str) -> ListType {
        ListType {
            owner: crate::list::ListOwner::Department(DepartmentCode::parse(owner).unwrap()),
            name: "失信被执行人".into(),
            ..crate::fixtures::list_type("court-dishonest-debtor", ListColour::Black)
        }
    }

    #[test]
    fn owner_writes_its_list_in_its_jurisdiction() {
        let court = dept("210900.court", DepartmentRole::Court);
        assert!(may_write_list(&court, &list_type("210900.court"), &subject("210922")).is_ok());
        let tax = dept("210900.tax", DepartmentRole::Tax);
        assert!(matches!(
            may_write_list(&tax, &list_type("210900.court"), &subject("210922")),
            Err(DomainError::Forbidden(_))
        ));
        let county = dept("210922.court", DepartmentRole::Court);
        assert!(may_write_list(&county, &list_type("210922.court"), &subject("210921")).is_err());
        assert!(may_write_list(&county, &list_type("210922.court"), &subject("210922")).is_ok());
    }

    #[test]
    fn scopes_are_required() {
        let p = Principal::Department(DepartmentPrincipal {
            department: DepartmentCode::parse("210900.court").unwrap(),
            jurisdiction: None,
            scopes: [Scope::ListsWrite].into(),
        });
        assert!(p.department_with(Scope::ListsWrite).is_ok());
        assert!(matches!(
            p.department_with(Scope::RecordsWrite),
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            Principal::Anonymous.department_with(Scope::ListsWrite),
            Err(DomainError::Unauthenticated(_))
        ));
    }

    #[test]
    fn token_jurisdiction_must_match() {
        let court = dept("210900.court", DepartmentRole::Court);
        let p = DepartmentPrincipal {
            department: court.code.clone(),
            jurisdiction: Some(JurisdictionCode::parse("210922").unwrap()),
            scopes: BTreeSet::new(),
        };
        assert!(verify_department(&p, &court).is_err());
    }

    #[test]
    fn only_market_regulation_registers_pilot_codes() {
        let raw = crate::subject::RawSubject {
            code: "91350100M0001TGQXM".into(),
            kind: Some(SubjectKind::OtherOrganisation),
            name: "试点".into(),
            jurisdiction: "210902".into(),
            allow_check_exception: true,
            ..Default::default()
        };
        let s = NewSubject::parse(raw, crate::fixtures::d("2026-11-28")).unwrap();
        assert!(
            may_register_subject(&dept("210900.market", DepartmentRole::MarketRegulation), &s)
                .is_ok()
        );
        assert!(may_register_subject(&dept("210900.tax", DepartmentRole::Tax), &s).is_err());
    }

    #[test]
    fn identity_visibility() {
        let code = SubjectCode::parse("210905196408130341").unwrap();
        let view = |p: &Principal| identity_view(p, &code);
        assert_eq!(view(&Principal::Anonymous), IdentityView::Masked);
        let itself = Principal::Subject { code: code.clone() };
        assert_eq!(view(&itself), IdentityView::Whole);
        let other = SubjectCode::parse("110105199709134262").unwrap();
        assert_eq!(
            view(&Principal::Subject { code: other }),
            IdentityView::Masked
        );
        let department = |scopes: &[Scope]| {
            Principal::Department(DepartmentPrincipal {
                department: DepartmentCode::parse("210900.tax").unwrap(),
                jurisdiction: None,
                scopes: scopes.iter().copied().collect(),
            })
        };
        assert_eq!(
            view(&department(&[Scope::RecordsWrite])),
            IdentityView::WholeIfTied
        );
        assert_eq!(
            view(&department(&[Scope::PersonsRead])),
            IdentityView::Whole
        );
        assert!(finds_persons_only_when_public(&Principal::Anonymous, &code));
        assert!(!finds_persons_only_when_public(&department(&[]), &code));
    }

    #[test]
    fn catalogue_is_the_credit_office_s() {
        assert!(may_manage_catalogue(&dept("210900.ndrc", DepartmentRole::CreditOffice)).is_ok());
        assert!(may_manage_catalogue(&dept("210900.court", DepartmentRole::Court)).is_err());
    }
}

/// The subject behind a subject's own token: its account is for it alone.
pub fn own_subject(principal: &Principal) -> Result<&SubjectCode, DomainError> {
    match principal {
        Principal::Subject { code } => Ok(code),
        Principal::Anonymous => Err(DomainError::Unauthenticated(
            "请使用主体本人的令牌登录".into(),
        )),
        Principal::Department(_) | Principal::Partner(_) => {
            Err(DomainError::forbidden("主体账户只向主体本人开放"))
        }
    }
}

/// Whether the caller sees what is not public about this subject: departments do, and the subject
/// itself (its full record); nobody else.
pub fn sees_non_public_of(principal: &Principal, subject: &SubjectCode) -> bool {
    match principal {
        Principal::Subject { code } => code == subject,
        other => sees_non_public(other),
    }
}

/// Which entry status a caller may list (of `subject`, when the list is one subject's):
/// departments and the subject itself any; the public only entries in force. `None` means the
/// caller may see nothing of what it asked for.
pub fn visible_entry_status(
    principal: &Principal,
    subject: Option<&SubjectCode>,
    requested: Option<crate::EntryStatus>,
) -> Option<Option<crate::EntryStatus>> {
    use crate::EntryStatus::Active;
    let full = match subject {
        Some(code) => sees_non_public_of(principal, code),
        None => sees_non_public(principal),
    };
    if full {
        return Some(requested);
    }
    match requested {
        None | Some(Active) => Some(Some(Active)),
        Some(_) => None,
    }
}

/// Whether the caller may see one entry of `subject` that is in `status` (`node(id:)`): as
/// [`visible_entry_status`] lets it list them.
pub fn may_see_entry(
    principal: &Principal,
    subject: &SubjectCode,
    status: crate::EntryStatus,
) -> bool {
    match visible_entry_status(principal, Some(subject), None) {
        Some(None) => true,
        Some(Some(only)) => only == status,
        None => false,
    }
}

/// Whether the caller may see one record of `subject` (`node(id:)`): one in publicity anyone may,
/// the others those who see what is not public about the subject.
pub fn may_see_record(principal: &Principal, subject: &SubjectCode, in_publicity: bool) -> bool {
    in_publicity || sees_non_public_of(principal, subject)
}

#[cfg(test)]
mod visibility_tests {
    use super::*;
    use crate::EntryStatus;

    #[test]
    fn public_sees_only_entries_in_force() {
        let anon = Principal::Anonymous;
        assert_eq!(
            visible_entry_status(&anon, None, None),
            Some(Some(EntryStatus::Active))
        );
        assert_eq!(
            visible_entry_status(&anon, None, Some(EntryStatus::Revoked)),
            None
        );
        let dept = Principal::Department(DepartmentPrincipal {
            department: DepartmentCode::parse("210900.court").unwrap(),
            jurisdiction: None,
            scopes: BTreeSet::new(),
        });
        assert_eq!(
            visible_entry_status(&dept, None, Some(EntryStatus::Revoked)),
            Some(Some(EntryStatus::Revoked))
        );
        assert_eq!(visible_entry_status(&dept, None, None), Some(None));
    }

    #[test]
    fn one_entry_or_record_is_seen_as_the_lists_show_them() {
        let code = SubjectCode::parse("91350100M000100Y43").unwrap();
        let anon = Principal::Anonymous;
        assert!(may_see_entry(&anon, &code, EntryStatus::Active));
        assert!(!may_see_entry(&anon, &code, EntryStatus::Revoked));
        let own = Principal::Subject { code: code.clone() };
        assert!(may_see_entry(&own, &code, EntryStatus::Revoked));
        assert!(may_see_record(&anon, &code, true));
        assert!(!may_see_record(&anon, &code, false));
        assert!(may_see_record(&own, &code, false));
    }
}

/// Which dispatches a department sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchScope {
    /// The credit office sees all.
    All,
    /// Others: those addressed to them (their inbox) and those made from their own entries.
    Own(DepartmentCode),
}

pub fn dispatch_scope(department: &Department) -> DispatchScope {
    if department.role == DepartmentRole::CreditOffice {
        DispatchScope::All
    } else {
        DispatchScope::Own(department.code.clone())
    }
}

/// Only the department a dispatch is addressed to may acknowledge or answer it.
pub fn may_handle_dispatch(
    department: &Department,
    addressee: &DepartmentCode,
) -> Result<(), DomainError> {
    only(department, addressee, || {
        format!("该推送发给 {addressee}，部门 {} 不能处理", department.code)
    })
}

/// The one department that may act, and what the others are told.
fn only(
    department: &Department,
    allowed: &DepartmentCode,
    refusal: impl FnOnce() -> String,
) -> Result<(), DomainError> {
    if &department.code == allowed {
        Ok(())
    } else {
        Err(DomainError::forbidden(refusal()))
    }
}

/// Objections are handled by the department that owns their target (谁认定、谁处理).
pub fn may_handle_objection(
    department: &Department,
    owner: &DepartmentCode,
) -> Result<(), DomainError> {
    only(department, owner, || {
        format!("该异议由 {owner} 处理，部门 {} 不能处理", department.code)
    })
}

/// A repair is decided by the department that made the decision repaired (谁认定、谁修复).
pub fn may_decide_repair(
    department: &Department,
    owner: &DepartmentCode,
) -> Result<(), DomainError> {
    only(department, owner, || {
        format!("该修复申请由 {owner} 决定（谁认定、谁修复）")
    })
}

/// A subject's own affairs (what it may repair, its objections without a query code) are for the
/// subject itself and for departments.
pub fn may_see_own_affairs(
    principal: &Principal,
    subject: &SubjectCode,
) -> Result<(), DomainError> {
    match principal {
        Principal::Department(_) => Ok(()),
        Principal::Subject { code } if code == subject => Ok(()),
        Principal::Subject { .. } => Err(DomainError::forbidden("主体令牌只能查询本主体")),
        Principal::Partner(_) => Err(DomainError::forbidden("合作方只能查询公开信息")),
        Principal::Anonymous => Err(DomainError::Unauthenticated(
            "请使用主体本人的令牌查询".into(),
        )),
    }
}

/// Statistics are the credit office's.
pub fn may_read_stats(department: &Department) -> Result<(), DomainError> {
    may_manage_catalogue(department).map_err(|_| DomainError::forbidden("只有信用办可以查看统计"))
}
