//! A record through the chain of loaded plugins: timing, merging, error policy.
//!
//! Each plugin sees the text as the previous one left it, the source, and every
//! field added so far. A plugin's error (or caught panic) on a record either
//! fails the record (`on_error: fail_file`, the default) or is noted in
//! `pipeline[].error` while the chain goes on (`on_error: skip_plugin`).
//! A call that outlives its `timeout_ms` is detected by whoever watches the
//! record's [`Flight`]; the stuck thread is abandoned and the file fails.

use crate::config::{OnError, PluginSpec};
use crate::plugin_host::{Library, LoadError, Plugin};
use crate::record::{Record, Step};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Append the members of the JSON object `added` to the JSON object `fields`, in place.
fn append_fields(fields: &mut String, added: &str) {
    let added = added.trim();
    let Some(inner) = added.strip_prefix('{').and_then(|a| a.strip_suffix('}')) else {
        return;
    };
    let inner = inner.trim();
    if inner.is_empty() {
        return;
    }
    let was_empty = fields.trim() == "{}";
    fields.truncate(fields.trim_end().len().saturating_sub(1)); // drop the closing brace
    if was_empty {
        fields.truncate(fields.trim_end().len());
    } else {
        fields.push(',');
    }
    fields.push_str(inner);
    fields.push('}');
}

/// One link of the chain: a plugin and its failure policy.
pub struct Stage {
    pub plugin: Plugin,
    pub on_error: OnError,
    pub timeout: Duration,
}

impl Stage {
    /// Load one plugin library and create its instance.
    pub fn load(spec: &PluginSpec, config_dir: &Path) -> Result<Stage, LoadError> {
        Ok(Stage {
            plugin: Library::load(&spec.library)?.instantiate(&spec.settings, config_dir)?,
            on_error: spec.on_error,
            timeout: spec.timeout,
        })
    }
}

/// The loaded chain.
pub struct Pipeline {
    stages: Vec<Stage>,
}

/// A record that failed in one stage.
#[derive(Debug, thiserror::Error)]
#[error("stage {stage}: {message}")]
pub struct StageFailure {
    /// `ingest`, `plugin:<name>`, `poison` or `sink`.
    pub stage: String,
    pub message: String,
    /// The record as far as it got (with `pipeline[].error` set), when there is one.
    pub record: Option<Box<Record>>,
}

impl StageFailure {
    /// A record whose `what` cannot be turned into JSON (it has no partial record to report).
    fn unserialisable(stage: String, what: &str, e: serde_json::Error) -> StageFailure {
        StageFailure {
            stage,
            message: format!("{what} cannot be serialised: {e}"),
            record: None,
        }
    }
}

/// The state of one record in flight, shared between the thread running it and a watcher
/// that enforces per-call timeouts.
#[derive(Default)]
pub struct Flight {
    state: Mutex<FlightState>,
}

#[derive(Default)]
struct FlightState {
    /// The stage running now and since when.
    current: Option<(usize, Instant)>,
    abandoned: bool,
    landed: bool,
}

impl Flight {
    fn enter(&self, stage: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.current = Some((stage, Instant::now()));
        }
    }

    fn leave(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.current = None;
        }
    }

    /// The stage that has outlived its timeout, if any: its index and how long it has run.
    pub fn overdue(&self, pipeline: &Pipeline) -> Option<(usize, Duration)> {
        let s = self.state.lock().ok()?;
        let (i, since) = s.current?;
        let ran = since.elapsed();
        (ran > pipeline.stages.get(i)?.timeout).then_some((i, ran))
    }

    /// Give up on the record; returns false if it already landed (then nothing is to be done).
    pub fn abandon(&self) -> bool {
        match self.state.lock() {
            Ok(mut s) if !s.landed => {
                s.abandoned = true;
                true
            }
            _ => false,
        }
    }

    /// Claim the right to deliver (or fail) the record; false if it was abandoned meanwhile.
    pub fn land(&self) -> bool {
        match self.state.lock() {
            Ok(mut s) if !s.abandoned => {
                s.landed = true;
                true
            }
            _ => false,
        }
    }
}

