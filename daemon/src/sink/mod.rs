//! Sinks: where records go. One file per sink behind one small trait, so a
//! database sink is added without touching the pipeline.
//!
//! The contract: `write` may buffer; a record counts as delivered only after
//! the `commit` that follows it returned `Ok` (for files: after fsync). A
//! failed `commit` leaves no part of the batch behind and keeps it, so calling
//! `commit` again retries the same batch.

pub mod jsonl;

use crate::config::SinkConfig;
use crate::record::Record;

/// A destination for records.
pub trait Sink: Send {
    /// Add one record (may be buffered).
    fn write(&mut self, record: &Record) -> anyhow::Result<()>;
    /// Make everything written so far durable.
    fn commit(&mut self) -> anyhow::Result<()>;
    /// Where the sink stands after the last commit (JSON Lines: the file's length), for the
    /// ledger's checkpoint; `None` for a sink that cannot be read back (stdout).
    fn position(&self) -> Option<u64>;
    /// The ids of the complete records written after `position`: records that reached the sink
    /// before a crash cut the ledger's commit short.
    fn ids_since(&mut self, position: u64) -> anyhow::Result<Vec<String>>;
}

/// Open the sink the config names.
pub fn open(config: &SinkConfig) -> anyhow::Result<Box<dyn Sink>> {
    match config {
        SinkConfig::Jsonl { path, .. } => Ok(Box::new(jsonl::JsonlSink::open(path)?)),
    }
}
