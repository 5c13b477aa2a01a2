//! Automatic persisted queries (Apollo's protocol): a client sends a query once with its SHA-256
//! and from then on the hash alone, which keeps GETs short enough for browsers and proxies to cache.
//!
//! async-graphql's own extension keeps parsed documents and hands them on already parsed, past the
//! request limits' parse step; this one keeps the query's text, so a document that comes by its hash
//! is parsed and measured like any other (and the parse cache makes that cheap).

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Request, ServerError, ServerResult};
use std::sync::Arc;

/// Bytes of query text kept in all: enough for thousands of operations, and bounded whatever
/// clients register.
const MAX_KEPT_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct PersistedQueries {
    texts: moka::sync::Cache<String, Arc<str>>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        PersistedQueries {
            texts: moka::sync::Cache::builder()
                .weigher(|hash: &String, text: &Arc<str>| {
                    u32::try_from(hash.len() + text.len()).unwrap_or(u32::MAX)
                })
                .max_capacity(MAX_KEPT_BYTES)
                .build(),
        }
    }
}

impl ExtensionFactory for PersistedQueries {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.clone())
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i32,
    sha256_hash: String,
}

#[async_trait::async_trait]
impl Extension for PersistedQueries {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let Some(value) = request.extensions.remove("persistedQuery") else {
            return next.run(ctx, request).await;
        };
        let asked: PersistedQuery = async_graphql::from_value(value).map_err(|_| {
            ServerError::new("persistedQuery 扩展应为 {version: 1, sha256Hash} (invalid persistedQuery extension)", None)
        })?;
        if asked.version != 1 {
            return Err(ServerError::new(
                format!(
                    "只支持 persistedQuery 第 1 版，收到第 {} 版 (only version 1)",
                    asked.version
                ),
                None,
            ));
        }
        if request.query.is_empty() {
            // Apollo's clients resend the whole query on exactly this message.
            let text = self
                .texts
                .get(&asked.sha256_hash)
                .ok_or_else(|| ServerError::new("PersistedQueryNotFound", None))?;
            request.query = text.to_string();
        } else {
            if persistence::sha256_hex(&request.query) != asked.sha256_hash {
                return Err(ServerError::new(
                    "sha256Hash 与查询文本不符 (provided sha does not match query)",
                    None,
                ));
            }
            self.texts
                .insert(asked.sha256_hash, Arc::from(request.query.as_str()));
        }
        next.run(ctx, request).await
    }
}
