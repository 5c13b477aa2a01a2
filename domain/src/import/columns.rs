//! Which column feeds which field. Our own column names are the GraphQL input names; licence and
//! penalty files may instead use the national double-publicity (双公示) standard's names, 2019
//! version or the 2016 names (../data/double-publicity-fields.md), so that a department sends the
//! file its own system already writes. Standard columns we keep no field for are accepted and left
//! out; any other column is an error, since a misspelt column would otherwise lose its data quietly.

use super::{ImportKind, Problem, ReadFile, Row, Sourced, parse_date};
use crate::list::RawListEntry;
use crate::record::RawCreditRecord;
use crate::subject::RawSubject;
use crate::{CreditRecordKind, DishonestyClass, SubjectKind};
use std::collections::BTreeMap;

/// One field and the columns that may feed it, in order of preference.
struct Field {
    name: &'static str,
    columns: &'static [&'static str],
}

const fn field(name: &'static str, columns: &'static [&'static str]) -> Field {
    Field { name, columns }
}

const SUBJECT_FIELDS: &[Field] = &[
    field("code", &["code"]),
    field("kind", &["kind"]),
    field("name", &["name"]),
    field("jurisdiction", &["jurisdiction"]),
    field("representativeName", &["representativeName"]),
    field("representativeIdNumber", &["representativeIdNumber"]),
    field("establishedOn", &["establishedOn", "成立日期"]),
];

const ENTRY_FIELDS: &[Field] = &[
    field("subject", &["subject"]),
    field("listType", &["listType"]),
    field("reason", &["reason"]),
    field("basisDocument", &["basisDocument"]),
    field("startDate", &["startDate"]),
    field("endDate", &["endDate"]),
    field("sourceKey", &["sourceKey"]),
];

/// Ours first, then the 2019 standard's, then the 2016 names.
const RECORD_FIELDS: &[Field] = &[
    field(
        "subject",
        &[
            "subject",
            "XK_XDR_SHXYM",
            "XK_XDR_ZJHM",
            "CF_XDR_SHXYM",
            "CF_XDR_ZJHM",
        ],
    ),
    field("kind", &["kind"]),
    field(
        "title",
        &[
            "title", "XK_XKWS", "XK_XMMC", "CF_CFMC", "CF_WFXW", "CF_CFLB",
        ],
    ),
    field("decisionNumber", &["decisionNumber", "XK_WSH", "CF_WSH"]),
    field("decisionDate", &["decisionDate", "XK_JDRQ", "CF_JDRQ"]),
    field("publicationDate", &["publicationDate"]),
    field("legalBasis", &["legalBasis", "CF_YJ"]),
    field("content", &["content", "XK_NR", "CF_NR", "CF_JG"]),
    field("facts", &["CF_SY"]),
    field("dishonestyClass", &["dishonestyClass"]),
    field("publicityEnd", &["publicityEnd", "CF_GSJZQ"]),
];

/// Standard columns with no field of ours: accepted, not kept.
const RECORD_COLUMNS_LEFT_OUT: &[&str] = &[
    "XK_XDR_MC",
    "XK_XDR_LB",
    "XK_FRDB",
    "XK_FR_ZJLX",
    "XK_FR_ZJHM",
    "XK_XDR_ZJLX",
    "XK_XKLB",
    "XK_XKZS",
    "XK_XKBH",
    "XK_YXQZ",
    "XK_YXQZI",
    "XK_XKJG",
    "XK_XKJGDM",
    "XK_ZT",
    "XK_SJLY",
    "XK_SJLYDM",
    "XK_SPLB",
    "XK_XDR",
    "XK_JZQ",
    "XK_XZJG",
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_FRDB",
    "CF_FR_ZJLX",
    "CF_FR_ZJHM",
    "CF_XDR_ZJLX",
    "CF_NR_FK",
    "CF_NR_WFFF",
    "CF_NR_ZKDX",
    "CF_YXQ",
    "CF_CFJG",
    "CF_CFJGDM",
    "CF_SJLY",
    "CF_SJLYDM",
    "CF_CFLB1",
    "CF_CFLB2",
    "CF_ZT",
    "BZ",
    "DFBM",
    "SJC",
];

fn fields(kind: ImportKind) -> &'static [Field] {
    match kind {
        ImportKind::Subjects => SUBJECT_FIELDS,
        ImportKind::Records => RECORD_FIELDS,
        ImportKind::Entries => ENTRY_FIELDS,
    }
}

fn is_known(kind: ImportKind, column: &str) -> bool {
    fields(kind).iter().any(|f| f.columns.contains(&column))
        || (kind == ImportKind::Records && RECORD_COLUMNS_LEFT_OUT.contains(&column))
}

