//! A plugin that does (almost) nothing, to measure what crossing the plugin
//! boundary costs.
//!
//! It parses the fields earlier plugins added (so the fields JSON really is
//! decoded on the plugin side, as in any plugin that reads them), adds one
//! small field and leaves the text unchanged (so no text buffer comes back).

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
        let fields = doc.fields()?;
        let mut out = Output::default();
        out.set("noop_seen_fields", fields.len())?;
        Ok(out)
    }
}

export_plugin!(Noop);
