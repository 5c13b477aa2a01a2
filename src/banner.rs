//! What `serve` tells the person who started it (the address, a demonstration's data and tokens):
//! on standard error beside the logs, as text, or as JSON lines when the logs are JSON, so that a
//! log collector reading the stream never meets a line it cannot parse. Standard output stays for
//! what commands print to be piped.

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy)]
pub struct Banner {
    json: bool,
}

impl Banner {
    pub fn new(log_format: &str) -> Banner {
        Banner {
            json: log_format.eq_ignore_ascii_case("json"),
        }
    }

    /// Says `text`; as JSON, a line with `banner: kind`, the text as `message`, and `fields`.
    pub fn say(&self, kind: &str, text: &str, fields: Value) {
        if !self.json {
            eprintln!("{text}");
            return;
        }
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
        );
        line.insert("level".into(), json!("INFO"));
        line.insert("banner".into(), json!(kind));
        line.insert("message".into(), json!(text.trim()));
        if let Value::Object(extra) = fields {
            line.extend(extra);
        }
        eprintln!("{}", Value::Object(line));
    }
}
