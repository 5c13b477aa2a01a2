//! Seeding: a deployment's reference data, and demo data to explore the platform with.

mod demo;
mod names;

pub use demo::{DemoSummary, samples, seed_demo};

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
}

#[derive(Deserialize)]
struct FileListType {
    code: String,
    name: String,
    colour: String,
    owner: String,
    default_period_months: i32,
    legal_basis: String,
    description: Option<String>,
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
        data.departments.push(Department {
            code: DepartmentCode::parse(&d.code)?,
            name: d.name,
            jurisdiction: JurisdictionCode::parse(&d.jurisdiction)?,
            role,
        });
    }
    for t in file.list_types {
        let raw = RawListType {
            code: t.code,
            name: t.name,
            colour: ListColour::parse(&t.colour),
            owner: t.owner,
            default_period_months: t.default_period_months,
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
                data.departments.iter().any(|d| d.code == t.owner),
                "{}",
                t.code
            );
        }
    }
}
