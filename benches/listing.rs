//! Listing under a large memorandum: how long one listing takes (p50, p99) and how long a batch of
//! 10,000 takes, with every dispatch made in the same transaction; and how long revoking an entry
//! takes when all its 100 dispatches were applied (100 lift requests in the revocation's
//! transaction), beside revoking one whose 100 are still open (cancelled) as the reference. Store
//! level (domain rules and database), without HTTP.
//!
//! Run: `cargo bench --bench listing` (SQLite), or `./scripts/bench-listing.sh` (SQLite and a
//! throwaway PostgreSQL). Setup: 30 departments, one memorandum of 50 measures, each carried out by
//! two of them (100 dispatches per listing), 11,000 subjects.

use chrono::NaiveDate;
use domain::access::DepartmentPrincipal;
use domain::list::{RawListEntry, RawListType};
use domain::memorandum::{MeasureCategory, MeasureKind, RawMeasure, RawMemorandum};
use domain::subject::RawSubject;
use domain::{
    Department, DepartmentCode, DepartmentRole, JurisdictionCode, ListColour, NewListType, Scope,
    SubjectKind,
};
use persistence::Store;
use std::time::{Duration, Instant};

const DEPARTMENTS: usize = 30;
const MEASURES: usize = 50;
const SINGLE: usize = 1_000;
const BATCH: usize = 10_000;
/// Entries revoked with every dispatch applied, and as many with every dispatch open.
const REVOKED: usize = 200;

type Bench<T> = Result<T, Box<dyn std::error::Error>>;

fn actor(code: &str) -> Bench<DepartmentPrincipal> {
    Ok(DepartmentPrincipal {
        department: DepartmentCode::parse(code)?,
        jurisdiction: None,
        scopes: Scope::ALL.into_iter().collect(),
    })
}

fn uscc(n: usize) -> String {
    domain::uscc::complete("91210902", &format!("M{n:07}")).unwrap_or_default()
}

fn setup(url: &str) -> Bench<Store> {
    let store = Store::connect(url, 4)?;
    store.migrate()?;
    let mut data = xinyong::seed::parse_reference(xinyong::seed::FUXIN_REFERENCE)?;
    let city = JurisdictionCode::parse("210900")?;
    for i in 0..DEPARTMENTS {
        data.departments.push(Department {
            code: DepartmentCode::parse(&format!("210900.bench-{i:02}"))?,
            name: format!("基准测试部门{i}"),
            jurisdiction: city.clone(),
            role: DepartmentRole::Other,
        });
    }
    data.list_types.push(NewListType::parse(&RawListType {
        code: "bench-black".into(),
        name: "基准测试黑名单".into(),
        colour: Some(ListColour::Black),
        owner: Some("210900.court".into()),
        default_period_months: 24,
        legal_basis: "基准测试".into(),
        ..RawListType::default()
    })?);
    store.load_reference(&data)?;
    let measures = (0..MEASURES)
        .map(|i| RawMeasure {
            code: format!("B-{i:02}"),
            name: format!("惩戒措施{i}"),
            kind: Some(MeasureKind::Punishment),
            category: Some(MeasureCategory::Administrative),
            implementers: vec![
                format!("bench-{:02}", i % DEPARTMENTS),
                format!("bench-{:02}", (i + 7) % DEPARTMENTS),
            ],
            ..RawMeasure::default()
        })
        .collect();
    store.create_memorandum(
        &actor("210900.ndrc")?,
        &RawMemorandum {
            key: "bench".into(),
            title: "基准测试备忘录".into(),
            document_number: "基准〔2026〕1号".into(),
            issued_by: vec!["基准".into()],
            effective_date: NaiveDate::from_ymd_opt(2026, 1, 1),
            list_types: vec!["bench-black".into()],
            feedback_due_quarters: None,
            lift_working_days: None,
            measures,
        },
    )?;
    let market = actor("210900.market")?;
    for n in 0..SINGLE + BATCH {
        store.register_subject(
            &market,
            RawSubject {
                code: uscc(n),
                kind: Some(SubjectKind::OtherOrganisation),
                name: format!("基准测试单位{n}"),
                jurisdiction: "210902".into(),
                ..RawSubject::default()
            },
            domain::time::china_date(chrono::Utc::now()),
        )?;
    }
    Ok(store)
}

