//! The daemon loop of `enrichd run`: watcher → bounded queue → worker pool →
//! sink → ledger → the input leaves the drop folder.
//!
//! - Each path is in flight once at a time; the in-flight journal notes it, so a
//!   file that was in flight during three deaths of the daemon is quarantined.
//! - `workers` threads live as long as the daemon, each taking the next file
//!   from the queue (no hand-off per file). One sink thread gathers, writes and
//!   commits batches; a dispose thread moves committed inputs.
//! - A plugin call that outlives its `timeout_ms` fails its file; the stuck
//!   thread is abandoned (it can never deliver afterwards) and a new one takes
//!   its place.
//! - SIGINT/SIGTERM: stop taking files, let the files in flight finish for up to
//!   `shutdown_grace_ms` (the rest are abandoned and redone at the next start),
//!   commit the sink, exit 0.
//! - SIGHUP: reload the config and the plugin chain; a bad config or plugin is
//!   refused with a logged error and the running chain stays. Settings other
//!   than the chain (folders, sink, workers, watch) need a restart.
//! - systemd: READY=1 once plugins are loaded and the folders exist,
//!   RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a reload,
//!   STATUS= with counts and WATCHDOG=1 from the dispatcher loop at half the
//!   watchdog interval (only while files finish: stuck workers stop the beat),
//!   STOPPING=1.

use crate::budget::{Budget, Permit};
use crate::config::Config;
use crate::dispose::{self, ErrorReport};
use crate::inflight::{Journal, POISON_DEATHS};
use crate::ingest;
use crate::ledger::{Ledger, Lookup};
use crate::metrics::Metrics;
use crate::pipeline::{Flight, Pipeline, StageFailure};
use crate::sink::{Prepared, Sinks};
use crate::watch;
use anyhow::Context as _;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A record ready for the sinks, with the input it came from. The worker prepares it
/// (serialises it, reads its rows), so the one sink thread, which every file passes through,
/// only writes.
struct Delivery {
    record: Arc<Prepared>,
    input: PathBuf,
    /// The input's room in the in-flight budget, given back once the record is committed.
    _room: Option<Permit>,
}

/// What every worker shares.
struct Shared {
    cfg: Config,
    pipeline: RwLock<Arc<Pipeline>>,
    ledger: Mutex<Ledger>,
    /// The workers' own connection to the ledger, for looking ids up.
    lookup: Mutex<Lookup>,
    journal: Journal,
    deliver_tx: std::sync::mpsc::SyncSender<Delivery>,
    /// Files no longer in flight, a batch at a time.
    done_tx: mpsc::UnboundedSender<Vec<PathBuf>>,
    metrics: Arc<Metrics>,
    /// Input bytes from a worker taking a file to its record's commit (`max_inflight_bytes`).
    budget: Arc<Budget>,
    /// Files being read and enriched now: records on their way to the sink thread, which
    /// commits at once when there are none rather than waiting out `flush_ms`.
    enriching: AtomicUsize,
}

/// Counts a file as being enriched while it lives (see [`Shared::enriching`]).
struct Enriching<'a>(&'a AtomicUsize);

impl<'a> Enriching<'a> {
    fn start(count: &'a AtomicUsize) -> Enriching<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Enriching(count)
    }
}

