//! Relay connections of our own, so that every `…Connection` and `…Edge` type carries a
//! description (async-graphql's cannot take one), in the same shape: `edges`, `nodes` and
//! `pageInfo`, a cursor on each edge.

use async_graphql::connection::PageInfo;
use async_graphql::{Object, OutputType, TypeName};
use std::borrow::Cow;

/// One page of results, the cursor of each being its id.
pub struct Connection<N> {
    pub edges: Vec<Edge<N>>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
}

impl<N> Connection<N> {
    pub fn new(has_previous_page: bool, has_next_page: bool) -> Self {
        Connection {
            edges: Vec::new(),
            has_previous_page,
            has_next_page,
        }
    }
}

/// 一页结果（Relay 连接）：edges 为本页各条及其游标，nodes 为同一批对象；还有下一页时以
/// pageInfo.endCursor 作为 after 续读 (one page of a Relay connection; continue with
/// `after: pageInfo.endCursor` while `pageInfo.hasNextPage`)
#[Object(name_type)]
impl<N: OutputType> Connection<N> {
    /// 分页信息 (information to aid in pagination)
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: self.edges.first().map(|e| e.cursor.clone()),
            end_cursor: self.edges.last().map(|e| e.cursor.clone()),
        }
    }

    /// 本页各条及其游标 (this page's edges)
    async fn edges(&self) -> &[Edge<N>] {
        &self.edges
    }

    /// 本页各条，同 edges 的 node (this page's nodes)
    async fn nodes(&self) -> Vec<&N> {
        self.edges.iter().map(|e| &e.node).collect()
    }
}

impl<N: OutputType> TypeName for Connection<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::type_name()).into()
    }
}

/// One item of a page and its cursor.
pub struct Edge<N> {
    pub cursor: String,
    pub node: N,
}

impl<N> Edge<N> {
    pub fn new(cursor: String, node: N) -> Self {
        Edge { cursor, node }
    }
}

/// 连接中的一条：对象及其游标 (an edge of a connection: the node and its cursor)
#[Object(name_type)]
impl<N: OutputType> Edge<N> {
    /// 游标：作为 after 传入，从这一条之后续读 (a cursor: pass it as `after` to read on from here)
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    /// 对象 (the node)
    async fn node(&self) -> &N {
        &self.node
    }
}

impl<N: OutputType> TypeName for Edge<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", N::type_name()).into()
    }
}
