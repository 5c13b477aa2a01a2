//! Seeding: a deployment's reference data, and demo data to explore the platform with.

mod activity;
mod demo;
mod names;
mod synthetic;

pub use activity::Activity;
pub use demo::{DemoSummary, samples, seed_demo};
pub use synthetic::{SyntheticSummary, seed_synthetic};

use anyhow::Context;
use domain::list::RawListType;
use domain::{
    Department, DepartmentCode, DepartmentRole, Jurisdiction, JurisdictionCode, ListColour,
    NewListType,
};
use persistence::ReferenceData;
use serde::Deserialize;

/// Fuxin's reference data, shipped with the project; another city passes its own file.
pub const FUXIN_REFERENCE: &str = include_str!("../../data/fuxin-reference.json");

#[derive(Deserialize)]
struct File {
    jurisdictions: Vec<FileJurisdiction>,
    departments: Vec<FileDepartment>,
    list_types: Vec<FileListType>,
}

#[derive(Deserialize)]
struct FileJurisdiction {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct FileDepartment {
    code: String,
    name: String,
    jurisdiction: String,
    role: String,
    /// `association` for an industry association's account (行业协会商会).
    #[serde(default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileListType {
    code: String,
    name: String,
    colour: String,
    /// One department's code, or…
    #[serde(default)]
    owner: Option<String>,
    /// …a role whose every department lists in its own jurisdiction.
    #[serde(default)]
    owner_role: Option<String>,
    default_period_months: i32,
    #[serde(default)]
    max_period_months: Option<i32>,
    #[serde(default)]
    removal: Option<FileRemoval>,
    #[serde(default)]
    no_repair_basis: Option<String>,
    legal_basis: String,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRemoval {
    working_days: i32,
    grounds: Vec<domain::list::RemovalGround>,
}

/// Parses reference data, validating every value with the domain's own rules.
pub fn parse_reference(text: &str) -> anyhow::Result<ReferenceData> {
    let file: File = serde_json::from_str(text)
        .context("reference data is not valid JSON of the expected shape")?;
    let mut data = ReferenceData::default();
    for j in file.jurisdictions {
        data.jurisdictions.push(Jurisdiction {
            code: JurisdictionCode::parse(&j.code)?,
            name: j.name,
        });
    }
    for d in file.departments {
        let role =
            DepartmentRole::parse(&d.role).with_context(|| format!("unknown role {}", d.role))?;
        match d.kind.as_deref() {
            None => {}
            Some("association") => data.associations.push(DepartmentCode::parse(&d.code)?),
            Some(other) => anyhow::bail!("department {}: unknown kind {other}", d.code),
        }
        data.departments.push(Department {
            code: DepartmentCode::parse(&d.code)?,
            name: d.name,
            jurisdiction: JurisdictionCode::parse(&d.jurisdiction)?,
            role,
        });
    }
    for t in file.list_types {
        let owner_role = t
            .owner_role
            .as_deref()
            .map(|r| DepartmentRole::parse(r).with_context(|| format!("unknown role {r}")))
            .transpose()?;
        let (removal_grounds, removal_working_days) = match t.removal {
            Some(r) => (r.grounds, Some(r.working_days)),
            None => (Vec::new(), None),
        };
        let raw = RawListType {
            code: t.code,
            name: t.name,
            colour: ListColour::parse(&t.colour),
            owner: t.owner,
            owner_role,
            default_period_months: t.default_period_months,
            max_period_months: t.max_period_months,
            removal_grounds,
            removal_working_days,
            no_repair_basis: t.no_repair_basis,
            legal_basis: t.legal_basis,
            description: t.description,
        };
        data.list_types
            .push(NewListType::parse(&raw).with_context(|| format!("list type {}", raw.code))?);
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use domain::DepartmentRole;

    #[test]
    fn seed_memoranda_parse() {
        let all = super::parse_memoranda(super::MEMORANDA).unwrap();
        assert_eq!(all.len(), 4);
        let court = all.iter().find(|m| m.key == "ndrc-2016-141").unwrap();
        assert!(
            court
                .measures
                .iter()
                .any(|m| m.legal_basis == "发改财金〔2016〕141号 第1条")
        );
    }

    #[test]
    fn fuxin_reference_parses() {
        let data = super::parse_reference(super::FUXIN_REFERENCE).unwrap();
        assert_eq!(data.jurisdictions.len(), 9);
        assert!(data.departments.len() >= 16);
        assert!(
            data.list_types
                .iter()
                .any(|t| t.code == "court-dishonest-debtor")
        );
        for t in &data.list_types {
            assert!(
                data.departments.iter().any(|d| t.owner.owns(d)),
                "{}",
                t.code
            );
        }
        let court = data
            .list_types
            .iter()
            .find(|t| t.code == "court-dishonest-debtor")
            .unwrap();
        assert_eq!(
            court.owner,
            domain::list::ListOwner::Role(DepartmentRole::Court)
        );
        let courts = data
            .departments
            .iter()
            .filter(|d| d.role == DepartmentRole::Court)
            .count();
        assert_eq!(
            courts, 8,
            "the intermediate court and one per county or district"
        );
        assert!(court.no_repair_basis.is_some());
        assert_eq!(court.removal.as_ref().map(|r| r.working_days), Some(3));
        let banks: Vec<&str> = data
            .departments
            .iter()
            .filter(|d| d.role == DepartmentRole::Bank)
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(banks, ["210900.icbc", "210900.fxbank"]);
    }
}

/// The memoranda shipped as seed data (`data/memoranda.json`).
pub const MEMORANDA: &str = include_str!("../../data/memoranda.json");

#[derive(Deserialize)]
struct MemorandaFile {
    memoranda: Vec<FileMemorandum>,
}

#[derive(Deserialize)]
struct FileMemorandum {
    key: String,
    title: String,
    document_number: String,
    issued_by: Vec<String>,
    published: Option<String>,
    effective: Option<String>,
    list_types: Vec<String>,
    measures: Vec<FileMeasure>,
}

#[derive(Deserialize)]
struct FileMeasure {
    code: String,
    name: String,
    kind: String,
    category: String,
    implementers: Vec<String>,
    reaches: Vec<String>,
    scope: String,
    article: Option<u32>,
}

/// A document date as the file gives it: a whole date, or only a year (read as its first day, the
/// earliest the document can have taken effect; it only decides whether listings fall under it).
fn loose_date(s: &str) -> anyhow::Result<chrono::NaiveDate> {
    if let Ok(d) = s.parse::<chrono::NaiveDate>() {
        return Ok(d);
    }
    let year: i32 = s.parse().with_context(|| format!("date {s:?}"))?;
    chrono::NaiveDate::from_ymd_opt(year, 1, 1).with_context(|| format!("date {s:?}"))
}

/// Parses seed memoranda, validating them with the domain's rules. A measure's legal basis is its
/// document, with the article where the file gives one.
pub fn parse_memoranda(text: &str) -> anyhow::Result<Vec<domain::memorandum::NewMemorandum>> {
    use domain::memorandum::{
        MeasureCategory, MeasureKind, MeasureScope, NewMemorandum, RawMeasure, RawMemorandum, Reach,
    };
    let file: MemorandaFile =
        serde_json::from_str(text).context("memoranda file is not of the expected shape")?;
    let mut out = Vec::new();
    for m in file.memoranda {
        let mut measures = Vec::new();
        for x in m.measures {
            let reaches = x
                .reaches
                .iter()
                .map(|r| Reach::parse(r).with_context(|| format!("{}: reach {r}", x.code)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            measures.push(RawMeasure {
                legal_basis: Some(match x.article {
                    Some(a) => format!("{} 第{a}条", m.document_number),
                    None => m.document_number.clone(),
                }),
                kind: Some(
                    MeasureKind::parse(&x.kind)
                        .with_context(|| format!("{}: kind {}", x.code, x.kind))?,
                ),
                category: Some(
                    MeasureCategory::parse(&x.category)
                        .with_context(|| format!("{}: category", x.code))?,
                ),
                scope: Some(
                    MeasureScope::parse(&x.scope).with_context(|| format!("{}: scope", x.code))?,
                ),
                code: x.code,
                name: x.name,
                reaches,
                implementers: x.implementers,
            });
        }
        let raw = RawMemorandum {
            key: m.key,
            title: m.title,
            document_number: m.document_number,
            issued_by: m.issued_by,
            effective_date: m
                .effective
                .or(m.published)
                .as_deref()
                .map(loose_date)
                .transpose()?,
            list_types: m.list_types,
            feedback_due_quarters: Some(1),
            lift_working_days: None,
            measures,
        };
        out.push(NewMemorandum::parse(&raw).with_context(|| format!("memorandum {}", raw.key))?);
    }
    Ok(out)
}

/// The department that holds seed memoranda: the credit office of the reference data.
fn credit_office(data: &ReferenceData) -> anyhow::Result<DepartmentCode> {
    data.departments
        .iter()
        .find(|d| d.role == DepartmentRole::CreditOffice)
        .map(|d| d.code.clone())
        .context("the reference data names no credit office")
}

/// Loads reference data and the seed memoranda, leaving what exists as it is; returns rows added.
pub fn load_all(store: &persistence::Store, reference: &str) -> anyhow::Result<usize> {
    let data = parse_reference(reference)?;
    let mut added = store.load_reference(&data)?;
    let by = credit_office(&data)?;
    for m in parse_memoranda(MEMORANDA)? {
        added += usize::from(store.seed_memorandum(&by, &m)?);
    }
    Ok(added)
}