impl Drop for Enriching<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Shared {
    fn pipeline(&self) -> Arc<Pipeline> {
        match self.pipeline.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The file is no longer in flight.
    fn done(&self, path: &Path) {
        self.done_all(std::slice::from_ref(&path));
    }

    /// These files are no longer in flight: one message for them all.
    fn done_all(&self, paths: &[impl AsRef<Path>]) {
        self.journal.end_all(paths);
        let _ = self
            .done_tx
            .send(paths.iter().map(|p| p.as_ref().to_path_buf()).collect());
    }
}

/// The most ready paths the dispatcher hands to the queue at once (fewer when the queue is
/// smaller).
const SEND_BATCH: usize = 32;

/// Run the daemon until a stop signal.
pub async fn run(cfg: Config, pipeline: Pipeline, mut signals: Signals) -> anyhow::Result<()> {
    for dir in [&cfg.drop, &cfg.processed, &cfg.failed] {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    // Sinks may block on their own runtimes: open them off the async threads.
    let (sinks, ledger, recovered) = std::thread::scope(|s| {
        s.spawn(|| -> anyhow::Result<_> {
            let mut sinks = Sinks::open(&cfg.sinks)?;
            let mut ledger = Ledger::open(&cfg.state_dir)?;
            let recovered = match sinks.readable() {
                Some(sink) => ledger.recover(sink)?,
                None => 0,
            };
            Ok((sinks, ledger, recovered))
        })
        .join()
        .map_err(|_| anyhow::anyhow!("opening the sinks panicked"))?
    })?;
    if recovered > 0 {
        tracing::warn!(records = recovered, "found records in the sink that the ledger missed (a crash); their inputs will not be written again");
    }
    let crashed = crate::inflight::arm_crash_marker(&cfg.state_dir)?;
    let (journal, poison) = Journal::open(&cfg.state_dir, crashed)?;
    let metrics = Arc::new(Metrics::default());
    if let Some(addr) = cfg.metrics.listen {
        crate::metrics::serve(addr, metrics.clone())?;
    }
    for p in poison {
        quarantine(&cfg, &metrics, &journal, &p.path, p.deaths);
    }

    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    // Bounded: a backlog waits on disk, not as paths in memory (the watcher lists no more
    // while the queue is full).
    let (ready_tx, mut ready_rx) = mpsc::channel::<PathBuf>(cfg.queue);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Vec<PathBuf>>();
    let (job_tx, job_rx) = mpsc::channel::<PathBuf>(cfg.queue);
    // Bounded: when the sinks fall behind, workers wait instead of piling records up in memory.
    // One batch's worth fills while the sink thread commits the one before.
    let (deliver_tx, deliver_rx) = std::sync::mpsc::sync_channel::<Delivery>(cfg.delivery_batch());
    let stopping = Arc::new(AtomicBool::new(false));

    let budget = Budget::new(cfg.max_inflight_bytes);
    let shared = Arc::new(Shared {
        cfg,
        pipeline: RwLock::new(Arc::new(pipeline)),
        lookup: Mutex::new(ledger.lookup()?),
        ledger: Mutex::new(ledger),
        journal,
        deliver_tx,
        done_tx,
        metrics,
        budget,
        enriching: AtomicUsize::new(0),
    });
    let cfg = &shared.cfg;

    let delivery = {
        let (shared, stopping) = (shared.clone(), stopping.clone());
        std::thread::Builder::new()
            .name("enrichd-sink".into())
            .spawn(move || deliver_loop(sinks, deliver_rx, &shared, &stopping))
            .context("cannot start the sink thread")?
    };

    let claims = match &cfg.claim {
        Some(c) => {
            let claims = crate::claim::Claims::open(&cfg.drop, c)?;
            claims.start_heartbeat(stopping.clone())?;
            tracing::info!(instance = %c.instance, folder = %claims.own_dir().display(), lease_s = c.lease_s, "claiming files from a shared drop folder");
            Some(claims)
        }
        None => None,
    };
    let watcher = tokio::spawn(watch::run(
        cfg.drop.clone(),
        cfg.watch.clone(),
        claims,
        ready_tx,
        shutdown_rx.clone(),
    ));

    let mut workers = Workers::start(&shared, job_rx, cfg.workers)?;
    let mut timeouts = tokio::time::interval(Duration::from_millis(100));

    notify_systemd(&[sd_notify::NotifyState::Ready]);
    tracing::info!(
        drop = %cfg.drop.display(),
        workers = cfg.workers,
        plugins = shared.pipeline().stages().len(),
        mode = ?cfg.watch.mode,
        "enrichd is running"
    );

    // The dispatcher: ready paths → the bounded queue, each path once while it is in flight.
    let mut d = Dispatcher {
        in_flight: HashSet::new(),
        last_progress: Instant::now(),
        watchdog: watchdog_interval(),
        metrics: shared.metrics.clone(),
    };
    let mut heartbeat = tokio::time::interval(d.heartbeat_every());
    'dispatch: loop {
        tokio::select! {
            signal = signals.next() => match signal {
                Signal::Stop => break,
                Signal::Reload => reload(&shared).await,
            },
            _ = heartbeat.tick() => d.beat(&job_tx),
            _ = timeouts.tick() => workers.fail_overdue(),
            Some(path) = ready_rx.recv() => {
                // The paths already waiting go along, in one hand-off: while the queue is full,
                // the dispatcher (and the watcher behind it) then wake once per batch, not once
                // per file a worker takes.
                let mut batch = vec![path];
                while batch.len() < SEND_BATCH {
                    match ready_rx.try_recv() {
                        Ok(path) => batch.push(path),
                        Err(_) => break,
                    }
                }
                batch.retain(|path| d.in_flight.insert(path.clone()));
                // A full queue must not make the daemon deaf to signals, nor stop its heartbeat.
                while !batch.is_empty() {
                    let n = batch.len().min(job_tx.max_capacity());
                    tokio::select! {
                        signal = signals.next() => match signal {
                            Signal::Stop => break 'dispatch,
                            Signal::Reload => reload(&shared).await,
                        },
                        _ = heartbeat.tick() => d.beat(&job_tx),
                        _ = timeouts.tick() => workers.fail_overdue(),
                        Some(done) = done_rx.recv() => d.done(&done),
                        permits = job_tx.reserve_many(n) => {
                            let Ok(permits) = permits else { break 'dispatch };
                            for (permit, path) in permits.zip(batch.drain(..n)) {
                                permit.send(path);
                            }
                        }
                    }
                }
                d.gauges(&job_tx);
            }
            Some(paths) = done_rx.recv() => {
                d.done(&paths);
                d.gauges(&job_tx);
            }
            else => break,
        }
    }

    tracing::info!(
        grace_ms = cfg.shutdown_grace.as_millis() as u64,
        "stopping: finishing the files in flight"
    );
    notify_systemd(&[sd_notify::NotifyState::Stopping]);
    let _ = shutdown_tx.send(true);
    workers.stop();
    drop(job_tx);
    match watcher.await {
        Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "watcher stopped with an error"),
        Err(e) => tracing::error!(error = %e, "watcher task failed"),
        Ok(Ok(())) => {}
    }
    let finished = tokio::time::timeout(cfg.shutdown_grace, async {
        while workers.busy() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            workers = workers.busy(),
            "grace period over: abandoning the files still in flight; they stay in the drop folder and are redone at the next start"
        );
    }
    // Workers hold no sender of their own: dropping the shared state's last handle closes the
    // sink's channel once abandoned threads are gone, so the sink thread is told by `stopping`.
    stopping.store(true, Ordering::Relaxed);
    drop(shared);
    let joined = tokio::task::spawn_blocking(move || delivery.join());
    match tokio::time::timeout(Duration::from_secs(5), joined).await {
        Ok(Ok(Ok(result))) => result?,
        Ok(Ok(Err(_))) => anyhow::bail!("sink thread panicked"),
        _ => tracing::warn!("sink thread did not finish in time"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// A file on a worker thread: its path, the chain it runs through and its flight.
type Running = (PathBuf, Arc<Pipeline>, Arc<Flight>);

/// What the watchdog sees of one worker thread.
#[derive(Default)]
struct Slot {
    /// The file the worker runs now.
    current: Mutex<Option<Running>>,
    /// That file's room in the in-flight budget, until its record goes to the sink thread.
    /// Here rather than on the worker's stack so that it is given back when the watchdog
    /// abandons the worker (its thread may never return).
    room: Mutex<Option<Permit>>,
    /// Given up on: a plugin call outlived its timeout. The thread ends once the call returns
    /// (if it ever does); another has taken its place.
    retired: AtomicBool,
    /// The thread's loop has ended.
    ended: AtomicBool,
}

/// The worker threads: each takes the next file from the queue and runs it to the sink
/// thread, on a thread of its own for the life of the daemon (no hand-off per file). Plugin
/// calls that outlive their `timeout_ms` are found by [`Workers::fail_overdue`].
struct Workers {
    shared: Arc<Shared>,
    jobs: Arc<Mutex<mpsc::Receiver<PathBuf>>>,
    /// Tells the threads to take no more files.
    stopping: Arc<AtomicBool>,
    slots: Vec<Arc<Slot>>,
}

impl Workers {
    fn start(
        shared: &Arc<Shared>,
        jobs: mpsc::Receiver<PathBuf>,
        n: usize,
    ) -> anyhow::Result<Workers> {
        let mut workers = Workers {
            shared: shared.clone(),
            jobs: Arc::new(Mutex::new(jobs)),
            stopping: Arc::new(AtomicBool::new(false)),
            slots: Vec::new(),
        };
        for _ in 0..n.max(1) {
            workers.spawn()?;
        }
        Ok(workers)
    }

    /// One more worker thread.
    fn spawn(&mut self) -> anyhow::Result<()> {
        let slot = Arc::new(Slot::default());
        let (shared, jobs, stopping, own) = (
            self.shared.clone(),
            self.jobs.clone(),
            self.stopping.clone(),
            slot.clone(),
        );
        std::thread::Builder::new()
            .name("enrichd-worker".into())
            .spawn(move || {
                worker_loop(&shared, &jobs, &own, &stopping);
                own.ended.store(true, Ordering::SeqCst);
            })
            .context("cannot start a worker thread")?;
        self.slots.push(slot);
        Ok(())
    }

    /// Fail each file whose plugin call has outlived its timeout, and put a new thread in the
    /// place of the one stuck in the call.
    fn fail_overdue(&mut self) {
        let mut stuck = 0;
        for slot in &self.slots {
            let Ok(current) = slot.current.lock() else {
                continue;
            };
            let Some((path, pipeline, flight)) = current.as_ref() else {
                continue;
            };
            let Some((stage, ran)) = flight.overdue(pipeline) else {
                continue;
            };
            if !flight.abandon() {
                continue; // it landed just now
            }
            if let Ok(mut room) = slot.room.lock() {
                room.take();
            }
            slot.retired.store(true, Ordering::SeqCst);
            stuck += 1;
            let stage = &pipeline.stages()[stage];
            let failure = StageFailure {
                stage: format!("plugin:{}", stage.plugin.name()),
                message: format!(
                    "timed out after {} ms (timeout_ms {}); the call was abandoned",
                    ran.as_millis(),
                    stage.timeout.as_millis()
                ),
                record: None,
            };
            fail(
                path,
                &self.shared.cfg,
                &self.shared.metrics,
                &failure,
                None,
                1,
            );
            self.shared.done(path);
        }
        self.slots.retain(|s| !s.retired.load(Ordering::SeqCst));
        for _ in 0..stuck {
            if let Err(e) = self.spawn() {
                tracing::error!(error = %format!("{e:#}"), "cannot replace a worker stuck in a plugin call");
            }
        }
    }

    /// Take no more files: each thread ends after the file it runs now.
    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Threads still running (not those given up on).
    fn busy(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| !s.ended.load(Ordering::SeqCst))
            .count()
    }
}

/// Take files from the queue and run them until the queue closes or the daemon stops.
fn worker_loop(
    shared: &Shared,
    jobs: &Mutex<mpsc::Receiver<PathBuf>>,
    slot: &Slot,
    stopping: &AtomicBool,
) {
    while !stopping.load(Ordering::SeqCst) && !slot.retired.load(Ordering::SeqCst) {
        let job = match jobs.lock() {
            Ok(mut rx) => rx.blocking_recv(),
            Err(_) => None,
        };
        // Stopping: a file taken now stays in the drop folder for the next start.
        let Some(path) = job.filter(|_| !stopping.load(Ordering::SeqCst)) else {
            return;
        };
        // Room for the file's bytes: it waits while the records in flight are committed.
        let input = ingest::Input::open(&path);
        let bytes = input
            .as_ref()
            .map_or(0, |i| i.size())
            .min(shared.cfg.max_file_bytes);
        let Some(room) = shared.budget.acquire(bytes, stopping) else {
            return;
        };
        if let Ok(mut slot_room) = slot.room.lock() {
            *slot_room = Some(room);
        }
        let pipeline = shared.pipeline();
        let flight = Arc::new(Flight::default());
        if let Ok(mut current) = slot.current.lock() {
            *current = Some((path.clone(), pipeline.clone(), flight.clone()));
        }
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            handle_file(input, &path, shared, &pipeline, &flight, &slot.room)
        }));
        if let Ok(mut current) = slot.current.lock() {
            *current = None;
        }
        // A file that failed (or was already delivered) gives its room back here.
        if let Ok(mut room) = slot.room.lock() {
            room.take();
        }
        if let Err(panic) = ran {
            // A panic in the daemon's own code for this file: it must not stay in flight.
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(path = %path.display(), panic = %what, "worker failed");
            shared.done(&path);
        }
    }
}

