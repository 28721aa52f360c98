//! Reading a job spec from JSON text, with errors that name the JSON path, and publishing the
//! spec's JSON Schema.

use crate::error::{PlanError, SpecPath};

use super::spec::{JobSpec, Node};

/// Node kinds as written in `"kind"`.
const NODE_KINDS: &[&str] =
    &["source", "values", "filter", "project", "flat_map", "window", "over", "aggregate", "join", "interval_join", "distinct", "union", "top_n", "deduplicate", "sort", "watermark", "process", "sink"];

/// Parses a JSON job spec. A syntax or shape error names its place: `line 3 column 5` for
/// malformed JSON, the JSON path (`nodes[2].predicate.call.args`) for a wrong field.
pub fn parse_job_spec(text: &str) -> Result<JobSpec, PlanError> {
    let root = SpecPath::default();
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| PlanError::new(&root, format!("malformed JSON at line {} column {}: {e}", e.line(), e.column())))?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(PlanError::new(&root, "a job spec must be a JSON object with a \"nodes\" array"));
    };
    let nodes = match object.remove("nodes") {
        Some(serde_json::Value::Array(nodes)) => nodes,
        Some(_) => return Err(PlanError::new(&root.field("nodes"), "expected an array of nodes")),
        None => return Err(PlanError::new(&root.field("nodes"), "missing field \"nodes\"")),
    };
    object.insert("nodes".into(), serde_json::Value::Array(Vec::new()));
    let mut spec: JobSpec = deserialize_at(serde_json::Value::Object(object), &root)?;
    for (i, node) in nodes.into_iter().enumerate() {
        spec.nodes.push(parse_node(node, &root.field("nodes").index(i))?);
    }
    Ok(spec)
}

fn parse_node(value: serde_json::Value, path: &SpecPath) -> Result<Node, PlanError> {
    let kind = match value.get("kind") {
        Some(serde_json::Value::String(k)) => k.clone(),
        Some(_) => return Err(PlanError::new(&path.field("kind"), "expected a string")),
        None => return Err(PlanError::new(&path.field("kind"), format!("missing field \"kind\" (one of {})", NODE_KINDS.join(", ")))),
    };
    // Deserialize the variant's own struct (not the internally tagged enum, which buffers its
    // content and so loses the path of an error inside it).
    let mut object = match value {
        serde_json::Value::Object(object) => object,
        _ => return Err(PlanError::new(path, "a node must be a JSON object")),
    };
    object.remove("kind");
    let body = serde_json::Value::Object(object);
    Ok(match kind.as_str() {
        "source" => Node::Source(deserialize_at(body, path)?),
        "values" => Node::Values(deserialize_at(body, path)?),
        "filter" => Node::Filter(deserialize_at(body, path)?),
        "project" => Node::Project(deserialize_at(body, path)?),
        "flat_map" => Node::FlatMap(deserialize_at(body, path)?),
        "window" => Node::Window(deserialize_at(body, path)?),
        "aggregate" => Node::Aggregate(deserialize_at(body, path)?),
        "join" => Node::Join(deserialize_at(body, path)?),
        "interval_join" => Node::IntervalJoin(deserialize_at(body, path)?),
        "over" => Node::Over(deserialize_at(body, path)?),
        "distinct" => Node::Distinct(deserialize_at(body, path)?),
        "union" => Node::Union(deserialize_at(body, path)?),
        "top_n" => Node::TopN(deserialize_at(body, path)?),
        "deduplicate" => Node::Deduplicate(deserialize_at(body, path)?),
        "sort" => Node::Sort(deserialize_at(body, path)?),
        "watermark" => Node::Watermark(deserialize_at(body, path)?),
        "process" => Node::Process(deserialize_at(body, path)?),
        "sink" => Node::Sink(deserialize_at(body, path)?),
        _ => return Err(PlanError::new(&path.field("kind"), format!("unknown node kind \"{kind}\" (one of {})", NODE_KINDS.join(", ")))),
    })
}

fn deserialize_at<T: serde::de::DeserializeOwned>(value: serde_json::Value, path: &SpecPath) -> Result<T, PlanError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let at = if inner == "." || inner.is_empty() { path.clone() } else { SpecPath(join_path(&path.0, &inner)) };
        PlanError::new(&at, e.into_inner().to_string())
    })
}

fn join_path(outer: &str, inner: &str) -> String {
    match (outer.is_empty(), inner.starts_with('[')) {
        (true, _) => inner.to_string(),
        (false, true) => format!("{outer}{inner}"),
        (false, false) => format!("{outer}.{inner}"),
    }
}

/// The JSON Schema (draft 2020-12) of a job spec, as published in `docs/job-spec.schema.json`.
pub fn job_spec_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(JobSpec)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_json_path() {
        let bad_kind = r#"{"nodes": [{"kind": "source", "id": "s", "connector": "datagen", "schema": []}, {"kind": "nope", "id": "x"}]}"#;
        assert_eq!(parse_job_spec(bad_kind).unwrap_err().path.0, "nodes[1].kind");
        let bad_field = r#"{"nodes": [{"kind": "filter", "id": "f", "input": "s", "predicate": {"call": {"function": "=", "args": 3}}}]}"#;
        let err = parse_job_spec(bad_field).unwrap_err();
        assert_eq!(err.path.0, "nodes[0].predicate.call.args", "{err}");
        let bad_type = r#"{"nodes": [{"kind": "source", "id": "s", "connector": "datagen", "schema": [{"name": "a", "type": "BIGNUM"}]}]}"#;
        let err = parse_job_spec(bad_type).unwrap_err();
        assert_eq!(err.path.0, "nodes[0].schema[0].type", "{err}");
        assert!(parse_job_spec("{\"nodes\": [").unwrap_err().message.contains("line 1"));
    }

    #[test]
    fn schema_is_published() {
        let schema = job_spec_schema();
        assert!(schema.to_string().contains("top_n"));
    }
}
