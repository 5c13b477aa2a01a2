//! Statistics (统计) and the departments' progress report (定期报送) for the credit office: both
//! read the same figures, counted once by the store.

use super::query::jurisdiction_arg;
use super::scalars::Date;
use super::types::ListTypeNode;
use super::{actor, any_department, enums, load, loaders::ListTypeId, services};
use crate::error::ApiError;
use async_graphql::{Context, Description, Object, Result, SimpleObject};
use base64::Engine;
use domain::progress::{DepartmentProgress, Figures, Month, Progress, Timeliness};
use domain::{JurisdictionCode, Scope};
use persistence::Stats;

/// 名单统计 (listings of one list type by one department)
#[derive(SimpleObject)]
pub struct ListingStat {
    /// 名单类型 (list type)
    pub list_type: ListTypeNode,
    /// 认定部门代码 (department)
    pub department: String,
    /// 期间新增 (added in the period)
    pub added: i64,
    /// 期末有效 (in force on the last day)
    pub active: i64,
}

/// 推送状态计数 (dispatches by status)
#[derive(SimpleObject)]
pub struct DispatchStatusCount {
    /// 状态 (status)
    pub status: enums::DispatchStatus,
    /// 数量 (count)
    pub count: i64,
}

/// 实施部门反馈情况 (how one implementing department answered)
#[derive(SimpleObject)]
pub struct DepartmentResponseStat {
    /// 部门代码 (department)
    pub department: String,
    /// 收到推送 (dispatched)
    pub dispatched: i64,
    /// 已撤回 (cancelled)
    pub cancelled: i64,
    /// 已反馈 (answered)
    pub answered: i64,
    /// 反馈率：已反馈 / 未撤回 (feedback rate)
    pub feedback_rate: Option<f64>,
    /// 反馈用时中位数（工作日）(median response, working days)
    pub median_response_working_days: Option<f64>,
    /// 超期未签收 (overdue)
    pub overdue: i64,
}

/// 按时办理情况 (cases handled, and how many within their deadline)
#[derive(Description)]
pub struct TimelinessNode(Timeliness);

#[Object(name = "Timeliness", use_type_description)]
impl TimelinessNode {
    /// 办结数 (handled in the period)
    async fn handled(&self) -> i64 {
        self.0.handled
    }

    /// 其中按时办结 (within the deadline)
    async fn on_time(&self) -> i64 {
        self.0.on_time
    }

    /// 工作日历缺少年份、无法判定是否按时的 (not decidable on the calendar)
    async fn unknown(&self) -> i64 {
        self.0.unknown
    }

    /// 按时率：按时 /（办结 − 无法判定）(share on time; null when none can be judged)
    async fn on_time_share(&self) -> Option<f64> {
        self.0.share()
    }
}

/// 报送指标：一个部门、一个月或整个期间的数字 (progress figures)
#[derive(Description)]
pub struct FiguresNode(Figures);

#[Object(name = "ProgressFigures", use_type_description)]
impl FiguresNode {
    /// 新增名单条目：期间内在平台发布的红黑名单条目 (entries published)
    async fn entries_added(&self) -> i64 {
        self.0.entries_added
    }

    /// 收到推送：作为实施部门收到的联合奖惩措施 (dispatches received)
    async fn dispatched(&self) -> i64 {
        self.0.dispatched
    }

    /// 其中因名单条目结束而撤回的 (cancelled)
    async fn cancelled(&self) -> i64 {
        self.0.cancelled
    }

    /// 其中已反馈的 (answered)
    async fn answered(&self) -> i64 {
        self.0.answered
    }

    /// 反馈率：已反馈 /（收到 − 撤回）(feedback rate)
    async fn feedback_rate(&self) -> Option<f64> {
        self.0.feedback_rate()
    }

    /// 反馈用时中位数（工作日）(median response, working days)
    async fn median_response_working_days(&self) -> Option<f64> {
        self.0.median_response_working_days()
    }

    /// 其中至今未签收且已过期限的 (dispatches overdue)
    async fn dispatches_overdue(&self) -> i64 {
        self.0.dispatches_overdue
    }

    /// 请求解除：本部门已实施的措施，其名单条目已结束 (lifts requested of the department)
    async fn lifts_requested(&self) -> i64 {
        self.0.lifts_requested
    }

    /// 其中已确认解除的 (of those, confirmed)
    async fn lifts_confirmed(&self) -> i64 {
        self.0.lifts_confirmed
    }

    /// 其中至今未确认且已过期限的 (of those, unconfirmed past their deadline)
    async fn lifts_overdue(&self) -> i64 {
        self.0.lifts_overdue
    }

    /// 核查次数 (checks made)
    async fn checks(&self) -> i64 {
        self.0.checks
    }

    /// 异议办结及按时情况 (objections closed)
    async fn objections(&self) -> TimelinessNode {
        TimelinessNode(self.0.objections)
    }

    /// 期间内提出、至今未办结且已过期限的异议 (objections overdue)
    async fn objections_overdue(&self) -> i64 {
        self.0.objections_overdue
    }

