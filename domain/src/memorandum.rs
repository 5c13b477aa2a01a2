//! 联合奖惩备忘录 (memoranda) and their 措施 (measures), and which departments a listing reaches.

use crate::department::Department;
use crate::error::DomainError;
use crate::jurisdiction::JurisdictionCode;
use crate::list::{ListColour, ListType};
use crate::subject::{Subject, optional_text, required_name, required_text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

text_enum!(
    /// 奖励或惩戒
    MeasureKind { Reward = "reward", Punishment = "punishment" }
);
text_enum!(
    /// 措施类别: 行政性, 市场性, 行业性, 社会性
    MeasureCategory { Administrative = "administrative", Market = "market", Industry = "industry", Social = "social" }
);
text_enum!(
    /// Who carries a measure out: the city's own departments, or national bodies (recorded and shown,
    /// not dispatched locally).
    MeasureScope { City = "city", National = "national" }
);
text_enum!(
    /// Whom a measure binds: the listed subject, and for an organisation persons linked to it.
    Reach {
        Subject = "subject",
        LegalRepresentative = "legal_representative",
        Principal = "principal",
        ResponsiblePerson = "responsible_person",
        ActualController = "actual_controller",
    }
);

/// Which list types a memorandum covers: one by code, or every red or every black list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListSelector {
    AllRed,
    AllBlack,
    Code(String),
}

impl ListSelector {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "all-red" => Ok(ListSelector::AllRed),
            "all-black" => Ok(ListSelector::AllBlack),
            "" => Err(DomainError::invalid("input.listTypes", "名单类型不能为空")),
            code => Ok(ListSelector::Code(code.to_owned())),
        }
    }

    pub fn as_string(&self) -> String {
        match self {
            ListSelector::AllRed => "all-red".into(),
            ListSelector::AllBlack => "all-black".into(),
            ListSelector::Code(c) => c.clone(),
        }
    }

    pub fn covers(&self, list_type: &ListType) -> bool {
        match self {
            ListSelector::AllRed => list_type.colour == ListColour::Red,
            ListSelector::AllBlack => list_type.colour == ListColour::Black,
            ListSelector::Code(c) => *c == list_type.code,
        }
    }
}

/// One reward or punishment, as a memorandum's version defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: MeasureKind,
    pub category: MeasureCategory,
    pub legal_basis: String,
    pub scope: MeasureScope,
    pub reaches: Vec<Reach>,
    /// Short names of the implementing departments (`market`, `tax`, …): resolved to the departments
    /// of that name in the listed subject's city and county.
    pub implementers: Vec<String>,
}

impl Measure {
    /// Rewards go with red lists, punishments with black: a memorandum covering both (the seed
    /// plan's own catalogue) applies to each list only the measures of its colour.
    pub fn fits(&self, list_type: &ListType) -> bool {
        matches!(
            (self.kind, list_type.colour),
            (MeasureKind::Reward, ListColour::Red) | (MeasureKind::Punishment, ListColour::Black)
        )
    }

    pub fn is_implemented_by(&self, department: &Department) -> bool {
        self.implementers
            .iter()
            .any(|k| k == department.code.short_name())
    }
}

/// A memorandum at one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memorandum {
    pub id: String,
    pub version_id: String,
    pub version: u32,
    pub key: String,
    pub title: String,
    pub document_number: String,
    pub issued_by: Vec<String>,
    pub effective_date: NaiveDate,
    pub list_types: Vec<ListSelector>,
    /// Feedback is due by the end of this many quarters after the dispatch's quarter.
    pub feedback_due_quarters: u32,
    /// Working days an implementing department has to confirm a lift once the entry ends.
    pub lift_working_days: u32,
    pub retired: bool,
    pub measures: Vec<Measure>,
}

impl Memorandum {
    /// Whether new listings on `list_type` fall under this memorandum on `today`.
    pub fn applies_to(&self, list_type: &ListType, today: NaiveDate) -> bool {
        !self.retired
            && self.effective_date <= today
            && self.list_types.iter().any(|s| s.covers(list_type))
    }
}

