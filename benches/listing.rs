//! Listing under a large memorandum: how long one listing takes (p50, p99) and how long a batch of
//! 10,000 takes, with every dispatch made in the same transaction. Store level (domain rules and
//! database), without HTTP.
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

type Bench<T> = Result<T, Box<dyn std::error::Error>>;

fn actor(code: &str) -> Bench<DepartmentPrincipal> {
    Ok(DepartmentPrincipal {
        department: DepartmentCode::parse(code)?,
        jurisdiction: None,
        scopes: Scope::ALL.into_iter().collect(),
    })
}

fn uscc(n: usize) -> String {
    let first = format!("91210902MA{n:07}");
    let check = domain::uscc::check_character(first.as_bytes()).unwrap_or('0');
    format!("{first}{check}")
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

fn run(name: &str, url: &str) -> Bench<()> {
    let started = Instant::now();
    let store = setup(url)?;
    eprintln!("{name}: setup {:.1} s", started.elapsed().as_secs_f64());
    let court = actor("210900.court")?;
    let today = domain::time::china_date(chrono::Utc::now());
    let mut times = Vec::with_capacity(SINGLE);
    let mut dispatches = 0;
    for n in 0..SINGLE {
        let t = Instant::now();
        let change = store.add_list_entry(&court, &entry(n), today)?;
        times.push(t.elapsed());
        dispatches = change.dispatches.len();
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
    Ok(())
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
    sqlite?;
    if let Ok(server) = std::env::var("XINYONG_BENCH_DATABASE_URL") {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("xy_bench_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&server)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        run("PostgreSQL", &format!("{base}/{name}"))?;
    } else {
        eprintln!(
            "XINYONG_BENCH_DATABASE_URL not set: PostgreSQL not measured (./scripts/bench-listing.sh sets it)"
        );
    }
    Ok(())
}
