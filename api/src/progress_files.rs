//! The progress report (定期报送) as files for the credit office: CSV (one row per department,
//! every figure) and XLSX (an explanation sheet, one sheet per section, and the monthly trend with
//! its chart). Both are made from one table of columns, so a figure is labelled and read once.

use domain::progress::{Figures, Progress};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

/// One cell's value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Count(i64),
    /// A share from 0 to 1; empty when nothing could be judged.
    Share(Option<f64>),
    /// Working days; empty when unknown.
    Days(Option<f64>),
}

/// What one row of a section shows: a department's or the whole period's figures.
struct Row<'a> {
    figures: &'a Figures,
    /// Entries in force at the end: by department and in all, not by month.
    active_entries: Option<i64>,
}

struct Column {
    label: &'static str,
    about: &'static str,
    value: fn(&Row<'_>) -> Cell,
    /// Shown in the monthly trend too (every figure but the end-of-period one).
    monthly: bool,
}

struct Section {
    sheet: &'static str,
    columns: &'static [Column],
}

const fn count(label: &'static str, about: &'static str, value: fn(&Row<'_>) -> Cell) -> Column {
    Column {
        label,
        about,
        value,
        monthly: true,
    }
}

const SECTIONS: &[Section] = &[
    Section {
        sheet: "名单发布",
        columns: &[
            count(
                "新增名单条目",
                "本部门在期间内于平台发布的红黑名单条目",
                |r| Cell::Count(r.figures.entries_added),
            ),
            Column {
                label: "期末有效条目",
                about: "本部门发布、在期末（或今天，取早者）仍有效的名单条目",
                value: |r| Cell::Count(r.active_entries.unwrap_or(0)),
                monthly: false,
            },
        ],
    },
    Section {
        sheet: "联合奖惩反馈",
        columns: &[
            count(
                "收到推送",
                "期间内推送给本部门（作为实施部门）的联合奖惩措施",
                |r| Cell::Count(r.figures.dispatched),
            ),
            count(
                "已撤回推送",
                "其中因名单条目结束而撤回的",
                |r| Cell::Count(r.figures.cancelled),
            ),
            count(
                "已反馈推送",
                "其中已反馈（已实施或不适用）的",
                |r| Cell::Count(r.figures.answered),
            ),
            count("反馈率", "已反馈 ÷（收到 − 已撤回）", |r| {
                Cell::Share(r.figures.feedback_rate())
            }),
            count(
                "反馈用时中位数（工作日）",
                "从推送到反馈的工作日数的中位数",
                |r| Cell::Days(r.figures.median_response_working_days()),
            ),
            count(
                "超期未签收推送",
                "其中至今仍未签收且已过签收期限的",
                |r| Cell::Count(r.figures.dispatches_overdue),
            ),
        ],
    },
    Section {
        sheet: "措施解除",
        columns: &[
            count(
                "请求解除措施",
                "期间内因名单条目结束（撤销、修复、移出、到期）请本部门解除的已实施措施",
                |r| Cell::Count(r.figures.lifts_requested),
            ),
            count(
                "已确认解除",
                "其中本部门已确认解除的",
                |r| Cell::Count(r.figures.lifts_confirmed),
            ),
            count(
                "超期未确认解除",
                "其中至今仍未确认且已过解除期限的",
                |r| Cell::Count(r.figures.lifts_overdue),
            ),
        ],
    },
    Section {
        sheet: "信用核查",
        columns: &[count(
            "核查次数",
            "办理业务时查询主体适用措施的次数",
            |r| Cell::Count(r.figures.checks),
        )],
    },
    Section {
        sheet: "异议处理",
        columns: &[
            count(
                "异议办结",
                "期间内办结（不予受理、成立或不成立）的异议",
                |r| Cell::Count(r.figures.objections.handled),
            ),
            count(
                "异议按时办结",
                "其中受理和决定均未超过期限的",
                |r| Cell::Count(r.figures.objections.on_time),
            ),
            count(
                "异议时限无法判定",
                "工作日历缺少年份、无法判定是否按时的",
                |r| Cell::Count(r.figures.objections.unknown),
            ),
            count(
                "异议按时办结率",
                "按时办结 ÷（办结 − 无法判定）",
                |r| Cell::Share(r.figures.objections.share()),
            ),
            count(
                "异议超期未办",
                "期间内提出、至今未办结且已过期限的",
                |r| Cell::Count(r.figures.objections_overdue),
            ),
        ],
    },
    Section {
        sheet: "信用修复",
        columns: &[
            count(
                "修复办结",
                "期间内作出决定（批准或驳回）的修复申请",
                |r| Cell::Count(r.figures.repairs.handled),
            ),
            count(
                "修复按时办结",
                "其中在申请后10个工作日内决定的",
                |r| Cell::Count(r.figures.repairs.on_time),
            ),
            count(
                "修复时限无法判定",
                "工作日历缺少年份、无法判定是否按时的",
                |r| Cell::Count(r.figures.repairs.unknown),
            ),
            count(
                "修复按时办结率",
                "按时办结 ÷（办结 − 无法判定）",
                |r| Cell::Share(r.figures.repairs.share()),
            ),
            count(
                "修复超期未办",
                "期间内申请、至今未决定且已过期限的",
                |r| Cell::Count(r.figures.repairs_overdue),
            ),
        ],
    },
    Section {
        sheet: "双公示",
        columns: &[
            count(
                "双公示记录",
                "期间内作出决定的行政许可和行政处罚",
                |r| Cell::Count(r.figures.publicity.handled),
            ),
            count(
                "按时公示",
                "其中在决定后7个工作日内公示的",
                |r| Cell::Count(r.figures.publicity.on_time),
            ),
            count(
                "公示时限无法判定",
                "工作日历缺少年份、无法判定是否按时的",
                |r| Cell::Count(r.figures.publicity.unknown),
            ),
            count(
                "按时公示率",
                "按时公示 ÷（记录 − 无法判定）",
                |r| Cell::Share(r.figures.publicity.share()),
            ),
        ],
    },
];

/// The trend chart's lines: the monthly volumes.
const CHARTED: &[&str] = &["新增名单条目", "收到推送", "已反馈推送", "核查次数"];

const TREND_SHEET: &str = "月度趋势";
const TOTAL: &str = "合计";

fn columns() -> impl Iterator<Item = &'static Column> {
    SECTIONS.iter().flat_map(|s| s.columns.iter())
}

fn rows(p: &Progress) -> Vec<(&str, &str, Row<'_>)> {
    let mut out: Vec<(&str, &str, Row<'_>)> = p
        .departments
        .iter()
        .map(|d| {
            (
                d.code.as_str(),
                d.name.as_str(),
                Row {
                    figures: &d.figures,
                    active_entries: Some(d.active_entries),
                },
            )
        })
        .collect();
    out.push((
        "",
        TOTAL,
        Row {
            figures: &p.total,
            active_entries: Some(p.total_active_entries),
        },
    ));
    out
}

/// A suggested file name without its extension, e.g. `progress-2026-11-01-2026-11-30`.
pub fn file_stem(p: &Progress) -> String {
    format!("progress-{}-{}", p.from, p.to)
}

fn csv_text(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Share(Some(x)) => format!("{x:.4}"),
        Cell::Days(Some(x)) => format!("{x:.1}"),
        Cell::Share(None) | Cell::Days(None) => String::new(),
    }
}

/// One row per department and a total row; shares as fractions (0.8571), unknowns empty. UTF-8
/// with a byte-order mark, so that Excel opens the Chinese as Chinese.
pub fn csv(p: &Progress) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["部门代码", "部门名称"];
    header.extend(columns().map(|c| c.label));
    w.write_record(&header)?;
    for (code, name, row) in rows(p) {
        let mut record = vec![code.to_owned(), name.to_owned()];
        record.extend(columns().map(|c| csv_text((c.value)(&row))));
        w.write_record(&record)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

struct Formats {
    bold: Format,
    share: Format,
    days: Format,
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Count(n) => ws.write_number(row, col, n as f64)?,
        Cell::Share(Some(x)) => ws.write_number_with_format(row, col, x, &f.share)?,
        Cell::Days(Some(x)) => ws.write_number_with_format(row, col, x, &f.days)?,
        Cell::Share(None) | Cell::Days(None) => ws,
    };
    Ok(())
}

fn write_header(ws: &mut Worksheet, labels: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (i, label) in labels.iter().enumerate() {
        ws.write_string_with_format(0, col(i)?, *label, &f.bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn col(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::ParameterError("too many columns".into()))
}

fn row_number(i: usize) -> Result<u32, XlsxError> {
    u32::try_from(i).map_err(|_| XlsxError::ParameterError("too many rows".into()))
}

/// The workbook: 报送说明 (period, scope and what every figure means), one sheet per section with
/// a row per department and a total row, and 月度趋势 with a line chart of the monthly volumes.
pub fn xlsx(p: &Progress, jurisdiction: Option<&str>) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        share: Format::new().set_num_format("0.0%"),
        days: Format::new().set_num_format("0.0"),
    };
    let mut wb = Workbook::new();

    let about = wb.add_worksheet().set_name("报送说明")?;
    about.write_string_with_format(0, 0, "信用建设工作进展报送 (progress report)", &f.bold)?;
    about.write_string(1, 0, "报送期间")?;
    about.write_string(1, 1, format!("{} 至 {}", p.from, p.to))?;
    about.write_string(2, 0, "行政区划")?;
    about.write_string(2, 1, jurisdiction.unwrap_or("全部"))?;
    about.write_string(3, 0, "部门数")?;
    about.write_number(3, 1, p.departments.len() as f64)?;
    about.write_string_with_format(5, 0, "指标", &f.bold)?;
    about.write_string_with_format(5, 1, "口径", &f.bold)?;
    for (i, c) in columns().enumerate() {
        about.write_string(row_number(6 + i)?, 0, c.label)?;
        about.write_string(row_number(6 + i)?, 1, c.about)?;
    }
    about.set_column_width(0, 24)?;
    about.set_column_width(1, 60)?;

    let rows = rows(p);
    for section in SECTIONS {
        let ws = wb.add_worksheet().set_name(section.sheet)?;
        let mut labels = vec!["部门代码", "部门名称"];
        labels.extend(section.columns.iter().map(|c| c.label));
        write_header(ws, &labels, &f)?;
        for (i, (code, name, row)) in rows.iter().enumerate() {
            let r = row_number(i + 1)?;
            ws.write_string(r, 0, *code)?;
            ws.write_string(r, 1, *name)?;
            for (j, c) in section.columns.iter().enumerate() {
                write_cell(ws, r, col(j + 2)?, (c.value)(row), &f)?;
            }
        }
        ws.set_column_width(0, 16)?;
        ws.set_column_width(1, 24)?;
        for j in 0..section.columns.len() {
            ws.set_column_width(col(j + 2)?, 14)?;
        }
    }

    let monthly: Vec<&Column> = columns().filter(|c| c.monthly).collect();
    let ws = wb.add_worksheet().set_name(TREND_SHEET)?;
    let mut labels = vec!["月份"];
    labels.extend(monthly.iter().map(|c| c.label));
    write_header(ws, &labels, &f)?;
    for (i, (month, figures)) in p.months.iter().enumerate() {
        let r = row_number(i + 1)?;
        ws.write_string(r, 0, month.to_string())?;
        let row = Row {
            figures,
            active_entries: None,
        };
        for (j, c) in monthly.iter().enumerate() {
            write_cell(ws, r, col(j + 1)?, (c.value)(&row), &f)?;
        }
    }
    let last = row_number(p.months.len())?;
    let mut chart = Chart::new(ChartType::Line);
    chart.title().set_name("月度趋势");
    for (j, c) in monthly.iter().enumerate() {
        if CHARTED.contains(&c.label) {
            let column = col(j + 1)?;
            chart
                .add_series()
                .set_name((TREND_SHEET, 0, column))
                .set_categories((TREND_SHEET, 1, 0, last, 0))
                .set_values((TREND_SHEET, 1, column, last, column));
        }
    }
    chart.y_axis().set_name("数量");
    ws.insert_chart(last + 2, 0, &chart)?;
    ws.set_column_width(0, 10)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_unique_and_the_charted_ones_exist() {
        let labels: Vec<&str> = columns().map(|c| c.label).collect();
        let mut unique = labels.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), labels.len());
        for c in CHARTED {
            assert!(columns().any(|col| col.label == *c && col.monthly), "{c}");
        }
        for s in SECTIONS {
            assert!(
                s.sheet.chars().count() <= 31,
                "Excel's limit on sheet names"
            );
        }
    }

    #[test]
    fn csv_cells_leave_unknowns_empty() {
        assert_eq!(csv_text(Cell::Count(3)), "3");
        assert_eq!(csv_text(Cell::Share(Some(6.0 / 7.0))), "0.8571");
        assert_eq!(csv_text(Cell::Share(None)), "");
        assert_eq!(csv_text(Cell::Days(Some(2.5))), "2.5");
    }
}
