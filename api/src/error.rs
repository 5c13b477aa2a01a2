//! The one place where errors become GraphQL errors.
//!
//! Every error carries `extensions.code`; bad input also carries `extensions.field`. Internal causes
//! are logged (inside the request's span, so with its request id) and never sent.

use async_graphql::ErrorExtensions;
use domain::{CalendarError, DomainError};
use persistence::StoreError;

/// The stable codes clients switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    /// A query ran past its time budget.
    Timeout,
    /// A mutation sent over GET (answered 405), or a method `/graphql` does not take.
    MethodNotAllowed,
    /// The document is not GraphQL (a syntax error).
    GraphqlParseFailed,
    /// The document is GraphQL but not of this schema (an unknown field, a wrong argument type).
    GraphqlValidationFailed,
    /// Something the request needs (the database, the partner registry) cannot be reached now:
    /// retry after the `Retry-After` the answer gives.
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// An error ready to send: code, message for a person, and the field at fault if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: ErrorCode::BadUserInput,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    pub fn internal() -> Self {
        ApiError::new(
            ErrorCode::Internal,
            "服务器内部错误，请稍后重试；如仍失败，请向平台提供响应头中的请求编号 (x-request-id)",
        )
    }

    /// As an error of the whole request, at no place in the document: for refusals before or
    /// around execution (limits, input checks, the query log).
    pub fn into_server_error(self) -> async_graphql::ServerError {
        let mut e = async_graphql::ServerError::new(self.message, None);
        let extensions = e.extensions.get_or_insert_with(Default::default);
        extensions.set("code", self.code.as_str());
        if let Some(f) = &self.field {
            extensions.set("field", f.as_str());
        }
        e
    }

    pub fn into_graphql(self) -> async_graphql::Error {
        let ApiError {
            code,
            message,
            field,
        } = self;
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", code.as_str());
            if let Some(f) = &field {
                e.set("field", f.as_str());
            }
        })
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, message } => ApiError::bad_input(field, message),
            DomainError::Unauthenticated(m) => ApiError::new(ErrorCode::Unauthenticated, m),
            DomainError::Forbidden(m) => ApiError::new(ErrorCode::Forbidden, m),
            e @ DomainError::NotFound { .. } => ApiError::new(ErrorCode::NotFound, e.to_string()),
            DomainError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m),
            DomainError::Calendar(c) => c.into(),
        }
    }
}

/// A rule that needs a year the calendar lacks waits for the credit office to load it: the
/// platform's state, not a fault (never INTERNAL). Answers leave such deadlines null with the
/// reason instead; this is the mapping for a command that cannot do without one.
impl From<CalendarError> for ApiError {
    fn from(e: CalendarError) -> Self {
        tracing::warn!(error = %e, "working-day calendar cannot answer");
        ApiError::new(ErrorCode::Conflict, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::new(ErrorCode::Internal, "数据库暂时不可用，请稍后重试")
            }
            StoreError::Internal(cause) => {
                tracing::error!(%cause, "internal store error");
                ApiError::internal()
            }
        }
    }
}

/// Converts any of our errors into a GraphQL error, for `?` in resolvers.
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<ApiError>> GqlResult<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.into().into_graphql())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(e: impl Into<ApiError>) -> (&'static str, Option<String>) {
        let a = e.into();
        (a.code.as_str(), a.field)
    }

    #[test]
    fn each_error_maps_to_its_code() {
        assert_eq!(
            code_of(DomainError::invalid("input.code", "x")),
            ("BAD_USER_INPUT", Some("input.code".into()))
        );
        assert_eq!(
            code_of(DomainError::Unauthenticated("x".into())).0,
            "UNAUTHENTICATED"
        );
        assert_eq!(code_of(DomainError::forbidden("x")).0, "FORBIDDEN");
        assert_eq!(code_of(DomainError::not_found("主体", "k")).0, "NOT_FOUND");
        assert_eq!(code_of(DomainError::conflict("x")).0, "CONFLICT");
        assert_eq!(
            code_of(DomainError::Calendar(CalendarError::YearUnknown(2030))).0,
            "CONFLICT"
        );
        assert_eq!(
            code_of(StoreError::Domain(DomainError::forbidden("x"))).0,
            "FORBIDDEN"
        );
        assert_eq!(
            code_of(StoreError::Unavailable("down".into())).0,
            "INTERNAL"
        );
    }

    #[test]
    fn internal_causes_are_not_sent() {
        let e = ApiError::from(StoreError::Internal(
            "relation \"secret_table\" does not exist".into(),
        ));
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(!e.message.contains("secret_table"));
    }

    #[test]
    fn graphql_error_carries_code_and_field() {
        let g = ApiError::bad_input("input.code", "校验位不正确").into_graphql();
        let ext = g.extensions.expect("extensions");
        assert_eq!(
            ext.get("code"),
            Some(&async_graphql::Value::from("BAD_USER_INPUT"))
        );
        assert_eq!(
            ext.get("field"),
            Some(&async_graphql::Value::from("input.code"))
        );
    }
}
