//! The drop folder → paths that are ready to read.
//!
//! Three sources feed one tracker:
//! - a listing at start-up, every `rescan_interval_s` (events mode) or every
//!   `poll_interval_ms` (poll mode), and whenever the kernel's event queue
//!   overflowed (notify's `Rescan` flag);
//! - in events mode, inotify's close-after-write and rename-in events.
//!
//! A file renamed into the folder is ready at once (a rename is atomic). Any
//! other path is ready when its size and modification time have stayed the
//! same for its quiet period: `quiet_period_ms` for a file found by a listing
//! (a listing cannot see whether a writer still holds it open), a short settle
//! time after a close-after-write (the writer is done). A file
//! found by a listing whose mtime is already older than the quiet period is
//! ready at once. The folder is not watched recursively, so `processed/` and
//! `failed/` inside it are not inputs. Hidden files and the `ignore` globs are
//! never taken.
//!
//! With claims (a drop folder shared by several daemons, see `claim.rs`), a
//! ready file is claimed before it is sent on, and only as many as there is
//! room for; the files in this daemon's claim folder are sent at every
//! listing (they are whole: they were claimed ready), and a silent daemon's
//! claimed files are taken over every quarter lease.

use crate::claim::Claims;
use crate::config::{Watch, WatchMode};
use anyhow::Context as _;
use globset::{Glob, GlobSet, GlobSetBuilder};
use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind, RenameMode};
use notify::{RecursiveMode, Watcher as _};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;

/// Time a file must stay unchanged after its writer closed it or renamed it in.
const SETTLE: Duration = Duration::from_millis(150);
/// How often tracked files are re-checked.
const TICK: Duration = Duration::from_millis(100);

/// Which file names the daemon takes from the drop folder.
#[derive(Clone)]
pub struct NameFilter {
    include: GlobSet,
    ignore: GlobSet,
}

impl NameFilter {
    /// Build from the `watch.include` and `watch.ignore` globs.
    pub fn new(include: &[String], ignore: &[String]) -> anyhow::Result<NameFilter> {
        let set = |patterns: &[String]| -> anyhow::Result<GlobSet> {
            let mut b = GlobSetBuilder::new();
            for p in patterns {
                b.add(Glob::new(p).with_context(|| format!("bad file pattern {p:?}"))?);
            }
            Ok(b.build()?)
        };
        Ok(NameFilter {
            include: set(include)?,
            ignore: set(ignore)?,
        })
    }

    /// Whether a file with this name is an input.
    pub fn accepts(&self, path: &Path) -> bool {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        !name.starts_with('.') && self.include.is_match(name) && !self.ignore.is_match(name)
    }
}

/// The regular files and symbolic links of `dir` (not recursive) that the filter accepts, sorted by name.
pub fn list(dir: &Path, filter: &NameFilter) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        out.extend(accepted(&entry?, filter)?);
    }
    out.sort();
    Ok(out)
}

/// The entry's path when it is a regular file or a symbolic link the filter accepts. Symbolic
/// links are listed so that ingest can refuse them visibly (to `failed/`).
fn accepted(entry: &std::fs::DirEntry, filter: &NameFilter) -> std::io::Result<Option<PathBuf>> {
    let kind = entry.file_type()?;
    let path = entry.path();
    Ok(((kind.is_file() || kind.is_symlink()) && filter.accepts(&path)).then_some(path))
}

/// Ready paths are sent on in chunks of this many while the folder is being listed, so a
/// backlog of any size is never held in memory as a list.
const LIST_CHUNK: usize = 64;

/// Send `ready` on (with claims: the paths claimed of it, or on a rescan every path held);
/// whether some were left unclaimed for lack of room comes back in `starved`. False when the
/// watcher is to stop.
async fn forward(
    ready: &mut Vec<PathBuf>,
    claims: &Option<Claims>,
    rescan: bool,
    starved: &mut bool,
    ready_tx: &mpsc::Sender<PathBuf>,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    if let Some(c) = claims {
        let (mut claimed, left) = c.take(ready.drain(..));
        *starved = left;
        if rescan {
            // Claimed earlier and not finished (a restart, a sink failure, a takeover).
            claimed = c.held();
        }
        *ready = claimed;
    }
    for path in ready.drain(..) {
        tokio::select! {
            _ = shutdown.changed() => return false,
            sent = ready_tx.send(path) => if sent.is_err() { return false },
        }
    }
    true
}

