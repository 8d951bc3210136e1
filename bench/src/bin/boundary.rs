//! `boundary`: what one record costs at the plugin boundary.
//!
//! Loads the no-op plugin (`bench/noop-plugin`) through the daemon's own
//! loader and, for each dev article, times many calls of
//!
//! - **call {}**: one `Plugin::call` through the C ABI with an empty fields object;
//! - **call fields**: the same with the fields a full-chain record carries
//!   (from `--records FILE`, the output of `enrichd process` on the articles,
//!   else a synthetic object of the same shape);
//! - **run fields**: the daemon's `Pipeline::run` with the no-op plugin as the
//!   only stage, on a record that already carries those fields (so it adds the
//!   host's own work: serialising source and fields, merging the output,
//!   recording the step).
//!
//! It prints median and p90 in microseconds and the bytes crossing the
//! boundary each way. This is a benchmark, not a test: it asserts nothing
//! about time.
//!
//! ```text
//! cargo build --release -p enrichd-bench -p enrichd-bench-noop
//! target/release/boundary [--data DIR] [--records FILE] [--plugin LIB]
//!                         [--iters N] [--warmup N]
//! ```

use anyhow::{bail, Context as _};
use enrichd::config::{library_file_name, Config};
use enrichd::pipeline::{Flight, Pipeline};
use enrichd::plugin_host::{Library, Plugin};
use enrichd::record::Record;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The record keys that are not plugin fields (the rest of a record line is fields, flattened).
const RECORD_KEYS: [&str; 5] = ["id", "source", "ingested_at", "text", "pipeline"];

/// The size limit articles are read with (the daemon's default `max_file_bytes`).
const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

/// Command-line options.
struct Args {
    /// Folder of `*.txt` articles.
    data: PathBuf,
    /// JSON Lines from `enrichd process`, to take real fields from.
    records: Option<PathBuf>,
    /// The no-op plugin library.
    plugin: PathBuf,
    /// Timed iterations per case and article.
    iters: usize,
    /// Untimed iterations before each case.
    warmup: usize,
}

const USAGE: &str =
    "usage: boundary [--data DIR] [--records FILE] [--plugin LIB] [--iters N] [--warmup N]

  --data DIR      folder of *.txt articles (default: ../shared/eval/dev from the repo root)
  --records FILE  JSON Lines from `enrichd process` on those articles: take each record's
                  fields as the realistic fields object (default: a synthetic one)
  --plugin LIB    the no-op plugin library (default: libenrichd_bench_noop.so beside this binary)
  --iters N       timed calls per case and article (default 2000)
  --warmup N      untimed calls before each case (default 200)";

impl Args {
    /// Parse `std::env::args`.
    fn parse() -> anyhow::Result<Args> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let exe = std::env::current_exe().context("cannot find this binary's path")?;
        let exe_dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut args = Args {
            data: repo.join("../shared/eval/dev"),
            records: None,
            plugin: exe_dir.join(library_file_name("bench-noop")),
            iters: 2000,
            warmup: 200,
        };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                println!("{USAGE}");
                std::process::exit(0);
            }
            let value = it
                .next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
            let count = |v: &str| -> anyhow::Result<usize> {
                let n: usize = v
                    .parse()
                    .with_context(|| format!("{flag} {v}: not a number"))?;
                if n == 0 && flag == "--iters" {
                    bail!("--iters must be at least 1");
                }
                Ok(n)
            };
            match flag.as_str() {
                "--data" => args.data = value.into(),
                "--records" => args.records = Some(value.into()),
                "--plugin" => args.plugin = value.into(),
                "--iters" => args.iters = count(&value)?,
                "--warmup" => args.warmup = count(&value)?,
                _ => bail!("unknown option {flag}\n{USAGE}"),
            }
        }
        Ok(args)
    }
}

/// Median and 90th percentile of a set of timings, in microseconds.
struct Stats {
    median_us: f64,
    p90_us: f64,
}

