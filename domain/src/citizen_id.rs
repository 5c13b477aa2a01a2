//! 公民身份号码 (citizen identity number), GB 11643-1999.

use crate::error::CodeError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// A well-formed 18-character citizen identity number. Never shown whole in a public view: see
/// [`CitizenId::masked`]. Its `Debug` form is masked too, so that it cannot reach a log whole.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CitizenId(String);

/// The check character that the first 17 digits call for.
pub fn check_character(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize] as char)
}

impl CitizenId {
    /// Parses and verifies a number: length, characters, check character, then the date of birth,
    /// which must be a real date not after today (by the system clock).
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        Self::parse_on(input, chrono::Utc::now().date_naive())
    }

    /// As [`CitizenId::parse`], with the day that counts as today given.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<Self, CodeError> {
        let s = input.trim().to_uppercase();
        if s.chars().count() != 18 {
            return Err(CodeError::Length);
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(CodeError::Charset);
        }
        if check_character(&b[..17]) != Some(b[17] as char) {
            return Err(CodeError::Check);
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| CodeError::Date)?;
        let earliest = NaiveDate::from_ymd_opt(1800, 1, 1).ok_or(CodeError::Date)?;
        if birth < earliest || birth > today {
            return Err(CodeError::Date);
        }
        Ok(CitizenId(s))
    }

    /// The date of birth it carries (checked a real date when parsed).
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or(NaiveDate::MIN)
    }

    /// The whole number; only for the holder and for authorised departments.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The public form: the first 4 and last 4 characters, the rest `*`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks an 18-character identifier for public view: the first 4 and last 4 characters kept.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..4].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 8));
    out.extend(&chars[chars.len() - 4..]);
    out
}

impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl TryFrom<String> for CitizenId {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CitizenId::parse(&s)
    }
}

impl From<CitizenId> for String {
    fn from(c: CitizenId) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Vector {
        input: String,
        valid: bool,
        normalized: Option<String>,
        why: Option<String>,
    }

    #[test]
    fn every_vector_passes() {
        let text = include_str!("../../vectors/citizen-id.json");
        let vectors: Vec<Vector> = serde_json::from_str(text).unwrap();
        assert!(vectors.len() >= 100);
        for v in vectors {
            match CitizenId::parse(&v.input) {
                Ok(id) => {
                    assert!(v.valid, "{:?} should be refused ({:?})", v.input, v.why);
                    assert_eq!(Some(id.as_str()), v.normalized.as_deref());
                }
                Err(e) => {
                    assert!(!v.valid, "{:?} should parse, got {e:?}", v.input);
                    assert_eq!(Some(e.reason()), v.why.as_deref(), "{:?}", v.input);
                }
            }
        }
    }

    #[test]
    fn lower_case_x_is_upper_cased() {
        let id = CitizenId::parse("21091120110628416x").unwrap();
        assert_eq!(id.as_str(), "21091120110628416X");
    }

    #[test]
    fn masking_keeps_four_and_four() {
        let id = CitizenId::parse("210905196408130341").unwrap();
        assert_eq!(id.masked(), "2109**********0341");
        assert_eq!(format!("{id:?}"), "CitizenId(2109**********0341)");
        assert!(!format!("{id}").contains("19640813"));
    }

    #[test]
    fn future_birth_date_is_refused() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            CitizenId::parse_on("210922210001019160", today),
            Err(CodeError::Date)
        );
    }
}