/// Read, enrich and hand one file to the sink; a failure sends it to `failed/`.
fn handle_file(
    input: Result<ingest::Input<'_>, ingest::IngestError>,
    path: &Path,
    shared: &Shared,
    pipeline: &Pipeline,
    flight: &Flight,
    room: &Mutex<Option<Permit>>,
) {
    // Dropped last, after the record went to the sink thread (or the file failed).
    let _enriching = Enriching::start(&shared.enriching);
    let span = tracing::info_span!("file", path = %path.display());
    let _enter = span.enter();
    tracing::debug!("taken");
    let cfg = &shared.cfg;
    let deaths = match shared.journal.begin(path) {
        Ok(d) => d,
        Err(e) => {
            // Without the note a crash here could not be counted; go on, it is only a guard.
            tracing::warn!(error = %format!("{e:#}"), "cannot note the file as in flight");
            0
        }
    };
    let result = match input.and_then(|i| i.read(cfg.max_file_bytes)) {
        Err(e) if e.is_not_found() => {
            tracing::debug!("gone before it could be read");
            shared.done(path);
            return;
        }
        Err(e) => Err(StageFailure {
            stage: "ingest".into(),
            message: e.to_string(),
            record: None,
        }),
        Ok(record) => {
            let delivered = match shared.lookup.lock().map(|l| l.contains(&record.id)) {
                Ok(Ok(found)) => found,
                Ok(Err(e)) => {
                    // Written (perhaps twice) rather than lost.
                    tracing::warn!(error = %format!("{e:#}"), "cannot look the record up in the ledger; writing it (it may be delivered twice)");
                    false
                }
                Err(_) => false,
            };
            if delivered {
                tracing::info!(id = %record.id, "already delivered (same content); not written again");
                finish_success(path, cfg);
                shared.done(path);
                return;
            }
            pipeline.run(record, flight)
        }
    };
    if !flight.land() {
        return; // abandoned after a timeout: the watcher already failed the file
    }
    match &result {
        Ok(record) => shared.metrics.observe_steps(&record.pipeline),
        Err(StageFailure {
            record: Some(record),
            ..
        }) => shared.metrics.observe_steps(&record.pipeline),
        Err(_) => {}
    }
    let rows = cfg.sinks.iter().any(|s| s.stores_rows());
    let result = result.map(|record| Prepared::new(&record, rows));
    match result {
        Ok(record) => {
            if shared
                .deliver_tx
                .send(Delivery {
                    record,
                    input: path.to_path_buf(),
                    _room: room.lock().ok().and_then(|mut r| r.take()),
                })
                .is_err()
            {
                // The sink is gone (shutting down): the file stays and is taken next time.
                shared.done(path);
            }
        }
        Err(failure) => {
            let id = failure.record.as_ref().map(|r| r.id.as_str());
            fail(path, cfg, &shared.metrics, &failure, id, deaths + 1);
            shared.done(path);
        }
    }
}