/// A file's rows as typed input of one kind.
#[derive(Debug)]
pub enum Rows {
    Subjects(Vec<Sourced<RawSubject>>),
    Records(Vec<Sourced<RawCreditRecord>>),
    Entries(Vec<Sourced<RawListEntry>>),
}

/// A file read and typed, ready for the rules that need the database.
#[derive(Debug)]
pub struct Prepared {
    pub kind: ImportKind,
    pub rows: Rows,
    /// Data rows in the file, bad ones included.
    pub row_count: usize,
    pub row_problems: Vec<Problem>,
    /// Problems of the file itself (its header): nothing is stored whatever the mode.
    pub file_problems: Vec<Problem>,
}

/// Types every row of `read` as `kind`, collecting the problems found on the way.
pub fn prepare(kind: ImportKind, mut read: ReadFile) -> Prepared {
    let row_count = read.rows.len() + read.row_problems.len();
    for column in read.header.iter().flatten() {
        if !is_known(kind, column) {
            read.file_problems.push(unknown(1, column, kind));
        }
    }
    let mut typed = Typed {
        kind,
        // A CSV file's columns were checked once, in its header.
        check_columns: read.header.is_none(),
        problems: read.row_problems,
    };
    let rows = match kind {
        ImportKind::Subjects => Rows::Subjects(typed.each(read.rows, subject)),
        ImportKind::Records => Rows::Records(typed.each(read.rows, record)),
        ImportKind::Entries => Rows::Entries(typed.each(read.rows, entry)),
    };
    let mut row_problems = typed.problems;
    row_problems.sort_by_key(|p| p.line);
    Prepared {
        kind,
        rows,
        row_count,
        row_problems,
        file_problems: read.file_problems,
    }
}

fn unknown(line: usize, column: &str, kind: ImportKind) -> Problem {
    Problem {
        line,
        field: column.to_owned(),
        reason: format!(
            "不认识的列；{}可用的列见 docs/import.md",
            match kind {
                ImportKind::Subjects => "主体",
                ImportKind::Records => "信用记录",
                ImportKind::Entries => "名单条目",
            }
        ),
    }
}

struct Typed {
    kind: ImportKind,
    check_columns: bool,
    problems: Vec<Problem>,
}

impl Typed {
    fn each<T>(
        &mut self,
        rows: Vec<Row>,
        make: fn(&Cells) -> Result<T, (&'static str, String)>,
    ) -> Vec<Sourced<T>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let unknown_column = self
                .check_columns
                .then(|| row.cells.keys().find(|c| !is_known(self.kind, c)))
                .flatten();
            if let Some(column) = unknown_column {
                self.problems.push(unknown(row.line, column, self.kind));
                continue;
            }
            let cells = Cells::pick(self.kind, &row);
            match make(&cells) {
                Ok(raw) => out.push(Sourced {
                    line: row.line,
                    raw,
                    columns: cells.columns(),
                }),
                Err((name, reason)) => self.problems.push(Problem {
                    line: row.line,
                    field: cells.column(name),
                    reason,
                }),
            }
        }
        out
    }
}

