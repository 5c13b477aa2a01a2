//! 行政区划 (administrative divisions), GB/T 2260 six-digit codes.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A six-digit GB/T 2260 code: `PPCCXX` — province, city (prefecture), county.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JurisdictionCode(String);

/// Where a code sits in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JurisdictionLevel {
    Province,
    City,
    County,
}

impl JurisdictionCode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with("00") {
            return Err(DomainError::invalid(
                "jurisdiction",
                format!("行政区划代码应为6位数字（GB/T 2260）：{s}"),
            ));
        }
        Ok(JurisdictionCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> JurisdictionLevel {
        if &self.0[2..] == "0000" {
            JurisdictionLevel::Province
        } else if &self.0[4..] == "00" {
            JurisdictionLevel::City
        } else {
            JurisdictionLevel::County
        }
    }

    /// The leading digits every code inside this one shares: `21` for a province, `2109` for a
    /// city, the whole code for a county.
    pub fn prefix(&self) -> &str {
        match self.level() {
            JurisdictionLevel::Province => &self.0[..2],
            JurisdictionLevel::City => &self.0[..4],
            JurisdictionLevel::County => &self.0,
        }
    }

    /// The first and last codes inside this jurisdiction, both inclusive: `210900..=210999` for a
    /// city. Stores filter with this range, which a plain index serves in any collation.
    pub fn code_range(&self) -> (String, String) {
        let p = self.prefix();
        (format!("{p:0<6}"), format!("{p:9<6}"))
    }

    /// Whether `other` is this jurisdiction or lies inside it.
    pub fn contains(&self, other: &JurisdictionCode) -> bool {
        other.0.starts_with(self.prefix())
    }

    /// The jurisdiction directly above: a county's city, a city's province.
    pub fn parent(&self) -> Option<JurisdictionCode> {
        match self.level() {
            JurisdictionLevel::Province => None,
            JurisdictionLevel::City => Some(JurisdictionCode(format!("{}0000", &self.0[..2]))),
            JurisdictionLevel::County => Some(JurisdictionCode(format!("{}00", &self.0[..4]))),
        }
    }
}

impl fmt::Display for JurisdictionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for JurisdictionCode {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        JurisdictionCode::parse(&s)
    }
}

impl From<JurisdictionCode> for String {
    fn from(j: JurisdictionCode) -> String {
        j.0
    }
}

/// A jurisdiction the platform serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub code: JurisdictionCode,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> JurisdictionCode {
        JurisdictionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_and_containment() {
        assert_eq!(j("210000").level(), JurisdictionLevel::Province);
        assert_eq!(j("210900").level(), JurisdictionLevel::City);
        assert_eq!(j("210922").level(), JurisdictionLevel::County);
        assert!(j("210900").contains(&j("210922")));
        assert!(j("210900").contains(&j("210900")));
        assert!(j("210000").contains(&j("210922")));
        assert!(!j("210922").contains(&j("210921")));
        assert!(!j("210922").contains(&j("210900")));
        assert!(!j("210900").contains(&j("211000")));
        assert_eq!(j("210922").parent(), Some(j("210900")));
        assert_eq!(j("210900").parent(), Some(j("210000")));
        assert_eq!(j("210900").code_range(), ("210900".into(), "210999".into()));
        assert_eq!(j("210000").code_range(), ("210000".into(), "219999".into()));
        assert_eq!(j("210922").code_range(), ("210922".into(), "210922".into()));
    }

    #[test]
    fn bad_codes_are_refused() {
        for bad in ["", "2109", "21090a", "2109000", "000000"] {
            assert!(JurisdictionCode::parse(bad).is_err(), "{bad}");
        }
    }
}
