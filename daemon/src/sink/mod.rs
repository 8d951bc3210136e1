//! Sinks: where records go. One file per sink behind one small trait, so a
//! database sink is added without touching the pipeline; [`Sinks`] fans a
//! batch out to every configured sink.
//!
//! Each record reaches the sinks as a [`Prepared`]: serialised once, and read into table rows
//! once, on the worker thread that enriched it. Sinks keep the `Arc` in their batch, not a copy.
//!
//! The contract: `write` only buffers; a record counts as delivered only after
//! the `commit` that follows it returned `Ok` (for files: after fsync; for
//! servers: after the server acknowledged it). A failed `commit` leaves no
//! part of the batch behind and keeps it, so calling `commit` again retries
//! the same batch; a `commit` with nothing buffered does nothing. `rollback`
//! drops what was written since the last commit.
//!
//! Sinks are opened and called from a plain thread, never from inside the
//! daemon's async runtime, so a sink may run its own runtime and block on it.

pub mod jsonl;
pub mod nats;
pub mod postgres;
pub mod rows;
pub mod sqlite;

use crate::config::SinkConfig;
use crate::record::Record;
use anyhow::Context as _;
use rows::Row;
use std::sync::Arc;

/// A record as the sinks take it: made on the worker thread that enriched the record, which
/// then drops the record, so a batch waiting for its commit holds each record's JSON once,
/// shared by every sink.
#[derive(Debug)]
pub struct Prepared {
    /// The record id.
    pub id: String,
    /// The record as one JSON object ([`Record::to_json_line`]).
    pub json: String,
    /// What the database sinks store in columns; `None` when no database sink is configured
    /// ([`SinkConfig::stores_rows`]).
    pub row: Option<Row>,
}

impl Prepared {
    /// Serialise `record`, and read its rows when `rows` (a database sink is configured).
    pub fn new(record: &Record, rows: bool) -> Arc<Prepared> {
        Arc::new(Prepared {
            id: record.id.clone(),
            json: record.to_json_line(),
            row: rows.then(|| Row::from_record(record)),
        })
    }

    /// The rows, for a database sink; an error if the record was prepared without them.
    pub fn row(&self) -> anyhow::Result<&Row> {
        self.row.as_ref().with_context(|| {
            format!(
                "record {} was prepared without its table rows (no database sink was configured when it was made)",
                self.id
            )
        })
    }
}

/// A destination for records.
pub trait Sink: Send {
    /// Add one record (buffered until `commit`).
    fn write(&mut self, record: &Arc<Prepared>) -> anyhow::Result<()>;
    /// Make everything written so far durable.
    fn commit(&mut self) -> anyhow::Result<()>;
    /// Drop everything written since the last commit.
    fn rollback(&mut self);
    /// Where the sink stands after the last commit (JSON Lines: the file's length), for the
    /// ledger's checkpoint; `None` for a sink that is not read back (stdout, databases).
    fn position(&self) -> Option<u64> {
        None
    }
    /// The ids of the complete records written after `position`: records that reached the sink
    /// before a crash cut the ledger's commit short.
    fn ids_since(&mut self, _position: u64) -> anyhow::Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// Every configured sink, in the config's delivery order: the deduplicating ones (databases,
/// JetStream) first, the JSON Lines file last. A file whose record is in the JSON Lines file is
/// therefore in every sink; one that is not is redone, and the deduplicating sinks keep one copy.
pub struct Sinks {
    sinks: Vec<(String, Box<dyn Sink>)>,
}

impl Sinks {
    /// Open every sink the config lists, in order.
    pub fn open(configs: &[SinkConfig]) -> anyhow::Result<Sinks> {
        let sinks = configs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let label = format!("sink {} ({})", i + 1, c.kind());
                let sink = open_one(c).with_context(|| format!("cannot open {label}"))?;
                Ok((label, sink))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Sinks { sinks })
    }

    /// Hand the record to every sink; on failure nothing of it stays buffered anywhere (the
    /// rest of the batch is dropped too: call `rollback`).
    pub fn write(&mut self, record: &Arc<Prepared>) -> anyhow::Result<()> {
        for (label, sink) in &mut self.sinks {
            sink.write(record)
                .with_context(|| format!("{label}: cannot take record {}", record.id))?;
        }
        Ok(())
    }

    /// Commit every sink in order. After a failure, the sinks before the failing one hold the
    /// batch and commit nothing more on the retry.
    pub fn commit(&mut self) -> anyhow::Result<()> {
        for (label, sink) in &mut self.sinks {
            sink.commit().with_context(|| label.clone())?;
        }
        Ok(())
    }

    /// Drop what was written since the last commit, in every sink.
    pub fn rollback(&mut self) {
        for (_, sink) in &mut self.sinks {
            sink.rollback();
        }
    }

    /// The sink the ledger reads back after a crash: the last one, when it has a position.
    pub fn readable(&mut self) -> Option<&mut dyn Sink> {
        let (_, last) = self.sinks.last_mut()?;
        last.position().is_some().then_some(last.as_mut())
    }

    /// The readable sink's position after the last commit.
    pub fn position(&self) -> Option<u64> {
        self.sinks.last().and_then(|(_, s)| s.position())
    }
}

/// Open one sink.
fn open_one(config: &SinkConfig) -> anyhow::Result<Box<dyn Sink>> {
    match config {
        SinkConfig::Jsonl { path, .. } => Ok(Box::new(jsonl::JsonlSink::open(path)?)),
        SinkConfig::Postgres {
            url,
            connect_timeout_ms,
            ..
        } => Ok(Box::new(postgres::PostgresSink::open(
            url,
            std::time::Duration::from_millis(*connect_timeout_ms),
        )?)),
        SinkConfig::Sqlite { path, .. } => Ok(Box::new(sqlite::SqliteSink::open(path)?)),
        SinkConfig::Nats {
            url,
            stream,
            subject,
            create_stream,
            duplicate_window_s,
            ack_timeout_ms,
            ..
        } => Ok(Box::new(nats::NatsSink::open(nats::Settings {
            url: url.clone(),
            stream: stream.clone(),
            subject: subject.clone(),
            create_stream: *create_stream,
            duplicate_window: std::time::Duration::from_secs(*duplicate_window_s),
            ack_timeout: std::time::Duration::from_millis(*ack_timeout_ms),
        })?)),
    }
}
