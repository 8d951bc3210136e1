//! Sinks: where records go. One file per sink behind one small trait, so a
//! database sink is added without touching the pipeline.
//!
//! The contract: `write` may buffer; a record counts as delivered only after
//! the `commit` that follows it returned `Ok` (for files: after fsync).

pub mod jsonl;

use crate::config::SinkConfig;
use crate::record::Record;

/// A destination for records.
pub trait Sink: Send {
    /// Add one record (may be buffered).
    fn write(&mut self, record: &Record) -> anyhow::Result<()>;
    /// Make everything written so far durable.
    fn commit(&mut self) -> anyhow::Result<()>;
}

/// Open the sink the config names.
pub fn open(config: &SinkConfig) -> anyhow::Result<Box<dyn Sink>> {
    match config {
        SinkConfig::Jsonl { path, .. } => Ok(Box::new(jsonl::JsonlSink::open(path)?)),
    }
}
