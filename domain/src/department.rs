//! 部门 (departments) and their roles.

use crate::error::DomainError;
use crate::jurisdiction::JurisdictionCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A department's code: its jurisdiction, a dot, and a short lower-case name, e.g. `210900.court`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentCode(String);

impl DepartmentCode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        let bad = || {
            DomainError::invalid(
                "department",
                format!("部门代码格式应为“行政区划代码.简称”，如 210900.court：{s}"),
            )
        };
        let (jur, name) = s.split_once('.').ok_or_else(bad)?;
        JurisdictionCode::parse(jur).map_err(|_| bad())?;
        let ok_name = (2..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok_name {
            return Err(bad());
        }
        Ok(DepartmentCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the dot (`court` in `210900.court`): what memoranda name implementers by.
    pub fn short_name(&self) -> &str {
        self.0.split_once('.').map_or("", |(_, n)| n)
    }
}

impl fmt::Display for DepartmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DepartmentCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DepartmentCode::parse(&s)
    }
}

impl From<DepartmentCode> for String {
    fn from(d: DepartmentCode) -> String {
        d.0
    }
}

/// What a department is, where a rule depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DepartmentRole {
    /// 发展和改革委员会 / 信用办: coordinates the platform, owns the catalogue of list types.
    CreditOffice,
    /// 市场监督管理局: registers market subjects, may accept pilot codes.
    MarketRegulation,
    Court,
    Tax,
    /// A lending bank (信易贷): the only kind of department a bank token or a subject's
    /// authorisation may name.
    Bank,
    /// Any other department.
    Other,
}

impl DepartmentRole {
    pub const ALL: [DepartmentRole; 6] = [
        DepartmentRole::CreditOffice,
        DepartmentRole::MarketRegulation,
        DepartmentRole::Court,
        DepartmentRole::Tax,
        DepartmentRole::Bank,
        DepartmentRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentRole::CreditOffice => "credit_office",
            DepartmentRole::MarketRegulation => "market_regulation",
            DepartmentRole::Court => "court",
            DepartmentRole::Tax => "tax",
            DepartmentRole::Bank => "bank",
            DepartmentRole::Other => "other",
        }
    }

    /// The role as people read it.
    pub fn label(self) -> &'static str {
        match self {
            DepartmentRole::CreditOffice => "信用办",
            DepartmentRole::MarketRegulation => "市场监督管理部门",
            DepartmentRole::Court => "人民法院",
            DepartmentRole::Tax => "税务部门",
            DepartmentRole::Bank => "银行",
            DepartmentRole::Other => "部门",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub code: DepartmentCode,
    pub name: String,
    pub jurisdiction: JurisdictionCode,
    pub role: DepartmentRole,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert!(DepartmentCode::parse("210900.court").is_ok());
        assert!(DepartmentCode::parse("210922.market-2").is_ok());
        for bad in [
            "court",
            "210900.",
            "210900.Court",
            "2109.court",
            "210900.法院",
            "210900.1court",
        ] {
            assert!(DepartmentCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for r in DepartmentRole::ALL {
            assert_eq!(DepartmentRole::parse(r.as_str()), Some(r));
        }
    }
}