/// Time `f` `iters` times after `warmup` untimed calls.
fn measure(warmup: usize, iters: usize, mut f: impl FnMut() -> u64) -> Stats {
    for _ in 0..warmup {
        f();
    }
    let mut nanos: Vec<u64> = (0..iters).map(|_| f()).collect();
    nanos.sort_unstable();
    let at = |q: f64| nanos[((nanos.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    Stats {
        median_us: at(0.5),
        p90_us: at(0.9),
    }
}

/// Fields of the records in a JSON Lines file, by record id and by source file name.
struct RecordFields {
    by_id: HashMap<String, Map<String, Value>>,
    by_name: HashMap<String, Map<String, Value>>,
}

impl RecordFields {
    /// Read `path` (the stdout of `enrichd process`).
    fn load(path: &Path) -> anyhow::Result<RecordFields> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read records file {}", path.display()))?;
        let mut out = RecordFields {
            by_id: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let mut record: Map<String, Value> = serde_json::from_str(line).with_context(|| {
                format!("{}:{}: not a JSON record object", path.display(), i + 1)
            })?;
            let id = record.get("id").and_then(Value::as_str).map(str::to_string);
            let name = record
                .get("source")
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string);
            for key in RECORD_KEYS {
                record.remove(key);
            }
            if let Some(id) = id {
                out.by_id.insert(id, record.clone());
            }
            if let Some(name) = name {
                out.by_name.insert(name, record);
            }
        }
        Ok(out)
    }

    /// The fields of the record for this input (same content first, else same file name).
    fn find(&self, record: &Record) -> Option<&Map<String, Value>> {
        self.by_id
            .get(&record.id)
            .or_else(|| self.by_name.get(&record.source.name))
    }
}

/// Cut `s` to at most `max` characters.
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// A fields object shaped like a full-chain record's (normalize → boilerplate → dates),
/// built from the article's own lines so sizes and characters are realistic.
fn synthetic_fields(text: &str) -> Map<String, Value> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = |i: usize| lines.get(i % lines.len().max(1)).copied().unwrap_or("");
    let rules = ["share-bar", "hotline", "byline", "media-clock", "related"];
    let removed: Vec<Value> = (0..10)
        .map(|i| json!({"text": clip(line(lines.len() / 2 + i), 60), "rule": rules[i % rules.len()]}))
        .collect();
    let dates: Vec<Value> = (0..10)
        .map(|i| {
            let day = 1 + i * 3;
            json!({
                "text": format!("ngày {day}/4/2023"),
                "value": format!("2023-04-{day:02}"),
                "start": 100 * i,
                "end": 100 * i + 14,
            })
        })
        .collect();
    let captions: Vec<Value> = (1..4)
        .map(|i| Value::from(clip(line(i * 3), 120)))
        .collect();
    let mut fields = Map::new();
    fields.insert("title".into(), clip(line(0), 120).into());
    fields.insert("captions".into(), captions.into());
    fields.insert("authors".into(), json!(["Duy Khiêm"]));
    fields.insert("outlet".into(), Value::Null);
    fields.insert("sources".into(), json!([]));
    fields.insert("published".into(), json!("2023-05-29"));
    fields.insert("site_clock".into(), Value::Null);
    fields.insert("removed".into(), removed.into());
    fields.insert("dates".into(), dates.into());
    fields
}

/// One article's measurements.
struct Row {
    name: String,
    fields_from: &'static str,
    text_bytes: usize,
    source_bytes: usize,
    fields_bytes: usize,
    out_bytes: usize,
    utf8_check: Stats,
    call_empty: Stats,
    call_fields: Stats,
    run_fields: Stats,
}

