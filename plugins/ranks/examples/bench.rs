//! Run the plugin over prepared inputs, for profiling and output comparison.
//!
//! `cargo run --release -p enrichd-ranks --example bench -- IN.jsonl [OUT.jsonl]`: each input
//! line is `{"text": ..., "fields": "<fields JSON as the daemon passes it>"}`; each output line
//! is the `fields` JSON the plugin returns, serialised as the daemon's boundary does.

use enrichd_plugin_api::{Context, Document, Plugin};
use enrichd_ranks::Ranks;
use serde_json::Value;
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(input) = args.get(1) else {
        eprintln!("usage: bench IN.jsonl [OUT.jsonl]");
        std::process::exit(2);
    };
    let input = std::fs::read_to_string(input).expect("cannot read the input file");
    let docs: Vec<(String, String)> = input
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json line");
            (
                v["text"].as_str().unwrap_or("").to_string(),
                v["fields"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let ctx = Context {
        config_dir: std::env::current_dir().expect("cwd"),
    };
    let plugin = Ranks::create(&Value::Null, &ctx).expect("plugin");
    let mut out = Vec::new();
    for (text, fields) in &docs {
        let doc = Document::new(text, "", fields);
        let o = plugin.process(&doc).expect("process");
        out.extend(serde_json::to_vec(&o.fields).expect("ser"));
        out.push(b'\n');
    }
    if let Some(path) = args.get(2) {
        std::fs::File::create(path)
            .and_then(|mut f| f.write_all(&out))
            .expect("output");
    }
}
