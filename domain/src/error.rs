use crate::calendar::CalendarError;

/// Why a unified social credit code or a citizen identity number was refused.
///
/// The messages are for the public, so they are in Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("长度应为18位")]
    Length,
    #[error("含有不允许的字符")]
    Charset,
    #[error("校验位不正确")]
    Check,
    #[error("内含的组织机构代码（第9至17位）校验位不正确")]
    OrganisationCheck,
    #[error("登记管理部门代码（第1位）与机构类别代码（第2位）不是国家标准规定的组合")]
    Authority,
    #[error("出生日期不是真实日期")]
    Date,
}

impl CodeError {
    /// Whether the code is well-formed and fails only a check an early pilot code may fail
    /// (its check characters, or an authority and type pair): registrable as an exception.
    pub fn pilot_may_fail(self) -> bool {
        matches!(
            self,
            CodeError::Check | CodeError::OrganisationCheck | CodeError::Authority
        )
    }

    /// The short English reason used in test vectors and logs.
    pub fn reason(self) -> &'static str {
        match self {
            CodeError::Length => "length",
            CodeError::Charset => "charset",
            CodeError::Check => "check",
            CodeError::OrganisationCheck => "organisationCheck",
            CodeError::Authority => "authority",
            CodeError::Date => "date",
        }
    }
}

/// An error of the rules. The API maps each variant to one `extensions.code`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input that breaks a rule; `field` names the argument at fault (e.g. `input.code`).
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The caller is not identified but the action needs an identity.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is identified but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A thing named by the caller does not exist (or is not visible to the caller).
    #[error("{what}不存在：{key}")]
    NotFound { what: &'static str, key: String },
    /// The action contradicts the current state (illegal transition, duplicate).
    #[error("{0}")]
    Conflict(String),
    /// The working-day calendar does not cover a date that a rule needs.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        DomainError::Forbidden(message.into())
    }

    pub fn not_found(what: &'static str, key: impl Into<String>) -> Self {
        DomainError::NotFound {
            what,
            key: key.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        DomainError::Conflict(message.into())
    }
}
