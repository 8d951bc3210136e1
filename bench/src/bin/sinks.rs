//! `sinks`: how many records per second one sink makes durable.
//!
//! Takes real records (the output of `enrichd process` on articles), gives
//! each copy a fresh id, and writes N of them through the daemon's own
//! [`Sinks`] in batches, committing after each batch as the daemon's sink
//! thread does. Prints one JSON line: records/s and the median and p99
//! commit time. A benchmark, not a test: it asserts nothing about time.
//!
//! ```text
//! cargo build --release -p enrichd-bench
//! target/release/sinks --records FILE --sink '{type: sqlite, path: /tmp/b.db}' [--n N] [--batch B]
//! ```

use anyhow::{bail, Context as _};
use enrichd::config::SinkConfig;
use enrichd::record::Record;
use enrichd::sink::{Prepared, Sinks};
use serde_json::{Map, Value};
use std::time::Instant;

const USAGE: &str = "usage: sinks --records FILE --sink YAML [--n N] [--batch B]

  --records FILE  JSON Lines from `enrichd process` (the records to copy)
  --sink YAML     one sink entry as in the config's `sinks:` list, paths absolute,
                  e.g. '{type: jsonl, path: /tmp/r.jsonl}'
  --n N           records to write (default 20000)
  --batch B       records per commit (default: the sink's `batch`)";

fn main() -> anyhow::Result<()> {
    let mut records = None;
    let mut sink = None;
    let mut n = 20_000usize;
    let mut batch = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .with_context(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--records" => records = Some(value()?),
            "--sink" => sink = Some(value()?),
            "--n" => n = value()?.parse().context("--n")?,
            "--batch" => batch = Some(value()?.parse::<usize>().context("--batch")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => bail!("unknown argument {a}\n{USAGE}"),
        }
    }
    let (Some(records), Some(sink)) = (records, sink) else {
        bail!("{USAGE}");
    };
    let config: SinkConfig =
        serde_norway::from_str(&sink).with_context(|| format!("--sink {sink:?}"))?;
    let batch = batch.unwrap_or(config.batch()).max(1);
    let templates = load(&records)?;
    if templates.is_empty() {
        bail!("{records}: no records");
    }
    let mut sinks = Sinks::open(std::slice::from_ref(&config))?;
    let mut commits = Vec::new();
    let started = Instant::now();
    let mut written = 0;
    while written < n {
        for _ in 0..batch.min(n - written) {
            let mut r = templates[written % templates.len()].clone();
            r.id = format!(
                "{:064x}",
                (std::process::id() as u128) << 64 | written as u128
            );
            sinks.write(&Prepared::new(&r, config.stores_rows()))?;
            written += 1;
        }
        let t = Instant::now();
        sinks.commit()?;
        commits.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let secs = started.elapsed().as_secs_f64();
    commits.sort_by(f64::total_cmp);
    let at = |p: f64| commits[((commits.len() - 1) as f64 * p).round() as usize];
    println!(
        "{}",
        serde_json::json!({
            "sink": config.kind(),
            "records": n,
            "batch": batch,
            "seconds": secs,
            "records_per_s": n as f64 / secs,
            "commit_ms_p50": at(0.5),
            "commit_ms_p99": at(0.99),
        })
    );
    Ok(())
}

/// Records from `enrichd process` output.
fn load(path: &str) -> anyhow::Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let Value::Object(mut m) = serde_json::from_str(line)? else {
                bail!("{path}: a line is not a JSON object");
            };
            let mut take = |k: &str| m.remove(k).unwrap_or(Value::Null);
            let source = serde_json::from_value(take("source"))?;
            let ingested_at = take("ingested_at").as_str().unwrap_or_default().to_string();
            let text = take("text").as_str().unwrap_or_default().to_string();
            let (_, _) = (take("id"), take("pipeline"));
            let fields: Map<String, Value> = m;
            Ok(Record {
                id: String::new(),
                source,
                ingested_at,
                text,
                fields: enrichd::record::fields_from(fields),
                pipeline: Vec::new(),
            })
        })
        .collect()
}
