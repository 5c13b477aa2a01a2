//! 统一社会信用代码 (unified social credit code), GB 32100-2015.

use crate::error::CodeError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters of the code set, in value order (I, O, Z, S, V are left out).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A well-formed unified social credit code, upper-cased and trimmed.
///
/// Built only through [`Uscc::parse`] (check character verified) or [`Uscc::parse_pilot`] (an early
/// pilot code that is legal although its check character does not match).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

fn value_of(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character that the first 17 characters call for.
pub fn check_character(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

impl Uscc {
    /// Parses and verifies a code. White space around it is dropped and letters are upper-cased.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let code = Self::parse_pilot(input)?;
        if code.check_matches() {
            Ok(code)
        } else {
            Err(CodeError::Check)
        }
    }

    /// Parses a code checking its length and characters but not its check character: some early
    /// pilot codes were issued with a check character that does not match.
    pub fn parse_pilot(input: &str) -> Result<Self, CodeError> {
        let s = input.trim().to_uppercase();
        if s.chars().count() != 18 {
            return Err(CodeError::Length);
        }
        if !s.bytes().all(|c| value_of(c).is_some()) {
            return Err(CodeError::Charset);
        }
        Ok(Uscc(s))
    }

    /// Whether the 18th character is the one the first 17 call for.
    pub fn check_matches(&self) -> bool {
        let b = self.0.as_bytes();
        check_character(&b[..17]) == Some(b[17] as char)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division code inside the code (positions 3–8).
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Uscc {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Uscc::parse_pilot(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> String {
        u.0
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
        let text = include_str!("../../vectors/uscc.json");
        let vectors: Vec<Vector> = serde_json::from_str(text).unwrap();
        assert!(vectors.len() >= 100);
        for v in vectors {
            match Uscc::parse(&v.input) {
                Ok(code) => {
                    assert!(v.valid, "{:?} should be refused ({:?})", v.input, v.why);
                    assert_eq!(
                        Some(code.as_str()),
                        v.normalized.as_deref(),
                        "{:?}",
                        v.input
                    );
                }
                Err(e) => {
                    assert!(!v.valid, "{:?} should parse, got {e:?}", v.input);
                    assert_eq!(Some(e.reason()), v.why.as_deref(), "{:?}", v.input);
                }
            }
        }
    }

    #[test]
    fn example_from_the_standard() {
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn pilot_code_fails_its_check_but_parses_as_pilot() {
        assert_eq!(Uscc::parse("91350100M0001TGQXM"), Err(CodeError::Check));
        let pilot = Uscc::parse_pilot("91350100m0001tgqxm").unwrap();
        assert_eq!(pilot.as_str(), "91350100M0001TGQXM");
        assert!(!pilot.check_matches());
    }

    #[test]
    fn check_character_of_generated_code() {
        let first = b"91210900MA0000001";
        let c = check_character(first).unwrap();
        let code = format!("{}{c}", std::str::from_utf8(first).unwrap());
        assert!(Uscc::parse(&code).is_ok());
        assert_eq!(Uscc::parse(&code).unwrap().division(), "210900");
    }
}
