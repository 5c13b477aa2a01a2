//! The progress report (定期报送): a month of demo data, reported as CSV and XLSX by the CLI and by
//! the `progressReport` query, read back (the workbook with calamine) and checked against `stats`.

use crate::helpers::*;
use base64::Engine;
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;

const FIGURES: &str = "{ entriesAdded dispatched cancelled answered feedbackRate
    medianResponseWorkingDays dispatchesOverdue liftsRequested liftsConfirmed liftsOverdue checks objectionsOverdue repairsOverdue
    objections { handled onTime unknown onTimeShare } repairs { handled onTime unknown onTimeShare }
    doublePublicity { handled onTime unknown onTimeShare } }";

/// Every column of the report, and where the same figure is in `ProgressFigures` (or, for the
/// entries in force, in the department's row). Written here again, on purpose: the test's own
/// reading of what each column means.
const COLUMNS: &[(&str, &str)] = &[
    ("新增名单条目", "/figures/entriesAdded"),
    ("期末有效条目", "/activeEntries"),
    ("收到推送", "/figures/dispatched"),
    ("已撤回推送", "/figures/cancelled"),
    ("已反馈推送", "/figures/answered"),
    ("反馈率", "/figures/feedbackRate"),
    (
        "反馈用时中位数（工作日）",
        "/figures/medianResponseWorkingDays",
    ),
    ("超期未签收推送", "/figures/dispatchesOverdue"),
    ("请求解除措施", "/figures/liftsRequested"),
    ("已确认解除", "/figures/liftsConfirmed"),
    ("超期未确认解除", "/figures/liftsOverdue"),
    ("核查次数", "/figures/checks"),
    ("异议办结", "/figures/objections/handled"),
    ("异议按时办结", "/figures/objections/onTime"),
    ("异议时限无法判定", "/figures/objections/unknown"),
    ("异议按时办结率", "/figures/objections/onTimeShare"),
    ("异议超期未办", "/figures/objectionsOverdue"),
    ("修复办结", "/figures/repairs/handled"),
    ("修复按时办结", "/figures/repairs/onTime"),
    ("修复时限无法判定", "/figures/repairs/unknown"),
    ("修复按时办结率", "/figures/repairs/onTimeShare"),
    ("修复超期未办", "/figures/repairsOverdue"),
    ("双公示记录", "/figures/doublePublicity/handled"),
    ("按时公示", "/figures/doublePublicity/onTime"),
    ("公示时限无法判定", "/figures/doublePublicity/unknown"),
    ("按时公示率", "/figures/doublePublicity/onTimeShare"),
];

const SHEETS: &[&str] = &[
    "报送说明",
    "名单发布",
    "联合奖惩反馈",
    "措施解除",
    "信用核查",
    "异议处理",
    "信用修复",
    "双公示",
    "月度趋势",
];

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(args)
        .env("XINYONG_DATABASE_URL", &app.settings.database_url)
        .output()
        .unwrap()
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn close(a: Option<f64>, b: Option<f64>, decimals: i32, what: &str) {
    match (a, b) {
        (None, None) => {}
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-9,
            "{what}: {x} vs {y}"
        ),
        _ => panic!("{what}: {a:?} vs {b:?}"),
    }
}

/// The report's rows as the query gives them: department code → column label → value.
fn expected(stats: &Value) -> BTreeMap<String, BTreeMap<&'static str, Option<f64>>> {
    let mut rows = BTreeMap::new();
    let mut put = |code: String, row: &Value| {
        let cells = COLUMNS
            .iter()
            .map(|(label, at)| (*label, number(row.pointer(at).unwrap())))
            .collect();
        rows.insert(code, cells);
    };
    for d in stats["byDepartment"].as_array().unwrap() {
        put(d["department"].as_str().unwrap().to_owned(), d);
    }
    put(
        "合计".to_owned(),
        &json!({ "figures": stats["total"], "activeEntries": stats["totalActiveEntries"] }),
    );
    rows
}

