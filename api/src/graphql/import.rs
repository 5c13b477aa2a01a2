//! 归集 over GraphQL: a department sends a file's text and gets the report `xinyong import` prints.

use super::{actor, services};
use crate::events::DispatchEventKind;
use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject};
use domain::Scope;
use domain::import::{self, ImportMode, ImportReport};

/// 导入的数据种类 (what a file holds)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::import::ImportKind")]
pub enum ImportKind {
    /// 主体，需 subjects:write (subjects)
    Subjects,
    /// 信用记录（可用双公示标准列名），需 records:write (credit records)
    Records,
    /// 名单条目，需 lists:write (list entries)
    Entries,
}

/// 文件格式 (file format)
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::import::ImportFormat")]
pub enum ImportFormat {
    /// CSV，首行为列名，UTF-8 (comma-separated, header first)
    Csv,
    /// JSON Lines，每行一个对象，UTF-8 (one JSON object per line)
    JsonLines,
}

/// 导入一个文件 (import a file)
#[derive(InputObject)]
pub struct ImportFileInput {
    /// 数据种类 (kind)
    pub kind: ImportKind,
    /// 格式 (format)
    pub format: ImportFormat,
    /// 文件全文，UTF-8 (the file's text)
    pub content: String,
    /// 只导入正确的行；默认有一行出错则全部不导入 (store the good rows only; by default one bad
    /// row stores nothing)
    #[graphql(default = false)]
    pub good_rows_only: bool,
}

/// 一行的问题 (a bad row)
#[derive(SimpleObject)]
pub struct ImportProblem {
    /// 行号，从1起；CSV 表头为第1行 (line, from 1)
    pub line: i32,
    /// 出错的列，按文件中的列名；空表示整行 (the column, as the file names it)
    pub field: String,
    /// 原因 (reason)
    pub reason: String,
}

/// 导入报告 (import report)
#[derive(SimpleObject)]
#[graphql(name = "ImportReport")]
pub struct ImportReportNode {
    /// 数据种类 (kind)
    pub kind: ImportKind,
    /// 数据行数（不含表头与空行） (data rows read)
    pub rows: i32,
    /// 新增的行数 (rows stored as new)
    pub created: i32,
    /// 已导入过、内容相同而未改动的行数 (rows already stored with the same content)
    pub unchanged: i32,
    /// 有问题的行数 (rows with problems)
    pub rejected: i32,
    /// 是否已写入；整体导入遇到问题时为 false，什么也没有写入 (whether anything was stored)
    pub committed: bool,
    /// 每个问题：行号、列、原因 (each problem)
    pub problems: Vec<ImportProblem>,
}

impl From<ImportReport> for ImportReportNode {
    fn from(r: ImportReport) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        ImportReportNode {
            kind: r.kind.into(),
            rows: count(r.rows),
            created: count(r.created),
            unchanged: count(r.unchanged),
            rejected: count(r.rejected_rows()),
            committed: r.committed,
            problems: r
                .problems
                .into_iter()
                .map(|p| ImportProblem {
                    line: count(p.line),
                    field: p.field,
                    reason: p.reason,
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct ImportMutation;

/// 归集 (bulk import)
#[Object]
impl ImportMutation {
    /// 批量导入主体、信用记录或名单条目：逐行校验，一份报告列出每个问题的行、列和原因；默认全部
    /// 成功才写入；按来源键幂等，同一文件导入两次不会改变任何数据 (import a file, one transaction)
    async fn import_file(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "变更的内容，字段见 ImportFileInput (what to change; see ImportFileInput)"
        )]
        input: ImportFileInput,
    ) -> Result<ImportFilePayload> {
        let kind: import::ImportKind = input.kind.into();
        let scope = match kind {
            import::ImportKind::Subjects => Scope::SubjectsWrite,
            import::ImportKind::Records => Scope::RecordsWrite,
            import::ImportKind::Entries => Scope::ListsWrite,
        };
        let actor = actor(ctx, scope)?;
        let svc = services(ctx)?;
        let today = svc.today();
        let mode = if input.good_rows_only {
            ImportMode::GoodRowsOnly
        } else {
            ImportMode::AllOrNothing
        };
        let format = input.format.into();
        let content = input.content;
        let imported = svc
            .run(move |s| {
                let prepared = import::columns::prepare(kind, import::read_rows(format, &content));
                s.import(&actor, prepared, mode, today)
            })
            .await?;
        for change in &imported.listed {
            svc.events
                .publish(DispatchEventKind::Created, &change.dispatches);
        }
        Ok(ImportFilePayload {
            report: imported.report.into(),
        })
    }
}

/// `importFile` 的结果 (what importFile did)
#[derive(SimpleObject)]
pub struct ImportFilePayload {
    /// 导入报告：每个问题的行、列和原因 (the report, with each problem's row, column and reason)
    pub report: ImportReportNode,
}