/// Move a failed input to `failed/` with its error report (`id`: its record's, when known).
fn fail(
    path: &Path,
    cfg: &Config,
    metrics: &Metrics,
    failure: &StageFailure,
    id: Option<&str>,
    attempts: u32,
) {
    metrics.failed.inc();
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
        attempts,
        at: jiff::Timestamp::now().to_string(),
        id,
    };
    if let Err(e) = dispose::failed(path, &cfg.failed, &report) {
        tracing::error!(error = %format!("{e:#}"), "cannot move the failed input away");
    }
}

/// A file that was in flight during too many deaths goes to `failed/` unread.
fn quarantine(cfg: &Config, metrics: &Metrics, journal: &Journal, path: &Path, deaths: u32) {
    if path.exists() {
        let failure = StageFailure {
            stage: "poison".into(),
            message: format!(
                "the daemon died {deaths} times while this file was in flight (limit {POISON_DEATHS}); quarantined"
            ),
            record: None,
        };
        fail(path, cfg, metrics, &failure, None, deaths);
    }
    journal.end(path);
}

fn finish_success(path: &Path, cfg: &Config) {
    if let Err(e) = dispose::succeeded(path, cfg.on_success, &cfg.processed) {
        tracing::error!(path = %path.display(), error = %format!("{e:#}"), "delivered, but cannot move the input away");
    }
}

