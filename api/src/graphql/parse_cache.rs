//! Parsed documents kept by their text: clients send the same few operations over and over, and
//! parsing is a good share of answering a small one. Shared by all requests; a document depends
//! on nothing but its text.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{ServerResult, Variables};
use std::sync::Arc;

/// Operations longer than this (batches of listings) are parsed each time rather than kept.
const MAX_CACHED_QUERY: usize = 8 * 1024;

pub struct ParseCache {
    documents: moka::sync::Cache<String, ExecutableDocument>,
}

impl ParseCache {
    pub fn new(capacity: u64) -> Self {
        ParseCache {
            documents: moka::sync::Cache::new(capacity),
        }
    }
}

struct ParseCacheExtension {
    documents: moka::sync::Cache<String, ExecutableDocument>,
}

impl ExtensionFactory for ParseCache {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ParseCacheExtension {
            documents: self.documents.clone(),
        })
    }
}

#[async_trait::async_trait]
impl Extension for ParseCacheExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > MAX_CACHED_QUERY {
            return next.run(ctx, query, variables).await;
        }
        if let Some(document) = self.documents.get(query) {
            return Ok(document);
        }
        let document = next.run(ctx, query, variables).await?;
        self.documents.insert(query.to_owned(), document.clone());
        Ok(document)
    }
}
