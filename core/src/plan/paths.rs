//! Which host paths a job touches, and the check that keeps a job posted to `weir serve` inside
//! the directories the server was given.
//!
//! [`job_paths`] lists every path a job spec names: connector path options of its sources and
//! sinks, and the job settings that name directories (RocksDB's local directory, checkpoint and
//! savepoint directories), each as a [`PathUse`] — place, option key, path as written, read or
//! write. It works on the parsed spec, before validation, because validation already touches
//! the file system (a `filesystem` source lists its files when it is checked).
//!
//! [`PathPolicy`] resolves each path and checks it against a set of roots: a relative path is
//! taken relative to the policy's base directory, a `file://` prefix is dropped (as the
//! connectors drop it), the nearest existing ancestor is canonicalized (symbolic links and `..`
//! resolved by the kernel) and the rest appended, which may then contain no `..` at all. The
//! result must lie under one of the roots. [`PathPolicy::check_spec`] rewrites every checked
//! option to its resolved absolute path, so that what runs is exactly what was checked.
//!
//! The per-connector knowledge (which option of which connector is a path) is
//! [`connector_paths`], the one place to change when a connector gains a path option. An
//! unknown connector's options are treated as paths when their key looks like one (`path`,
//! `*.path`, `*dir`, `*directory`, `*.file`), so that a new connector cannot slip past the
//! check before it is listed here.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::connectors::registry::{ConnectorRole, PathAccess, option_paths};
use crate::error::{PlanError, SpecPath};

use super::spec::{JobSpec, Node};

/// Whether a job reads or writes at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Files are read (a source).
    Read,
    /// Files or directories are created or written (a sink, a state or checkpoint directory).
    Write,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Write => "write",
        })
    }
}

/// Where in a job a path is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPlace {
    /// An option of the connector of node `nodes[index]` (a source or a sink) with id `id`.
    Node {
        /// Position in the spec's `nodes`.
        index: usize,
        /// The node's id (a SQL table's name).
        id: String,
    },
    /// A job setting in the spec's `config` (SQL's `SET`).
    Config,
}

/// One path a job touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathUse {
    /// Where it is named.
    pub place: PathPlace,
    /// The option key (`path`) or setting key (`state.backend.rocksdb.localdir`).
    pub key: String,
    /// The path as written.
    pub path: String,
    /// Read or write.
    pub access: Access,
}

impl PathUse {
    /// The JSON path of the option in the spec: `nodes[2].options.path`,
    /// `config.state.checkpoints.dir`.
    pub fn spec_path(&self) -> SpecPath {
        match &self.place {
            PathPlace::Node { index, .. } => SpecPath::default().field("nodes").index(*index).field("options").field(&self.key),
            PathPlace::Config => SpecPath::default().field("config").field(&self.key),
        }
    }
}

/// Job settings that name a directory the job writes to (state, checkpoints, savepoints).
pub const CONFIG_PATH_KEYS: &[&str] = &[
    "state.backend.rocksdb.localdir",
    "execution.checkpointing.dir",
    "execution.checkpointing.savepoint-dir",
    "state.checkpoints.dir",
    "state.savepoints.dir",
];

/// Job settings that name a checkpoint or savepoint the job reads its state from.
pub const CONFIG_READ_PATH_KEYS: &[&str] = &super::checkpointing::RESTORE_KEYS;

/// The path options of `connector` among `options`, and whether a source (`sink == false`) or
/// a sink of that connector reads or writes there, as the connector registry declares them;
/// for a connector the registry does not know, every option whose key looks like a path.
pub fn connector_paths<'o>(connector: &str, options: &'o BTreeMap<String, String>, sink: bool) -> Vec<(&'o str, Access)> {
    let role = if sink { ConnectorRole::Sink } else { ConnectorRole::Source };
    match option_paths(connector, options, role) {
        Some(paths) => paths
            .into_iter()
            .map(|p| {
                let access = match p.access {
                    PathAccess::Read => Access::Read,
                    PathAccess::Write => Access::Write,
                };
                (p.option, access)
            })
            .collect(),
        None => {
            let access = if sink { Access::Write } else { Access::Read };
            options.keys().filter(|k| looks_like_path_key(k)).map(|k| (k.as_str(), access)).collect()
        }
    }
}

