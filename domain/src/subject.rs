//! 主体 (subjects): organisations and persons that credit information is about.

use crate::citizen_id::{self, CitizenId};
use crate::department::DepartmentCode;
use crate::error::{CodeError, DomainError};
use crate::jurisdiction::JurisdictionCode;
use crate::uscc::Uscc;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The four kinds of subject of the national standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SubjectKind {
    /// 法人
    LegalPerson,
    /// 非法人组织 / 其他组织
    OtherOrganisation,
    /// 个体工商户
    IndividualBusiness,
    /// 自然人
    NaturalPerson,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [
        SubjectKind::LegalPerson,
        SubjectKind::OtherOrganisation,
        SubjectKind::IndividualBusiness,
        SubjectKind::NaturalPerson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::LegalPerson => "legal_person",
            SubjectKind::OtherOrganisation => "other_organisation",
            SubjectKind::IndividualBusiness => "individual_business",
            SubjectKind::NaturalPerson => "natural_person",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Organisations have a legal representative or principal; persons do not.
    pub fn is_organisation(self) -> bool {
        matches!(
            self,
            SubjectKind::LegalPerson | SubjectKind::OtherOrganisation
        )
    }
}

/// A subject's identifier: a unified social credit code, or a citizen identity number for a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SubjectCode {
    Uscc(Uscc),
    CitizenId(CitizenId),
}

impl SubjectCode {
    /// Parses either kind of code. An 18-digit string could in principle be both; a valid citizen
    /// identity number wins, and when neither is valid the error is that of the kind it looks like.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let citizen = CitizenId::parse(input);
        if let Ok(id) = citizen {
            return Ok(SubjectCode::CitizenId(id));
        }
        match Uscc::parse(input) {
            Ok(code) => Ok(SubjectCode::Uscc(code)),
            Err(uscc_err) => match citizen {
                Err(e) if looks_like_citizen_id(input) => Err(e),
                _ => Err(uscc_err),
            },
        }
    }

    /// The code as stored and as shown to whoever may see it whole.
    pub fn as_str(&self) -> &str {
        match self {
            SubjectCode::Uscc(c) => c.as_str(),
            SubjectCode::CitizenId(c) => c.as_str(),
        }
    }

    /// The code as the public sees it: a citizen identity number masked, a credit code whole.
    pub fn public_form(&self) -> String {
        match self {
            SubjectCode::Uscc(c) => c.as_str().to_owned(),
            SubjectCode::CitizenId(c) => c.masked(),
        }
    }

    pub fn is_citizen_id(&self) -> bool {
        matches!(self, SubjectCode::CitizenId(_))
    }
}

fn looks_like_citizen_id(input: &str) -> bool {
    let s = input.trim();
    let b = s.as_bytes();
    !b.is_empty() && b[..b.len() - 1].iter().all(u8::is_ascii_digit)
}

/// The legal representative (法定代表人) or principal (主要负责人) of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    pub name: String,
    pub id_number: Option<CitizenId>,
}

impl Representative {
    pub fn public_id_number(&self) -> Option<String> {
        self.id_number.as_ref().map(CitizenId::masked)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: String,
    pub code: SubjectCode,
    /// Registered with a pilot code whose check character does not match (an explicit exception).
    pub check_exception: bool,
    pub kind: SubjectKind,
    pub name: String,
    pub jurisdiction: JurisdictionCode,
    pub representative: Option<Representative>,
    pub registered_by: DepartmentCode,
    pub created_at: DateTime<Utc>,
    /// 成立日期, where the registering department gave it.
    pub established_on: Option<NaiveDate>,
}

impl Subject {
    /// The day its three clean years count from: the establishment date given, or for a person
    /// the date of birth in the identity number; `None` when neither is known.
    pub fn existing_since(&self) -> Option<NaiveDate> {
        self.established_on.or_else(|| match &self.code {
            SubjectCode::CitizenId(id) => Some(id.birth_date()),
            SubjectCode::Uscc(_) => None,
        })
    }
}

/// A subject to register, as typed by a department.
#[derive(Debug, Clone, Default)]
pub struct RawSubject {
    pub code: String,
    pub kind: Option<SubjectKind>,
    pub name: String,
    pub jurisdiction: String,
    pub representative_name: Option<String>,
    pub representative_id_number: Option<String>,
    pub allow_check_exception: bool,
    pub established_on: Option<NaiveDate>,
}

/// A validated subject, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubject {
    pub code: SubjectCode,
    pub check_exception: bool,
    pub kind: SubjectKind,
    pub name: String,
    pub jurisdiction: JurisdictionCode,
    pub representative: Option<Representative>,
    pub established_on: Option<NaiveDate>,
}