/// Load the config again and swap in its plugin chain.
async fn reload(shared: &Arc<Shared>) {
    let monotonic = sd_notify::NotifyState::monotonic_usec_now();
    let mut states = vec![sd_notify::NotifyState::Reloading];
    states.extend(monotonic.ok());
    notify_systemd(&states);
    let file = shared.cfg.file.clone();
    let loaded = tokio::task::spawn_blocking(move || -> anyhow::Result<(Config, Pipeline)> {
        let cfg = Config::load(&file)?;
        let pipeline = Pipeline::load_fresh(&cfg.plugins, &cfg.dir, &cfg.state_dir)?;
        Ok((cfg, pipeline))
    })
    .await;
    match loaded {
        Ok(Ok((new_cfg, pipeline))) => {
            if new_cfg.needs_restart(&shared.cfg) {
                tracing::warn!("reload: only the plugin chain is reloaded; other changed settings need a restart");
            }
            let names: Vec<String> = pipeline
                .stages()
                .iter()
                .map(|s| s.plugin.name().to_string())
                .collect();
            if let Ok(mut p) = shared.pipeline.write() {
                *p = Arc::new(pipeline);
            }
            tracing::info!(plugins = ?names, "reloaded the plugin chain");
        }
        Ok(Err(e)) => {
            tracing::error!(error = %format!("{e:#}"), "reload refused; the running config stays")
        }
        Err(e) => tracing::error!(error = %e, "reload failed; the running config stays"),
    }
    notify_systemd(&[sd_notify::NotifyState::Ready]);
}