/// Whether an option or setting key names a path, by its shape.
fn looks_like_path_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "path" || k.ends_with(".path") || k.ends_with("-path") || k.ends_with("dir") || k.ends_with("directory") || k.ends_with(".file")
}

/// Every path `spec` names: connector path options of its sources and sinks, then the
/// settings of [`CONFIG_PATH_KEYS`] (and any other setting whose key ends in `dir`) and of
/// [`CONFIG_READ_PATH_KEYS`].
pub fn job_paths(spec: &JobSpec) -> Vec<PathUse> {
    let mut uses = Vec::new();
    for (index, node) in spec.nodes.iter().enumerate() {
        let (id, connector, options, sink) = match node {
            Node::Source(n) => (&n.id, &n.connector, &n.options, false),
            Node::Sink(n) => (&n.id, &n.connector, &n.options, true),
            _ => continue,
        };
        for (key, access) in connector_paths(connector, options, sink) {
            let path = options.get(key).cloned().unwrap_or_default();
            uses.push(PathUse { place: PathPlace::Node { index, id: id.clone() }, key: key.to_string(), path, access });
        }
    }
    for (key, value) in &spec.config {
        let lower = key.to_ascii_lowercase();
        if CONFIG_READ_PATH_KEYS.contains(&lower.as_str()) {
            uses.push(PathUse { place: PathPlace::Config, key: key.clone(), path: value.clone(), access: Access::Read });
        } else if CONFIG_PATH_KEYS.contains(&lower.as_str()) || lower.ends_with("dir") || lower.ends_with("directory") {
            uses.push(PathUse { place: PathPlace::Config, key: key.clone(), path: value.clone(), access: Access::Write });
        }
    }
    uses
}

/// Why a path was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PathDenied {
    /// The path is empty.
    #[error("the path is empty")]
    Empty,
    /// After resolving symbolic links, the path is outside every allowed root.
    #[error(
        "'{written}' resolves to '{resolved}', which is outside the directories this server may use ({roots}); ask its operator to add a directory with --allowed-path"
    )]
    Outside {
        /// The path as written.
        written: String,
        /// Where it leads.
        resolved: String,
        /// The allowed roots, comma-separated.
        roots: String,
    },
    /// A `..` component in the part of the path that does not exist yet.
    #[error("'{0}' climbs out with '..' below a directory that does not exist; write the path without '..'")]
    ParentEscape(String),
    /// The path or one of its ancestors cannot be resolved (a dangling symbolic link, no
    /// permission to look).
    #[error("cannot resolve '{written}': {message}")]
    Unresolvable {
        /// The path as written.
        written: String,
        /// Why.
        message: String,
    },
}

/// A path of a job that the policy refused: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", .used.spec_path())]
pub struct PathRefused {
    /// The path and where the job names it.
    pub used: PathUse,
    /// Why it was refused.
    pub reason: PathDenied,
}

impl From<PathRefused> for PlanError {
    fn from(refused: PathRefused) -> PlanError {
        PlanError::new(&refused.used.spec_path(), refused.reason.to_string())
    }
}

/// The directories a job may touch, and the base of relative paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPolicy {
    roots: Vec<PathBuf>,
    base: PathBuf,
}

impl PathPolicy {
    /// A policy allowing paths under `roots` (each must exist; they are canonicalized),
    /// resolving relative paths against `base` (which must exist too).
    pub fn new(roots: &[PathBuf], base: &Path) -> std::io::Result<PathPolicy> {
        let canonical = |p: &Path| p.canonicalize().map_err(|e| std::io::Error::new(e.kind(), format!("allowed directory '{}': {e}", p.display())));
        let mut resolved = Vec::with_capacity(roots.len());
        for root in roots {
            let root = canonical(root)?;
            if !resolved.contains(&root) {
                resolved.push(root);
            }
        }
        Ok(PathPolicy { roots: resolved, base: canonical(base)? })
    }