    /// 信用修复决定及按时情况（申请后10个工作日内）(repairs decided)
    async fn repairs(&self) -> TimelinessNode {
        TimelinessNode(self.0.repairs)
    }

    /// 期间内申请、至今未决定且已过期限的修复 (repairs overdue)
    async fn repairs_overdue(&self) -> i64 {
        self.0.repairs_overdue
    }

    /// 双公示：期间内决定的行政许可和行政处罚，及7个工作日内公示的 (double publicity)
    async fn double_publicity(&self) -> TimelinessNode {
        TimelinessNode(self.0.publicity)
    }
}

/// 一个部门的报送数字 (one department's progress)
#[derive(Description)]
pub struct DepartmentProgressNode(DepartmentProgress);

#[Object(name = "DepartmentProgress", use_type_description)]
impl DepartmentProgressNode {
    /// 部门代码 (department code)
    async fn department(&self) -> &str {
        &self.0.code
    }

    /// 部门名称（未登记的部门为空）(department name)
    async fn department_name(&self) -> &str {
        &self.0.name
    }

    /// 本部门发布、期末仍有效的名单条目 (entries in force at the end)
    async fn active_entries(&self) -> i64 {
        self.0.active_entries
    }

    /// 各项数字 (figures)
    async fn figures(&self) -> FiguresNode {
        FiguresNode(self.0.figures.clone())
    }
}

/// 一个月的报送数字：该月（期间内）各天的合计 (one month's progress)
#[derive(Description)]
pub struct MonthProgressNode(Month, Figures);

#[Object(name = "MonthProgress", use_type_description)]
impl MonthProgressNode {
    /// 月份，如 2026-11 (month)
    async fn month(&self) -> String {
        self.0.to_string()
    }

    /// 各项数字 (figures)
    async fn figures(&self) -> FiguresNode {
        FiguresNode(self.1.clone())
    }
}

fn by_department(p: &Progress) -> Vec<DepartmentProgressNode> {
    p.departments
        .iter()
        .cloned()
        .map(DepartmentProgressNode)
        .collect()
}

fn by_month(p: &Progress) -> Vec<MonthProgressNode> {
    p.months
        .iter()
        .map(|(m, f)| MonthProgressNode(*m, f.clone()))
        .collect()
}

/// 统计 (statistics for the credit office)
#[derive(SimpleObject)]
#[graphql(name = "Stats")]
pub struct StatsNode {
    /// 起始日 (from)
    pub from: Date,
    /// 截止日 (to)
    pub to: Date,
    /// 按名单类型和部门的新增与有效条目 (entries added and active)
    pub listings: Vec<ListingStat>,
    /// 按状态的推送数 (dispatches by status)
    pub dispatches_by_status: Vec<DispatchStatusCount>,
    /// 各实施部门的反馈率和反馈用时（收到过推送的部门）(response per implementing department)
    pub departments: Vec<DepartmentResponseStat>,
    /// 超期未签收的推送 (overdue dispatches)
    pub overdue: i64,
    /// 核查次数 (checks made)
    pub checks: i64,
    /// 期间决定的行政许可和行政处罚记录数 (licence and penalty records decided)
    pub double_publicity_total: i64,
    /// 其中7个工作日内公示的 (published within 7 working days)
    pub double_publicity_on_time: i64,
    /// 工作日历无法判断的 (not decidable on the calendar)
    pub double_publicity_unknown: i64,
    /// 按时公示比例 (share published on time, of those decidable)
    pub double_publicity_on_time_share: Option<f64>,
    /// 各部门的全部报送数字（范围内每个登记部门一行）(every figure per department)
    pub by_department: Vec<DepartmentProgressNode>,
    /// 期间内每月的数字 (every figure per month)
    pub by_month: Vec<MonthProgressNode>,
    /// 期间合计 (the whole period)
    pub total: FiguresNode,
}

/// 定期报送：各部门在期间内的工作进展，附 CSV 与 XLSX 文件 (progress report)
#[derive(Description)]
pub struct ProgressReportNode {
    progress: Progress,
    jurisdiction: Option<String>,
}

#[Object(name = "ProgressReport", use_type_description)]
impl ProgressReportNode {
    /// 起始日 (from)
    async fn from(&self) -> Date {
        Date(self.progress.from)
    }

    /// 截止日 (to)
    async fn to(&self) -> Date {
        Date(self.progress.to)
    }

    /// 行政区划（为空即全部）(jurisdiction)
    async fn jurisdiction(&self) -> Option<&str> {
        self.jurisdiction.as_deref()
    }

    /// 各部门（范围内每个登记部门一行）(per department)
    async fn departments(&self) -> Vec<DepartmentProgressNode> {
        by_department(&self.progress)
    }

    /// 月度趋势 (per month)
    async fn months(&self) -> Vec<MonthProgressNode> {
        by_month(&self.progress)
    }

    /// 合计 (the whole period)
    async fn total(&self) -> FiguresNode {
        FiguresNode(self.progress.total.clone())
    }

