//! Claims: several daemons share one drop folder (on NFS or SMB, in poll mode)
//! and each takes different files.
//!
//! The contract:
//! - A daemon claims a file by renaming it from the drop folder into its own
//!   claim folder, `DROP/.claims/INSTANCE/`, before reading it. A rename is
//!   atomic on the server: of several daemons renaming the same file, one
//!   wins and the others find it gone. Only a claimed file is read.
//! - A daemon holds at most `max_files` claimed files at a time, so the
//!   others get their share of a backlog. Its claimed files stay in its claim
//!   folder until their record is delivered (then they go to `processed/`) or
//!   they fail (`failed/`); after a sink failure or a restart they are taken
//!   again from there.
//! - Each daemon rewrites its heartbeat, `DROP/.claims/INSTANCE.alive`, every
//!   quarter lease. A daemon that sees another's heartbeat unchanged for
//!   `lease_s` (by its own clock: no clocks are compared across machines)
//!   takes that daemon's claimed files over into its own claim folder.
//! - A file taken over may already be in the sinks (the dead daemon delivered
//!   it but died before moving it away): deduplicating sinks (databases,
//!   JetStream) keep one copy; a JSON Lines file per daemon may then hold it
//!   twice across daemons.
//! - A name already present in the target claim folder is not moved there
//!   (nothing is overwritten); the file waits for a later round.

use crate::config::Claim;
use anyhow::Context as _;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The folder, under the drop folder, that holds every daemon's claims.
pub const CLAIMS_DIR: &str = ".claims";

/// This daemon's claims on a shared drop folder.
pub struct Claims {
    root: PathBuf,
    own: PathBuf,
    instance: String,
    max_files: usize,
    lease: Duration,
    /// Other daemons: their last heartbeat and when, by our clock, it last changed.
    peers: HashMap<String, Peer>,
}

struct Peer {
    beat: Option<String>,
    changed: Instant,
}

impl Claims {
    /// Create this daemon's claim folder under `drop` and write a first heartbeat. (Two
    /// daemons under one instance name are refused by the lock on their state folder.)
    pub fn open(drop: &Path, cfg: &Claim) -> anyhow::Result<Claims> {
        let root = drop.join(CLAIMS_DIR);
        let own = root.join(&cfg.instance);
        std::fs::create_dir_all(&own)
            .with_context(|| format!("cannot create claim folder {}", own.display()))?;
        let claims = Claims {
            root,
            own,
            instance: cfg.instance.clone(),
            max_files: cfg.max_files,
            lease: Duration::from_secs(cfg.lease_s),
            peers: HashMap::new(),
        };
        write_beat(&claims.heartbeat_path(), 0)?;
        Ok(claims)
    }

    /// This daemon's claim folder.
    pub fn own_dir(&self) -> &Path {
        &self.own
    }

    /// The lease after which a silent daemon's files are taken over.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Whether fewer than `max_files` files are claimed.
    pub fn has_room(&self) -> bool {
        self.held().len() < self.max_files
    }

    fn heartbeat_path(&self) -> PathBuf {
        self.root.join(format!("{}.alive", self.instance))
    }

