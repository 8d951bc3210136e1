//! A plugin that does (almost) nothing, to measure what crossing the plugin
//! boundary costs.
//!
//! It reads one field earlier plugins added the way the built-in plugins read
//! theirs (`Document::field_as`: the fields object is scanned once and only the
//! named field is decoded), adds one small field and leaves the text unchanged
//! (so no text buffer comes back).

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};

/// The no-op plugin: no settings, no state.
pub struct Noop;

impl Plugin for Noop {
    const NAME: &'static str = "bench-noop";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(
        _config: &enrichd_plugin_api::serde_json::Value,
        _ctx: &Context,
    ) -> Result<Self, Error> {
        Ok(Noop)
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        let title: Option<String> = doc.field_as("title")?;
        let mut out = Output::default();
        out.set("noop_seen_title", title.map_or(0, |t| t.len()))?;
        Ok(out)
    }
}

export_plugin!(Noop);
