//! `schema.graphql` is the SDL the server serves; this fails when they differ.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test --test api schema`.

#[test]
fn schema_graphql_matches_the_served_sdl() {
    let served = api::schema_sdl();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    if std::env::var("UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(&path, &served).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == served,
        "schema.graphql differs from the served SDL: run `UPDATE_SCHEMA=1 cargo test --test api schema` and commit it"
    );
}

/// Every type, field, argument and enum value of ours has a description. The Relay types the
/// framework makes (`…Connection`, `…Edge`, `PageInfo`) and its `DateTime` scalar are standard.
#[test]
fn every_type_and_field_is_described() {
    let sdl = api::schema_sdl();
    let mut undocumented = Vec::new();
    let mut in_description = false;
    let mut described = false;
    let mut framework_type = false;
    for line in sdl.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t == "\"\"\"" {
            in_description = !in_description;
            described = !in_description;
            continue;
        }
        if in_description || (t.starts_with("\"\"\"") && t.ends_with("\"\"\"") && t.len() > 6) {
            described = !in_description;
            continue;
        }
        let is_definition = ["type ", "enum ", "input ", "scalar "]
            .iter()
            .any(|k| t.starts_with(k));
        if is_definition {
            let name = t.split_whitespace().nth(1).unwrap_or_default();
            framework_type = name.ends_with("Connection")
                || name.ends_with("Edge")
                || name == "PageInfo"
                || name == "DateTime";
        }
        let is_member = line.starts_with('\t') && !t.starts_with(')') && t != "}";
        if t.starts_with("schema") || t.starts_with("directive") {
            framework_type = true;
        }
        if (is_definition || is_member) && !described && !framework_type {
            undocumented.push(t.to_owned());
        }
        described = false;
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}

/// The README's example operations are valid against the schema (they parse and validate; running
/// them needs a server, which the other tests do).
#[tokio::test]
async fn readme_examples_validate() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let blocks: Vec<&str> = readme
        .split("```graphql")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(blocks.len() >= 4, "README shows example operations");
    let schema = api::build_schema();
    for block in blocks {
        let response = schema.execute(block).await;
        let invalid: Vec<_> = response
            .errors
            .iter()
            .filter(|e| e.path.is_empty())
            .collect();
        assert!(
            invalid.is_empty(),
            "README example does not validate: {invalid:?}\n{block}"
        );
    }
}