/// Measure the three cases on one article.
fn bench_article(
    path: &Path,
    plugin: &Plugin,
    pipeline: &Pipeline,
    records: Option<&RecordFields>,
    args: &Args,
) -> anyhow::Result<Row> {
    // The record exactly as the daemon reads it (hash, source, decoded text).
    let record = enrichd::ingest::read(path, MAX_ARTICLE_BYTES)
        .with_context(|| format!("cannot read article {}", path.display()))?;
    let (fields, fields_from) = match records.and_then(|r| r.find(&record)) {
        Some(f) => (f.clone(), "records"),
        None => (synthetic_fields(&record.text), "synthetic"),
    };
    let source_json = serde_json::to_string(&record.source).context("source to JSON")?;
    let fields_json = serde_json::to_string(&fields).context("fields to JSON")?;
    let text = record.text.as_str();

    // One checked call first: the plugin must work, and it tells the size of what comes back.
    let probe = plugin
        .call(text, &source_json, &fields_json)
        .map_err(|e| anyhow::anyhow!("no-op plugin failed on {}: {e}", path.display()))?;
    if probe.text.is_some() {
        bail!("the no-op plugin replaced the text; it must not");
    }
    let out_bytes = serde_json::to_string(&probe.fields)
        .context("output fields to JSON")?
        .len();

    let timed_call = |fields_json: &str| {
        let started = Instant::now();
        let result = plugin.call(black_box(text), &source_json, black_box(fields_json));
        let nanos = started.elapsed().as_nanos() as u64;
        // Dropped after the clock stops; a failure would already have shown in the probe.
        black_box(result.is_ok());
        nanos
    };
    // For scale: the plugin side re-validates the text as UTF-8 on every call (ffi.rs).
    let utf8_check = measure(args.warmup, args.iters, || {
        let started = Instant::now();
        let ok = std::str::from_utf8(black_box(text.as_bytes())).is_ok();
        let nanos = started.elapsed().as_nanos() as u64;
        black_box(ok);
        nanos
    });
    let call_empty = measure(args.warmup, args.iters, || timed_call("{}"));
    let call_fields = measure(args.warmup, args.iters, || timed_call(&fields_json));

    let mut full = record.clone();
    full.fields = enrichd::record::fields_from(fields);
    pipeline
        .run(full.clone(), &Flight::default())
        .map_err(|e| anyhow::anyhow!("pipeline failed on {}: {e}", path.display()))?;
    let run_fields = measure(args.warmup, args.iters, || {
        // The clone and the flight are the caller's business (the daemon builds the record by
        // reading a file, and one flight per record for its timeout watcher).
        let input = full.clone();
        let flight = Flight::default();
        let started = Instant::now();
        let result = pipeline.run(black_box(input), &flight);
        let nanos = started.elapsed().as_nanos() as u64;
        black_box(result.is_ok());
        drop(result);
        nanos
    });

    Ok(Row {
        name: record.source.name.clone(),
        fields_from,
        text_bytes: text.len(),
        source_bytes: source_json.len(),
        fields_bytes: fields_json.len(),
        out_bytes,
        utf8_check,
        call_empty,
        call_fields,
        run_fields,
    })
}

/// A chain of the no-op plugin alone, built the way the daemon builds one: from a config
/// (so every per-plugin setting takes its default).
fn noop_pipeline(plugin: &Path) -> anyhow::Result<Pipeline> {
    let yaml = format!(
        "drop: /nonexistent/enrichd-bench\nplugins:\n  - library: {}\nsink:\n  type: jsonl\n  path: \"-\"\n",
        serde_json::to_string(&plugin.to_string_lossy()).context("plugin path to YAML")?
    );
    let cfg = Config::parse(&yaml, Path::new("/nonexistent/enrichd-bench.yaml"))
        .context("cannot build a config naming the no-op plugin")?;
    Pipeline::load(&cfg.plugins, &cfg.dir).context("cannot build a pipeline of the no-op plugin")
}

