//! The daemon loop of `enrichd run`: watcher → bounded queue → worker pool →
//! sink → ledger → the input leaves the drop folder.
//!
//! Signals: SIGINT/SIGTERM stop taking new files, let the files in flight
//! finish and commit, then exit. Files still queued stay in the drop folder
//! and are taken on the next start. systemd: READY=1 once plugins are loaded
//! and the folders exist, WATCHDOG=1 at half the watchdog interval, STOPPING=1.

use crate::config::Config;
use crate::dispose::{self, ErrorReport};
use crate::ingest;
use crate::ledger::Ledger;
use crate::pipeline::{Pipeline, StageFailure};
use crate::record::Record;
use crate::sink::{self, Sink};
use crate::watch;
use anyhow::Context as _;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// A record ready for the sink, with the input it came from.
struct Delivery {
    record: Record,
    input: PathBuf,
}

/// Run the daemon until a stop signal.
pub async fn run(cfg: Config, pipeline: Pipeline) -> anyhow::Result<()> {
    for dir in [&cfg.drop, &cfg.processed, &cfg.failed] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut sink = sink::open(&cfg.sink)?;
    let mut ledger = Ledger::open(&cfg.state_dir)?;
    let recovered = ledger.recover(sink.as_mut())?;
    if recovered > 0 {
        tracing::warn!(records = recovered, "found records in the sink that the ledger missed (a crash); their inputs will not be written again");
    }
    let ledger = Arc::new(Mutex::new(ledger));
    let cfg = Arc::new(cfg);
    let pipeline = Arc::new(pipeline);

    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<PathBuf>();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<PathBuf>();
    let (job_tx, job_rx) = mpsc::channel::<PathBuf>(cfg.queue);
    let job_rx = Arc::new(tokio::sync::Mutex::new(job_rx));

    let (deliver_tx, deliver_rx) = std::sync::mpsc::channel::<Delivery>();
    let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let delivery = {
        let (cfg, ledger, done_tx, stopping) = (
            cfg.clone(),
            ledger.clone(),
            done_tx.clone(),
            stopping.clone(),
        );
        std::thread::Builder::new()
            .name("enrichd-sink".into())
            .spawn(move || deliver_loop(sink, deliver_rx, &cfg, &ledger, &done_tx, &stopping))
            .context("cannot start the sink thread")?
    };

    let watcher = tokio::spawn(watch::run(
        cfg.drop.clone(),
        cfg.watch.clone(),
        ready_tx,
        shutdown_rx.clone(),
    ));

    let mut workers = Vec::with_capacity(cfg.workers);
    for _ in 0..cfg.workers {
        let (job_rx, cfg, pipeline, ledger) = (
            job_rx.clone(),
            cfg.clone(),
            pipeline.clone(),
            ledger.clone(),
        );
        let (deliver_tx, done_tx, mut shutdown) =
            (deliver_tx.clone(), done_tx.clone(), shutdown_rx.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let job = tokio::select! {
                    _ = shutdown.changed() => break,
                    job = async { job_rx.lock().await.recv().await } => job,
                };
                let Some(path) = job else { break };
                let (cfg, pipeline, ledger, deliver_tx, done_tx) = (
                    cfg.clone(),
                    pipeline.clone(),
                    ledger.clone(),
                    deliver_tx.clone(),
                    done_tx.clone(),
                );
                let task = tokio::task::spawn_blocking(move || {
                    handle_file(&path, &cfg, &pipeline, &ledger, &deliver_tx, &done_tx)
                });
                if let Err(e) = task.await {
                    tracing::error!(error = %e, "worker task failed");
                }
            }
        }));
    }
    drop(deliver_tx);
    drop(done_tx);

    notify_systemd(&[sd_notify::NotifyState::Ready]);
    tracing::info!(
        drop = %cfg.drop.display(),
        workers = cfg.workers,
        plugins = pipeline.plugins().len(),
        mode = ?cfg.watch.mode,
        "enrichd is running"
    );
    let watchdog = spawn_watchdog();

    // The dispatcher: ready paths → the bounded queue, each path once while it is in flight.
    let mut in_flight: HashSet<PathBuf> = HashSet::new();
    let mut stop = Box::pin(stop_signal());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(path) = ready_rx.recv() => {
                if in_flight.insert(path.clone()) {
                    tokio::select! {
                        _ = &mut stop => break,
                        sent = job_tx.send(path) => if sent.is_err() { break },
                    }
                }
            }
            Some(path) = done_rx.recv() => { in_flight.remove(&path); }
            else => break,
        }
    }

    tracing::info!("stopping: finishing the files in flight");
    notify_systemd(&[sd_notify::NotifyState::Stopping]);
    let _ = shutdown_tx.send(true);
    stopping.store(true, std::sync::atomic::Ordering::Relaxed);
    drop(job_tx);
    if let Some(w) = watchdog {
        w.abort();
    }
    match watcher.await {
        Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "watcher stopped with an error"),
        Err(e) => tracing::error!(error = %e, "watcher task failed"),
        Ok(Ok(())) => {}
    }
    for w in workers {
        let _ = w.await;
    }
    tokio::task::spawn_blocking(move || delivery.join())
        .await
        .context("sink thread could not be joined")?
        .map_err(|_| anyhow::anyhow!("sink thread panicked"))??;
    tracing::info!("stopped");
    Ok(())
}

