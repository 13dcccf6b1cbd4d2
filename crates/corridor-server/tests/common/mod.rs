//! What the server's test binaries share.

/// The members of `value` against `schema` ($refs followed): every
/// required one present, none undeclared, recursively.
pub fn conforms(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
) {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    };
    if let Some(any) = schema["oneOf"].as_array() {
        // A nullable reference: `null` or the referenced schema.
        if !value.is_null() {
            let s = any.iter().find(|s| s["type"] != "null").unwrap();
            conforms(doc, s, value, at);
        }
        return;
    }
    match value {
        serde_json::Value::Object(members) => {
            if let Some(props) = schema["properties"].as_object() {
                for k in members.keys() {
                    assert!(props.contains_key(k), "{at}: {k} is not in the schema");
                    conforms(doc, &props[k], &members[k], &format!("{at}.{k}"));
                }
                for r in schema["required"].as_array().into_iter().flatten() {
                    let r = r.as_str().unwrap();
                    assert!(members.contains_key(r), "{at}: required {r} missing");
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}