struct Pending {
    len: u64,
    mtime: Option<SystemTime>,
    stable_since: Instant,
    quiet: Duration,
}

/// Files seen but not yet ready.
struct Tracker {
    pending: HashMap<PathBuf, Pending>,
    quiet: Duration,
}

impl Tracker {
    fn stat(path: &Path) -> Option<(u64, Option<SystemTime>)> {
        let m = std::fs::symlink_metadata(path).ok()?;
        (m.is_file() || m.file_type().is_symlink()).then(|| (m.len(), m.modified().ok()))
    }

    /// Track `path`, ready after `quiet` without change. A tracked path keeps the shorter quiet.
    fn observe(&mut self, path: PathBuf, quiet: Duration) {
        let Some((len, mtime)) = Tracker::stat(&path) else {
            return;
        };
        let now = Instant::now();
        let p = self.pending.entry(path).or_insert(Pending {
            len,
            mtime,
            stable_since: now,
            quiet,
        });
        p.quiet = p.quiet.min(quiet);
        if (p.len, p.mtime) != (len, mtime) {
            (p.len, p.mtime, p.stable_since) = (len, mtime, now);
        }
    }

    /// A listing found `path`: ready now if it has not changed for the quiet period.
    fn listed(&mut self, path: PathBuf, ready: &mut Vec<PathBuf>) {
        if self.pending.contains_key(&path) {
            return;
        }
        let Some((_, Some(mtime))) = Tracker::stat(&path) else {
            return self.observe(path, self.quiet);
        };
        let age = SystemTime::now().duration_since(mtime).unwrap_or_default();
        if age >= self.quiet {
            ready.push(path);
        } else {
            self.observe(path, self.quiet);
        }
    }

    /// Re-check every tracked file; move the quiet ones to `ready`.
    fn tick(&mut self, ready: &mut Vec<PathBuf>) {
        let now = Instant::now();
        self.pending.retain(|path, p| {
            let Some((len, mtime)) = Tracker::stat(path) else {
                return false; // gone: moved away or deleted
            };
            if (p.len, p.mtime) != (len, mtime) {
                (p.len, p.mtime, p.stable_since) = (len, mtime, now);
                return true;
            }
            if now.duration_since(p.stable_since) >= p.quiet {
                ready.push(path.clone());
                return false;
            }
            true
        });
    }
}

