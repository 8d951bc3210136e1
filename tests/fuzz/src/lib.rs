//! Loads the built-in plugins exactly as the daemon does (shared libraries,
//! through the C ABI, in the default chain's order) and runs text through
//! them, so property tests (`tests/chain.rs`) can throw arbitrary text at the
//! whole chain. The libraries come from the cargo target folder this test was
//! built in: run `cargo build --workspace` first.

use enrichd::config::Config;
use enrichd::pipeline::{Flight, Pipeline};
use enrichd::record::Record;
use enrichd_plugin_api::Source;
use std::path::{Path, PathBuf};

/// The target folder's profile directory (`target/debug`), from this test binary's path.
fn built_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .expect("the test binary lies in target/<profile>/deps")
}

/// The default chain, each plugin with its built-in rules.
pub fn chain() -> Pipeline {
    load(&["normalize", "boilerplate", "dates", "ranks", "acronyms"])
}

/// `normalize` alone.
pub fn normalize_only() -> Pipeline {
    load(&["normalize"])
}

fn load(names: &[&str]) -> Pipeline {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let plugins: String = names.iter().map(|n| format!("  - name: {n}\n")).collect();
    let yaml = format!(
        "drop: /nonexistent\nplugin_dir: {}\nplugins:\n{plugins}sink: {{type: jsonl, path: \"-\"}}\n",
        built_dir().display()
    );
    let cfg = Config::parse(&yaml, &repo.join("config/fuzz.yaml"))
        .unwrap_or_else(|e| panic!("fuzz config: {e}"));
    Pipeline::load(&cfg.plugins, &cfg.dir)
        .unwrap_or_else(|e| panic!("{e} (build the plugins first: cargo build --workspace)"))
}

/// Run `text` through the chain; the record, or the failing stage's message.
pub fn run(chain: &Pipeline, text: &str) -> Result<Record, String> {
    let record = Record {
        id: "0".repeat(64),
        source: Source {
            path: "/drop/x.txt".into(),
            name: "x.txt".into(),
            bytes: text.len() as u64,
            sha256: "0".repeat(64),
            modified: Some("2024-05-01T00:00:00Z".into()),
        },
        ingested_at: "2024-05-01T00:00:00Z".into(),
        text: text.to_string(),
        fields: Default::default(),
        pipeline: Vec::new(),
    };
    chain
        .run(record, &Flight::default())
        .map_err(|f| f.to_string())
}
