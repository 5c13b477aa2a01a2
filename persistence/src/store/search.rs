//! `subjects(search:)`: exact name or code first, then names that begin with the text, then names
//! that contain it, each tier in id order, with cursors ("TIER-ID") that page through the ranking.

use super::subjects::{SubjectFilter, like_escape, narrowed};
use super::{Page, PageRequest};
use crate::conn::{AnyConnection, Backend};
use crate::error::StoreError;
use crate::rows::{SubjectRow, convert};
use crate::schema::subjects;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use domain::Subject;

pub(super) fn ranked(
    c: &mut AnyConnection,
    backend: Backend,
    window: i64,
    filter: &SubjectFilter,
    text: &str,
    page: &PageRequest,
) -> Result<Page<(String, Subject)>, StoreError> {
    let (start, after) = match page.after.as_deref().and_then(|a| a.split_once('-')) {
        Some((t, id)) if t.len() == 1 => (t.parse::<u8>().unwrap_or(0).min(2), Some(id)),
        _ => (0, None),
    };
    let mut items = Vec::new();
    for tier in start..=2 {
        let wanted = page.limit() - items.len() as i64;
        if wanted <= 0 {
            break;
        }
        let after = if tier == start { after } else { None };
        let rows = match tier {
            0 => narrowed(filter, after)
                .filter(matching(0, text))
                .order(subjects::id)
                .limit(wanted)
                .load(c)?,
            tier => windowed(c, (backend, window), filter, (tier, text), after, wanted)?,
        };
        items.extend(
            convert::<_, Subject>(rows)?
                .into_iter()
                .map(|s| (format!("{tier}-{}", s.id), s)),
        );
    }
    Ok(Page::from_overfetch(items, page))
}

/// What a tier matches: 0 the whole name or code; 1 names beginning with the text (not the whole
/// name); 2 names containing it elsewhere.
fn matching(tier: u8, text: &str) -> Condition {
    let code = text.to_uppercase();
    let prefix = format!("{}%", like_escape(text));
    match tier {
        0 => Box::new(
            subjects::name
                .eq(text.to_owned())
                .or(subjects::code.eq(code)),
        ),
        1 => Box::new(
            subjects::name
                .like(prefix)
                .escape('\\')
                .and(subjects::name.ne(text.to_owned()))
                .and(subjects::code.ne(code)),
        ),
        _ => Box::new(
            subjects::name
                .like(format!("%{}%", like_escape(text)))
                .escape('\\')
                .and(subjects::name.not_like(prefix).escape('\\'))
                .and(subjects::code.ne(code)),
        ),
    }
}

/// Matches of a prefix or substring tier after `after`, in id order. The planner cannot tell how
/// many names hold a text (it takes the character pairs as independent, and 开发 and 发有 are not;
/// a prefix between two histogram bounds looks common), and guessing wrong costs a sort of every
/// match or a scan of every subject. So: first the next `window` subjects in id order, checked by
/// LIKE alone, which fills a page whenever the text is common there; past the window, the index
/// gives at most [`CANDIDATES`] matches, of which the page takes those with the smallest ids.
/// Rows are stored in the order of their (time-ordered) ids, so these are the first matches; only
/// a text with more than that many matches past the window could page in another order.
fn windowed(
    c: &mut AnyConnection,
    (backend, window): (Backend, i64),
    filter: &SubjectFilter,
    (tier, text): (u8, &str),
    after: Option<&str>,
    wanted: i64,
) -> Result<Vec<SubjectRow>, StoreError> {
    let boundary: Option<String> = narrowed(filter, after)
        .select(subjects::id)
        .order(subjects::id)
        .offset(window - 1)
        .limit(1)
        .first(c)
        .optional()?;
    let mut first = narrowed(filter, after).filter(matching(tier, text));
    if let Some(b) = &boundary {
        first = first.filter(subjects::id.le(b.clone()));
    }
    let mut rows: Vec<SubjectRow> = first.order(subjects::id).limit(wanted).load(c)?;
    let missing = wanted - rows.len() as i64;
    if let (Some(b), true) = (boundary, missing > 0) {
        let candidates: Vec<String> = subjects::table
            .select(subjects::id)
            .filter(subjects::id.gt(b.clone()))
            .filter(indexed_contains(backend, text, tier == 1))
            .filter(matching(tier, text))
            .limit(CANDIDATES)
            .load(c)?;
        rows.extend(
            narrowed(filter, Some(&b))
                .filter(subjects::id.eq_any(candidates))
                .order(subjects::id)
                .limit(missing)
                .load(c)?,
        );
    }
    Ok(rows)
}

/// Matches past the window read through an index before the smallest ids are taken.
const CANDIDATES: i64 = 1_000;

type AnyBackend = <AnyConnection as Connection>::Backend;
type Condition = Box<dyn BoxableExpression<subjects::table, AnyBackend, SqlType = Bool>>;

/// A condition an index answers, narrowing to names that may contain `text`; the LIKE beside it
/// decides. PostgreSQL: the names holding all of the text's character pairs (GIN over
/// `name_bigrams`), not for prefixes (a btree serves those). SQLite: the FTS5 trigram index, for
/// texts of 3 or more characters. Otherwise nothing to narrow by: `TRUE`.
fn indexed_contains(backend: Backend, text: &str, prefix: bool) -> Condition {
    use diesel::dsl::sql;
    use diesel::sql_types::Text;
    let chars = text.chars().count();
    match backend {
        Backend::Postgres if chars >= 2 && !prefix => Box::new(
            sql::<Bool>("name_bigrams(subjects.name) @> name_bigrams(")
                .bind::<Text, _>(text.to_owned())
                .sql(")"),
        ),
        Backend::Sqlite if chars >= 3 => Box::new(
            sql::<Bool>(
                "subjects.rowid IN (SELECT rowid FROM subject_names WHERE subject_names MATCH ",
            )
            .bind::<Text, _>(format!("\"{}\"", text.replace('"', "\"\"")))
            .sql(")"),
        ),
        _ => Box::new(sql::<Bool>("1 = 1")),
    }
}
