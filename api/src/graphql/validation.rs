//! Validation failures (an unknown field, an argument of the wrong type) as
//! `GRAPHQL_VALIDATION_FAILED`, in Chinese with async-graphql's English after, as every other error
//! reads: a client tells them from a rule's refusal by the code alone.

use crate::error::{ApiError, ErrorCode};
use async_graphql::ServerError;
use async_graphql::ValidationResult;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use std::sync::Arc;

pub struct ValidationCodes;

impl ExtensionFactory for ValidationCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidationCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ValidationCodes {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx)
            .await
            .map_err(|errors| errors.into_iter().map(coded).collect())
    }
}

fn coded(error: ServerError) -> ServerError {
    // async-graphql checks depth and complexity while validating; those are the request limits'
    // refusals (BAD_USER_INPUT with `extensions.limit`), as the parse step's are.
    let limit = match error.message.as_str() {
        "Query is nested too deep." => Some(("depth", super::MAX_DEPTH, "查询嵌套过深")),
        "Query is too complex." => Some(("complexity", super::MAX_COMPLEXITY, "查询过于复杂")),
        _ => None,
    };
    let mut coded = match limit {
        Some((name, max, reason)) => {
            let message = format!("{reason}（上限 {max}），请拆成几次查询 ({})", error.message);
            let mut e = ApiError::new(ErrorCode::BadUserInput, message).into_server_error();
            let extensions = e.extensions.get_or_insert_with(Default::default);
            extensions.set("limit", name);
            extensions.set("max", max as u64);
            e
        }
        None => {
            let message = format!(
                "GraphQL 文档不符合接口定义 (validation failed): {}",
                error.message
            );
            ApiError::new(ErrorCode::GraphqlValidationFailed, message).into_server_error()
        }
    };
    coded.locations = error.locations;
    coded
}
