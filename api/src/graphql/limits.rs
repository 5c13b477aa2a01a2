//! What one request may cost, bounded before and while it runs.
//!
//! async-graphql's validators walk every fragment spread into its fragment, so a kilobyte of
//! fragments that each spread the one before twice costs time exponential in its depth before the
//! complexity limit is even compared. The document is therefore measured first, in one pass that
//! counts each fragment once and stops at the limit; only a document within every limit reaches
//! validation. A query then runs within a wall-clock budget. A mutation is not cut short: it is
//! one transaction whose answer must say whether it committed.

use crate::error::{ApiError, ErrorCode};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{Positioned, Request, Response, ServerError, ServerResult, Variables};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Bytes of one document's text. Data (a batch of 10,000 listings) goes in variables, which the body
/// limit bounds; a document is a few kilobytes, and parsing 8 MiB of one took a second.
pub const MAX_DOCUMENT_BYTES: usize = 100 * 1024;
/// Variables one operation declares.
pub const MAX_VARIABLE_DEFINITIONS: usize = 100;
/// Fields, spreads and inline fragments of all operations, each fragment counted wherever spread.
pub const MAX_SELECTIONS: usize = 2_000;
/// Fragment definitions in one document.
pub const MAX_FRAGMENTS: usize = 100;
/// Directives written anywhere in one document.
pub const MAX_DIRECTIVES: usize = 50;
/// Aliased fields, each fragment counted wherever spread: aliases are how one request asks the
/// same thing many times.
pub const MAX_ALIASES: usize = 200;
/// Levels of nesting (selection sets, spreads, inline fragments) one document may have, as
/// async-graphql's own recursion check counts them: deeper would risk the validators' stacks.
pub const MAX_NESTING: usize = 32;
/// How long a query may run unless configured otherwise.
pub const DEFAULT_QUERY_BUDGET: Duration = Duration::from_secs(10);

/// Marks a request that came as an HTTP GET: it may read, never change anything.
#[derive(Debug, Clone, Copy)]
pub struct OverGet;

/// The extension: document limits on parse, the time budget on execution.
pub struct RequestLimits {
    pub query_budget: Duration,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            query_budget: DEFAULT_QUERY_BUDGET,
        }
    }
}

impl ExtensionFactory for RequestLimits {
    fn create(&self) -> std::sync::Arc<dyn Extension> {
        std::sync::Arc::new(RequestLimitsExtension {
            query_budget: self.query_budget,
            operation_name: Mutex::new(None),
            operation: Mutex::new(None),
        })
    }
}

struct RequestLimitsExtension {
    query_budget: Duration,
    /// The operation the request names, if any.
    operation_name: Mutex<Option<String>>,
    /// The kind of the operation this request runs, known once its document is parsed.
    operation: Mutex<Option<OperationType>>,
}

#[async_trait::async_trait]
impl Extension for RequestLimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut slot) = self.operation_name.lock() {
            slot.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // The parse cache below parses with [`parse`], so every document here is within limits.
        let document = next.run(ctx, query, variables).await?;
        super::text::check_inputs(&document, variables)?;
        let name = self.operation_name.lock().ok().and_then(|n| n.clone());
        let kind = operation_kind(&document, name.as_deref());
        if kind == Some(OperationType::Mutation) && ctx.data_opt::<OverGet>().is_some() {
            return Err(method_not_allowed());
        }
        if let Ok(mut slot) = self.operation.lock() {
            *slot = kind;
        }
        if let (Some(seen), Some(kind)) = (ctx.data_opt::<super::operation::OperationSeen>(), kind)
        {
            let named = match &document.operations {
                DocumentOperations::Multiple(ops) if name.is_none() && ops.len() == 1 => {
                    ops.keys().next().map(|k| k.to_string())
                }
                _ => name.clone(),
            };
            let kind = match kind {
                OperationType::Query => "query",
                OperationType::Mutation => "mutation",
                OperationType::Subscription => "subscription",
            };
            seen.set(kind, named);
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let kind = self.operation.lock().ok().and_then(|k| *k);
        if kind != Some(OperationType::Query) {
            return next.run(ctx, operation_name).await;
        }
        match tokio::time::timeout(self.query_budget, next.run(ctx, operation_name)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(
                    budget_ms = self.query_budget.as_millis() as u64,
                    "query cut at its time budget"
                );
                Response::from_errors(vec![timed_out(self.query_budget)])
            }
        }
    }
}