/// The median of a few numbers.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        0.0
    } else {
        v[v.len() / 2]
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse()?;
    let mut articles: Vec<PathBuf> = std::fs::read_dir(&args.data)
        .with_context(|| format!("cannot list --data {}", args.data.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot list --data {}", args.data.display()))?;
    articles.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    articles.sort();
    if articles.is_empty() {
        bail!("no *.txt articles in {}", args.data.display());
    }
    let records = args
        .records
        .as_deref()
        .map(RecordFields::load)
        .transpose()?;

    let plugin = Library::load(&args.plugin)
        .and_then(|lib| lib.instantiate(&Value::Null, &args.data))
        .with_context(|| {
            "cannot load the no-op plugin; build it with \
             `cargo build --release -p enrichd-bench -p enrichd-bench-noop` or pass --plugin"
        })?;
    let pipeline = noop_pipeline(&args.plugin)?;

    println!(
        "plugin {} {} ({}); {} timed iterations per case after {} warm-up; times in µs",
        plugin.name(),
        plugin.version(),
        plugin.path().display(),
        args.iters,
        args.warmup
    );
    let mut rows = Vec::new();
    for path in &articles {
        rows.push(bench_article(
            path,
            &plugin,
            &pipeline,
            records.as_ref(),
            &args,
        )?);
    }

    println!();
    println!(
        "{:<24} {:>6} {:>6} {:>6} {:>4} {:>9} {:>6}  {:>15}  {:>15}  {:>15}  {:>8}",
        "article",
        "text B",
        "src B",
        "flds B",
        "out",
        "fields",
        "utf8",
        "call {} med/p90",
        "call flds m/p90",
        "run flds m/p90",
        "run-call"
    );
    for r in &rows {
        println!(
            "{:<24} {:>6} {:>6} {:>6} {:>4} {:>9} {:>6.2}  {:>7.2}/{:<7.2}  {:>7.2}/{:<7.2}  {:>7.2}/{:<7.2}  {:>8.2}",
            r.name.trim_end_matches(".txt"),
            r.text_bytes,
            r.source_bytes,
            r.fields_bytes,
            r.out_bytes,
            r.fields_from,
            r.utf8_check.median_us,
            r.call_empty.median_us,
            r.call_empty.p90_us,
            r.call_fields.median_us,
            r.call_fields.p90_us,
            r.run_fields.median_us,
            r.run_fields.p90_us,
            r.run_fields.median_us - r.call_fields.median_us,
        );
    }
    let med = |f: fn(&Row) -> f64| median(rows.iter().map(f).collect());
    println!(
        "{:<24} {:>6} {:>6} {:>6} {:>4} {:>9} {:>6.2}  {:>15.2}  {:>15.2}  {:>15.2}  {:>8.2}",
        "median of articles",
        "",
        "",
        "",
        "",
        "",
        med(|r| r.utf8_check.median_us),
        med(|r| r.call_empty.median_us),
        med(|r| r.call_fields.median_us),
        med(|r| r.run_fields.median_us),
        med(|r| r.run_fields.median_us - r.call_fields.median_us),
    );
    println!(
        "
bytes in per call = text + src (source JSON) + flds (fields JSON; \"{{}}\" = 2 B in call {{}});
out = the plugin's fields JSON coming back; the no-op returns no text.
utf8 = median µs of std::str::from_utf8 on the text alone (the plugin side re-checks it).
run-call = median(run fields) - median(call fields): the host's own work per stage.
copies of the text per plugin call (from plugin_host.rs, ffi.rs, pipeline.rs):
  in:  0 - the host passes record.text as a borrowed StrRef; the plugin re-checks it is
       UTF-8 (one read-only scan) and borrows it as &str.
  out: 0 when unchanged (null buffer); 1 when replaced - the plugin's String moves into
       an OwnedBuf without a copy, the host copies it once (take_bytes: to_vec) before
       handing the buffer back to free_buf, then String::from_utf8 re-uses that Vec.
fields: run keeps the fields as one JSON string, appending what each plugin returns, and the
  plugin parses what it reads of it (lazily: doc.field_as / doc.fields()); output fields
  are serialised by the plugin, copied once by the host and checked as JSON, kept as raw
  text (never read into a tree). The source JSON is built once per record."
    );
    Ok(())
}
