//! Views defined by plan nodes rather than by SQL text: what the Python SDK registers with
//! `create_temporary_view(name, table)` for a Table built with the Table API (`from_elements`,
//! Python table functions, ...). A query naming the view gets the view's nodes spliced into its
//! job under fresh ids, once per job.

use crate::plan::Node;
use crate::types::Schema;

use super::builder::JobBuilder;
use super::error::SqlError;
use super::scope::Relation;

/// A view whose rows are the output of `output` among `nodes` (inputs before readers).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanView {
    /// View name.
    pub name: String,
    /// The nodes computing the view; none of them a sink.
    pub nodes: Vec<Node>,
    /// The id of the node whose output the view is.
    pub output: String,
}

impl JobBuilder<'_> {
    /// The relation reading `view`: its nodes added under fresh ids (shared by every reference
    /// to the view within this job). Columns are unqualified.
    pub fn plan_view(&mut self, view: &PlanView) -> Result<Relation, SqlError> {
        let key = format!("plan view {}", view.name);
        if let Some(rel) = self.shared_relation(&key) {
            return Ok(rel);
        }
        let mut renamed = std::collections::HashMap::new();
        let mut schema = Schema::default();
        for node in &view.nodes {
            if matches!(node, Node::Sink(_)) {
                return Err(SqlError::invalid(format!("view {} contains a sink", view.name)));
            }
            let fresh = self.named_id(&format!("{}_{}", view.name, node.id()));
            renamed.insert(node.id().to_string(), fresh.clone());
            let mut node = node.clone();
            *node.id_mut() = fresh.clone();
            for input in node.inputs_mut() {
                if let Some(new) = renamed.get(input.as_str()) {
                    *input = new.clone();
                }
            }
            schema = self.add(node).map_err(|e| match e {
                SqlError::Invalid { message, at } => SqlError::Invalid { message: format!("in view {}: {message}", view.name), at },
                other => other,
            })?;
            if node_is_output(&renamed, &view.output, &fresh) {
                break;
            }
        }
        let Some(output) = renamed.get(&view.output) else {
            return Err(SqlError::invalid(format!("view {}: no node \"{}\"", view.name, view.output)));
        };
        let rel = Relation::from_schema(output, &schema, None);
        self.share_relation(&key, rel.clone());
        Ok(rel)
    }
}

fn node_is_output(renamed: &std::collections::HashMap<String, String>, output: &str, fresh: &str) -> bool {
    renamed.get(output).is_some_and(|id| id == fresh)
}
