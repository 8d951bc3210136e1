//! Runs the extraction over the `text` of each JSON Lines record on stdin
//! (records as the chain writes them after `normalize`) and prints each
//! result as one line: for profiling and for comparing two builds' output.
//!
//! `cargo run --release --example bench -p enrichd-boilerplate [-- --quiet] < records.jsonl`

use enrichd_boilerplate::{extract, rules::Rules};
use std::io::{BufRead, Write};

fn main() {
    let quiet = std::env::args().any(|a| a == "--quiet");
    let rules = Rules::builtin().expect("built-in rules");
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("read stdin");
        let rec: serde_json::Value = serde_json::from_str(&line).expect("a JSON record");
        let text = rec["text"].as_str().unwrap_or("");
        let x = extract(&rules, text);
        if !quiet {
            writeln!(out, "{x:?}").expect("write stdout");
        }
    }
}