/// A measure as typed by the credit office.
#[derive(Debug, Clone, Default)]
pub struct RawMeasure {
    pub code: String,
    pub name: String,
    pub kind: Option<MeasureKind>,
    pub category: Option<MeasureCategory>,
    pub legal_basis: Option<String>,
    pub scope: Option<MeasureScope>,
    pub reaches: Vec<Reach>,
    pub implementers: Vec<String>,
}

/// A memorandum's content as typed by the credit office (a new memorandum or an amendment).
#[derive(Debug, Clone, Default)]
pub struct RawMemorandum {
    pub key: String,
    pub title: String,
    pub document_number: String,
    pub issued_by: Vec<String>,
    pub effective_date: Option<NaiveDate>,
    pub list_types: Vec<String>,
    pub feedback_due_quarters: Option<i32>,
    pub lift_working_days: Option<i32>,
    pub measures: Vec<RawMeasure>,
}

/// Validated content of one version; measures get their ids when stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMemorandum {
    pub key: String,
    pub title: String,
    pub document_number: String,
    pub issued_by: Vec<String>,
    pub effective_date: NaiveDate,
    pub list_types: Vec<ListSelector>,
    pub feedback_due_quarters: u32,
    pub lift_working_days: u32,
    pub measures: Vec<Measure>,
}

fn slug_ok(s: &str, max: usize) -> bool {
    (2..=max).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl NewMemorandum {
    pub fn parse(raw: &RawMemorandum) -> Result<Self, DomainError> {
        let key = raw.key.trim();
        if !slug_ok(key, 64) || key.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(DomainError::invalid(
                "input.key",
                "备忘录代码应为2至64位小写字母、数字或连字符，如 ndrc-2016-141",
            ));
        }
        let effective_date = raw
            .effective_date
            .ok_or_else(|| DomainError::invalid("input.effectiveDate", "请填写生效日期"))?;
        let issued_by = raw
            .issued_by
            .iter()
            .map(|s| required_text("issuedBy", s, 100))
            .collect::<Result<Vec<_>, _>>()?;
        if issued_by.is_empty() {
            return Err(DomainError::invalid("input.issuedBy", "请填写发文单位"));
        }
        let list_types = raw
            .list_types
            .iter()
            .map(|s| ListSelector::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        if list_types.is_empty() {
            return Err(DomainError::invalid(
                "input.listTypes",
                "请至少指定一个名单类型",
            ));
        }
        let quarters = raw.feedback_due_quarters.unwrap_or(1);
        let feedback_due_quarters = u32::try_from(quarters)
            .ok()
            .filter(|q| (1..=8).contains(q))
            .ok_or_else(|| {
                DomainError::invalid("input.feedbackDueQuarters", "反馈期限应为1至8个季度")
            })?;
        if raw.measures.is_empty() {
            return Err(DomainError::invalid("input.measures", "请至少列出一项措施"));
        }
        let document_number = required_text("documentNumber", &raw.document_number, 100)?;
        let mut measures: Vec<Measure> = Vec::with_capacity(raw.measures.len());
        for (i, m) in raw.measures.iter().enumerate() {
            let field = |name: &str| format!("input.measures[{i}].{name}");
            let code = m.code.trim();
            if !slug_ok(code, 32) {
                return Err(DomainError::invalid(
                    field("code"),
                    "措施代码应为2至32位字母、数字或连字符",
                ));
            }
            if measures.iter().any(|x| x.code == code) {
                return Err(DomainError::invalid(
                    field("code"),
                    format!("措施代码 {code} 重复"),
                ));
            }
            let name = required_name("name", &m.name, 500)
                .map_err(|_| DomainError::invalid(field("name"), "措施内容不能为空"))?;
            let kind = m
                .kind
                .ok_or_else(|| DomainError::invalid(field("kind"), "请选择奖励或惩戒"))?;
            let category = m
                .category
                .ok_or_else(|| DomainError::invalid(field("category"), "请选择措施类别"))?;
            let scope = m.scope.unwrap_or(MeasureScope::City);
            let mut reaches = m.reaches.clone();
            if reaches.is_empty() {
                reaches.push(Reach::Subject);
            }
            if !reaches.contains(&Reach::Subject) {
                return Err(DomainError::invalid(
                    field("reaches"),
                    "措施应约束名单主体本身",
                ));
            }
            let implementers: Vec<String> =
                m.implementers.iter().map(|s| s.trim().to_owned()).collect();
            let good_name = |s: &String| {
                s.len() >= 2
                    && s.starts_with(|c: char| c.is_ascii_lowercase())
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            };
            if implementers.is_empty() || !implementers.iter().all(good_name) {
                return Err(DomainError::invalid(
                    field("implementers"),
                    "请列出实施部门的简称，如 market、tax",
                ));
            }
            let legal_basis = optional_text("legalBasis", m.legal_basis.as_deref(), 2000)?
                .unwrap_or_else(|| document_number.clone());
            measures.push(Measure {
                id: String::new(),
                code: code.to_owned(),
                name,
                kind,
                category,
                legal_basis,
                scope,
                reaches,
                implementers,
            });
        }
        Ok(NewMemorandum {
            key: key.to_owned(),
            title: required_name("title", &raw.title, 300)?,
            document_number,
            issued_by,
            effective_date,
            list_types,
            feedback_due_quarters,
            lift_working_days: crate::lift::parse_working_days(raw.lift_working_days)?,
            measures,
        })
    }
}

/// The city a subject's jurisdiction belongs to (itself if it is a city).
fn city_of(place: &JurisdictionCode) -> Option<JurisdictionCode> {
    match place.level() {
        crate::JurisdictionLevel::County => place.parent(),
        crate::JurisdictionLevel::City => Some(place.clone()),
        crate::JurisdictionLevel::Province => None,
    }
}

/// Whether `department` is one a listing of `subject` reaches: at city level in the subject's city,
/// or in the subject's own county.
pub fn reaches_department(department: &Department, subject: &Subject) -> bool {
    department.jurisdiction == subject.jurisdiction
        || city_of(&subject.jurisdiction).as_ref() == Some(&department.jurisdiction)
}

/// One dispatch to make: a measure for an implementing department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDispatch<'a> {
    pub memorandum: &'a Memorandum,
    pub measure: &'a Measure,
    pub department: &'a Department,
}