    /// 期末有效名单条目合计 (entries in force at the end, in all)
    async fn total_active_entries(&self) -> i64 {
        self.progress.total_active_entries
    }

    /// 建议的文件名（不含扩展名）(file name stem)
    async fn file_stem(&self) -> String {
        crate::progress_files::file_stem(&self.progress)
    }

    /// CSV 文件内容：每部门一行及合计行，UTF-8 带 BOM (the report as CSV)
    async fn csv(&self) -> Result<String> {
        crate::progress_files::csv(&self.progress).map_err(|e| {
            tracing::error!(error = %e, "writing the progress report as CSV");
            ApiError::internal().into_graphql()
        })
    }

    /// XLSX 文件内容（base64）：报送说明、每部分一页、月度趋势及折线图 (the report as XLSX)
    async fn xlsx(&self) -> Result<String> {
        let bytes = crate::progress_files::xlsx(&self.progress, self.jurisdiction.as_deref())
            .map_err(|e| {
                tracing::error!(error = %e, "writing the progress report as XLSX");
                ApiError::internal().into_graphql()
            })?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

async fn read_stats(
    ctx: &Context<'_>,
    from: Date,
    to: Date,
    place: Option<JurisdictionCode>,
) -> Result<Stats> {
    let actor = actor(ctx, Scope::StatsRead)?;
    let svc = services(ctx)?;
    let today = svc.today();
    svc.run(move |s| s.stats(&actor, from.0, to.0, place, today))
        .await
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// 统计，仅信用办，需 stats:read (statistics for the credit office)
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "起始日 (from)")] from: Date,
        #[graphql(desc = "截止日 (to)")] to: Date,
        #[graphql(desc = "主体所在行政区划 (jurisdiction)")] jurisdiction: Option<String>,
    ) -> Result<StatsNode> {
        let place = jurisdiction_arg(jurisdiction)?;
        let stats = read_stats(ctx, from, to, place).await?;
        let mut listings = Vec::with_capacity(stats.listings.len());
        for l in stats.listings {
            let list_type = load(ctx, ListTypeId(l.list_type_id.clone()), "名单类型").await?;
            listings.push(ListingStat {
                list_type: ListTypeNode(list_type),
                department: l.department,
                added: l.added,
                active: l.active,
            });
        }
        let p = stats.progress;
        let total = &p.total;
        Ok(StatsNode {
            from: Date(p.from),
            to: Date(p.to),
            listings,
            dispatches_by_status: stats
                .dispatches_by_status
                .into_iter()
                .map(|(s, count)| DispatchStatusCount {
                    status: s.into(),
                    count,
                })
                .collect(),
            departments: p
                .departments
                .iter()
                .filter(|d| d.figures.dispatched > 0)
                .map(|d| DepartmentResponseStat {
                    department: d.code.clone(),
                    dispatched: d.figures.dispatched,
                    cancelled: d.figures.cancelled,
                    answered: d.figures.answered,
                    feedback_rate: d.figures.feedback_rate(),
                    median_response_working_days: d.figures.median_response_working_days(),
                    overdue: d.figures.dispatches_overdue,
                })
                .collect(),
            overdue: total.dispatches_overdue,
            checks: total.checks,
            double_publicity_total: total.publicity.handled,
            double_publicity_on_time: total.publicity.on_time,
            double_publicity_unknown: total.publicity.unknown,
            double_publicity_on_time_share: total.publicity.share(),
            by_department: by_department(&p),
            by_month: by_month(&p),
            total: FiguresNode(p.total.clone()),
        })
    }

    /// 定期报送：各部门的名单发布、推送与反馈、核查、异议与修复按时办结、双公示及时性，
    /// 附 CSV 与 XLSX；仅信用办，需 stats:read (progress report of the departments)
    async fn progress_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "起始日 (from)")] from: Date,
        #[graphql(desc = "截止日 (to)")] to: Date,
        #[graphql(desc = "行政区划，如 210922；不填即全部 (jurisdiction)")] jurisdiction: Option<
            String,
        >,
    ) -> Result<ProgressReportNode> {
        let place = jurisdiction_arg(jurisdiction)?;
        let shown = place.as_ref().map(|j| j.to_string());
        let stats = read_stats(ctx, from, to, place).await?;
        Ok(ProgressReportNode {
            progress: stats.progress,
            jurisdiction: shown,
        })
    }
}

#[derive(Default)]
pub struct ProgressViewer;

#[Object]
impl ProgressViewer {
    /// 本部门在期间内的报送数字（即信用办看到的本部门一行）；任何部门令牌
    /// (my department's own figures, as the credit office reads them)
    async fn progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "起始日 (from)")] from: Date,
        #[graphql(desc = "截止日 (to)")] to: Date,
    ) -> Result<DepartmentProgressNode> {
        let actor = any_department(ctx, "只有部门令牌可以查看本部门的报送数字")?;
        let svc = services(ctx)?;
        let today = svc.today();
        let own = svc
            .run(move |s| s.own_progress(&actor, from.0, to.0, today))
            .await?;
        Ok(DepartmentProgressNode(own))
    }
}