fn method_not_allowed() -> ServerError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "变更只能用 POST 提交 (mutations are accepted over POST only)",
    )
    .into_server_error()
}

fn timed_out(budget: Duration) -> ServerError {
    let mut e = ApiError::new(
        ErrorCode::Timeout,
        format!(
            "查询超过 {} 毫秒未完成，已停止；请缩小查询范围（如减少 first）后重试 (the query ran past its time budget)",
            budget.as_millis()
        ),
    )
    .into_server_error();
    let extensions = e.extensions.get_or_insert_with(Default::default);
    extensions.set("limit", "queryBudgetMs");
    extensions.set("max", budget.as_millis() as u64);
    e
}

/// The operation the request will run: the one named, or the only one.
fn operation_kind(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(ops), None) => {
            // No operation will run (the request names none of several), but a GET must not
            // pass as a read if any of them writes.
            ops.values()
                .any(|op| op.node.ty == OperationType::Mutation)
                .then_some(OperationType::Mutation)
        }
    }
}

/// A limit a document went past; its bound is the limit's constant above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    DocumentBytes,
    Variables,
    Selections,
    Fragments,
    Directives,
    Aliases,
    Nesting,
    /// A fragment that spreads itself: no bound, never allowed.
    FragmentCycle,
}

impl Exceeded {
    /// The name clients read in `extensions.limit`.
    pub fn name(self) -> &'static str {
        match self {
            Exceeded::DocumentBytes => "documentBytes",
            Exceeded::Variables => "variables",
            Exceeded::Selections => "selections",
            Exceeded::Fragments => "fragments",
            Exceeded::Directives => "directives",
            Exceeded::Aliases => "aliases",
            Exceeded::Nesting => "nesting",
            Exceeded::FragmentCycle => "fragmentCycle",
        }
    }

    /// The bound, in `extensions.max`.
    pub fn max(self) -> usize {
        match self {
            Exceeded::DocumentBytes => MAX_DOCUMENT_BYTES,
            Exceeded::Variables => MAX_VARIABLE_DEFINITIONS,
            Exceeded::Selections => MAX_SELECTIONS,
            Exceeded::Fragments => MAX_FRAGMENTS,
            Exceeded::Directives => MAX_DIRECTIVES,
            Exceeded::Aliases => MAX_ALIASES,
            Exceeded::Nesting => MAX_NESTING,
            Exceeded::FragmentCycle => 0,
        }
    }

    fn message(self) -> String {
        let what = match self {
            Exceeded::DocumentBytes => {
                "查询文本的字节数 (bytes of the document; send data as variables)"
            }
            Exceeded::Variables => "变量声明 (variable definitions)",
            Exceeded::Selections => {
                "展开片段后的字段与片段选择 (selections after fragment expansion)"
            }
            Exceeded::Fragments => "片段定义 (fragment definitions)",
            Exceeded::Directives => "指令 (directives)",
            Exceeded::Aliases => "别名字段 (aliased fields)",
            Exceeded::Nesting => "嵌套层数 (levels of nesting)",
            Exceeded::FragmentCycle => {
                return "片段不能直接或间接引用自身 (a fragment spreads itself)".into();
            }
        };
        format!(
            "请求过大：{what}不能超过 {} 个，请拆分为多个请求",
            self.max()
        )
    }

    fn into_server_error(self) -> ServerError {
        let mut e = ApiError::new(ErrorCode::BadUserInput, self.message()).into_server_error();
        let extensions = e.extensions.get_or_insert_with(Default::default);
        extensions.set("limit", self.name());
        extensions.set("max", self.max() as u64);
        e
    }
}

/// Parses a document and checks it against every limit. This replaces async-graphql's own parse
/// step, whose recursion check walks each spread into its fragment and so is itself exponential.
pub fn parse(query: &str) -> ServerResult<ExecutableDocument> {
    if query.len() > MAX_DOCUMENT_BYTES {
        return Err(Exceeded::DocumentBytes.into_server_error());
    }
    let document = async_graphql::parser::parse_query(query).map_err(syntax_error)?;
    measure(&document).map_err(Exceeded::into_server_error)?;
    Ok(document)
}