/// The dispatches a new entry on `list_type` about `subject` calls for: one per (measure,
/// implementing department), for city-scope measures of memoranda in force that cover the list type,
/// and for departments at city level and in the subject's own county.
pub fn plan_dispatches<'a>(
    memoranda: &'a [Memorandum],
    list_type: &ListType,
    subject: &Subject,
    departments: &'a [Department],
    today: NaiveDate,
) -> Vec<PlannedDispatch<'a>> {
    let reached: Vec<&Department> = departments
        .iter()
        .filter(|d| reaches_department(d, subject))
        .collect();
    let mut plan = Vec::new();
    for memorandum in memoranda.iter().filter(|m| m.applies_to(list_type, today)) {
        for measure in memorandum
            .measures
            .iter()
            .filter(|m| m.scope == MeasureScope::City && m.fits(list_type))
        {
            for department in reached.iter().filter(|d| measure.is_implemented_by(d)) {
                plan.push(PlannedDispatch {
                    memorandum,
                    measure,
                    department,
                });
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DepartmentRole;
    use crate::fixtures::{d, list_type, memorandum, subject};

    fn dept(code: &str) -> Department {
        crate::fixtures::dept(code, DepartmentRole::Other)
    }

    fn measure(code: &str, scope: MeasureScope, implementers: &[&str]) -> Measure {
        Measure {
            id: code.into(),
            code: code.into(),
            name: code.into(),
            kind: MeasureKind::Punishment,
            category: MeasureCategory::Administrative,
            legal_basis: "b".into(),
            scope,
            reaches: vec![Reach::Subject],
            implementers: implementers.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn dispatches_reach_city_and_own_county_implementers_only() {
        let memoranda = vec![memorandum(
            vec![ListSelector::Code("court-dishonest-debtor".into())],
            vec![
                measure("M1", MeasureScope::City, &["market", "tax"]),
                measure("M2", MeasureScope::National, &["court"]),
            ],
        )];
        let departments = vec![
            dept("210900.market"),
            dept("210900.tax"),
            dept("210922.market"),
            dept("210921.market"),
            dept("210900.court"),
        ];
        let lt = list_type("court-dishonest-debtor", ListColour::Black);
        let plan = plan_dispatches(
            &memoranda,
            &lt,
            &subject("210922"),
            &departments,
            d("2026-11-28"),
        );
        let mut got: Vec<String> = plan
            .iter()
            .map(|p| format!("{}@{}", p.measure.code, p.department.code))
            .collect();
        got.sort();
        assert_eq!(
            got,
            ["M1@210900.market", "M1@210900.tax", "M1@210922.market"]
        );
        let other = list_type("tax-a-level", ListColour::Red);
        assert!(
            plan_dispatches(
                &memoranda,
                &other,
                &subject("210922"),
                &departments,
                d("2026-11-28")
            )
            .is_empty()
        );
    }

    #[test]
    fn rewards_go_with_red_lists_and_punishments_with_black() {
        let mut reward = measure("R1", MeasureScope::City, &["market"]);
        reward.kind = MeasureKind::Reward;
        let memoranda = vec![memorandum(
            vec![ListSelector::AllRed, ListSelector::AllBlack],
            vec![reward, measure("B1", MeasureScope::City, &["market"])],
        )];
        let departments = vec![dept("210900.market")];
        let today = d("2026-11-28");
        let red = plan_dispatches(
            &memoranda,
            &list_type("a", ListColour::Red),
            &subject("210902"),
            &departments,
            today,
        );
        assert_eq!(
            red.iter()
                .map(|p| p.measure.code.as_str())
                .collect::<Vec<_>>(),
            ["R1"]
        );
        let black = plan_dispatches(
            &memoranda,
            &list_type("b", ListColour::Black),
            &subject("210902"),
            &departments,
            today,
        );
        assert_eq!(
            black
                .iter()
                .map(|p| p.measure.code.as_str())
                .collect::<Vec<_>>(),
            ["B1"]
        );
    }

    #[test]
    fn colour_selectors_retirement_and_effective_date() {
        let mut m = memorandum(
            vec![ListSelector::AllBlack],
            vec![measure("M1", MeasureScope::City, &["market"])],
        );
        let black = list_type("x", ListColour::Black);
        let red = list_type("y", ListColour::Red);
        assert!(m.applies_to(&black, d("2026-01-01")));
        assert!(!m.applies_to(&red, d("2026-01-01")));
        assert!(!m.applies_to(&black, d("2015-01-01")));
        m.retired = true;
        assert!(!m.applies_to(&black, d("2026-01-01")));
    }

    #[test]
    fn memorandum_validation_names_the_measure_field() {
        let raw = RawMemorandum {
            key: "ndrc-2016-141".into(),
            title: "关于对失信被执行人实施联合惩戒的合作备忘录".into(),
            document_number: "发改财金〔2016〕141号".into(),
            issued_by: vec!["国家发展改革委".into()],
            effective_date: Some(d("2016-01-20")),
            list_types: vec!["court-dishonest-debtor".into()],
            feedback_due_quarters: None,
            lift_working_days: None,
            measures: vec![RawMeasure {
                code: "141-1".into(),
                name: "限制发行企业债券".into(),
                kind: Some(MeasureKind::Punishment),
                category: Some(MeasureCategory::Market),
                implementers: vec![],
                ..RawMeasure::default()
            }],
        };
        let err = NewMemorandum::parse(&raw).unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid { ref field, .. } if field == "input.measures[0].implementers")
        );
        let mut ok = raw.clone();
        ok.measures[0].implementers = vec!["ndrc".into()];
        let m = NewMemorandum::parse(&ok).unwrap();
        assert_eq!(m.measures[0].legal_basis, "发改财金〔2016〕141号");
        assert_eq!(m.measures[0].reaches, vec![Reach::Subject]);
        assert_eq!(m.feedback_due_quarters, 1);
    }
}
