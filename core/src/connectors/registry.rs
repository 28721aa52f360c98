//! The connector registry: every connector this build knows, by the name a job gives in
//! `'connector' = '...'`, each a [`Connector`] that checks its options and creates its source
//! and/or sink (Flink's `DynamicTableFactory`s found by identifier, Arroyo's `connectors()`
//! map). The rest of the engine and the front ends ask the registry; none of them matches on
//! connector names.

use std::sync::Arc;

use crate::types::Schema;

use super::sinks::{SinkFactory, SinkOutput};
use super::{ConnectorError, Options, SourceFactory};
use super::{blackhole, collect, datagen, filesystem, nexmark, print, push};

/// Whether a job reads or writes at a path a connector option names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathAccess {
    /// Files are read (a source).
    Read,
    /// Files or directories are created or written (a sink).
    Write,
}

/// One file-system path a connector's options name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionPath<'o> {
    /// The option key (`path`).
    pub option: &'o str,
    /// The path as written in the option.
    pub path: &'o str,
    /// Whether the connector reads or writes there.
    pub access: PathAccess,
}

/// Whether a connector is used as the source or the sink of a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectorRole {
    /// Rows come from it.
    Source,
    /// Rows go to it.
    Sink,
}

/// One connector: its name, its source and/or sink, and what its options mean. Creating a
/// source or sink checks every option (unknown names, bad values, missing files) before
/// anything runs; a `connector` key among the options (as SQL's `WITH` clause has it) is
/// ignored.
pub trait Connector: Send + Sync {
    /// The name in `'connector' = '...'`.
    fn name(&self) -> &'static str;

    /// Whether the connector can be a source.
    fn is_source(&self) -> bool {
        false
    }

    /// Where the rows of its sink end up; `None` when it cannot be a sink.
    fn sink_output(&self) -> Option<SinkOutput> {
        None
    }

    /// The source configured by `options`, producing rows of `schema`.
    fn create_source(&self, _options: &Options, _schema: &Schema) -> Result<Arc<dyn SourceFactory>, ConnectorError> {
        Err(ConnectorError::general(format!("connector '{}' cannot be a source", self.name())))
    }

    /// The sink configured by `options`, taking rows of `schema`.
    fn create_sink(&self, _options: &Options, _schema: &Schema) -> Result<Arc<dyn SinkFactory>, ConnectorError> {
        Err(ConnectorError::general(format!("connector '{}' cannot be a sink", self.name())))
    }

    /// The file-system paths `options` name when the connector is used as `role`, for callers
    /// that must check them before the job is validated (validation itself reads paths: a
    /// `filesystem` source lists its files). Empty for connectors that touch no files.
    fn paths<'o>(&self, _options: &'o Options, _role: ConnectorRole) -> Vec<OptionPath<'o>> {
        Vec::new()
    }
}

/// Every connector of this build, sources first.
static CONNECTORS: &[&dyn Connector] = &[
    &datagen::DatagenConnector,
    &filesystem::FilesystemConnector,
    &nexmark::NexmarkConnector,
    &push::PushConnector,
    &print::PrintConnector,
    &blackhole::BlackholeConnector,
    &collect::CollectConnector,
];

/// Every connector of this build.
pub fn connectors() -> impl Iterator<Item = &'static dyn Connector> {
    CONNECTORS.iter().copied()
}

/// The connector named `name` (exact, as Flink matches factory identifiers).
pub fn connector(name: &str) -> Option<&'static dyn Connector> {
    connectors().find(|c| c.name() == name)
}

/// Names of the connectors that can be sources.
pub fn source_connectors() -> Vec<&'static str> {
    connectors().filter(|c| c.is_source()).map(|c| c.name()).collect()
}

/// Names of the connectors that can be sinks.
pub fn sink_connectors() -> Vec<&'static str> {
    connectors().filter(|c| c.sink_output().is_some()).map(|c| c.name()).collect()
}