fn csv_rows(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[..2], ["部门代码", "部门名称"]);
    let labels: Vec<&str> = COLUMNS.iter().map(|(l, _)| *l).collect();
    assert_eq!(header[2..], labels, "every column, in order");
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let key = if r[0].is_empty() {
                r[1].to_owned()
            } else {
                r[0].to_owned()
            };
            let cells = header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect();
            (key, cells)
        })
        .collect()
}

fn check_csv(text: &str, want: &BTreeMap<String, BTreeMap<&str, Option<f64>>>) {
    let got = csv_rows(text);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (code, cells) in want {
        for (label, value) in cells {
            let text = &got[code][*label];
            let parsed = (!text.is_empty()).then(|| text.parse::<f64>().unwrap());
            close(parsed, *value, 4, &format!("CSV {code} {label}"));
        }
    }
}

fn cell_number(d: &Data) -> Option<f64> {
    match d {
        Data::Empty => None,
        Data::Float(x) => Some(*x),
        Data::Int(n) => Some(*n as f64),
        other => panic!("not a number: {other:?}"),
    }
}

fn check_xlsx(
    bytes: &[u8],
    want: &BTreeMap<String, BTreeMap<&str, Option<f64>>>,
    months: &[Value],
) -> Vec<Vec<Data>> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(book.sheet_names(), SHEETS);
    let mut seen_columns = Vec::new();
    for sheet in &SHEETS[1..SHEETS.len() - 1] {
        let range = book.worksheet_range(sheet).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
        assert_eq!(header[..2], ["部门代码", "部门名称"], "{sheet}");
        seen_columns.extend(header[2..].iter().cloned());
        assert_eq!(
            rows.len() - 1,
            want.len(),
            "{sheet}: a row per department and the total"
        );
        for row in &rows[1..] {
            let code = match row[0].to_string() {
                c if c.is_empty() => row[1].to_string(),
                c => c,
            };
            for (i, label) in header.iter().enumerate().skip(2) {
                let cell = row.get(i).and_then(cell_number);
                close(
                    cell,
                    want[&code][label.as_str()],
                    9,
                    &format!("{sheet} {code} {label}"),
                );
            }
        }
    }
    let labels: Vec<&str> = COLUMNS.iter().map(|(l, _)| *l).collect();
    assert_eq!(seen_columns, labels, "every column on its section's sheet");

    let trend = book.worksheet_range("月度趋势").unwrap();
    let rows: Vec<Vec<Data>> = trend.rows().map(<[Data]>::to_vec).collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header[0], "月份");
    assert_eq!(rows.len() - 1, months.len(), "a row per month");
    for (row, month) in rows[1..].iter().zip(months) {
        assert_eq!(row[0].to_string(), month["month"].as_str().unwrap());
        for (i, label) in header.iter().enumerate().skip(1) {
            let at = COLUMNS.iter().find(|(l, _)| l == label).unwrap().1;
            let cell = row.get(i).and_then(cell_number);
            close(
                cell,
                number(month.pointer(at).unwrap()),
                9,
                &format!("{} {label}", row[0]),
            );
        }
    }
    assert!(
        bytes.windows(20).any(|w| w == b"xl/charts/chart1.xml"),
        "the monthly trend has its chart"
    );
    rows
}