/// Read, enrich and hand one file to the sink; a failure sends it to `failed/`.
fn handle_file(
    path: &Path,
    cfg: &Config,
    pipeline: &Pipeline,
    ledger: &Mutex<Ledger>,
    deliver_tx: &std::sync::mpsc::Sender<Delivery>,
    done_tx: &mpsc::UnboundedSender<PathBuf>,
) {
    let span = tracing::info_span!("file", path = %path.display());
    let _enter = span.enter();
    let result = match ingest::read(path, cfg.max_file_bytes) {
        Err(e) if e.is_not_found() => {
            tracing::debug!("gone before it could be read");
            let _ = done_tx.send(path.to_path_buf());
            return;
        }
        Err(e) => Err(StageFailure {
            stage: "ingest".into(),
            message: e.to_string(),
            record: None,
        }),
        Ok(record) => {
            let done = ledger
                .lock()
                .map(|l| l.contains(&record.id))
                .unwrap_or(false);
            if done {
                tracing::info!(id = %record.id, "already delivered (same content); not written again");
                finish_success(path, cfg);
                let _ = done_tx.send(path.to_path_buf());
                return;
            }
            pipeline.run(record)
        }
    };
    match result {
        Ok(record) => {
            if deliver_tx
                .send(Delivery {
                    record,
                    input: path.to_path_buf(),
                })
                .is_err()
            {
                // The sink is gone (shutting down): the file stays and is taken next time.
                let _ = done_tx.send(path.to_path_buf());
            }
        }
        Err(failure) => {
            fail(path, cfg, &failure);
            let _ = done_tx.send(path.to_path_buf());
        }
    }
}

fn fail(path: &Path, cfg: &Config, failure: &StageFailure) {
    tracing::warn!(stage = %failure.stage, error = %failure.message, "failed; moving to the failed folder");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let report = ErrorReport {
        file: &name,
        path: path.display().to_string(),
        stage: &failure.stage,
        error: &failure.message,
        at: jiff::Timestamp::now().to_string(),
        id: failure.record.as_ref().map(|r| r.id.as_str()),
    };
    if let Err(e) = dispose::failed(path, &cfg.failed, &report) {
        tracing::error!(error = %format!("{e:#}"), "cannot move the failed input away");
    }
}

fn finish_success(path: &Path, cfg: &Config) {
    if let Err(e) = dispose::succeeded(path, cfg.on_success, &cfg.processed) {
        tracing::error!(path = %path.display(), error = %format!("{e:#}"), "delivered, but cannot move the input away");
    }
}