/// Errors name the fields of the GraphQL input object (`input.…`).
fn field(name: &str) -> String {
    format!("input.{name}")
}

/// Trims a required text field and bounds its length; control characters are refused.
pub fn required_text(name: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    crate::text::no_controls(&field(name), value)?;
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::invalid(field(name), "不能为空"));
    }
    if v.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field(name),
            format!("不能超过{max_chars}个字符"),
        ));
    }
    Ok(v.to_owned())
}

/// As [`required_text`], for a field that may be left out; blank counts as left out.
pub fn optional_text(
    name: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    optional(value, |v| required_text(name, v, max_chars))
}

/// A field that may be left out (blank counts as left out), checked by `required` when given.
fn optional(
    value: Option<&str>,
    required: impl FnOnce(&str) -> Result<String, DomainError>,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required(v).map(Some),
    }
}

/// A required name or title: as [`required_text`], and without the characters that make one name
/// look like another, in NFC (see [`crate::text::name`]).
pub fn required_name(name: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    crate::text::name(&field(name), value, max_chars)
}

/// As [`required_name`], for a name that may be left out; blank counts as left out.
pub fn optional_name(
    name: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    optional(value, |v| required_name(name, v, max_chars))
}

/// A decision's note (at most 2,000 characters): optional when the answer is yes, required when
/// it is no, so that whoever is refused learns why (`missing` says what to write).
pub fn note_unless(
    yes: bool,
    note: Option<&str>,
    missing: &str,
) -> Result<Option<String>, DomainError> {
    let note = optional_text("note", note, 2_000)?;
    if !yes && note.is_none() {
        return Err(DomainError::invalid(field("note"), missing));
    }
    Ok(note)
}

/// The message for a bad code, naming what kind of code was expected.
pub fn code_message(e: CodeError) -> String {
    format!("统一社会信用代码或公民身份号码无效：{e}")
}

/// Why a code names nothing, in the terms of what it looks like: eighteen digits (or seventeen and
/// X) are read as a citizen identity number, so that a mistyped one is not called an unknown
/// credit code.
pub fn invalid_code_message(input: &str, e: CodeError) -> String {
    if looks_like_citizen_id(input) {
        let why = CitizenId::parse(input).err().unwrap_or(e);
        format!("公民身份号码无效：{why}")
    } else {
        format!("统一社会信用代码无效：{e}")
    }
}

impl NewSubject {
    /// Validates a subject typed on `today` (its establishment date may not be later).
    pub fn parse(raw: RawSubject, today: NaiveDate) -> Result<Self, DomainError> {
        let kind = raw
            .kind
            .ok_or_else(|| DomainError::invalid(field("kind"), "请选择主体类别"))?;
        let (code, check_exception) = match SubjectCode::parse(&raw.code) {
            Ok(code) => (code, false),
            Err(e) if e.pilot_may_fail() && raw.allow_check_exception => {
                let pilot = Uscc::parse_pilot(&raw.code)
                    .map_err(|e| DomainError::invalid(field("code"), code_message(e)))?;
                (SubjectCode::Uscc(pilot), true)
            }
            Err(e) => return Err(DomainError::invalid(field("code"), code_message(e))),
        };
        match (kind, &code) {
            (SubjectKind::NaturalPerson, SubjectCode::Uscc(_)) => {
                return Err(DomainError::invalid(
                    field("code"),
                    "自然人应使用公民身份号码",
                ));
            }
            (k, SubjectCode::CitizenId(_)) if k != SubjectKind::NaturalPerson => {
                return Err(DomainError::invalid(
                    field("code"),
                    "组织和个体工商户应使用统一社会信用代码",
                ));
            }
            _ => {}
        }
        let name = required_name("name", &raw.name, 200)?;
        let jurisdiction = JurisdictionCode::parse(&raw.jurisdiction)
            .map_err(|e| DomainError::invalid(field("jurisdiction"), e.to_string()))?;
        let rep_name = optional_name("representativeName", raw.representative_name.as_deref(), 50)?;
        let rep_id = match raw.representative_id_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(CitizenId::parse(s).map_err(|e| {
                DomainError::invalid(
                    field("representativeIdNumber"),
                    format!("公民身份号码无效：{e}"),
                )
            })?),
        };
        let representative = match (rep_name, rep_id) {
            (None, None) => None,
            (Some(name), id_number) => Some(Representative { name, id_number }),
            (None, Some(_)) => {
                return Err(DomainError::invalid(
                    field("representativeName"),
                    "填写了证件号码，请同时填写姓名",
                ));
            }
        };
        if representative.is_some() && kind == SubjectKind::NaturalPerson {
            return Err(DomainError::invalid(
                field("representativeName"),
                "自然人没有法定代表人",
            ));
        }
        if representative.is_none() && kind == SubjectKind::LegalPerson {
            return Err(DomainError::invalid(
                field("representativeName"),
                "法人应填写法定代表人",
            ));
        }
        if let Some(on) = raw.established_on
            && !(earliest_establishment()..=today).contains(&on)
        {
            return Err(DomainError::invalid(
                field("establishedOn"),
                "成立日期应为1900年以后、不晚于今天的日期",
            ));
        }
        Ok(NewSubject {
            code,
            check_exception,
            kind,
            name,
            jurisdiction,
            representative,
            established_on: raw.established_on,
        })
    }
}