/// Creates the source `connector` with `options`, producing rows of `schema`; checks every
/// option before anything runs.
pub fn create_source(connector: &str, options: &Options, schema: &Schema) -> Result<Arc<dyn SourceFactory>, ConnectorError> {
    match self::connector(connector).filter(|c| c.is_source()) {
        Some(c) => c.create_source(options, schema),
        None => Err(ConnectorError::general(format!("unknown source connector '{connector}'; known: {}", source_connectors().join(", ")))),
    }
}

/// Creates the sink `connector` with `options`, taking rows of `schema`; checks every option
/// before anything runs.
pub fn create_sink(connector: &str, options: &Options, schema: &Schema) -> Result<Arc<dyn SinkFactory>, ConnectorError> {
    match self::connector(connector).filter(|c| c.sink_output().is_some()) {
        Some(c) => c.create_sink(options, schema),
        None => Err(ConnectorError::general(format!("unknown sink connector \"{connector}\"; known: {}", sink_connectors().join(", ")))),
    }
}

/// Where the rows of sink connector `connector` end up; `None` for a name that is no sink.
pub fn sink_output(connector: &str) -> Option<SinkOutput> {
    self::connector(connector).and_then(|c| c.sink_output())
}

/// The sink connector that keeps a job's rows for whoever started it (`collect`): where a
/// query's results go when a front end reads them itself.
pub fn caller_sink() -> &'static str {
    collect::CollectConnector.name()
}

/// The sink connector that prints a job's rows on standard output (`print`).
pub fn console_sink() -> &'static str {
    print::PrintConnector.name()
}

/// The source connector that generates rows (`datagen`): with `fields.<f>.kind = sequence`
/// a column counts from `fields.<f>.start` to `fields.<f>.end`, which front ends use to number
/// the elements of a collection without writing them into the job.
pub fn sequence_source() -> &'static str {
    datagen::DatagenConnector.name()
}

/// The file-system paths the options of `connector` name when used as `role`; `None` when the
/// connector is unknown (the caller decides how careful to be with options it cannot read).
pub fn option_paths<'o>(connector: &str, options: &'o Options, role: ConnectorRole) -> Option<Vec<OptionPath<'o>>> {
    self::connector(connector).map(|c| c.paths(options, role))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::testing::opts;

    #[test]
    fn names_are_unique_and_every_connector_has_a_role() {
        let mut names: Vec<&str> = connectors().map(|c| c.name()).collect();
        assert!(connectors().all(|c| c.is_source() || c.sink_output().is_some()));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CONNECTORS.len());
    }

    #[test]
    fn unknown_connectors_list_the_known_ones() {
        let schema = crate::types::Schema::new(Vec::new());
        let err = create_source("kafka", &opts(&[]), &schema).err().map(|e| e.message);
        assert_eq!(err.as_deref(), Some("unknown source connector 'kafka'; known: datagen, filesystem, nexmark, push"));
        let err = create_sink("kafka", &opts(&[]), &schema).err().map(|e| e.message);
        assert_eq!(err.as_deref(), Some("unknown sink connector \"kafka\"; known: filesystem, print, blackhole, collect"));
        assert!(create_sink(caller_sink(), &opts(&[]), &schema).is_ok());
        assert_eq!(sink_output(console_sink()), Some(SinkOutput::Console));
        assert_eq!(sink_output(caller_sink()), Some(SinkOutput::Caller));
    }

    #[test]
    fn path_options_are_declared_with_their_access() {
        let o = opts(&[("path", "/data/in"), ("format", "csv")]);
        let read = option_paths("filesystem", &o, ConnectorRole::Source);
        assert_eq!(read, Some(vec![OptionPath { option: "path", path: "/data/in", access: PathAccess::Read }]));
        let write = option_paths("filesystem", &o, ConnectorRole::Sink);
        assert_eq!(write, Some(vec![OptionPath { option: "path", path: "/data/in", access: PathAccess::Write }]));
        assert_eq!(option_paths("datagen", &o, ConnectorRole::Source), Some(Vec::new()));
        assert_eq!(option_paths("kafka", &o, ConnectorRole::Source), None);
    }
}
