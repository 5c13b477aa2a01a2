//! The working-day calendar over GraphQL: what it covers (public), and loading a year's notice
//! (the credit office).

use super::scalars::Date;
use super::{actor, answers, services};
use async_graphql::{Context, Description, InputObject, Object, Result};
use chrono::NaiveDate;
use domain::{Scope, WorkingDayCalendar};
use std::sync::Arc;

/// 工作日历 (the working-day calendar): the years whose State Council notices are loaded.
#[derive(Description)]
pub struct WorkingCalendarNode {
    calendar: Arc<WorkingDayCalendar>,
    today: NaiveDate,
}

#[Object(name = "WorkingCalendar", use_type_description)]
impl WorkingCalendarNode {
    /// 已载入的年份 (years loaded)
    async fn years(&self) -> Vec<i32> {
        self.calendar.years().collect()
    }
    /// 从今天起连续覆盖到的最后一日；今年尚未载入时为空 (the last day covered without a gap from today)
    async fn last_day(&self) -> Option<Date> {
        self.calendar.covered_until(self.today).map(Date)
    }
    /// 剩余天数：今天到最后一日 (days left until the last day)
    async fn days_left(&self) -> i64 {
        self.calendar.days_left(self.today)
    }
    /// 剩余不足45天：应尽快载入下一年的放假安排 (fewer than 45 days left: load the next year)
    async fn running_out(&self) -> bool {
        self.calendar.running_out(self.today)
    }
    /// 下一个尚未载入的年份 (the first year not loaded)
    async fn next_missing_year(&self) -> i32 {
        self.calendar.first_missing_year(self.today)
    }
}

/// 载入工作日历 (load a year's notice)
#[derive(InputObject)]
pub struct LoadWorkingCalendarInput {
    /// 国务院办公厅放假安排，格式同 data/cn-working-days.json：{"years": {"2027": {"off": [...], "work": [...]}}}；
    /// 须为全年，日期在该年内，同一天不能既放假又上班 (the notice, in the shape of data/cn-working-days.json)
    pub json: String,
}

/// 载入结果 (what the load did)
#[derive(Description)]
pub struct LoadWorkingCalendarPayload {
    years: Vec<i32>,
    deadlines_filled: usize,
    calendar: WorkingCalendarNode,
}

#[Object(use_type_description)]
impl LoadWorkingCalendarPayload {
    /// 本次载入的年份 (the years loaded)
    async fn years_loaded(&self) -> &[i32] {
        &self.years
    }
    /// 因此补算的期限数（推送签收、异议受理与决定、投诉转办与答复、措施解除、名单移出）(deadlines filled in by it)
    async fn deadlines_filled(&self) -> usize {
        self.deadlines_filled
    }
    /// 载入后的工作日历 (the calendar after the load)
    async fn calendar(&self) -> &WorkingCalendarNode {
        &self.calendar
    }
}

#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// 工作日历覆盖情况，公开 (what the working-day calendar covers; public)
    async fn working_calendar(&self, ctx: &Context<'_>) -> Result<WorkingCalendarNode> {
        let svc = services(ctx)?;
        Ok(WorkingCalendarNode {
            calendar: svc.calendar(),
            today: svc.today(),
        })
    }
}

#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// 载入一年（或几年）的放假安排，信用办，需 memoranda:admin；存入数据库，所有实例立即使用，
    /// 此前因缺少该年而为空的期限随即补算 (load a year's notice; every instance uses it at once,
    /// and deadlines that waited for it are filled in)
    async fn load_working_calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 LoadWorkingCalendarInput (what to change; see LoadWorkingCalendarInput)"
        )]
        input: LoadWorkingCalendarInput,
    ) -> Result<LoadWorkingCalendarPayload> {
        let actor = actor(ctx, Scope::MemorandaAdmin)?;
        let svc = services(ctx)?;
        let loaded = svc
            .run(move |s| s.load_working_calendar(&actor, &input.json))
            .await?;
        // Answers that show deadlines or timeliness were computed without this year.
        answers::changed_everything(ctx);
        Ok(LoadWorkingCalendarPayload {
            years: loaded.years,
            deadlines_filled: loaded.filled.total(),
            calendar: WorkingCalendarNode {
                calendar: loaded.calendar,
                today: svc.today(),
            },
        })
    }
}
