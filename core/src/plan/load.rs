//! Reading a job spec from JSON text, with errors that name the JSON path, and publishing the
//! spec's JSON Schema.

use std::collections::BTreeMap;

use crate::error::{PlanError, SpecPath};

use super::limits::{DeepJsonError, Limits, MAX_EXPRESSION_DEPTH, MAX_PLAN_NODES, parse_deep_json, with_stack};
use super::spec::{JobSpec, Node};

/// Node kinds as written in `"kind"`.
const NODE_KINDS: &[&str] = &[
    "source",
    "values",
    "filter",
    "project",
    "flat_map",
    "window",
    "over",
    "aggregate",
    "join",
    "interval_join",
    "distinct",
    "union",
    "top_n",
    "deduplicate",
    "sort",
    "watermark",
    "process",
    "stream_window",
    "sink",
];

/// Parses a JSON job spec under the default [`Limits`] (see [`parse_job_spec_with`]).
pub fn parse_job_spec(text: &str) -> Result<JobSpec, PlanError> {
    parse_job_spec_with(text, &Limits::default())
}

/// Parses a JSON job spec. A syntax or shape error names its place: `line 3 column 5` for
/// malformed JSON, the JSON path (`nodes[2].predicate.call.args`) for a wrong field. The text
/// is held to `limits` (as adjusted by the spec's own `config`) before anything recursive
/// reads it: its JSON nesting (three levels per level of expression), its number of nodes.
pub fn parse_job_spec_with(text: &str, limits: &Limits) -> Result<JobSpec, PlanError> {
    with_stack(limits, || parse_within(text, limits))
}

fn parse_within(text: &str, limits: &Limits) -> Result<JobSpec, PlanError> {
    let root = SpecPath::default();
    let value: serde_json::Value = parse_deep_json(text, limits.max_json_depth()).map_err(|e| match e {
        DeepJsonError::Json(e) => PlanError::new(&root, format!("malformed JSON at line {} column {}: {e}", e.line(), e.column())),
        too_deep @ DeepJsonError::TooDeep { .. } => {
            PlanError::new(&root, format!("{too_deep}: expressions nest too deeply (the limit '{MAX_EXPRESSION_DEPTH}' = {})", limits.max_expression_depth))
        }
    })?;
    let serde_json::Value::Object(mut object) = value else {
        return Err(PlanError::new(&root, "a job spec must be a JSON object with a \"nodes\" array"));
    };
    let nodes = match object.remove("nodes") {
        Some(serde_json::Value::Array(nodes)) => nodes,
        Some(_) => return Err(PlanError::new(&root.field("nodes"), "expected an array of nodes")),
        None => return Err(PlanError::new(&root.field("nodes"), "missing field \"nodes\"")),
    };
    let limits = match object.get("config") {
        Some(config) => {
            let config: BTreeMap<String, String> = deserialize_at(config.clone(), &root.field("config"))?;
            limits.with_config(&config, &root.field("config"))?
        }
        None => limits.clone(),
    };
    if nodes.len() > limits.max_plan_nodes {
        let message = format!("{} nodes, more than {} (the limit '{MAX_PLAN_NODES}')", nodes.len(), limits.max_plan_nodes);
        return Err(PlanError::new(&root.field("nodes"), message));
    }
    for (i, node) in nodes.iter().enumerate() {
        check_node_depth(node, &root.field("nodes").index(i), &limits)?;
    }
    object.insert("nodes".into(), serde_json::Value::Array(Vec::new()));
    let mut spec: JobSpec = deserialize_at(serde_json::Value::Object(object), &root)?;
    for (i, node) in nodes.into_iter().enumerate() {
        spec.nodes.push(parse_node(node, &root.field("nodes").index(i))?);
    }
    Ok(spec)
}

/// Refuses a node nested deeper than the limits allow, naming the path to where it does (cut
/// short in the middle when long).
fn check_node_depth(node: &serde_json::Value, path: &SpecPath, limits: &Limits) -> Result<(), PlanError> {
    let max = limits.max_json_depth();
    // (value, depth, index of the parent's entry in `trail`); `trail` holds each visited
    // container's path segment and parent, to name the place without recursion.
    let mut trail: Vec<(usize, String)> = vec![(usize::MAX, String::new())];
    let mut stack: Vec<(&serde_json::Value, usize, usize)> = vec![(node, 1, 0)];
    while let Some((value, depth, at)) = stack.pop() {
        let children: Vec<(String, &serde_json::Value)> = match value {
            serde_json::Value::Object(map) => map.iter().map(|(k, v)| (format!(".{k}"), v)).collect(),
            serde_json::Value::Array(items) => items.iter().enumerate().map(|(i, v)| (format!("[{i}]"), v)).collect(),
            _ => continue,
        };
        if depth > max {
            let mut segments = Vec::new();
            let mut i = at;
            while i != usize::MAX {
                segments.push(trail[i].1.as_str());
                i = trail[i].0;
            }
            segments.reverse();
            let inner =
                if segments.len() > 16 { format!("{}…{}", segments[..8].concat(), segments[segments.len() - 8..].concat()) } else { segments.concat() };
            let message = format!(
                "nested deeper than {max} JSON levels: expressions nest too deeply (the limit '{MAX_EXPRESSION_DEPTH}' = {})",
                limits.max_expression_depth
            );
            return Err(PlanError::new(&SpecPath(format!("{}{inner}", path.0)), message));
        }
        for (segment, child) in children {
            trail.push((at, segment));
            stack.push((child, depth + 1, trail.len() - 1));
        }
    }
    Ok(())
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
        "sorted_over" => Node::SortedOver(deserialize_at(body, path)?),
        "distinct" => Node::Distinct(deserialize_at(body, path)?),
        "union" => Node::Union(deserialize_at(body, path)?),
        "top_n" => Node::TopN(deserialize_at(body, path)?),
        "deduplicate" => Node::Deduplicate(deserialize_at(body, path)?),
        "sort" => Node::Sort(deserialize_at(body, path)?),
        "watermark" => Node::Watermark(deserialize_at(body, path)?),
        "process" => Node::Process(deserialize_at(body, path)?),
        "stream_window" => Node::StreamWindow(deserialize_at(body, path)?),
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