/// The sink thread: batch, write, commit every sink, then the ledger, then the inputs leave.
/// A batch closes at the smallest `batch` or `flush_ms` of the configured sinks.
fn deliver_loop(
    mut sinks: Sinks,
    rx: std::sync::mpsc::Receiver<Delivery>,
    shared: &Shared,
    stopping: &AtomicBool,
) -> anyhow::Result<()> {
    let cfg = &shared.cfg;
    let batch = cfg.sinks.iter().map(|s| s.batch()).min().unwrap_or(1);
    let linger = cfg
        .sinks
        .iter()
        .map(|s| s.flush())
        .min()
        .unwrap_or_default();
    // Moving the inputs of a committed batch is left to a thread of its own, so this one,
    // which every file passes through, goes on to the next batch.
    let (finish_tx, finish_rx) = std::sync::mpsc::sync_channel::<Finished>(2);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("enrichd-dispose".into())
            .spawn_scoped(scope, || finish_loop(finish_rx, shared))
            .context("cannot start the dispose thread")?;
        deliver_batches(&mut sinks, &rx, shared, stopping, batch, linger, &finish_tx);
        drop(finish_tx);
        Ok(())
    })
}

/// A committed batch (its inputs and record ids), and whether the ledger took the ids.
struct Finished {
    delivered: Vec<(PathBuf, String)>,
    ledger: Result<(), String>,
}

/// Move the inputs of committed batches into `processed/` (the ledger has their ids).
fn finish_loop(rx: std::sync::mpsc::Receiver<Finished>, shared: &Shared) {
    for Finished { delivered, ledger } in rx {
        for (input, id) in &delivered {
            match &ledger {
                // Without the ledger entry the input must stay: it is the only proof left.
                Err(e) => {
                    tracing::error!(path = %input.display(), error = %e, "delivered, but the ledger failed; input kept")
                }
                Ok(()) => {
                    shared.metrics.processed.inc();
                    tracing::info!(path = %input.display(), id = %id, "delivered");
                    finish_success(input, &shared.cfg);
                }
            }
        }
        let inputs: Vec<&PathBuf> = delivered.iter().map(|(input, _)| input).collect();
        shared.done_all(&inputs);
    }
}

