//! `xinyong import`: a department's file (CSV or JSON Lines) checked row by row and stored as one
//! transaction, as the `importFile` mutation does; the report goes to standard output.

use anyhow::{Context, bail};
use domain::access::DepartmentPrincipal;
use domain::import::columns::prepare;
use domain::import::{ImportFormat, ImportKind, ImportMode, ImportReport, read_rows};
use domain::{DepartmentCode, Scope};
use persistence::{NewAudit, Store};
use std::io::Write;
use std::path::Path;

pub struct ImportArgs<'a> {
    pub kind: ImportKind,
    pub file: &'a Path,
    pub department: &'a str,
    pub format: Option<ImportFormat>,
    pub mode: ImportMode,
    pub json: bool,
}

/// Runs the import and prints its report.
pub fn run(store: &Store, args: &ImportArgs<'_>) -> anyhow::Result<ImportReport> {
    let department =
        DepartmentCode::parse(args.department).map_err(|e| anyhow::anyhow!("--department: {e}"))?;
    let name = args.file.display().to_string();
    let format = match args.format {
        Some(f) => f,
        None => ImportFormat::from_file_name(&name).with_context(|| {
            format!("{name}: say --format csv or --format jsonl (the name ends in neither)")
        })?,
    };
    let bytes = std::fs::read(args.file).with_context(|| format!("reading {name}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name} is not UTF-8 text (first bad byte at {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let jurisdiction = store
        .department(&department)?
        .with_context(|| format!("department {department} is not registered"))?
        .jurisdiction;
    let actor = DepartmentPrincipal {
        department: department.clone(),
        jurisdiction: Some(jurisdiction),
        scopes: [Scope::SubjectsWrite, Scope::RecordsWrite, Scope::ListsWrite]
            .into_iter()
            .collect(),
    };
    let today = domain::time::china_date(chrono::Utc::now());
    let prepared = prepare(args.kind, read_rows(format, &text));
    let report = store.import(&actor, prepared, args.mode, today)?.report;
    if report.committed {
        store.append_audit(&NewAudit {
            request_id: format!("cli-{}", uuid::Uuid::now_v7()),
            actor: format!("cli:{department}"),
            department: Some(department.to_string()),
            action: "importFile".into(),
            target: name.clone(),
            outcome: "ok".into(),
            digest: persistence::sha256_hex(&text),
        })?;
    }
    print_report(&report, args.json)?;
    Ok(report)
}

/// Fails when any row was bad, so that scripts notice.
pub fn verdict(report: &ImportReport) -> anyhow::Result<()> {
    let rejected = report.rejected_rows();
    match (rejected, report.committed) {
        (0, _) => Ok(()),
        (n, false) => {
            bail!("{n} rows rejected; nothing stored (fix them, or use --good-rows-only)")
        }
        (n, true) => bail!(
            "{n} rows rejected; the {} good rows were stored",
            report.created
        ),
    }
}

/// Writes the report; a reader that stops early (`| head`) is not an error.
fn print_report(report: &ImportReport, json: bool) -> anyhow::Result<()> {
    match write_report(&mut std::io::stdout().lock(), report, json) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the report"),
    }
}

fn write_report(out: &mut impl Write, report: &ImportReport, json: bool) -> std::io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, report)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{}: {} rows; {} created, {} unchanged, {} rejected; {}",
        report.kind.as_str(),
        report.rows,
        report.created,
        report.unchanged,
        report.rejected_rows(),
        if report.committed {
            "stored"
        } else {
            "nothing stored"
        }
    )?;
    for p in &report.problems {
        let field = if p.field.is_empty() { "-" } else { &p.field };
        writeln!(out, "line {}\t{field}\t{}", p.line, p.reason)?;
    }
    out.flush()
}