/// One row's value for each field, with the column it came from.
struct Cells(BTreeMap<&'static str, (String, String)>);

impl Cells {
    fn pick(kind: ImportKind, row: &Row) -> Self {
        let mut picked = BTreeMap::new();
        for f in fields(kind) {
            if let Some((column, value)) = f
                .columns
                .iter()
                .find_map(|c| row.cells.get(*c).map(|v| (*c, v)))
            {
                picked.insert(f.name, (column.to_owned(), value.clone()));
            }
        }
        if kind == ImportKind::Records {
            let standard = |prefix: &str| row.cells.keys().any(|c| c.starts_with(prefix));
            let inferred = match (standard("XK_"), standard("CF_")) {
                (true, false) => Some("licence"),
                (false, true) => Some("penalty"),
                _ => None,
            };
            if let Some(kind) = inferred {
                picked
                    .entry("kind")
                    .or_insert_with(|| ("kind".to_owned(), kind.to_owned()));
            }
        }
        Cells(picked)
    }

    fn text(&self, name: &str) -> String {
        self.0.get(name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    fn optional(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|(_, v)| v.clone())
    }

    fn column(&self, name: &str) -> String {
        self.0
            .get(name)
            .map_or_else(|| name.to_owned(), |(c, _)| c.clone())
    }

    fn columns(&self) -> BTreeMap<&'static str, String> {
        self.0.iter().map(|(k, (c, _))| (*k, c.clone())).collect()
    }

    fn date(
        &self,
        name: &'static str,
    ) -> Result<Option<chrono::NaiveDate>, (&'static str, String)> {
        match self.0.get(name) {
            None => Ok(None),
            Some((_, v)) => parse_date(v).map(Some).ok_or_else(|| {
                (
                    name,
                    format!("“{v}”不是日期；请写作 2026-03-02、2026/03/02 或 20260302"),
                )
            }),
        }
    }

    fn choice<T>(
        &self,
        name: &'static str,
        parse: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Result<Option<T>, (&'static str, String)> {
        match self.0.get(name) {
            None => Ok(None),
            Some((_, v)) => parse(v)
                .map(Some)
                .ok_or_else(|| (name, format!("“{v}”不是可用的值；可用：{allowed}"))),
        }
    }
}

/// A value as our API writes it (`LEGAL_PERSON`), as stored (`legal_person`), or in Chinese.
fn named<T: Copy>(
    v: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    chinese: &[(&str, T)],
) -> Option<T> {
    let lower = v.trim().to_ascii_lowercase();
    all.iter().copied().find(|t| code(*t) == lower).or_else(|| {
        chinese
            .iter()
            .find(|(c, _)| *c == v.trim())
            .map(|(_, t)| *t)
    })
}

fn subject_kind(v: &str) -> Option<SubjectKind> {
    named(
        v,
        &SubjectKind::ALL,
        SubjectKind::as_str,
        &[
            ("法人", SubjectKind::LegalPerson),
            ("非法人组织", SubjectKind::OtherOrganisation),
            ("其他组织", SubjectKind::OtherOrganisation),
            ("个体工商户", SubjectKind::IndividualBusiness),
            ("自然人", SubjectKind::NaturalPerson),
        ],
    )
}

fn record_kind(v: &str) -> Option<CreditRecordKind> {
    named(
        v,
        &CreditRecordKind::ALL,
        CreditRecordKind::as_str,
        &[
            ("行政许可", CreditRecordKind::Licence),
            ("行政处罚", CreditRecordKind::Penalty),
            ("信用承诺", CreditRecordKind::Commitment),
            ("荣誉表彰", CreditRecordKind::Honour),
            ("司法判决", CreditRecordKind::Judgment),
            ("信用评价", CreditRecordKind::Rating),
            ("其他", CreditRecordKind::Other),
        ],
    )
}

fn dishonesty_class(v: &str) -> Option<DishonestyClass> {
    named(
        v,
        &DishonestyClass::ALL,
        DishonestyClass::as_str,
        &[
            ("轻微", DishonestyClass::Minor),
            ("一般", DishonestyClass::General),
            ("严重", DishonestyClass::Serious),
        ],
    )
}

fn subject(cells: &Cells) -> Result<RawSubject, (&'static str, String)> {
    Ok(RawSubject {
        code: cells.text("code"),
        kind: cells.choice(
            "kind",
            subject_kind,
            "legal_person（法人）、other_organisation（非法人组织）、individual_business（个体工商户）、natural_person（自然人）",
        )?,
        name: cells.text("name"),
        jurisdiction: cells.text("jurisdiction"),
        representative_name: cells.optional("representativeName"),
        representative_id_number: cells.optional("representativeIdNumber"),
        allow_check_exception: false,
        established_on: cells.date("establishedOn")?,
    })
}

fn record(cells: &Cells) -> Result<RawCreditRecord, (&'static str, String)> {
    let kind = cells.choice(
        "kind",
        record_kind,
        "licence（行政许可）、penalty（行政处罚）、commitment、honour、judgment、rating、other",
    )?;
    if kind.is_none() {
        return Err((
            "kind",
            "请注明记录类别（kind 列），或使用双公示标准的列名（XK_ 或 CF_ 开头）".to_owned(),
        ));
    }
    // The standard keeps the facts apart from what was decided; a record shows both.
    let content = match (cells.optional("facts"), cells.optional("content")) {
        (Some(facts), Some(decided)) => format!("违法事实：{facts}\n处罚内容：{decided}"),
        (Some(facts), None) => format!("违法事实：{facts}"),
        (None, decided) => decided.unwrap_or_default(),
    };
    Ok(RawCreditRecord {
        subject_code: cells.text("subject"),
        kind,
        title: cells.text("title"),
        decision_number: cells.text("decisionNumber"),
        decision_date: cells.date("decisionDate")?,
        publication_date: cells.date("publicationDate")?,
        legal_basis: cells.text("legalBasis"),
        content,
        dishonesty_class: cells.choice(
            "dishonestyClass",
            dishonesty_class,
            "minor（轻微）、general（一般）、serious（严重）",
        )?,
        publicity_end: cells.date("publicityEnd")?,
    })
}

fn entry(cells: &Cells) -> Result<RawListEntry, (&'static str, String)> {
    let key = cells.optional("sourceKey").ok_or((
        "sourceKey",
        "每行须有来源键（sourceKey 列，如贵单位系统中的编号），重复导入才不会重复列入".to_owned(),
    ))?;
    Ok(RawListEntry {
        subject_code: cells.text("subject"),
        list_type_code: cells.text("listType"),
        reason: cells.text("reason"),
        basis_document: cells.text("basisDocument"),
        start_date: cells.date("startDate")?,
        end_date: cells.date("endDate")?,
        idempotency_key: Some(key),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::d;
    use crate::import::{ImportFormat, read_rows};

    fn prepare_csv(kind: ImportKind, text: &str) -> Prepared {
        prepare(kind, read_rows(ImportFormat::Csv, text))
    }

    fn records(p: Prepared) -> Vec<Sourced<RawCreditRecord>> {
        match p.rows {
            Rows::Records(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn penalty_in_the_2019_standard() {
        let p = prepare_csv(
            ImportKind::Records,
            "CF_XDR_MC,CF_XDR_SHXYM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_JDRQ,CF_GSJZQ,dishonestyClass\n\
             某公司,91350100M000100Y43,阜市监罚〔2026〕1号,虚假宣传,夸大功效,《广告法》第五十五条,罚款,罚款5万元,2026/03/02,2027/03/01,一般\n",
        );
        assert!(p.file_problems.is_empty() && p.row_problems.is_empty());
        let rows = records(p);
        let r = &rows[0];
        assert_eq!(r.raw.kind, Some(CreditRecordKind::Penalty));
        assert_eq!(r.raw.title, "虚假宣传");
        assert_eq!(r.raw.decision_date, Some(d("2026-03-02")));
        assert_eq!(r.raw.publicity_end, Some(d("2027-03-01")));
        assert_eq!(r.raw.dishonesty_class, Some(DishonestyClass::General));
        assert_eq!(r.raw.content, "违法事实：夸大功效\n处罚内容：罚款5万元");
        assert_eq!(r.column("decisionDate"), "CF_JDRQ");
        assert_eq!(r.column("legalBasis"), "CF_YJ");
    }

    #[test]
    fn licence_in_the_2016_names() {
        let p = prepare_csv(
            ImportKind::Records,
            "XK_XMMC,XK_WSH,XK_XDR,XK_XDR_SHXYM,XK_JDRQ,XK_JZQ,DFBM,SJC\n\
             食品经营许可,阜市监许〔2026〕7号,某公司,91350100M000100Y43,20260302,20310301,210900,2026-03-03 10:00:00\n",
        );
        assert!(p.file_problems.is_empty() && p.row_problems.is_empty());
        let rows = records(p);
        assert_eq!(rows[0].raw.kind, Some(CreditRecordKind::Licence));
        assert_eq!(rows[0].raw.title, "食品经营许可");
        assert_eq!(rows[0].column("title"), "XK_XMMC");
    }

    #[test]
    fn an_unknown_column_is_the_files_problem() {
        let p = prepare_csv(ImportKind::Records, "subject,kind,titel\nx,licence,y\n");
        assert_eq!(p.file_problems.len(), 1);
        assert_eq!(p.file_problems[0].field, "titel");
        let jsonl = read_rows(ImportFormat::JsonLines, "{\"code\":\"x\",\"nmae\":\"y\"}\n");
        let p = prepare(ImportKind::Subjects, jsonl);
        assert!(p.file_problems.is_empty());
        assert_eq!(p.row_problems[0].field, "nmae");
        assert_eq!(p.row_count, 1);
    }

    #[test]
    fn bad_values_name_the_column_sent() {
        let p = prepare_csv(
            ImportKind::Records,
            "CF_XDR_SHXYM,CF_WSH,CF_JDRQ\nx,y,2026-13-01\nx,z,2026-01-01\n",
        );
        assert_eq!(p.row_problems.len(), 1);
        assert_eq!(p.row_problems[0].line, 2);
        assert_eq!(p.row_problems[0].field, "CF_JDRQ");
        assert_eq!(records(p).len(), 1);
    }

    #[test]
    fn records_need_a_kind_and_entries_a_source_key() {
        let p = prepare_csv(ImportKind::Records, "subject,title\nx,y\n");
        assert_eq!(p.row_problems[0].field, "kind");
        let p = prepare_csv(ImportKind::Entries, "subject,listType\nx,y\n");
        assert_eq!(p.row_problems[0].field, "sourceKey");
    }

    #[test]
    fn subject_kinds_in_three_spellings() {
        for v in ["LEGAL_PERSON", "legal_person", "法人"] {
            assert_eq!(subject_kind(v), Some(SubjectKind::LegalPerson), "{v}");
        }
        assert_eq!(subject_kind("公司"), None);
    }
}
