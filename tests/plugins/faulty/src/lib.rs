//! `faulty`: a plugin that misbehaves when the text asks it to, so the
//! end-to-end tests can prove the daemon survives every kind of plugin fault.
//!
//! Markers in the text: `ERROR-ME` (returns an error), `PANIC-ME` (panics),
//! `HANG-ME` (never returns), `ABORT-ME` (aborts the process), `SEGV-ME`
//! (segmentation fault). Otherwise it adds `{"faulty_seen": true}`, after
//! sleeping `delay_ms` (a setting, default 0): a slow plugin. `create_delay_ms`
//! (default 0) makes its start-up slow.

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};

/// The plugin.
pub struct Faulty {
    delay: std::time::Duration,
}

impl Plugin for Faulty {
    const NAME: &'static str = "faulty";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &serde_json::Value, _ctx: &Context) -> Result<Self, Error> {
        let ms = |key: &str| {
            std::time::Duration::from_millis(
                config
                    .get(key)
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0),
            )
        };
        std::thread::sleep(ms("create_delay_ms"));
        Ok(Faulty {
            delay: ms("delay_ms"),
        })
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        let text = doc.text();
        if text.contains("ERROR-ME") {
            return Err(Error::new("asked to fail"));
        }
        if text.contains("PANIC-ME") {
            panic!("asked to panic");
        }
        if text.contains("HANG-ME") {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
        if text.contains("ABORT-ME") {
            std::process::abort();
        }
        if text.contains("SEGV-ME") {
            // SAFETY: not safe at all: this plugin exists to crash the process on purpose.
            unsafe { std::ptr::null_mut::<u8>().write_volatile(1) };
        }
        std::thread::sleep(self.delay);
        let mut out = Output::default();
        out.set("faulty_seen", true)?;
        Ok(out)
    }
}

export_plugin!(Faulty);