/// Fill `pending` up to `batch` records. The batch closes early when no record is waiting and
/// none is on its way (no file is being enriched), and after `linger` at the latest: under load
/// batches fill up, and a lone file is committed without waiting. While records are on their
/// way it looks every millisecond.
fn gather(
    rx: &std::sync::mpsc::Receiver<Delivery>,
    pending: &mut Vec<Delivery>,
    batch: usize,
    linger: Duration,
    enriching: &AtomicUsize,
) {
    /// How often the wait looks again whether a record is still on its way.
    const LOOK: Duration = Duration::from_millis(1);
    let deadline = Instant::now() + linger;
    while pending.len() < batch {
        match rx.try_recv() {
            Ok(d) => {
                pending.push(d);
                continue;
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
        if enriching.load(Ordering::SeqCst) == 0 {
            // A record is sent before its file stops counting: look once more, then close.
            match rx.try_recv() {
                Ok(d) => {
                    pending.push(d);
                    continue;
                }
                Err(_) => return,
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        // Slept, not blocked on the channel: a blocked receiver is woken by every record sent
        // (a system call on the worker and a context switch here, per record); asleep, it
        // takes what arrived in one go.
        std::thread::sleep(left.min(LOOK));
    }
}

/// Gather, write and commit batches until stopped; each committed batch goes to `finish`.
fn deliver_batches(
    sinks: &mut Sinks,
    rx: &std::sync::mpsc::Receiver<Delivery>,
    shared: &Shared,
    stopping: &AtomicBool,
    batch: usize,
    linger: Duration,
    finish: &std::sync::mpsc::SyncSender<Finished>,
) {
    let mut pending: Vec<Delivery> = Vec::with_capacity(batch);
    loop {
        let first = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(d) => d,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                if !stopping.load(Ordering::Relaxed) =>
            {
                continue
            }
            // Stopping and nothing waiting, or every sender gone.
            Err(_) => match rx.try_recv() {
                Ok(d) => d,
                Err(_) => break,
            },
        };
        pending.push(first);
        gather(rx, &mut pending, batch, linger, &shared.enriching);
        write_all(sinks, &mut pending, shared);
        if pending.is_empty() {
            continue;
        }
        let commit_started = Instant::now();
        if !commit_with_retry(sinks, stopping) {
            // Shutting down with the sink still failing: the inputs stay for the next start.
            let inputs: Vec<&PathBuf> = pending.iter().map(|d| &d.input).collect();
            shared.done_all(&inputs);
            break;
        }
        shared
            .metrics
            .sink_commit
            .observe(commit_started.elapsed().as_secs_f64());
        let ids = pending.iter().map(|d| d.record.id.as_str());
        let committed = shared
            .ledger
            .lock()
            .map_err(|_| anyhow::anyhow!("ledger lock poisoned"))
            .and_then(|mut l| l.commit(ids, sinks.position()));
        // The records themselves are freed here, not kept until their inputs are moved.
        let finished = Finished {
            delivered: pending
                .drain(..)
                .map(|d| (d.input, d.record.id.clone()))
                .collect(),
            ledger: committed.map_err(|e| format!("{e:#}")),
        };
        if let Err(std::sync::mpsc::SendError(finished)) = finish.send(finished) {
            // The dispose thread is gone (it panicked): the inputs stay for the next start.
            tracing::error!(
                "the dispose thread is gone; inputs of delivered records stay in the drop folder"
            );
            let inputs: Vec<&PathBuf> = finished.delivered.iter().map(|(input, _)| input).collect();
            shared.done_all(&inputs);
        }
    }
}

/// Hand every pending record to the sinks. A record a sink refuses (it cannot be serialised,
/// or it is larger than the server takes) would be refused again at every try: its input goes
/// to `failed/` (stage `sink`), and the batch is written again without it.
fn write_all(sinks: &mut Sinks, pending: &mut Vec<Delivery>, shared: &Shared) {
    loop {
        let refused = pending
            .iter()
            .enumerate()
            .find_map(|(i, d)| sinks.write(&d.record).err().map(|e| (i, e)));
        let Some((i, e)) = refused else { return };
        sinks.rollback();
        let d = pending.remove(i);
        let failure = StageFailure {
            stage: "sink".into(),
            message: format!("{e:#}"),
            record: None,
        };
        let id = Some(d.record.id.as_str());
        fail(&d.input, &shared.cfg, &shared.metrics, &failure, id, 1);
        shared.done(&d.input);
    }
}

/// Commit, retrying with backoff (0.1 s doubling to 30 s) until it works or the daemon stops;
/// the failure is logged once per backoff step, not per try. Returns whether it committed.
fn commit_with_retry(sinks: &mut Sinks, stopping: &AtomicBool) -> bool {
    let mut backoff = Duration::from_millis(100);
    let mut failures = 0u32;
    loop {
        match sinks.commit() {
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
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            if stopping.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Stop,
    Reload,
}

/// The signals the daemon acts on: SIGTERM and SIGINT stop it, SIGHUP reloads.
pub struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    /// Catch them from now on (inside a Tokio runtime); a signal that comes before the daemon
    /// loop runs waits for it.
    pub fn new() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
            hup: signal(SignalKind::hangup()).context("cannot handle SIGHUP")?,
        })
    }

    async fn next(&mut self) -> Signal {
        tokio::select! {
            _ = self.term.recv() => Signal::Stop,
            _ = self.int.recv() => Signal::Stop,
            _ = self.hup.recv() => Signal::Reload,
        }
    }
}

fn notify_systemd(states: &[sd_notify::NotifyState]) {
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::debug!(error = %e, "systemd notify failed");
    }
}

