//! Every mutation, refused ones included, goes into the audit trail: who, which department, what,
//! on what, with what outcome, a digest of the arguments and the answer, and the request id.
//!
//! The record is appended after the mutation's own transaction: a crash in between loses that one
//! record (and is logged when the append fails), but never breaks the chain.

use crate::context::{RequestContext, Services};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};
use domain::Principal;
use persistence::{NewAudit, sha256_hex};
use std::sync::Arc;

pub struct AuditTrail;

impl ExtensionFactory for AuditTrail {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuditExtension)
    }
}

struct AuditExtension;

/// Who the caller is, for the trail; a citizen identity number only masked.
fn actor(principal: &Principal) -> (String, Option<String>) {
    match principal {
        Principal::Anonymous => ("anonymous".into(), None),
        Principal::Department(d) => (d.department.to_string(), Some(d.department.to_string())),
        Principal::Subject { code } => (format!("subject:{}", code.public_form()), None),
        Principal::Partner(p) => (format!("partner:{}", p.client_id), None),
    }
}

/// The object the mutation concerned: the id of the object its payload answered with (as the
/// caller selected it), or the id it was given.
fn target(answer: &serde_json::Value, variables: &serde_json::Value, action: &str) -> String {
    let from_answer = answer
        .get(action)
        .and_then(|payload| {
            payload
                .get("id")
                .or_else(|| payload.as_object()?.values().find_map(|v| v.get("id")))
        })
        .and_then(|v| v.as_str());
    let input = variables.get("input");
    let from_input = ["id", "dispatch"]
        .iter()
        .find_map(|k| input.and_then(|i| i.get(k)).and_then(|v| v.as_str()));
    from_answer.or(from_input).unwrap_or_default().to_owned()
}

#[async_trait::async_trait]
impl Extension for AuditExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type != "Mutation" || info.path_node.parent.is_some() {
            return next.run(ctx, info).await;
        }
        let action = info.name.to_owned();
        let result = next.run(ctx, info).await;
        let (Some(services), Some(request)) =
            (ctx.data_opt::<Services>(), ctx.data_opt::<RequestContext>())
        else {
            return result;
        };
        let outcome = match &result {
            Ok(_) => "ok".to_owned(),
            Err(e) => e
                .extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .and_then(|v| {
                    if let Value::String(s) = v {
                        Some(s.clone())
                    } else {
                        None
                    }
                })
                .unwrap_or_else(|| "BAD_USER_INPUT".into()),
        };
        let answer = match &result {
            Ok(Some(v)) => {
                serde_json::json!({ action.as_str(): v.clone().into_json().unwrap_or_default() })
            }
            _ => serde_json::Value::Null,
        };
        let variables: serde_json::Value =
            serde_json::from_str(&request.variables).unwrap_or_default();
        let (who, department) = actor(&request.principal);
        let record = NewAudit {
            request_id: request.request_id.clone(),
            actor: who,
            department,
            target: target(&answer, &variables, &action),
            digest: sha256_hex(&format!("{action}\n{}\n{answer}", request.variables)),
            action,
            outcome,
        };
        append(services, record).await;
        result
    }
}

/// Appends a record off the async workers; a failure is logged, never the caller's.
async fn append(services: &Services, record: NewAudit) {
    let store = services.store.clone();
    match tokio::task::spawn_blocking(move || store.append_audit(&record)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "audit record not written"),
        Err(e) => tracing::error!(error = %e, "audit task failed"),
    }
}

/// The mutation fields a request asks for, if it is a mutation (refused before it ran, say for a
/// bad token, it is still recorded).
pub fn mutation_fields(query: &str, operation_name: Option<&str>) -> Vec<String> {
    use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return Vec::new();
    };
    let ops: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![op],
        DocumentOperations::Multiple(map) => map
            .iter()
            .filter(|(name, _)| operation_name.is_none_or(|n| n == name.as_str()))
            .map(|(_, op)| op)
            .collect(),
    };
    ops.into_iter()
        .filter(|op| op.node.ty == OperationType::Mutation)
        .flat_map(|op| op.node.selection_set.node.items.iter())
        .filter_map(|s| match &s.node {
            Selection::Field(f) => Some(f.node.name.node.to_string()),
            _ => None,
        })
        .collect()
}

/// Records mutations refused before they ran (an invalid token).
pub async fn record_refused(
    services: &Services,
    request_id: &str,
    actions: Vec<String>,
    variables: String,
    outcome: &str,
) {
    for action in actions {
        let record = NewAudit {
            request_id: request_id.to_owned(),
            actor: "invalid-token".into(),
            department: None,
            target: String::new(),
            digest: sha256_hex(&format!("{action}\n{variables}\nnull")),
            action,
            outcome: outcome.to_owned(),
        };
        append(services, record).await;
    }
}

#[cfg(test)]
mod tests {
    use super::mutation_fields;

    #[test]
    fn finds_the_fields_of_a_mutation_only() {
        assert_eq!(
            mutation_fields("mutation { a { id } b(x: 1) }", None),
            ["a", "b"]
        );
        assert!(mutation_fields("{ me { kind } }", None).is_empty());
        assert_eq!(
            mutation_fields("query Q { me { kind } } mutation M { c }", Some("M")),
            ["c"]
        );
        assert!(mutation_fields("not graphql", None).is_empty());
    }
}