    /// Start the heartbeat thread; it beats every quarter lease until `stop` is set.
    pub fn start_heartbeat(&self, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
        let path = self.heartbeat_path();
        let every = (self.lease / 4).max(Duration::from_millis(100));
        std::thread::Builder::new()
            .name("enrichd-heartbeat".into())
            .spawn(move || {
                let mut count = 1u64;
                while !stop.load(Ordering::Relaxed) {
                    if let Err(e) = write_beat(&path, count) {
                        tracing::error!(error = %format!("{e:#}"), "cannot write the claim heartbeat; other daemons may take this one's files over");
                    }
                    count += 1;
                    let until = Instant::now() + every;
                    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            })
            .context("cannot start the heartbeat thread")?;
        Ok(())
    }

    /// The files in this daemon's claim folder, sorted by name.
    pub fn held(&self) -> Vec<PathBuf> {
        let mut files = files_in(&self.own).unwrap_or_else(|e| {
            tracing::error!(folder = %self.own.display(), error = %e, "cannot list the claim folder");
            Vec::new()
        });
        files.sort();
        files
    }

    /// Claim what room allows of `candidates` (paths in the drop folder; paths already in
    /// this daemon's claim folder pass as they are). Returns the claimed paths and whether some
    /// candidates were left for lack of room.
    pub fn take(&self, candidates: impl IntoIterator<Item = PathBuf>) -> (Vec<PathBuf>, bool) {
        // Another daemon that wrongly took this one for dead removed the folder: make it again.
        if let Err(e) = std::fs::create_dir_all(&self.own) {
            tracing::error!(folder = %self.own.display(), error = %e, "cannot create the claim folder");
        }
        let held = self.held().len();
        let mut room = self.max_files.saturating_sub(held);
        let mut taken = Vec::new();
        for path in candidates {
            if path.starts_with(&self.own) {
                taken.push(path);
                continue;
            }
            if room == 0 {
                return (taken, true);
            }
            match move_no_replace(&path, &self.own) {
                Ok(Some(claimed)) => {
                    tracing::debug!(path = %claimed.display(), "claimed");
                    taken.push(claimed);
                    room -= 1;
                }
                Ok(None) => {} // another daemon was faster, or the name is held already
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot claim the file")
                }
            }
        }
        (taken, false)
    }

    /// Look at the other daemons' heartbeats; take over the claimed files of those whose
    /// heartbeat has not changed for the lease. Returns how many files were taken over.
    pub fn take_over_dead(&mut self) -> usize {
        let now = Instant::now();
        let mut seen = Vec::new();
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return 0;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".alive.tmp") {
                continue; // a heartbeat being written
            }
            let name = name.strip_suffix(".alive").unwrap_or(&name).to_string();
            if name != self.instance && !name.starts_with('.') && !seen.contains(&name) {
                seen.push(name);
            }
        }
        let mut moved = 0;
        for name in seen {
            let beat = std::fs::read_to_string(self.root.join(format!("{name}.alive"))).ok();
            let peer = self.peers.entry(name.clone()).or_insert(Peer {
                beat: beat.clone(),
                changed: now,
            });
            if peer.beat != beat {
                (peer.beat, peer.changed) = (beat, now);
            }
            if now.duration_since(peer.changed) < self.lease {
                continue;
            }
            let dir = self.root.join(&name);
            let files = files_in(&dir).unwrap_or_default();
            let mut left = 0;
            for file in &files {
                match move_no_replace(file, &self.own) {
                    Ok(Some(_)) => moved += 1,
                    Ok(None) => left += usize::from(std::fs::symlink_metadata(file).is_ok()),
                    Err(e) => {
                        left += 1;
                        tracing::warn!(path = %file.display(), error = %e, "cannot take over the file")
                    }
                }
            }
            if !files.is_empty() {
                tracing::warn!(instance = %name, lease_s = self.lease.as_secs(), taken = files.len() - left, "a daemon sharing the drop folder is silent: its claimed files are taken over");
            }
            if left == 0 {
                // Forget it; a daemon that comes back writes its heartbeat and folder again.
                let _ = std::fs::remove_dir(&dir);
                let _ = std::fs::remove_file(self.root.join(format!("{name}.alive")));
                self.peers.remove(&name);
            }
        }
        moved
    }
}

/// Write the heartbeat atomically: pid, host, counter (only the change matters to others).
fn write_beat(path: &Path, count: u64) -> anyhow::Result<()> {
    let tmp = path.with_extension("alive.tmp");
    let text = format!(
        "{} {} {count}\n",
        std::process::id(),
        crate::config::host_name()
    );
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("cannot write heartbeat {}", path.display()))
}

