//! `xinyong calendar`: loading a year's working-day notice into the database, and showing what the
//! calendar covers — the same as the `loadWorkingCalendar` mutation and the `workingCalendar` query.

use anyhow::Context;
use domain::Scope;
use persistence::{NewAudit, Store};
use std::path::Path;

/// Loads the notice in `file` as the credit office (`department`, or the widest one); returns
/// what to print.
pub fn load(store: &Store, file: &Path, department: Option<&str>) -> anyhow::Result<String> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {name}"))?;
    let actor = crate::progress::credit_office(store, department, Scope::MemorandaAdmin)?;
    let loaded = store
        .load_working_calendar(&actor, &text)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    store.append_audit(&NewAudit {
        request_id: format!("cli-{}", uuid::Uuid::now_v7()),
        actor: format!("cli:{}", actor.department),
        department: Some(actor.department.to_string()),
        action: "loadWorkingCalendar".into(),
        target: name.clone(),
        outcome: "ok".into(),
        digest: persistence::sha256_hex(&text),
    })?;
    let years: Vec<String> = loaded.years.iter().map(|y| y.to_string()).collect();
    Ok(format!(
        "loaded {} from {name}; {} deadlines filled in\n{}",
        years.join(", "),
        loaded.filled.total(),
        show(store)
    ))
}

/// What the calendar covers, as of today.
pub fn show(store: &Store) -> String {
    let calendar = store.calendar();
    let today = domain::time::china_date(chrono::Utc::now());
    let years: Vec<String> = calendar.years().map(|y| y.to_string()).collect();
    let last = calendar
        .covered_until(today)
        .map_or_else(|| "none".to_owned(), |d| d.to_string());
    format!(
        "years: {}\nlast day: {last} ({} days left; next to load: {})",
        years.join(", "),
        calendar.days_left(today),
        calendar.first_missing_year(today)
    )
}