fn entry(n: usize) -> RawListEntry {
    RawListEntry {
        subject_code: uscc(n),
        list_type_code: "bench-black".into(),
        reason: "基准测试".into(),
        basis_document: format!("基准执{n}号"),
        ..RawListEntry::default()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Measures one backend; prints its listing row, returns its revocations (applied, open).
fn run(name: &str, url: &str) -> Bench<(Timings, Timings)> {
    let started = Instant::now();
    let store = setup(url)?;
    eprintln!("{name}: setup {:.1} s", started.elapsed().as_secs_f64());
    let court = actor("210900.court")?;
    let today = domain::time::china_date(chrono::Utc::now());
    let mut times = Vec::with_capacity(SINGLE);
    let mut dispatches = 0;
    let mut ids = Vec::with_capacity(SINGLE);
    for n in 0..SINGLE {
        let t = Instant::now();
        let change = store.add_list_entry(&court, &entry(n), today)?;
        times.push(t.elapsed());
        dispatches = change.dispatches.len();
        ids.push(change.entry.id);
    }
    times.sort();
    let batch: Vec<RawListEntry> = (SINGLE..SINGLE + BATCH).map(entry).collect();
    let t = Instant::now();
    let changes = store.add_list_entries(&court, &batch, today)?;
    let batch_time = t.elapsed();
    let batch_dispatches: usize = changes.iter().map(|c| c.dispatches.len()).sum();
    println!(
        "| {name} | {dispatches} | {:.2} | {:.2} | {:.2} | {:.1} | {} |",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        batch_time.as_secs_f64(),
        batch_dispatches,
    );
    let (applied, open) = ids.split_at(REVOKED);
    mark_applied(url, applied)?;
    let lifted = revocations(&store, &court, applied, today, |c| c.ended.lifts.len())?;
    let cancelled = revocations(&store, &court, &open[..REVOKED], today, |c| {
        c.ended.cancelled.len()
    })?;
    Ok((lifted, cancelled))
}

/// What each revocation ended, and its p50, p99 and max.
type Timings = (usize, Duration, Duration, Duration);

/// Revokes each entry, timing each; returns (what each ended, p50, p99, max).
fn revocations(
    store: &Store,
    owner: &DepartmentPrincipal,
    entries: &[String],
    today: NaiveDate,
    ended: impl Fn(&persistence::EntryChange) -> usize,
) -> Bench<Timings> {
    let mut times = Vec::with_capacity(entries.len());
    let mut each = 0;
    for id in entries {
        let t = Instant::now();
        let change = store.revoke_list_entry(owner, id, "基准测试：认定有误，予以撤销", today)?;
        times.push(t.elapsed());
        each = ended(&change);
    }
    times.sort();
    Ok((
        each,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        *times.last().unwrap_or(&Duration::ZERO),
    ))
}

/// Setup, not measured: the dispatches of `entries` answered APPLIED, as their departments would.
fn mark_applied(url: &str, entries: &[String]) -> Bench<()> {
    use diesel::{Connection, RunQueryDsl};
    let list = entries
        .iter()
        .map(|e| format!("'{e}'"))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "UPDATE dispatches SET status = 'applied', answered_at = created_at, answered_on = created_on WHERE entry_id IN ({list})"
    );
    match url.strip_prefix("sqlite://") {
        Some(path) => {
            diesel::sql_query(sql).execute(&mut diesel::SqliteConnection::establish(path)?)?
        }
        None => diesel::sql_query(sql).execute(&mut diesel::PgConnection::establish(url)?)?,
    };
    Ok(())
}

fn print_revocations(measured: &[(&str, (Timings, Timings))]) {
    println!();
    println!(
        "| backend | revoked: all 100 applied → lift requests | p50 ms | p99 ms | max ms | reference: all 100 open → cancelled | p50 ms | p99 ms | max ms | p99 ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    for (name, ((lifts, l50, l99, lmax), (cancels, c50, c99, cmax))) in measured {
        println!(
            "| {name} | {lifts} | {:.2} | {:.2} | {:.2} | {cancels} | {:.2} | {:.2} | {:.2} | {:.2} |",
            ms(l50),
            ms(l99),
            ms(lmax),
            ms(c50),
            ms(c99),
            ms(cmax),
            ms(l99) / ms(c99).max(f64::MIN_POSITIVE)
        );
    }
}

fn main() -> Bench<()> {
    println!(
        "| backend | dispatches per listing | p50 ms | p99 ms | max ms | 10,000 in one batch, s | dispatches made by the batch |"
    );
    println!("|---|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("xinyong-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sqlite = run(
        "SQLite",
        &format!("sqlite://{}", dir.join("bench.db").display()),
    );
    let _ = std::fs::remove_dir_all(&dir);
    let mut measured = vec![("SQLite", sqlite?)];
    if let Ok(server) = std::env::var("XINYONG_BENCH_DATABASE_URL") {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("xy_bench_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&server)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        measured.push(("PostgreSQL", run("PostgreSQL", &format!("{base}/{name}"))?));
    } else {
        eprintln!(
            "XINYONG_BENCH_DATABASE_URL not set: PostgreSQL not measured (./scripts/bench-listing.sh sets it)"
        );
    }
    print_revocations(&measured);
    Ok(())
}
