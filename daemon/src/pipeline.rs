//! A record through the chain of loaded plugins: timing, merging, error policy.
//!
//! Each plugin sees the text as the previous one left it, the source, and every
//! field added so far. The first plugin that fails stops the chain for that
//! record; the failure names the stage.

use crate::config::PluginSpec;
use crate::plugin_host::{Library, LoadError, Plugin};
use crate::record::{Record, Step};
use std::path::Path;
use std::time::Instant;

/// The loaded chain.
pub struct Pipeline {
    plugins: Vec<Plugin>,
}

/// A record that failed in one stage.
#[derive(Debug, thiserror::Error)]
#[error("stage {stage}: {message}")]
pub struct StageFailure {
    /// `ingest`, `plugin:<name>` or `sink`.
    pub stage: String,
    pub message: String,
    /// The record as far as it got (with `pipeline[].error` set), when there is one.
    pub record: Option<Box<Record>>,
}

impl Pipeline {
    /// Load and create every plugin, in order.
    pub fn load(specs: &[PluginSpec], config_dir: &Path) -> Result<Pipeline, LoadError> {
        let plugins = specs
            .iter()
            .map(|s| Library::load(&s.library)?.instantiate(&s.settings, config_dir))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Pipeline { plugins })
    }

    /// The plugins, in chain order.
    pub fn plugins(&self) -> &[Plugin] {
        &self.plugins
    }

    /// Run `record` through the chain.
    pub fn run(&self, mut record: Record) -> Result<Record, StageFailure> {
        let source_json = serde_json::to_string(&record.source).map_err(|e| StageFailure {
            stage: "ingest".into(),
            message: format!("source metadata cannot be serialised: {e}"),
            record: None,
        })?;
        for plugin in &self.plugins {
            let _span = tracing::debug_span!("plugin", name = plugin.name()).entered();
            let started = Instant::now();
            let fields_text = serde_json::to_string(&record.fields).map_err(|e| StageFailure {
                stage: format!("plugin:{}", plugin.name()),
                message: format!("record fields cannot be serialised: {e}"),
                record: None,
            })?;
            let result = plugin.call(&record.text, &source_json, &fields_text);
            let micros = started.elapsed().as_micros() as u64;
            let mut step = Step {
                plugin: plugin.name().to_string(),
                version: plugin.version().to_string(),
                micros,
                error: None,
            };
            match result {
                Ok(outcome) => {
                    if let Some(text) = outcome.text {
                        record.text = text;
                    }
                    record.fields.extend(outcome.fields);
                    record.pipeline.push(step);
                }
                Err(e) => {
                    let message = e.to_string();
                    step.error = Some(message.clone());
                    record.pipeline.push(step);
                    return Err(StageFailure {
                        stage: format!("plugin:{}", plugin.name()),
                        message,
                        record: Some(Box::new(record)),
                    });
                }
            }
        }
        Ok(record)
    }
}