    /// The allowed roots, canonical.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The directory relative paths are resolved against, canonical.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Resolves `written` (see the module docs) and checks that it lies under a root; returns
    /// the resolved absolute path.
    pub fn resolve(&self, written: &str) -> Result<PathBuf, PathDenied> {
        let text = written.strip_prefix("file://").unwrap_or(written);
        if text.trim().is_empty() {
            return Err(PathDenied::Empty);
        }
        let given = Path::new(text);
        let full = if given.is_absolute() { given.to_path_buf() } else { self.base.join(given) };
        let resolved = resolve_existing_prefix(&full).map_err(|e| match e {
            Resolve::Escape => PathDenied::ParentEscape(written.to_string()),
            Resolve::Io(message) => PathDenied::Unresolvable { written: written.to_string(), message },
        })?;
        if self.roots.iter().any(|root| resolved.starts_with(root)) {
            Ok(resolved)
        } else {
            let roots = self.roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ");
            Err(PathDenied::Outside { written: written.to_string(), resolved: resolved.display().to_string(), roots })
        }
    }

    /// Checks every path of `spec` ([`job_paths`]) and rewrites each to its resolved absolute
    /// path; returns the paths as written. The error carries the refused path and its place
    /// (shown as the option's JSON path, `nodes[1].options.path`).
    pub fn check_spec(&self, spec: &mut JobSpec) -> Result<Vec<PathUse>, Box<PathRefused>> {
        let uses = job_paths(spec);
        for used in &uses {
            let refuse = |reason| Box::new(PathRefused { used: used.clone(), reason });
            let resolved = self.resolve(&used.path).map_err(refuse)?;
            let text = resolved
                .to_str()
                .ok_or_else(|| refuse(PathDenied::Unresolvable { written: used.path.clone(), message: "not valid UTF-8".into() }))?
                .to_string();
            let slot = match &used.place {
                PathPlace::Node { index, .. } => match spec.nodes.get_mut(*index) {
                    Some(Node::Source(n)) => n.options.get_mut(&used.key),
                    Some(Node::Sink(n)) => n.options.get_mut(&used.key),
                    _ => None,
                },
                PathPlace::Config => spec.config.get_mut(&used.key),
            };
            if let Some(slot) = slot {
                *slot = text;
            }
        }
        Ok(uses)
    }

    /// Checks the path options of a table with `connector` (SQL's `CREATE TABLE`, which may be
    /// read or written) and rewrites them to their resolved paths; the error names the option.
    pub fn check_table_options(&self, connector: &str, options: &mut BTreeMap<String, String>) -> Result<(), (String, PathDenied)> {
        let keys: Vec<String> = connector_paths(connector, options, true).into_iter().map(|(k, _)| k.to_string()).collect();
        for key in keys {
            let Some(value) = options.get(&key) else { continue };
            let resolved = self.resolve(value).map_err(|e| (key.clone(), e))?;
            let text = resolved
                .to_str()
                .ok_or_else(|| (key.clone(), PathDenied::Unresolvable { written: value.clone(), message: "not valid UTF-8".into() }))?
                .to_string();
            options.insert(key, text);
        }
        Ok(())
    }
}

enum Resolve {
    Escape,
    Io(String),
}

