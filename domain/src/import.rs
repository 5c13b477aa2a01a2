//! 归集: bulk import of subjects, credit records and list entries from the files departments already
//! produce — CSV or JSON Lines, UTF-8 — with a report naming each bad row's line, field and reason.
//!
//! Reading a file into rows and rows into typed input lives here; which column feeds which field
//! (our own names and the national double-publicity names) is in [`columns`].

pub mod columns;

use crate::error::DomainError;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Subjects,
    Records,
    Entries,
}

impl ImportKind {
    pub const ALL: [ImportKind; 3] = [
        ImportKind::Subjects,
        ImportKind::Records,
        ImportKind::Entries,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Subjects => "subjects",
            ImportKind::Records => "records",
            ImportKind::Entries => "entries",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Csv,
    JsonLines,
}

impl ImportFormat {
    /// By a file name's extension: `.csv`, or `.jsonl` / `.ndjson` / `.json`.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(ImportFormat::Csv),
            "jsonl" | "ndjson" | "json" => Some(ImportFormat::JsonLines),
            _ => None,
        }
    }
}

/// Whether bad rows stop the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportMode {
    /// One bad row and nothing is stored (the default).
    #[default]
    AllOrNothing,
    /// The good rows are stored, the bad ones reported.
    GoodRowsOnly,
}

/// One bad row (or a bad header): where, which field, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The line in the file, from 1 (a CSV header is line 1).
    pub line: usize,
    /// The column at fault, as the file names it; empty for the row as a whole.
    pub field: String,
    pub reason: String,
}

/// The answer to an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub kind: ImportKind,
    /// Data rows read (not counting a header or blank lines).
    pub rows: usize,
    /// Rows stored as new.
    pub created: usize,
    /// Rows whose source key was already stored with the same content: nothing changed.
    pub unchanged: usize,
    /// Whether anything was stored (false when all-or-nothing met a bad row).
    pub committed: bool,
    pub problems: Vec<Problem>,
}

impl ImportReport {
    pub fn rejected_rows(&self) -> usize {
        let mut lines: Vec<usize> = self.problems.iter().map(|p| p.line).collect();
        lines.dedup();
        lines.len()
    }
}

/// A row as read: column name → value (trimmed; empty cells left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: BTreeMap<String, String>,
}

/// What reading a file gave: its rows, and problems that no row owns (a bad header, a line that
/// is not a row). A problem of the file itself stops the import whatever the mode.
#[derive(Debug, Default)]
pub struct ReadFile {
    /// A CSV file's column names (JSON Lines rows name their own).
    pub header: Option<Vec<String>>,
    pub rows: Vec<Row>,
    pub row_problems: Vec<Problem>,
    pub file_problems: Vec<Problem>,
}

/// Reads CSV (first line the header) or JSON Lines (one object per line).
pub fn read_rows(format: ImportFormat, text: &str) -> ReadFile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        ImportFormat::Csv => read_csv(text),
        ImportFormat::JsonLines => read_json_lines(text),
    }
}

fn read_csv(text: &str) -> ReadFile {
    let mut out = ReadFile::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.file_problems.push(Problem {
                line: 1,
                field: String::new(),
                reason: format!("无法读取表头：{e}"),
            });
            return out;
        }
    };
    out.header = Some(headers.iter().map(str::to_owned).collect());
    let mut seen = HashMap::new();
    for h in headers.iter() {
        if h.is_empty() {
            out.file_problems.push(header_problem("", "表头有空列名"));
        } else if seen.insert(h, ()).is_some() {
            out.file_problems.push(header_problem(h, "列名重复"));
        }
    }
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = lines.at(record.position().map_or(0, |p| p.byte() as usize));
                if record.len() != headers.len() {
                    out.row_problems.push(Problem {
                        line,
                        field: String::new(),
                        reason: format!("本行有{}列，表头有{}列", record.len(), headers.len()),
                    });
                    continue;
                }
                let cells = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(h, v)| (h.to_owned(), v.to_owned()))
                    .collect();
                out.rows.push(Row { line, cells });
            }
            Err(e) => {
                let line = lines.at(e.position().map_or(0, |p| p.byte() as usize));
                let reason = if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    "不是 UTF-8 编码的文本".to_owned()
                } else {
                    format!("无法读取本行：{e}")
                };
                out.row_problems.push(Problem {
                    line,
                    field: String::new(),
                    reason,
                });
            }
        }
    }
    out
}