/// The sink thread: batch, write, commit (fsync), then the ledger, then the inputs leave.
fn deliver_loop(
    mut sink: Box<dyn Sink>,
    rx: std::sync::mpsc::Receiver<Delivery>,
    cfg: &Config,
    ledger: &Mutex<Ledger>,
    done_tx: &mpsc::UnboundedSender<PathBuf>,
    stopping: &std::sync::atomic::AtomicBool,
) -> anyhow::Result<()> {
    let crate::config::SinkConfig::Jsonl {
        batch, flush_ms, ..
    } = cfg.sink;
    let linger = Duration::from_millis(flush_ms);
    let mut pending: Vec<Delivery> = Vec::with_capacity(batch);
    while let Ok(first) = rx.recv() {
        pending.push(first);
        let deadline = std::time::Instant::now() + linger;
        while pending.len() < batch {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(d) => pending.push(d),
                Err(_) => break,
            }
        }
        let written = pending.iter().try_for_each(|d| sink.write(&d.record));
        if let Err(e) = written {
            // Cannot even serialise: fail nothing silently, keep the inputs for a later try.
            tracing::error!(error = %format!("{e:#}"), "cannot encode records for the sink");
            pending.drain(..).for_each(|d| drop(done_tx.send(d.input)));
            continue;
        }
        if !commit_with_retry(sink.as_mut(), stopping) {
            // Shutting down with the sink still failing: the inputs stay for the next start.
            pending.drain(..).for_each(|d| drop(done_tx.send(d.input)));
            break;
        }
        let ids = pending.iter().map(|d| d.record.id.as_str());
        let committed = ledger
            .lock()
            .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))
            .and_then(|mut l| l.commit(ids, sink.position()));
        for d in pending.drain(..) {
            match &committed {
                // Without the ledger entry the input must stay: it is the only proof left.
                Err(e) => {
                    tracing::error!(path = %d.input.display(), error = %format!("{e:#}"), "delivered, but the ledger failed; input kept")
                }
                Ok(()) => {
                    tracing::info!(path = %d.input.display(), id = %d.record.id, "delivered");
                    finish_success(&d.input, cfg);
                }
            }
            let _ = done_tx.send(d.input);
        }
    }
    Ok(())
}

/// Commit, retrying with backoff (0.1 s doubling to 30 s) until it works or the daemon stops;
/// the failure is logged once per backoff step, not per try. Returns whether it committed.
fn commit_with_retry(sink: &mut dyn Sink, stopping: &std::sync::atomic::AtomicBool) -> bool {
    let mut backoff = Duration::from_millis(100);
    let mut failures = 0u32;
    loop {
        match sink.commit() {
            Ok(()) => {
                if failures > 0 {
                    tracing::info!(failures, "sink recovered");
                }
                return true;
            }
            Err(e) => {
                failures += 1;
                tracing::error!(error = %format!("{e:#}"), retry_in_ms = backoff.as_millis() as u64, "sink commit failed; inputs stay in the drop folder until it works");
            }
        }
        let until = std::time::Instant::now() + backoff;
        while std::time::Instant::now() < until {
            if stopping.load(std::sync::atomic::Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn notify_systemd(states: &[sd_notify::NotifyState]) {
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::debug!(error = %e, "systemd notify failed");
    }
}

fn spawn_watchdog() -> Option<tokio::task::JoinHandle<()>> {
    let mut usec = 0u64;
    if !sd_notify::watchdog_enabled(false, &mut usec) || usec == 0 {
        return None;
    }
    let every = Duration::from_micros(usec / 2);
    Some(tokio::spawn(async move {
        let mut t = tokio::time::interval(every);
        loop {
            t.tick().await;
            notify_systemd(&[sd_notify::NotifyState::Watchdog]);
        }
    }))
}