fn earliest_establishment() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Masks a stored identifier for the public when it is a citizen identity number.
pub fn public_code(code: &SubjectCode) -> String {
    match code {
        SubjectCode::CitizenId(c) => citizen_id::mask(c.as_str()),
        SubjectCode::Uscc(c) => c.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(code: &str, kind: SubjectKind) -> RawSubject {
        RawSubject {
            code: code.into(),
            kind: Some(kind),
            name: "阜新市测试有限公司".into(),
            jurisdiction: "210902".into(),
            representative_name: (kind == SubjectKind::LegalPerson).then(|| "张三".into()),
            ..RawSubject::default()
        }
    }

    #[test]
    fn parses_either_code() {
        assert!(matches!(
            SubjectCode::parse("91350100M000100Y43"),
            Ok(SubjectCode::Uscc(_))
        ));
        assert!(matches!(
            SubjectCode::parse("210905196408130341"),
            Ok(SubjectCode::CitizenId(_))
        ));
        assert_eq!(
            SubjectCode::parse("210905196408130342"),
            Err(CodeError::Check)
        );
        assert_eq!(
            SubjectCode::parse("91350100M000100Y4"),
            Err(CodeError::Length)
        );
    }

    #[test]
    fn pilot_code_needs_the_exception_flag() {
        let mut r = raw("91350100M0001TGQXM", SubjectKind::LegalPerson);
        let err = NewSubject::parse(r.clone(), crate::fixtures::d("2026-11-28")).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "input.code"));
        r.allow_check_exception = true;
        let s = NewSubject::parse(r, crate::fixtures::d("2026-11-28")).unwrap();
        assert!(s.check_exception);
    }

    #[test]
    fn kind_and_code_must_agree() {
        assert!(
            NewSubject::parse(
                raw("210905196408130341", SubjectKind::LegalPerson),
                crate::fixtures::d("2026-11-28")
            )
            .is_err()
        );
        assert!(
            NewSubject::parse(
                raw("91350100M000100Y43", SubjectKind::NaturalPerson),
                crate::fixtures::d("2026-11-28")
            )
            .is_err()
        );
        assert!(
            NewSubject::parse(
                raw("210905196408130341", SubjectKind::NaturalPerson),
                crate::fixtures::d("2026-11-28")
            )
            .is_ok()
        );
    }

    #[test]
    fn legal_person_needs_a_representative() {
        let mut r = raw("91350100M000100Y43", SubjectKind::LegalPerson);
        r.representative_name = None;
        let err = NewSubject::parse(r, crate::fixtures::d("2026-11-28")).unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid { ref field, .. } if field == "input.representativeName")
        );
    }

    #[test]
    fn public_code_masks_persons_only() {
        let p = SubjectCode::parse("210905196408130341").unwrap();
        assert_eq!(public_code(&p), "2109**********0341");
        let o = SubjectCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(public_code(&o), "91350100M000100Y43");
    }
}

/// How to find a subject by a code someone typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeLookup {
    /// A well-formed code: look it up as it is.
    Exact(SubjectCode),
    /// A code that fails only a check (`CodeError::pilot_may_fail`): it names a subject only if one
    /// was registered with it as a pilot-code exception; otherwise the caller's code is invalid,
    /// for the reason kept here.
    PilotOnly(Uscc, CodeError),
}

impl CodeLookup {
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        match SubjectCode::parse(input) {
            Ok(code) => Ok(CodeLookup::Exact(code)),
            Err(e) if e.pilot_may_fail() => match Uscc::parse_pilot(input) {
                Ok(pilot) => Ok(CodeLookup::PilotOnly(pilot, e)),
                Err(_) => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Whether only a subject registered with the pilot-code exception may have this code. A code
    /// failing only the checks added later (the organisation code's, the authority pair) may also
    /// belong to a subject registered before them, so those are found whatever their flag.
    pub fn needs_exception_flag(&self) -> bool {
        matches!(self, CodeLookup::PilotOnly(_, CodeError::Check))
    }

    pub fn as_str(&self) -> &str {
        match self {
            CodeLookup::Exact(c) => c.as_str(),
            CodeLookup::PilotOnly(c, _) => c.as_str(),
        }
    }
}
