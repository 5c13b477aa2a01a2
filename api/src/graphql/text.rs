//! Every string a request brings — in its variables or written in its document — is checked for
//! control characters before anything runs (the rule is [`domain::text`]), so that a NUL byte is the
//! same `BAD_USER_INPUT` on SQLite and PostgreSQL, naming where it was, and never reaches a store.

use crate::error::ApiError;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, Variables};
use async_graphql_value::{ConstValue, Value};

/// The first string with a control character, as `BAD_USER_INPUT` naming its place (`input.name`,
/// `items.3.title`).
pub fn check_inputs(
    document: &ExecutableDocument,
    variables: &Variables,
) -> Result<(), ServerError> {
    for (name, value) in variables.iter() {
        const_value(name.as_str(), value)?;
    }
    for (_, op) in document.operations.iter() {
        set(&op.node.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        set(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

fn refused(field: &str, text: &str) -> Result<(), ServerError> {
    domain::text::no_controls(field, text).map_err(|e| ApiError::from(e).into_server_error())
}

fn const_value(path: &str, value: &ConstValue) -> Result<(), ServerError> {
    match value {
        ConstValue::String(s) => refused(path, s),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| const_value(&format!("{path}.{i}"), v)),
        ConstValue::Object(fields) => fields.iter().try_for_each(|(k, v)| {
            refused(path, k)?;
            const_value(&format!("{path}.{k}"), v)
        }),
        _ => Ok(()),
    }
}

fn value(path: &str, v: &Value) -> Result<(), ServerError> {
    match v {
        Value::String(s) => refused(path, s),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| value(&format!("{path}.{i}"), v)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(k, v)| value(&format!("{path}.{k}"), v)),
        _ => Ok(()),
    }
}

fn set(selections: &SelectionSet) -> Result<(), ServerError> {
    for item in &selections.items {
        match &item.node {
            Selection::Field(f) => {
                for (name, v) in &f.node.arguments {
                    value(name.node.as_str(), &v.node)?;
                }
                for d in &f.node.directives {
                    for (name, v) in &d.node.arguments {
                        value(name.node.as_str(), &v.node)?;
                    }
                }
                set(&f.node.selection_set.node)?;
            }
            Selection::InlineFragment(i) => set(&i.node.selection_set.node)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}
