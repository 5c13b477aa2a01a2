//! Parsed documents kept by their text: clients send the same few operations over and over, and
//! parsing is a good share of answering a small one. Shared by all requests; a document depends
//! on nothing but its text. Documents are parsed here with [`super::limits::parse`], never by
//! async-graphql's own step, so only documents within the request limits are parsed and kept.

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
        _ctx: &ExtensionContext<'_>,
        query: &str,
        _variables: &Variables,
        _next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > MAX_CACHED_QUERY {
            return super::limits::parse(query);
        }
        if let Some(document) = self.documents.get(query) {
            return Ok(document);
        }
        let document = super::limits::parse(query)?;
        self.documents.insert(query.to_owned(), document.clone());
        Ok(document)
    }
}
