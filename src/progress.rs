//! `xinyong report progress`: the departments' progress report (定期报送) as CSV or XLSX, the same
//! figures as the `stats` and `progressReport` queries.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use domain::{DepartmentCode, DepartmentPrincipal, DepartmentRole, JurisdictionCode, Scope};
use persistence::Store;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub struct ProgressArgs {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub jurisdiction: Option<String>,
    pub xlsx: bool,
    pub out: Option<PathBuf>,
    pub department: Option<String>,
}

/// The credit office a command acts as: the one named, or the only one whose jurisdiction
/// contains every other credit office's; its principal holds `scope`.
pub(crate) fn credit_office(
    store: &Store,
    named: Option<&str>,
    scope: Scope,
) -> anyhow::Result<DepartmentPrincipal> {
    let department = match named {
        Some(code) => {
            DepartmentCode::parse(code).map_err(|e| anyhow::anyhow!("--department: {e}"))?
        }
        None => {
            let offices: Vec<_> = store
                .departments()?
                .into_iter()
                .filter(|d| d.role == DepartmentRole::CreditOffice)
                .collect();
            let widest: Vec<_> = offices
                .iter()
                .filter(|d| {
                    offices
                        .iter()
                        .all(|o| d.jurisdiction.contains(&o.jurisdiction))
                })
                .collect();
            match widest.as_slice() {
                [one] => one.code.clone(),
                [] if offices.is_empty() => {
                    bail!("no credit office is registered (run `xinyong seed` first)")
                }
                _ => bail!(
                    "several credit offices are registered; name one with --department ({})",
                    offices
                        .iter()
                        .map(|d| d.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    Ok(DepartmentPrincipal {
        department,
        jurisdiction: None,
        scopes: [scope].into_iter().collect(),
    })
}

/// Writes the report; returns where it went, for the message on standard error.
pub fn run(store: &Store, args: ProgressArgs) -> anyhow::Result<String> {
    let place = args
        .jurisdiction
        .as_deref()
        .map(|j| JurisdictionCode::parse(j).map_err(|e| anyhow::anyhow!("--jurisdiction: {e}")))
        .transpose()?;
    let actor = credit_office(store, args.department.as_deref(), Scope::StatsRead)?;
    let today = domain::time::china_date(chrono::Utc::now());
    let stats = store.stats(&actor, args.from, args.to, place, today)?;
    let progress = stats.progress;
    let bytes = if args.xlsx {
        api::progress_files::xlsx(&progress, args.jurisdiction.as_deref())
            .context("writing the workbook")?
    } else {
        api::progress_files::csv(&progress)
            .context("writing the CSV")?
            .into_bytes()
    };
    let out = match args.out {
        Some(p) => Some(p),
        None if args.xlsx && std::io::stdout().is_terminal() => Some(PathBuf::from(format!(
            "{}.xlsx",
            api::progress_files::file_stem(&progress)
        ))),
        None => None,
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(path.display().to_string())
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes).context("writing the report")?;
            stdout.flush().context("writing the report")?;
            Ok("standard output".to_owned())
        }
    }
}
