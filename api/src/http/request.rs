//! Reading a GraphQL request from a GET's query string or a POST's JSON body, with errors a person
//! can act on. async-graphql's own extractor answers `text/plain` and names Rust types ("data did
//! not match any variant of untagged enum BatchRequest"); a client binding to this API switches on
//! `extensions.code`, so every refusal here is an [`ApiError`] in the GraphQL response shape.

use crate::error::ApiError;
use async_graphql::{Request, Variables};
use serde_json::{Map, Value};

/// The parameters GraphQL over HTTP defines; anything else is a typo the caller should hear of.
const PARAMETERS: [&str; 4] = ["query", "operationName", "variables", "extensions"];

/// A POST body: one JSON object with the GraphQL-over-HTTP parameters.
pub(super) fn from_body(body: &[u8]) -> Result<Request, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_input(
            "body",
            "请求体为空：请以 JSON 对象发送 {\"query\": \"…\"} (the request body is empty)",
        ));
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_input(
            "body",
            format!(
                "请求体不是合法的 JSON（第 {} 行第 {} 列）(the body is not valid JSON: {e})",
                e.line(),
                e.column()
            ),
        )
    })?;
    let object = match value {
        Value::Object(object) => object,
        Value::Array(_) => {
            return Err(ApiError::bad_input(
                "body",
                "不支持批量请求：请每次发送一个 JSON 对象 (batched requests are not supported; send one object)",
            ));
        }
        _ => {
            return Err(ApiError::bad_input(
                "body",
                "请求体须为 JSON 对象 {\"query\": \"…\"} (the body must be a JSON object)",
            ));
        }
    };
    request(object.into_iter().map(|(k, v)| (k, Param::Json(v))))
}

/// A GET's query string: `query` and `operationName` as text, `variables` and `extensions` as
/// JSON text.
pub(super) fn from_query_string(query: &str) -> Result<Request, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| {
        ApiError::bad_input(
            "query",
            "查询字符串无法解析 (the URL's query string is not form-encoded)",
        )
    })?;
    request(pairs.into_iter().map(|(k, v)| (k, Param::Text(v))))
}

/// A parameter as it came: JSON in a body, text in a URL (where `variables` is JSON text).
enum Param {
    Json(Value),
    Text(String),
}

fn request(params: impl Iterator<Item = (String, Param)>) -> Result<Request, ApiError> {
    let mut seen = Map::new();
    for (name, param) in params {
        if !PARAMETERS.contains(&name.as_str()) {
            return Err(ApiError::bad_input(
                name.clone(),
                format!(
                    "未知的请求参数 {name}：只接受 query、operationName、variables、extensions (unknown parameter)"
                ),
            ));
        }
        let value = match param {
            Param::Json(v) => v,
            Param::Text(t) if name == "query" || name == "operationName" => Value::String(t),
            Param::Text(t) => serde_json::from_str(&t).map_err(|_| {
                ApiError::bad_input(
                    name.clone(),
                    format!("{name} 须为 JSON 文本 (the {name} parameter must be JSON)"),
                )
            })?,
        };
        if seen.insert(name.clone(), value).is_some() {
            return Err(ApiError::bad_input(
                name.clone(),
                format!("参数 {name} 重复 (the {name} parameter is given twice)"),
            ));
        }
    }
    let extensions = object_or_null(&mut seen, "extensions")?;
    let query = match seen.remove("query") {
        Some(Value::String(q)) => q,
        None | Some(Value::Null)
            if extensions
                .as_ref()
                .is_some_and(|e| e.contains_key("persistedQuery")) =>
        {
            // A persisted query's hash stands for its text.
            String::new()
        }
        None | Some(Value::Null) => {
            return Err(ApiError::bad_input(
                "query",
                "缺少 query 参数 (the query parameter is missing)",
            ));
        }
        Some(_) => {
            return Err(ApiError::bad_input(
                "query",
                "query 须为字符串 (the query parameter must be a string)",
            ));
        }
    };
    let operation_name = match seen.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return Err(ApiError::bad_input(
                "operationName",
                "operationName 须为字符串 (the operationName parameter must be a string)",
            ));
        }
    };
    let variables = object_or_null(&mut seen, "variables")?;
    let mut request = Request::new(query);
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = variables {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    if let Some(extensions) = extensions {
        for (key, value) in extensions {
            let value = async_graphql::Value::from_json(value).map_err(|_| {
                ApiError::bad_input("extensions", "extensions 无法读取 (unreadable extensions)")
            })?;
            request.extensions.insert(key, value);
        }
    }
    Ok(request)
}

fn object_or_null(
    params: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<Map<String, Value>>, ApiError> {
    match params.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object)),
        Some(_) => Err(ApiError::bad_input(
            name,
            format!("{name} 须为 JSON 对象 (the {name} parameter must be an object)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(body: &str) -> ApiError {
        match from_body(body.as_bytes()) {
            Ok(_) => panic!("accepted {body}"),
            Err(e) => e,
        }
    }

    #[test]
    fn each_malformed_body_names_what_is_wrong() {
        for (body, field) in [
            ("", "body"),
            ("{", "body"),
            ("[{\"query\":\"{a}\"}]", "body"),
            ("\"{a}\"", "body"),
            ("{\"qeury\":\"{a}\"}", "qeury"),
            ("{}", "query"),
            ("{\"query\":1}", "query"),
            ("{\"query\":\"{a}\",\"operationName\":[]}", "operationName"),
            ("{\"query\":\"{a}\",\"variables\":\"x\"}", "variables"),
            ("{\"query\":\"{a}\",\"extensions\":1}", "extensions"),
        ] {
            assert_eq!(refusal(body).field.as_deref(), Some(field), "{body}");
        }
    }

    #[test]
    fn a_well_formed_request_keeps_every_parameter() -> Result<(), ApiError> {
        let r = from_body(
            br#"{"query":"query Q($a:Int){a}","operationName":"Q","variables":{"a":1},"extensions":{"k":true}}"#,
        )?;
        assert_eq!(r.query, "query Q($a:Int){a}");
        assert_eq!(r.operation_name.as_deref(), Some("Q"));
        assert_eq!(
            r.variables.into_value().into_json().ok(),
            Some(serde_json::json!({"a": 1}))
        );
        assert!(r.extensions.contains_key("k"));
        let r = from_query_string("query=%7Ba%7D&variables=%7B%22a%22%3A1%7D")?;
        assert_eq!(r.query, "{a}");
        Ok(())
    }

    #[test]
    fn a_persisted_query_needs_no_text_and_a_repeated_parameter_is_refused() {
        let r = from_body(br#"{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}"#);
        assert!(r.is_ok_and(|r| r.query.is_empty()));
        let e = from_query_string("query=%7Ba%7D&query=%7Bb%7D").err();
        assert_eq!(e.and_then(|e| e.field).as_deref(), Some("query"));
    }
}