/// `path` (absolute) with its nearest existing ancestor canonicalized and the rest appended;
/// the rest may hold only plain names. A dangling symbolic link counts as existing (and fails
/// to canonicalize), so that nothing is later created through it.
fn resolve_existing_prefix(path: &Path) -> Result<PathBuf, Resolve> {
    let mut existing = path;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if std::fs::symlink_metadata(existing).is_ok() {
            break;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(Component::Normal(name))) => {
                rest.push(name);
                existing = parent;
            }
            (Some(parent), Some(Component::CurDir)) => existing = parent,
            (_, Some(Component::ParentDir)) => return Err(Resolve::Escape),
            _ => return Err(Resolve::Io("no part of the path exists".into())),
        }
    }
    let mut resolved = existing.canonicalize().map_err(|e| Resolve::Io(format!("{}: {e}", existing.display())))?;
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(root: &Path) -> PathPolicy {
        PathPolicy::new(&[root.to_path_buf()], root).unwrap()
    }

    #[test]
    fn paths_inside_a_root_resolve_to_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("in")).unwrap();
        std::fs::write(root.join("in/a.csv"), "1\n").unwrap();
        let p = policy(&root);
        assert_eq!(p.resolve("in/a.csv").unwrap(), root.join("in/a.csv"));
        assert_eq!(p.resolve(&format!("file://{}/in/a.csv", root.display())).unwrap(), root.join("in/a.csv"));
        assert_eq!(p.resolve("in/../in/./a.csv").unwrap(), root.join("in/a.csv"));
        // Not existing yet (a sink directory): the existing prefix is resolved, the rest kept.
        assert_eq!(p.resolve("out/new/dir").unwrap(), root.join("out/new/dir"));
    }

    #[test]
    fn escapes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
        let p = policy(&root);
        for bad in ["/etc/passwd", "file:///etc/passwd", "/proc/self/environ", "../x", "link/secret", "link"] {
            assert!(matches!(p.resolve(bad), Err(PathDenied::Outside { .. })), "{bad}: {:?}", p.resolve(bad));
        }
        assert_eq!(p.resolve("missing/../../etc"), Err(PathDenied::ParentEscape("missing/../../etc".into())));
        std::fs::create_dir(root.join("in")).unwrap();
        assert!(matches!(p.resolve("in/../../x"), Err(PathDenied::Outside { .. })));
        assert!(matches!(p.resolve("dangling/x"), Err(PathDenied::Unresolvable { .. })));
        assert_eq!(p.resolve(""), Err(PathDenied::Empty));
        assert_eq!(p.resolve("file://"), Err(PathDenied::Empty));
    }

    #[test]
    fn a_spec_lists_and_rewrites_its_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let spec_json = serde_json::json!({
        "config": {"state.backend.rocksdb.localdir": "state", "parallelism.default": "2", "execution.savepoint.path": "ck/chk-1"},
        "nodes": [
            {"kind": "source", "id": "t", "connector": "filesystem", "schema": [{"name": "a", "type": "BIGINT"}],
             "options": {"path": "in.csv", "format": "csv"}},
            {"kind": "sink", "id": "o", "input": "t", "connector": "filesystem", "options": {"path": "out", "format": "csv"}},
            {"kind": "sink", "id": "p", "input": "t", "connector": "print"}
        ]});
        let mut spec = super::super::parse_job_spec(&spec_json.to_string()).unwrap();
        let uses = job_paths(&spec);
        let listed: Vec<(String, &str, Access)> = uses.iter().map(|u| (u.spec_path().0, u.path.as_str(), u.access)).collect();
        assert_eq!(
            listed,
            vec![
                ("nodes[0].options.path".to_string(), "in.csv", Access::Read),
                ("nodes[1].options.path".to_string(), "out", Access::Write),
                ("config.execution.savepoint.path".to_string(), "ck/chk-1", Access::Read),
                ("config.state.backend.rocksdb.localdir".to_string(), "state", Access::Write),
            ]
        );
        policy(&root).check_spec(&mut spec).unwrap();
        assert_eq!(spec.config["state.backend.rocksdb.localdir"], root.join("state").to_str().unwrap());
        let Node::Source(source) = &spec.nodes[0] else { panic!("source") };
        assert_eq!(source.options["path"], root.join("in.csv").to_str().unwrap());

        let mut outside = spec.clone();
        outside.config.insert("state.checkpoints.dir".into(), "/tmp/../etc".into());
        let err = policy(&root).check_spec(&mut outside).unwrap_err();
        assert_eq!(err.used.key, "state.checkpoints.dir");
        assert!(err.to_string().starts_with("config.state.checkpoints.dir: '/tmp/../etc' resolves to '/etc'"), "{err}");
    }

    #[test]
    fn unknown_connectors_have_path_like_options_checked() {
        let opts: BTreeMap<String, String> =
            [("path", "a"), ("spill.dir", "b"), ("format", "csv"), ("key.file", "c")].map(|(k, v)| (k.to_string(), v.to_string())).into();
        let keys: Vec<&str> = connector_paths("s3ish", &opts, false).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["key.file", "path", "spill.dir"]);
        assert_eq!(connector_paths("filesystem", &opts, true), vec![("path", Access::Write)]);
        assert!(connector_paths("datagen", &opts, false).is_empty());
    }
}
