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

/// The example operations of the README and docs/ validate against the schema (running them needs
/// a server, which the other tests do), and each is named, with a name no other uses, so that a
/// client generator (graphql-codegen) can take them all together.
#[tokio::test]
async fn documented_operations_validate_and_are_named() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    let schema = api::build_schema();
    let mut names = std::collections::BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let blocks: Vec<&str> = text
            .split("```graphql")
            .skip(1)
            .filter_map(|b| b.split("```").next())
            .collect();
        for block in blocks {
            let document = async_graphql::parser::parse_query(block)
                .unwrap_or_else(|e| panic!("{}: does not parse: {e}\n{block}", file.display()));
            match &document.operations {
                async_graphql::parser::types::DocumentOperations::Multiple(ops) => {
                    for name in ops.keys() {
                        let other = names.insert(name.to_string(), file.display().to_string());
                        assert!(
                            other.is_none(),
                            "{name} named twice: {other:?} and {}",
                            file.display()
                        );
                    }
                }
                async_graphql::parser::types::DocumentOperations::Single(_) => {
                    panic!("{}: an anonymous operation:\n{block}", file.display())
                }
            }
            let response = schema.execute(block).await;
            let invalid: Vec<_> = response
                .errors
                .iter()
                .filter(|e| e.path.is_empty())
                .collect();
            assert!(
                invalid.is_empty(),
                "{}: example does not validate: {invalid:?}\n{block}",
                file.display()
            );
        }
    }
    assert!(
        names.len() >= 12,
        "the docs show example operations: {names:?}"
    );
}