/// The regular files and symbolic links of `dir` (a claimed link is an input too: ingest
/// refuses it visibly).
fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_file() || kind.is_symlink() {
            out.push(entry.path());
        }
    }
    Ok(out)
}

/// Rename `path` into `dir` under its own name, unless that name is taken there. Only this
/// daemon moves files into its own claim folder, so checking first cannot race. `Ok(None)`:
/// the source is gone (claimed by another daemon) or the name is taken.
fn move_no_replace(path: &Path, dir: &Path) -> std::io::Result<Option<PathBuf>> {
    let Some(name) = path.file_name() else {
        return Ok(None);
    };
    let target = dir.join(name);
    if std::fs::symlink_metadata(&target).is_ok() {
        return Ok(None);
    }
    match std::fs::rename(path, &target) {
        Ok(()) => Ok(Some(target)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(instance: &str, max_files: usize) -> Claim {
        Claim {
            instance: instance.into(),
            lease_s: 1,
            max_files,
        }
    }

    #[test]
    fn a_file_goes_to_one_daemon_and_room_is_bounded() {
        let drop = tempfile::tempdir().unwrap();
        let a = Claims::open(drop.path(), &cfg("a", 2)).unwrap();
        let b = Claims::open(drop.path(), &cfg("b", 2)).unwrap();
        let files: Vec<PathBuf> = (0..3)
            .map(|i| {
                let p = drop.path().join(format!("{i}.txt"));
                std::fs::write(&p, "x").unwrap();
                p
            })
            .collect();
        let (taken, starved) = a.take(files.clone());
        assert_eq!(taken.len(), 2);
        assert!(starved);
        assert!(taken.iter().all(|p| p.starts_with(a.own_dir())));
        // b finds the first two gone and takes the third.
        let (taken, starved) = b.take(files);
        assert_eq!(taken, vec![b.own_dir().join("2.txt")]);
        assert!(!starved);
    }

    #[test]
    fn a_name_already_held_is_not_overwritten() {
        let drop = tempfile::tempdir().unwrap();
        let a = Claims::open(drop.path(), &cfg("a", 4)).unwrap();
        std::fs::write(a.own_dir().join("x.txt"), "old").unwrap();
        let p = drop.path().join("x.txt");
        std::fs::write(&p, "new").unwrap();
        let (taken, _) = a.take([p.clone()]);
        assert!(taken.is_empty());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            std::fs::read_to_string(a.own_dir().join("x.txt")).unwrap(),
            "old"
        );
    }

    #[test]
    fn a_silent_daemons_files_are_taken_over_after_the_lease() {
        let drop = tempfile::tempdir().unwrap();
        let dead = Claims::open(drop.path(), &cfg("dead", 4)).unwrap();
        let p = drop.path().join("x.txt");
        std::fs::write(&p, "x").unwrap();
        dead.take([p]);
        let mut alive = Claims::open(drop.path(), &cfg("alive", 4)).unwrap();
        assert_eq!(alive.take_over_dead(), 0, "first sight starts the lease");
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(alive.take_over_dead(), 1);
        assert_eq!(alive.held(), vec![alive.own_dir().join("x.txt")]);
        assert!(!dead.own_dir().exists());
    }

    #[test]
    fn a_beating_daemon_keeps_its_files() {
        let drop = tempfile::tempdir().unwrap();
        let busy = Claims::open(drop.path(), &cfg("busy", 4)).unwrap();
        let p = drop.path().join("x.txt");
        std::fs::write(&p, "x").unwrap();
        busy.take([p]);
        let stop = Arc::new(AtomicBool::new(false));
        busy.start_heartbeat(stop.clone()).unwrap();
        let mut other = Claims::open(drop.path(), &cfg("other", 4)).unwrap();
        for _ in 0..6 {
            assert_eq!(other.take_over_dead(), 0);
            std::thread::sleep(Duration::from_millis(300));
        }
        stop.store(true, Ordering::Relaxed);
        assert_eq!(busy.held().len(), 1);
    }
}