#[tokio::test]
async fn six_months_of_demo_data_report_the_same_figures_as_stats_in_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    let seeded = cli(&app, &["seed", "--demo"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let today = app.clock.today();
    let (from, to) = (
        today.checked_sub_months(chrono::Months::new(6)).unwrap(),
        today,
    );
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let ndrc = app.token("210900.ndrc", &["stats:read"]);

    let r = app
        .gql(
            &format!(
                "query($f: Date!, $t: Date!) {{ stats(from: $f, to: $t) {{
                    checks overdue doublePublicityTotal doublePublicityOnTime
                    listings {{ department added active }}
                    departments {{ department dispatched cancelled answered feedbackRate overdue }}
                    byDepartment {{ department departmentName activeEntries figures {FIGURES} }}
                    byMonth {{ month figures {FIGURES} }}
                    total {FIGURES} }} }}"
            ),
            json!({ "f": from_s, "t": to_s }),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let stats = &r["data"]["stats"];
    let total = &stats["total"];

    // What six months of demo activity show a monitoring office: listings and answers every
    // month, answers at various delays, overdue dispatches and lifts, objections and repairs at
    // every step, late ones among them.
    assert!(total["entriesAdded"].as_i64().unwrap() > 50);
    assert!(total["dispatched"].as_i64().unwrap() > 1000);
    assert!(total["answered"].as_i64().unwrap() > 100);
    assert!(total["dispatchesOverdue"].as_i64().unwrap() > 0);
    assert!(total["medianResponseWorkingDays"].as_f64().unwrap() > 1.0);
    assert!(total["liftsRequested"].as_i64().unwrap() > 0);
    assert!(total["liftsConfirmed"].as_i64().unwrap() > 0);
    assert!(total["liftsOverdue"].as_i64().unwrap() > 0);
    assert!(total["liftsConfirmed"].as_i64() < total["liftsRequested"].as_i64());
    assert_eq!(total["checks"], 40);
    assert_eq!(
        total["objections"]["handled"], 4,
        "rejected in time, refused, rejected late, upheld"
    );
    assert_eq!(total["objections"]["onTime"], 3);
    assert_eq!(
        total["objectionsOverdue"], 2,
        "one never answered, one accepted and never decided"
    );
    assert_eq!(
        total["repairs"]["handled"], 2,
        "one approved, one rejected late"
    );
    assert_eq!(total["repairs"]["onTime"], 1);
    assert_eq!(total["repairsOverdue"], 1);
    assert!(total["doublePublicity"]["handled"].as_i64().unwrap() > 0);
    assert!(
        total["doublePublicity"]["onTime"].as_i64() < total["doublePublicity"]["handled"].as_i64(),
        "some published late"
    );

    // The older figures of `stats` are the same counts.
    assert_eq!(stats["checks"], total["checks"]);
    assert_eq!(stats["overdue"], total["dispatchesOverdue"]);
    assert_eq!(
        stats["doublePublicityTotal"],
        total["doublePublicity"]["handled"]
    );
    assert_eq!(
        stats["doublePublicityOnTime"],
        total["doublePublicity"]["onTime"]
    );
    let by_department: BTreeMap<&str, &Value> = stats["byDepartment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["department"].as_str().unwrap(), d))
        .collect();
    for d in stats["departments"].as_array().unwrap() {
        let f = &by_department[d["department"].as_str().unwrap()]["figures"];
        for (old, new) in [
            ("dispatched", "dispatched"),
            ("cancelled", "cancelled"),
            ("answered", "answered"),
            ("feedbackRate", "feedbackRate"),
            ("overdue", "dispatchesOverdue"),
        ] {
            assert_eq!(d[old], f[new], "{} {old}", d["department"]);
        }
    }
    let mut listed: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for l in stats["listings"].as_array().unwrap() {
        let slot = listed.entry(l["department"].as_str().unwrap()).or_default();
        slot.0 += l["added"].as_i64().unwrap();
        slot.1 += l["active"].as_i64().unwrap();
    }
    for (dept, (added, active)) in listed {
        assert_eq!(
            by_department[dept]["figures"]["entriesAdded"], added,
            "{dept}"
        );
        assert_eq!(by_department[dept]["activeEntries"], active, "{dept}");
    }
    // The months add up to the period.
    let months = stats["byMonth"].as_array().unwrap();
    assert_eq!(
        months.len(),
        7,
        "every month of the period, the first and last in part"
    );
    let active = months
        .iter()
        .filter(|m| m["figures"]["entriesAdded"].as_i64().unwrap() > 0)
        .count();
    assert!(active >= 5, "a trend, not one day: {months:?}");
    for field in [
        "entriesAdded",
        "dispatched",
        "answered",
        "checks",
        "objectionsOverdue",
    ] {
        let sum: i64 = months
            .iter()
            .map(|m| m["figures"][field].as_i64().unwrap())
            .sum();
        assert_eq!(sum, total[field].as_i64().unwrap(), "{field}");
    }

    let r = app
        .gql(
            &format!(
                "query($f: Date!, $t: Date!) {{ progressReport(from: $f, to: $t) {{
                    from to fileStem totalActiveEntries csv xlsx
                    departments {{ department departmentName activeEntries figures {FIGURES} }}
                    months {{ month figures {FIGURES} }}
                    total {FIGURES} }} }}"
            ),
            json!({ "f": from_s, "t": to_s }),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let report = &r["data"]["progressReport"];
    assert_eq!(report["departments"], stats["byDepartment"]);
    assert_eq!(report["months"], stats["byMonth"]);
    assert_eq!(report["total"], stats["total"]);
    assert_eq!(report["fileStem"], format!("progress-{from_s}-{to_s}"));
    let want = expected(&json!({
        "byDepartment": stats["byDepartment"],
        "total": stats["total"],
        "totalActiveEntries": report["totalActiveEntries"],
    }));
    assert!(want.contains_key("210900.finance") && want.contains_key("210922.market"));
    assert_eq!(
        report["totalActiveEntries"].as_i64(),
        Some(
            by_department
                .values()
                .map(|d| d["activeEntries"].as_i64().unwrap())
                .sum()
        )
    );

    // A department reads its own row, as the credit office reads it.
    let finance = app.token("210900.finance", &["dispatch:handle"]);
    let r = app
        .gql(
            &format!(
                "query($f: Date!, $t: Date!) {{ me {{ progress(from: $f, to: $t) {{
                    department departmentName activeEntries figures {FIGURES} }} }} }}"
            ),
            json!({ "f": from_s, "t": to_s }),
            Some(&finance),
        )
        .await;
    assert_no_errors(&r);
    assert_eq!(
        r["data"]["me"]["progress"],
        *by_department["210900.finance"]
    );
    assert!(
        r["data"]["me"]["progress"]["figures"]["answered"]
            .as_i64()
            .unwrap()
            > 0
    );

    check_csv(report["csv"].as_str().unwrap(), &want);
    let from_api = base64::engine::general_purpose::STANDARD
        .decode(report["xlsx"].as_str().unwrap())
        .unwrap();
    let api_trend = check_xlsx(&from_api, &want, months);

    let dir = std::env::temp_dir().join(format!(
        "xinyong-progress-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (csv_file, xlsx_file) = (dir.join("r.csv"), dir.join("r.xlsx"));
    for (format, file) in [("csv", &csv_file), ("xlsx", &xlsx_file)] {
        let out = cli(
            &app,
            &[
                "report",
                "progress",
                "--from",
                &from_s,
                "--to",
                &to_s,
                "--format",
                format,
                "--out",
                file.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    check_csv(&std::fs::read_to_string(&csv_file).unwrap(), &want);
    let cli_trend = check_xlsx(&std::fs::read(&xlsx_file).unwrap(), &want, months);
    assert_eq!(cli_trend, api_trend);
    let csv_out = cli(
        &app,
        &["report", "progress", "--from", &from_s, "--to", &to_s],
    );
    assert!(csv_out.status.success());
    assert_eq!(
        String::from_utf8(csv_out.stdout).unwrap(),
        std::fs::read_to_string(&csv_file).unwrap(),
        "CSV on standard output by default"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_report_is_the_credit_office_s_and_bad_periods_are_refused() {
    let app = TestApp::spawn().await;
    let q = "query($f: Date!, $t: Date!, $j: String) { progressReport(from: $f, to: $t, jurisdiction: $j) {
        departments { department } } }";
    let vars = |f: &str, t: &str, j: Option<&str>| json!({ "f": f, "t": t, "j": j });

    let market = app.token("210900.market", &["stats:read"]);
    let r = app
        .gql(q, vars("2026-11-01", "2026-11-30", None), Some(&market))
        .await;
    assert_eq!(error_of(&r).0, "FORBIDDEN", "{r}");
    let r = app
        .gql(q, vars("2026-11-01", "2026-11-30", None), None)
        .await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED", "{r}");

    let mine = "query { me { progress(from: \"2026-11-01\", to: \"2026-11-30\") { department } } }";
    let subject = app.subject_token(&app.company("210902").await);
    let r = app.gql(mine, json!({}), Some(&subject)).await;
    assert_eq!(error_of(&r).0, "FORBIDDEN", "{r}");
    let r = app.gql(mine, json!({}), None).await;
    assert_eq!(error_of(&r).0, "UNAUTHENTICATED", "{r}");
    let r = app.gql(mine, json!({}), Some(&market)).await;
    assert_no_errors(&r);
    assert_eq!(r["data"]["me"]["progress"]["department"], "210900.market");

    let ndrc = app.token("210900.ndrc", &["stats:read"]);
    let r = app
        .gql(q, vars("2026-11-30", "2026-11-01", None), Some(&ndrc))
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".to_owned(), Some("to".to_owned()))
    );
    let r = app
        .gql(
            q,
            vars("2026-11-01", "2026-11-30", Some("2109")),
            Some(&ndrc),
        )
        .await;
    assert_eq!(
        error_of(&r),
        ("BAD_USER_INPUT".to_owned(), Some("jurisdiction".to_owned()))
    );

    // A county's report lists that county's departments (and no city department without facts).
    let r = app
        .gql(
            q,
            vars("2026-11-01", "2026-11-30", Some("210922")),
            Some(&ndrc),
        )
        .await;
    assert_no_errors(&r);
    let codes: Vec<&str> = r["data"]["progressReport"]["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["department"].as_str().unwrap())
        .collect();
    assert!(!codes.is_empty());
    assert!(codes.iter().all(|c| c.starts_with("210922.")), "{codes:?}");

    let out = cli(
        &app,
        &[
            "report",
            "progress",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
        ],
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("结束日期不能早于开始日期"));
}

#[tokio::test]
async fn a_jurisdiction_s_report_counts_only_its_subjects() {
    let app = TestApp::spawn().await;
    let court = app.publisher("210900.court");
    let zhangwu = app.company("210922").await;
    let haizhou = app.company("210902").await;
    let mut dispatched = Vec::new();
    for code in [&zhangwu, &haizhou] {
        let r = app
            .list(&court, code, "court-dishonest-debtor", json!({}))
            .await;
        assert_no_errors(&r);
        let entry = r["data"]["addListEntry"]["entry"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let ndrc = app.token("210900.ndrc", &["dispatch:handle"]);
        let r = app
            .gql(
                "query($e: ID) { dispatches(entry: $e, first: 100) { edges { node { id } } } }",
                json!({ "e": entry }),
                Some(&ndrc),
            )
            .await;
        let n = nodes_of(&r, "dispatches").len();
        assert!(n < 100, "all on one page");
        dispatched.push(n as i64);
    }
    assert!(dispatched[0] > 0);
    let today = app.clock.today().to_string();
    let ndrc = app.token("210900.ndrc", &["stats:read"]);
    let total = |j: Option<&'static str>| {
        let (app, ndrc, today) = (&app, &ndrc, &today);
        async move {
            let r = app
                .gql(
                    "query($d: Date!, $j: String) { progressReport(from: $d, to: $d, jurisdiction: $j) {
                        total { entriesAdded dispatched } departments { department figures { entriesAdded } } } }",
                    json!({ "d": today, "j": j }),
                    Some(ndrc),
                )
                .await;
            assert_no_errors(&r);
            r["data"]["progressReport"].clone()
        }
    };
    let all = total(None).await;
    assert_eq!(all["total"]["entriesAdded"], 2);
    assert_eq!(all["total"]["dispatched"], dispatched[0] + dispatched[1]);
    let county = total(Some("210922")).await;
    assert_eq!(county["total"]["entriesAdded"], 1);
    assert_eq!(county["total"]["dispatched"], dispatched[0]);
    let court_row = county["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == "210900.court")
        .expect("the city court, for its listing of a county subject");
    assert_eq!(court_row["figures"]["entriesAdded"], 1);
}
