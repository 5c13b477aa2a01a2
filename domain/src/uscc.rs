//! 统一社会信用代码 (unified social credit code), GB 32100-2015.

use crate::error::CodeError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters of the code set, in value order (I, O, Z, S, V are left out).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The registration authorities (登记管理部门代码, position 1) and the institution types each may
/// register (机构类别代码, position 2), as GB 32100-2015 Appendix A lists them.
const AUTHORITY_TYPES: &[(u8, &[u8])] = &[
    (b'1', b"1239"), // 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    (b'2', b"19"),   // 外交: 外国常驻新闻机构, 其他
    (b'3', b"123459"), // 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    (b'4', b"19"),     // 文化: 外国在华文化中心, 其他
    (b'5', b"1239"),   // 民政: 社会团体, 民办非企业单位, 基金会, 其他
    (b'6', b"129"),    // 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
    (b'7', b"129"),    // 宗教: 宗教活动场所, 宗教院校, 其他
    (b'8', b"19"),     // 工会: 基层工会, 其他
    (b'9', b"123"),    // 工商: 企业, 个体工商户, 农民专业合作社
    (b'A', b"19"),     // 中央军委改革和编制办公室: 军队事业单位, 其他
    (b'N', b"1239"),   // 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    (b'Y', b"1"),      // 其他
];

/// GB 11714's weights for the eight characters of an organisation code.
const ORGANISATION_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Whether position 2 is a type that the authority in position 1 registers.
fn authority_registers(authority: u8, kind: u8) -> bool {
    AUTHORITY_TYPES
        .iter()
        .any(|(a, kinds)| *a == authority && kinds.contains(&kind))
}

/// The check character GB 11714 calls for after the eight characters of an organisation code
/// (positions 9–16 of a credit code; the check is position 17).
pub fn organisation_check_character(body: &[u8]) -> Option<char> {
    if body.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in body.iter().zip(ORGANISATION_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10)?,
    })
}

/// A whole code from its first eight characters (authority, type, division) and the eight of
/// its organisation code: both check characters computed. For generating codes (tests, demo data).
pub fn complete(first8: &str, body8: &str) -> Option<String> {
    let inner = organisation_check_character(body8.as_bytes())?;
    let first17 = format!("{first8}{body8}{inner}");
    let check = check_character(first17.as_bytes())?;
    Some(format!("{first17}{check}"))
}

/// A well-formed unified social credit code, upper-cased and trimmed.
///
/// Built only through [`Uscc::parse`] (both check characters and the authority verified) or
/// [`Uscc::parse_pilot`] (an early pilot code that is legal although a check does not hold).
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
    /// Parses and verifies a code as GB 32100 defines it: the authority and type pair, the
    /// check character, and the embedded organisation code's own check character (GB 11714).
    /// White space around it is dropped and letters are upper-cased.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let code = Self::parse_pilot(input)?;
        let b = code.0.as_bytes();
        if !code.check_matches() {
            return Err(CodeError::Check);
        }
        if !authority_registers(b[0], b[1]) {
            return Err(CodeError::Authority);
        }
        if organisation_check_character(&b[8..16]) != Some(b[16] as char) {
            return Err(CodeError::OrganisationCheck);
        }
        Ok(code)
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
    fn check_characters_of_generated_code() {
        let code = complete("91210900", "MA000000").unwrap();
        assert!(Uscc::parse(&code).is_ok(), "{code}");
        assert_eq!(Uscc::parse(&code).unwrap().division(), "210900");
        // The standard's example embeds the organisation code M000100Y4.
        assert_eq!(organisation_check_character(b"M000100Y"), Some('4'));
    }

    #[test]
    fn the_inner_check_and_the_authority_are_checked_too() {
        // Right outer check, wrong organisation check: as a pilot code.
        let first17 = b"91210900MA0000001";
        let code = format!(
            "{}{}",
            std::str::from_utf8(first17).unwrap(),
            check_character(first17).unwrap()
        );
        assert_eq!(Uscc::parse(&code), Err(CodeError::OrganisationCheck));
        assert!(Uscc::parse_pilot(&code).is_ok());
        // A citizen id with a wrong digit happens to pass the outer check; not the inner one.
        assert_eq!(
            Uscc::parse("218922198612016496"),
            Err(CodeError::OrganisationCheck)
        );
        // 工商 (9) registers no type 5.
        let body = "MA000000";
        let wrong = complete("95210900", body).unwrap();
        assert_eq!(Uscc::parse(&wrong), Err(CodeError::Authority));
        let unknown = complete("Z1210900", body);
        assert!(unknown.is_none() || Uscc::parse(&unknown.unwrap()).is_err());
    }
}
