//! Which operation a request runs, for counting and logging it: [`OperationSeen`], filled in by
//! the request limits once the document is parsed, and [`first_operation_name`], for a cached
//! answer whose document is not parsed again.

/// The kind and name of the operation a request runs; the name taken from the document when the
/// request gives none.
#[derive(Debug, Clone, Default)]
pub struct OperationSeen(std::sync::Arc<std::sync::OnceLock<(&'static str, Option<String>)>>);

impl OperationSeen {
    pub fn set(&self, kind: &'static str, name: Option<String>) {
        let _ = self.0.set((kind, name));
    }

    pub fn kind(&self) -> Option<&'static str> {
        self.0.get().map(|(kind, _)| *kind)
    }

    pub fn name(&self) -> Option<&str> {
        self.0.get().and_then(|(_, name)| name.as_deref())
    }
}

/// The name of the first operation a document defines, read without parsing it: top-level words
/// outside braces, strings and comments. `None` for an anonymous one (`{ … }`, `query($a: …)`).
pub fn first_operation_name(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let (mut i, mut depth) = (0usize, 0usize);
    let mut after_keyword = false;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'(' => {
                if depth == 0 && after_keyword {
                    return None;
                }
                depth += 1;
            }
            b'}' | b')' => depth = depth.saturating_sub(1),
            b if depth == 0 && (b.is_ascii_alphabetic() || b == b'_') => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                if after_keyword {
                    return Some(word);
                }
                after_keyword = matches!(word, "query" | "mutation" | "subscription");
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_operation_name_is_read_from_the_text() {
        for (text, name) in [
            (
                "query LookUp($c: String!) { subject(code: $c) { name } }",
                Some("LookUp"),
            ),
            ("# a comment query Not\nmutation Do { x }", Some("Do")),
            (
                "fragment F on Subject { name } query After { subject { ...F } }",
                Some("After"),
            ),
            ("{ subject(code: \"query Fake\") { name } }", None),
            ("query($c: String!) { subject(code: $c) { name } }", None),
            ("subscription{ dispatchCreated { id } }", None),
        ] {
            assert_eq!(first_operation_name(text), name, "{text}");
        }
    }
}