/// Watch `dir` and send each ready path to `ready_tx` until `shutdown` turns true
/// or the receiver is dropped; with `claims`, send claimed paths. While `ready_tx` is full the
/// watcher waits (events queue up in the kernel; an overflow only causes a rescan).
pub async fn run(
    dir: PathBuf,
    cfg: Watch,
    mut claims: Option<Claims>,
    ready_tx: mpsc::Sender<PathBuf>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let filter = NameFilter::new(&cfg.include, &cfg.ignore)?;
    let mut tracker = Tracker {
        pending: HashMap::new(),
        quiet: Duration::from_millis(cfg.quiet_period_ms),
    };
    let (event_tx, mut events) = mpsc::unbounded_channel::<notify::Result<notify::Event>>();
    // Kept alive for as long as we watch.
    let _watcher = match cfg.mode {
        WatchMode::Events => {
            let events_filter = filter.clone();
            let mut w = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
                // Only what `handle_event` acts on is queued: the daemon's own moves out of the
                // folder (one event per file) would otherwise pile up while the queue is full.
                if e.as_ref().map_or(true, |e| wanted(e, &events_filter)) {
                    let _ = event_tx.send(e);
                }
            })
            .context("cannot start the file watcher")?;
            w.watch(&dir, RecursiveMode::NonRecursive).with_context(|| {
                format!(
                    "cannot watch {} (out of inotify watches? raise fs.inotify.max_user_watches, or set watch.mode: poll)",
                    dir.display()
                )
            })?;
            Some(w)
        }
        WatchMode::Poll => {
            drop(event_tx);
            None
        }
    };
    let listing_every = match cfg.mode {
        WatchMode::Events => Duration::from_secs(cfg.rescan_interval_s.max(1)),
        WatchMode::Poll => Duration::from_millis(cfg.poll_interval_ms.max(10)),
    };
    let mut listing = tokio::time::interval(listing_every);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut takeover = tokio::time::interval(claims.as_ref().map_or(Duration::MAX / 4, |c| {
        (c.lease() / 4).max(Duration::from_millis(100))
    }));
    let mut ready = Vec::new();
    // Claims: files were left for lack of room; list again as soon as there is some.
    let mut starved = false;
    loop {
        let mut rescan = false;
        tokio::select! {
            _ = shutdown.changed() => return Ok(()),
            _ = listing.tick() => rescan = true,
            _ = tick.tick() => {
                tracker.tick(&mut ready);
                rescan = starved && claims.as_ref().is_some_and(Claims::has_room);
            }
            _ = takeover.tick(), if claims.is_some() => {
                if let Some(c) = claims.as_mut() {
                    if c.take_over_dead() > 0 {
                        ready.extend(c.held());
                    }
                }
            }
            Some(event) = events.recv() => match event {
                Ok(event) => {
                    rescan = event.need_rescan();
                    handle_event(event, &filter, &mut tracker, &mut ready);
                }
                Err(e) => {
                    tracing::error!(error = %e, "file watcher error; rescanning the drop folder");
                    rescan = true;
                }
            },
        }
        // Whether some ready paths were left unclaimed for lack of room.
        let mut left = false;
        if rescan {
            // In directory order, sent on in chunks as it is read (see `LIST_CHUNK`).
            match std::fs::read_dir(&dir) {
                Err(e) => {
                    tracing::error!(folder = %dir.display(), error = %e, "cannot list the drop folder")
                }
                Ok(mut entries) => loop {
                    let mut more = false;
                    for entry in entries.by_ref() {
                        match entry.and_then(|e| accepted(&e, &filter)) {
                            Ok(Some(path)) => tracker.listed(path, &mut ready),
                            Ok(None) => {}
                            Err(e) => {
                                tracing::error!(folder = %dir.display(), error = %e, "cannot read an entry of the drop folder")
                            }
                        }
                        if ready.len() >= LIST_CHUNK {
                            more = true;
                            break;
                        }
                    }
                    if !more {
                        break;
                    }
                    if !forward(
                        &mut ready,
                        &claims,
                        false,
                        &mut left,
                        &ready_tx,
                        &mut shutdown,
                    )
                    .await
                    {
                        return Ok(());
                    }
                    if left {
                        break; // no room for claims: listed again once there is
                    }
                },
            }
        }
        let mut left_now = false;
        if !forward(
            &mut ready,
            &claims,
            rescan,
            &mut left_now,
            &ready_tx,
            &mut shutdown,
        )
        .await
        {
            return Ok(());
        }
        starved = left || left_now;
    }
}

/// Whether `handle_event` does anything with `event`.
fn wanted(event: &notify::Event, filter: &NameFilter) -> bool {
    event.need_rescan()
        || (readiness(&event.kind, Duration::ZERO).is_some()
            && event.paths.last().is_some_and(|p| filter.accepts(p)))
}

/// When a file an event names is ready.
enum Readiness {
    Now,
    /// Once unchanged for this long.
    Quiet(Duration),
}