/// Line numbers from byte offsets, moving forward only. The CSV reader's own line count starts a
/// record at the blank lines before it; the line a person sees is where the record's text starts.
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    fn at(&mut self, mut byte: usize) -> usize {
        while matches!(self.text.get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        let end = byte.min(self.text.len());
        if end > self.byte {
            self.line += self.text[self.byte..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.byte = end;
        }
        self.line
    }
}

fn header_problem(column: &str, reason: &str) -> Problem {
    Problem {
        line: 1,
        field: column.to_owned(),
        reason: reason.to_owned(),
    }
}

fn read_json_lines(text: &str) -> ReadFile {
    let mut out = ReadFile::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let problem = |field: &str, reason: String| Problem {
            line: line_no,
            field: field.to_owned(),
            reason,
        };
        let object = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                out.row_problems
                    .push(problem("", "每行应是一个 JSON 对象".to_owned()));
                continue;
            }
            Err(e) => {
                out.row_problems
                    .push(problem("", format!("不是有效的 JSON：{e}")));
                continue;
            }
        };
        let mut cells = BTreeMap::new();
        let mut bad = None;
        for (key, value) in object {
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s.trim().to_owned(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    bad = Some(problem(&key, "值应为文本、数字或真假值".to_owned()));
                    break;
                }
            };
            if !text.is_empty() {
                cells.insert(key, text);
            }
        }
        match bad {
            Some(p) => out.row_problems.push(p),
            None => out.rows.push(Row {
                line: line_no,
                cells,
            }),
        }
    }
    out
}

/// Typed input made from one row, remembering which column fed each field, so that an error about
/// a field can name the column the department actually sent.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub line: usize,
    pub raw: T,
    columns: BTreeMap<&'static str, String>,
}

impl<T> Sourced<T> {
    /// The column that fed `field` (our input name, e.g. `decisionDate`), or the field itself.
    pub fn column(&self, field: &str) -> String {
        self.columns
            .get(field)
            .cloned()
            .unwrap_or_else(|| field.to_owned())
    }

    /// This row's problem for an error of the rules; `field` names the field an error without
    /// one concerns (the source key for a conflict, say).
    pub fn problem(&self, e: &DomainError, field: &str) -> Problem {
        let field = match e {
            DomainError::Invalid { field, .. } => {
                let name = field.strip_prefix("input.").unwrap_or(field);
                self.column(name)
            }
            DomainError::NotFound { what: "主体", .. } => self.column("subject"),
            _ => self.column(field),
        };
        Problem {
            line: self.line,
            field,
            reason: e.to_string(),
        }
    }
}

/// Reads a date in the forms departments' systems write: 2026-03-02, 2026/03/02, 20260302,
/// 2026年3月2日, and any of these followed by a time.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let day = s.split([' ', 'T']).next().unwrap_or(s);
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(day, format) {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;

    #[test]
    fn csv_rows_carry_their_line_and_skip_empty_cells() {
        let read = read_rows(
            ImportFormat::Csv,
            "\u{feff}a,b\n1, x \n\n2,\n\"multi\nline\",3\n4\n",
        );
        assert!(read.file_problems.is_empty());
        let lines: Vec<usize> = read.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 4, 5]);
        assert_eq!(read.rows[0].cells["b"], "x");
        assert!(!read.rows[1].cells.contains_key("b"));
        assert_eq!(read.row_problems.len(), 1);
        assert_eq!(read.row_problems[0].line, 7);
    }

    #[test]
    fn csv_header_problems_are_the_files() {
        let read = read_rows(ImportFormat::Csv, "a,a,\n1,2,3\n");
        assert_eq!(read.file_problems.len(), 2);
        assert!(read.file_problems.iter().all(|p| p.line == 1));
    }

    #[test]
    fn json_lines_report_the_bad_line() {
        let read = read_rows(
            ImportFormat::JsonLines,
            "{\"a\":\"1\",\"n\":2}\n\nnot json\n[1]\n{\"a\":{\"x\":1}}\n",
        );
        assert_eq!(read.rows.len(), 1);
        assert_eq!(read.rows[0].cells["n"], "2");
        let lines: Vec<usize> = read.row_problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert_eq!(read.row_problems[2].field, "a");
    }

    #[test]
    fn dates_in_the_usual_forms() {
        for s in [
            "2026-03-02",
            "2026/03/02",
            "20260302",
            "2026年3月2日",
            "2026-03-02 00:00:00",
            "2026-03-02T08:00:00",
        ] {
            assert_eq!(parse_date(s), Some(d("2026-03-02")), "{s}");
        }
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("next week"), None);
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(
            ImportFormat::from_file_name("a/b.CSV"),
            Some(ImportFormat::Csv)
        );
        assert_eq!(
            ImportFormat::from_file_name("x.ndjson"),
            Some(ImportFormat::JsonLines)
        );
        assert_eq!(ImportFormat::from_file_name("x.xlsx"), None);
    }
}
