//! What a text from outside may hold. Control characters are refused in every text (a NUL byte
//! cannot even be stored by PostgreSQL, and SQLite would keep it); names and titles, which are
//! shown and compared, also refuse the characters that make one name look like another —
//! bidirectional overrides and zero-width characters — and are stored in Unicode NFC, so that
//! one name has one spelling.

use crate::DomainError;
use unicode_normalization::UnicodeNormalization;

/// A control character: C0 but tab, line feed and carriage return, DEL, and C1.
pub fn is_refused_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Characters a name or title may not hold besides controls: bidirectional embeddings, overrides
/// and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks, and zero-width characters.
pub fn is_refused_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200B}'..='\u{200F}'
                | '\u{061C}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// How a refused character is named to a person: its code point and what it is.
pub fn describe(c: char) -> String {
    let what = match c {
        '\0' => "空字符 NUL",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "双向文字控制符",
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => "零宽字符",
        '\u{200E}' | '\u{200F}' | '\u{061C}' => "方向标记",
        c if c.is_control() => "控制字符",
        _ => "不可见字符",
    };
    format!("U+{:04X}（{what}）", u32::from(c))
}

/// The first control character in `text`, if any: for a check of every input at the edge.
pub fn first_refused_control(text: &str) -> Option<char> {
    text.chars().find(|c| is_refused_control(*c))
}

/// Refuses `text` for `field` if it holds a control character.
pub fn no_controls(field: &str, text: &str) -> Result<(), DomainError> {
    match first_refused_control(text) {
        Some(c) => Err(DomainError::invalid(
            field,
            format!("含有不允许的字符 {}，请删除后重新提交", describe(c)),
        )),
        None => Ok(()),
    }
}

/// A name or title, checked and in NFC: trimmed, not empty, at most `max_chars` characters,
/// without controls, bidirectional controls or zero-width characters.
pub fn name(field: &str, raw: &str, max_chars: usize) -> Result<String, DomainError> {
    let trimmed = raw.trim();
    if let Some(c) = trimmed.chars().find(|c| is_refused_in_name(*c)) {
        return Err(DomainError::invalid(
            field,
            format!(
                "名称中不能有 {}：它会让名称看起来与实际不同，请删除后重新提交",
                describe(c)
            ),
        ));
    }
    let normal: String = trimmed.nfc().collect();
    if normal.is_empty() {
        return Err(DomainError::invalid(field, "不能为空"));
    }
    if normal.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field,
            format!("不能超过{max_chars}个字符"),
        ));
    }
    Ok(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_refused_everywhere_and_lines_are_not() {
        assert!(no_controls("input.note", "第一行\n第二行\t完").is_ok());
        for bad in ["a\0b", "a\u{7}b", "a\u{7f}", "a\u{85}"] {
            let e = no_controls("input.note", bad).unwrap_err();
            assert!(
                matches!(&e, DomainError::Invalid { field, .. } if field == "input.note"),
                "{bad:?}: {e:?}"
            );
        }
    }

    #[test]
    fn a_name_refuses_what_makes_it_look_like_another_and_is_stored_in_nfc() {
        for bad in [
            "阜新\u{202E}司公限有",
            "阜新\u{2066}矿业",
            "阜\u{200B}新矿业",
            "阜新\u{FEFF}矿业",
            "阜新\n矿业",
        ] {
            assert!(name("input.name", bad, 200).is_err(), "{bad:?}");
        }
        // "é" as e and a combining accent is stored as the one character.
        assert_eq!(
            name("input.name", " Cafe\u{301} ", 200).unwrap(),
            "Caf\u{e9}"
        );
        assert_eq!(
            name("input.name", "阜新矿业有限公司", 200).unwrap(),
            "阜新矿业有限公司"
        );
        assert!(name("input.name", "  ", 200).is_err());
        assert!(name("input.name", &"名".repeat(201), 200).is_err());
    }
}