/// What `kind` says about the file's readiness; `None` for events that say nothing about an
/// input (a file moved out, removed, read).
fn readiness(kind: &EventKind, quiet_period: Duration) -> Option<Readiness> {
    match kind {
        // Renamed in: a rename is atomic, the file is whole.
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => {
            Some(Readiness::Now)
        }
        // The writer closed the file: done, after a short settle (a writer that reopens to
        // append shows up as a change within it).
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::Any)) => Some(Readiness::Quiet(SETTLE)),
        // Created (a hard link, or a writer starting) or written to: wait for quiet.
        EventKind::Create(CreateKind::File | CreateKind::Any)
        | EventKind::Modify(ModifyKind::Data(_)) => Some(Readiness::Quiet(quiet_period)),
        _ => None,
    }
}

fn handle_event(
    event: notify::Event,
    filter: &NameFilter,
    tracker: &mut Tracker,
    ready: &mut Vec<PathBuf>,
) {
    // For a rename within the folder (`Both`), the new name is the last path.
    let Some(path) = event.paths.last().filter(|p| filter.accepts(p)) else {
        return;
    };
    match readiness(&event.kind, tracker.quiet) {
        None => {}
        Some(Readiness::Now) => {
            tracker.pending.remove(path);
            ready.push(path.clone());
        }
        Some(Readiness::Quiet(quiet)) => tracker.observe(path.clone(), quiet),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> NameFilter {
        let w = Watch::default();
        NameFilter::new(&["*.txt".into()], &w.ignore).unwrap()
    }

    #[test]
    fn hidden_temporary_and_backup_files_are_not_inputs() {
        let f = NameFilter::new(&["*".into()], &Watch::default().ignore).unwrap();
        for name in [".a.txt", "a.tmp", "a.part", "a.txt~"] {
            assert!(!f.accepts(Path::new(name)), "{name}");
        }
        assert!(f.accepts(Path::new("/drop/bài báo.txt")));
    }

    #[test]
    fn only_events_that_can_make_an_input_ready_are_queued() {
        use notify::event::{Flag, RemoveKind};
        let at = |kind| notify::Event::new(kind).add_path(PathBuf::from("/drop/a.txt"));
        let renamed_in = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert!(wanted(&at(renamed_in), &filter()));
        assert!(wanted(
            &at(EventKind::Access(AccessKind::Close(AccessMode::Write))),
            &filter()
        ));
        // The daemon's own moves to processed/, deletions, and names that are not inputs.
        let moved_out = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        assert!(!wanted(&at(moved_out), &filter()));
        assert!(!wanted(&at(EventKind::Remove(RemoveKind::File)), &filter()));
        let tmp = notify::Event::new(renamed_in).add_path(PathBuf::from("/drop/a.tmp"));
        assert!(!wanted(&tmp, &filter()));
        // An overflow always gets through: it triggers a rescan.
        let overflow = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert!(wanted(&overflow, &filter()));
    }

    #[test]
    fn include_globs_select_inputs() {
        assert!(filter().accepts(Path::new("x/a.txt")));
        assert!(!filter().accepts(Path::new("x/a.gold.json")));
    }

    #[test]
    fn a_listed_old_file_is_ready_and_a_fresh_one_waits() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("old.txt");
        std::fs::write(&old, "x").unwrap();
        let f = std::fs::File::options().write(true).open(&old).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
        let fresh = dir.path().join("fresh.txt");
        std::fs::write(&fresh, "y").unwrap();
        let mut t = Tracker {
            pending: HashMap::new(),
            quiet: Duration::from_secs(5),
        };
        let mut ready = Vec::new();
        for p in list(dir.path(), &filter()).unwrap() {
            t.listed(p, &mut ready);
        }
        assert_eq!(ready, vec![old]);
        assert!(t.pending.contains_key(&fresh));
    }

    #[test]
    fn a_growing_file_is_not_ready_until_it_stops_changing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "x").unwrap();
        let mut t = Tracker {
            pending: HashMap::new(),
            quiet: Duration::from_millis(50),
        };
        t.observe(p.clone(), Duration::from_millis(50));
        std::fs::write(&p, "xx").unwrap();
        let mut ready = Vec::new();
        t.tick(&mut ready);
        assert!(ready.is_empty(), "changed since observed");
        std::thread::sleep(Duration::from_millis(60));
        t.tick(&mut ready);
        assert_eq!(ready, vec![p]);
    }
}