/// The dispatcher's state: what is in flight, and the heartbeat it reports to systemd.
struct Dispatcher {
    in_flight: HashSet<PathBuf>,
    /// When a file last finished (or nothing was in flight).
    last_progress: Instant,
    /// systemd's watchdog interval, when it asked for one.
    watchdog: Option<Duration>,
    metrics: Arc<Metrics>,
}

impl Dispatcher {
    fn heartbeat_every(&self) -> Duration {
        self.watchdog
            .map_or(STATUS_EVERY, |w| (w / 2).min(STATUS_EVERY))
    }

    fn done(&mut self, paths: &[PathBuf]) {
        for p in paths {
            self.in_flight.remove(p);
        }
        self.last_progress = Instant::now();
    }

    fn queued(job_tx: &mpsc::Sender<PathBuf>) -> usize {
        job_tx.max_capacity() - job_tx.capacity()
    }

    fn gauges(&self, job_tx: &mpsc::Sender<PathBuf>) {
        self.metrics.in_flight.set(self.in_flight.len() as i64);
        self.metrics
            .queue_depth
            .set(Dispatcher::queued(job_tx) as i64);
    }

    /// STATUS= with counts; WATCHDOG=1 only while the workers make progress: nothing in flight,
    /// or a file finished within the watchdog interval. Stuck workers stop the beat, and
    /// systemd restarts the service.
    fn beat(&mut self, job_tx: &mpsc::Sender<PathBuf>) {
        self.gauges(job_tx);
        if self.in_flight.is_empty() {
            self.last_progress = Instant::now();
        }
        let status = format!(
            "{} processed, {} failed, {} in flight, {} queued",
            self.metrics.processed.get(),
            self.metrics.failed.get(),
            self.in_flight.len(),
            Dispatcher::queued(job_tx)
        );
        let mut states = vec![sd_notify::NotifyState::Status(&status)];
        if let Some(w) = self.watchdog {
            if self.last_progress.elapsed() < w {
                states.push(sd_notify::NotifyState::Watchdog);
            } else {
                tracing::error!(
                    stalled_s = self.last_progress.elapsed().as_secs(),
                    "no file finished within the watchdog interval; not petting the watchdog"
                );
            }
        }
        notify_systemd(&states);
    }
}

/// How often STATUS= is sent when systemd wants no watchdog.
const STATUS_EVERY: Duration = Duration::from_secs(5);

fn watchdog_interval() -> Option<Duration> {
    let mut usec = 0u64;
    (sd_notify::watchdog_enabled(false, &mut usec) && usec > 0).then(|| Duration::from_micros(usec))
}