impl Pipeline {
    /// Load and create every plugin, in order.
    pub fn load(specs: &[PluginSpec], config_dir: &Path) -> Result<Pipeline, LoadError> {
        let stages = specs
            .iter()
            .map(|s| Stage::load(s, config_dir))
            .collect::<Result<Vec<_>, LoadError>>()?;
        Ok(Pipeline { stages })
    }

    /// Load the chain for a reload: each library is loaded from a copy named after its content
    /// (in `state_dir/plugins/`), so a library rebuilt in place is loaded beside the old one —
    /// loading the same path again would return the old code — and the old one is never unloaded.
    pub fn load_fresh(
        specs: &[PluginSpec],
        config_dir: &Path,
        state_dir: &Path,
    ) -> anyhow::Result<Pipeline> {
        use anyhow::Context as _;
        use sha2::Digest;
        let dir = state_dir.join("plugins");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut copies = Vec::with_capacity(specs.len());
        for spec in specs {
            let bytes = std::fs::read(&spec.library).with_context(|| {
                format!("plugin library {}: cannot be read", spec.library.display())
            })?;
            let digest = sha2::Sha256::digest(&bytes);
            let stem = spec
                .library
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let copy = dir.join(format!("{stem}-{hash}{}", std::env::consts::DLL_SUFFIX));
            if !copy.exists() {
                let tmp = copy.with_extension("tmp");
                std::fs::write(&tmp, &bytes)
                    .and_then(|()| std::fs::rename(&tmp, &copy))
                    .with_context(|| {
                        format!(
                            "cannot copy {} to {}",
                            spec.library.display(),
                            copy.display()
                        )
                    })?;
            }
            copies.push(PluginSpec {
                library: copy,
                ..spec.clone()
            });
        }
        Ok(Pipeline::load(&copies, config_dir)?)
    }

    /// The stages, in chain order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// Run `record` through the chain; `flight` lets a watcher see which stage runs.
    pub fn run(&self, mut record: Record, flight: &Flight) -> Result<Record, StageFailure> {
        let source_json = serde_json::to_string(&record.source)
            .map_err(|e| StageFailure::unserialisable("ingest".into(), "source metadata", e))?;
        // The fields as JSON, kept up to date by appending what each plugin returns, so that no
        // stage pays for serialising everything the stages before it added.
        let mut fields_text = crate::record::fields_json(&record.fields);
        for (i, stage) in self.stages.iter().enumerate() {
            let plugin = &stage.plugin;
            let _span = tracing::debug_span!("plugin", name = plugin.name()).entered();
            let started = Instant::now();
            flight.enter(i);
            let result = plugin.call(&record.text, &source_json, &fields_text);
            flight.leave();
            let mut step = Step {
                plugin: plugin.name().to_string(),
                version: plugin.version().to_string(),
                micros: started.elapsed().as_micros() as u64,
                error: None,
            };
            match result {
                Ok(outcome) => {
                    if let Some(text) = outcome.text {
                        record.text = text;
                    }
                    let replaces = outcome.fields.keys().any(|k| record.fields.contains_key(k));
                    record.fields.extend(outcome.fields);
                    match outcome.fields_json {
                        Some(_) if replaces => {
                            fields_text = crate::record::fields_json(&record.fields)
                        }
                        Some(added) => append_fields(&mut fields_text, &added),
                        None => {}
                    }
                    record.pipeline.push(step);
                }
                Err(e) => {
                    let message = e.to_string();
                    step.error = Some(message.clone());
                    record.pipeline.push(step);
                    if stage.on_error == OnError::SkipPlugin {
                        tracing::warn!(plugin = plugin.name(), error = %message, "plugin failed; skipped for this record");
                        continue;
                    }
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

#[cfg(test)]
mod tests {
    use super::append_fields;

    #[test]
    fn appended_fields_make_one_valid_object() {
        let mut f = "{}".to_string();
        append_fields(&mut f, r#"{"title":"Tiêu đề","n":1}"#);
        append_fields(&mut f, "{}");
        append_fields(&mut f, r#" { "dates" : [ {"v":"2024"} ] } "#);
        append_fields(&mut f, r#"{"people":{"a":{"b":1}}}"#);
        let v: serde_json::Value = serde_json::from_str(&f).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"title": "Tiêu đề", "n": 1, "dates": [{"v": "2024"}], "people": {"a": {"b": 1}}})
        );
    }
}
