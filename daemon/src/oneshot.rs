//! `enrichd process`: files and folders through the chain once, records to
//! stdout as JSON Lines in input order. No watching, no moving, no ledger.
//!
//! Folders are listed (not recursively) with the config's `watch.include` and
//! `watch.ignore` globs; files named on the command line are always taken.
//! Work runs on `workers` threads. On a terminal, a progress bar on stderr.

use crate::config::Config;
use crate::ingest;
use crate::pipeline::Pipeline;
use crate::record::Record;
use crate::watch::{self, NameFilter};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Expand the command line's paths into the input files, in order.
pub fn expand(paths: &[PathBuf], filter: &NameFilter) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            files.extend(
                watch::list(p, filter).with_context(|| format!("cannot list {}", p.display()))?,
            );
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Process `paths`; returns how many inputs failed.
pub fn run(cfg: &Config, pipeline: &Pipeline, paths: &[PathBuf]) -> anyhow::Result<usize> {
    let filter = NameFilter::new(&cfg.watch.include, &cfg.watch.ignore)?;
    let files = expand(paths, &filter)?;
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(total_bytes, files.len());

    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<Record, String>)>();
    let mut failed = 0;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..cfg.workers.min(files.len()).max(1) {
            let tx = tx.clone();
            let (files, next) = (&files, &next);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let _span = tracing::info_span!("file", path = %path.display()).entered();
                let result = match ingest::read(path, cfg.max_file_bytes) {
                    Err(e) => Err(format!("stage ingest: {e}")),
                    Ok(record) => pipeline.run(record, &crate::pipeline::Flight::default()).or_else(|failure| {
                        tracing::warn!(stage = %failure.stage, error = %failure.message, "failed");
                        let message = failure.to_string();
                        // The record so far, its `pipeline` naming the failed stage.
                        failure.record.map(|r| *r).ok_or(message)
                    }),
                };
                if tx.send((i, result)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let mut waiting: BTreeMap<usize, Result<Record, String>> = BTreeMap::new();
        let mut emitted = 0;
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&emitted) {
                let path = &files[emitted];
                match result {
                    Ok(record) => {
                        if record.pipeline.iter().any(|s| s.error.is_some()) {
                            failed += 1;
                        }
                        bar.inc(record.source.bytes);
                        writeln!(out, "{}", record.to_json_line())
                            .context("cannot write to stdout")?;
                    }
                    Err(e) => {
                        failed += 1;
                        bar.suspend(
                            || tracing::error!(path = %path.display(), error = %e, "no record"),
                        );
                    }
                }
                emitted += 1;
                bar.set_message(format!("{emitted}/{} files", files.len()));
            }
        }
        out.flush().context("cannot write to stdout")?;
        Ok(())
    })?;
    bar.finish_and_clear();
    Ok(failed)
}

fn progress_bar(total_bytes: u64, files: usize) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total_bytes);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:30} {msg}  {binary_bytes}/{binary_total_bytes}  {binary_bytes_per_sec}  ETA {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(format!("0/{files} files"));
    bar
}