/// The parser's error with its reason and place, without the copy of the offending line it
/// quotes: a line can be megabytes long, and the answer would repeat it.
fn syntax_error(e: async_graphql::parser::Error) -> ServerError {
    let parsed = ServerError::from(e);
    let reason = parsed
        .message
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or("syntax error")
        .chars()
        .take(200)
        .collect::<String>();
    let message = format!("GraphQL 文档无法解析 (syntax error): {reason}");
    let mut error = ApiError::new(ErrorCode::GraphqlParseFailed, message).into_server_error();
    error.locations = parsed.locations;
    error
}

/// Checks a document against every limit in time linear in its text.
pub fn measure(document: &ExecutableDocument) -> Result<(), Exceeded> {
    if document.fragments.len() > MAX_FRAGMENTS {
        return Err(Exceeded::Fragments);
    }
    count_directives(document)?;
    if document
        .operations
        .iter()
        .any(|(_, op)| op.node.variable_definitions.len() > MAX_VARIABLE_DEFINITIONS)
    {
        return Err(Exceeded::Variables);
    }
    let mut walk = Walk {
        document,
        fragments: HashMap::new(),
    };
    let mut total = Cost::default();
    for (_, op) in document.operations.iter() {
        let cost = walk.set(&op.node.selection_set, 0)?;
        if cost.height > MAX_NESTING {
            return Err(Exceeded::Nesting);
        }
        total = total.plus(cost)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    selections: usize,
    aliases: usize,
    /// Levels of nesting below the selection set measured.
    height: usize,
}

impl Cost {
    fn plus(self, other: Cost) -> Result<Cost, Exceeded> {
        let sum = Cost {
            selections: self.selections.saturating_add(other.selections),
            aliases: self.aliases.saturating_add(other.aliases),
            height: self.height.max(other.height),
        };
        if sum.selections > MAX_SELECTIONS {
            return Err(Exceeded::Selections);
        }
        if sum.aliases > MAX_ALIASES {
            return Err(Exceeded::Aliases);
        }
        Ok(sum)
    }
}

enum Fragment {
    /// Being measured: meeting it again means it spreads itself.
    Open,
    Done(Cost),
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    fragments: HashMap<&'a str, Fragment>,
}

impl<'a> Walk<'a> {
    /// The cost of a selection set; `stack` is how deep the walk itself is, bounded so that a
    /// document nested thousands deep cannot exhaust the stack here.
    fn set(&mut self, set: &'a Positioned<SelectionSet>, stack: usize) -> Result<Cost, Exceeded> {
        if stack > MAX_NESTING {
            return Err(Exceeded::Nesting);
        }
        let mut cost = Cost::default();
        for item in &set.node.items {
            let (aliased, below) = match &item.node {
                Selection::Field(field) if field.node.selection_set.node.items.is_empty() => {
                    (field.node.alias.is_some(), None)
                }
                Selection::Field(field) => (
                    field.node.alias.is_some(),
                    Some(self.set(&field.node.selection_set, stack + 1)?),
                ),
                Selection::InlineFragment(inline) => (
                    false,
                    Some(self.set(&inline.node.selection_set, stack + 1)?),
                ),
                Selection::FragmentSpread(spread) => (
                    false,
                    Some(self.fragment(spread.node.fragment_name.node.as_str(), stack + 1)?),
                ),
            };
            let own = Cost {
                selections: 1,
                aliases: usize::from(aliased),
                height: 0,
            };
            cost = cost.plus(own)?;
            if let Some(below) = below {
                cost = cost.plus(Cost {
                    height: below.height + 1,
                    ..below
                })?;
            }
        }
        Ok(cost)
    }

    fn fragment(&mut self, name: &'a str, stack: usize) -> Result<Cost, Exceeded> {
        match self.fragments.get(name) {
            Some(Fragment::Done(cost)) => return Ok(*cost),
            Some(Fragment::Open) => {
                return Err(Exceeded::FragmentCycle);
            }
            None => {}
        }
        // An unknown fragment costs nothing here; validation names it.
        let Some(definition) = self.document.fragments.get(name) else {
            return Ok(Cost::default());
        };
        self.fragments.insert(name, Fragment::Open);
        let cost = self.set(&definition.node.selection_set, stack)?;
        self.fragments.insert(name, Fragment::Done(cost));
        Ok(cost)
    }
}

/// Counts directives as written (not expanded): each is checked once per place it is written, and
/// thousands of them were thousands of identical errors.
fn count_directives(document: &ExecutableDocument) -> Result<(), Exceeded> {
    fn in_set(set: &SelectionSet, n: &mut usize) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    *n += f.node.directives.len();
                    in_set(&f.node.selection_set.node, n);
                }
                Selection::InlineFragment(i) => {
                    *n += i.node.directives.len();
                    in_set(&i.node.selection_set.node, n);
                }
                Selection::FragmentSpread(s) => *n += s.node.directives.len(),
            }
        }
    }
    let mut n = 0;
    for (_, op) in document.operations.iter() {
        n += op.node.directives.len();
        n += op
            .node
            .variable_definitions
            .iter()
            .map(|v| v.node.directives.len())
            .sum::<usize>();
        in_set(&op.node.selection_set.node, &mut n);
    }
    for fragment in document.fragments.values() {
        n += fragment.node.directives.len();
        in_set(&fragment.node.selection_set.node, &mut n);
    }
    if n > MAX_DIRECTIVES {
        return Err(Exceeded::Directives);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(text).unwrap()
    }

    /// Fragments F0 … Fn, each spreading the one before twice (through aliases).
    fn fragment_bomb(levels: usize) -> String {
        let mut text = String::from("query { ...F");
        text.push_str(&levels.to_string());
        text.push_str(" }\nfragment F0 on Query { __typename }\n");
        for i in 1..=levels {
            text.push_str(&format!(
                "fragment F{i} on Query {{ ...F{p} ...F{p} }}\n",
                p = i - 1
            ));
        }
        text
    }

    #[test]
    fn a_fragment_bomb_is_measured_without_expanding_it() {
        let started = std::time::Instant::now();
        assert_eq!(
            measure(&doc(&fragment_bomb(30))).unwrap_err(),
            Exceeded::Selections
        );
        assert_eq!(
            measure(&doc(&fragment_bomb(60))).unwrap_err(),
            Exceeded::Nesting
        );
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(measure(&doc(&fragment_bomb(5))).is_ok());
    }

    #[test]
    fn each_limit_is_named() {
        let aliases: String = (0..=MAX_ALIASES)
            .map(|i| format!("a{i}: __typename "))
            .collect();
        assert_eq!(
            measure(&doc(&format!("{{ {aliases} }}"))).unwrap_err(),
            Exceeded::Aliases
        );
        let directives = "@include(if: true) ".repeat(MAX_DIRECTIVES + 1);
        assert_eq!(
            measure(&doc(&format!("{{ __typename {directives} }}"))).unwrap_err(),
            Exceeded::Directives
        );
        let fragments: String = (0..=MAX_FRAGMENTS)
            .map(|i| format!("fragment X{i} on Query {{ __typename }}\n"))
            .collect();
        assert_eq!(
            measure(&doc(&format!("{{ __typename }}\n{fragments}"))).unwrap_err(),
            Exceeded::Fragments
        );
        let variables: String = (0..=MAX_VARIABLE_DEFINITIONS)
            .map(|i| format!("$v{i}: Int "))
            .collect();
        assert_eq!(
            measure(&doc(&format!("query({variables}) {{ __typename }}"))).unwrap_err(),
            Exceeded::Variables
        );
        let huge = format!("{{ {}}}", "__typename ".repeat(MAX_DOCUMENT_BYTES / 10));
        assert!(
            parse(&huge)
                .unwrap_err()
                .message
                .contains("bytes of the document")
        );
        let deep = format!("{{ {}__typename{} }}", "a { ".repeat(40), " }".repeat(40));
        assert_eq!(measure(&doc(&deep)).unwrap_err(), Exceeded::Nesting);
        // Deeper than the parser goes: its error, without the document copied into it.
        let deeper = format!("{{ {}x{} }}", "a { ".repeat(12_000), " }".repeat(12_000));
        let e = parse(&deeper).unwrap_err();
        assert!(e.message.len() < 300, "{}", e.message.len());
        assert_eq!(
            measure(&doc(
                "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
            ))
            .unwrap_err(),
            Exceeded::FragmentCycle
        );
    }
}
