//! The in-flight journal: which inputs were being processed when the daemon died.
//!
//! Before a worker reads a file it appends `+"PATH"` to `state_dir/inflight.log`;
//! when the file is done (delivered or failed) it appends `-"PATH"` (paths as
//! JSON strings, so any name fits on one line). A `+` without its `-` at start
//! means the daemon stopped with that file in flight. One append per event, on
//! an open file: no file is created per input.
//!
//! Whether that counts against the file depends on how the daemon died. A
//! crash signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT: a plugin aborted or
//! crashed) is caught by [`arm_crash_marker`], which writes
//! `state_dir/crash.marker` before the process dies. After a crash, every
//! file in flight has its death count raised (`!N "PATH"` lines), and a file
//! that was in flight during [`POISON_DEATHS`] crashes is quarantined to
//! `failed/` (stage `poison`) instead of being given the chance to crash the
//! daemon again. After any other death (SIGKILL, the OOM killer, a power loss)
//! the files in flight are not to blame: they are simply tried again.
//!
//! The log is rewritten compactly at start and whenever it grows past 4 MiB.
//! It is not fsync'd: it guards against process deaths, which keep the page
//! cache; after a power loss a file is simply tried again.

use anyhow::Context as _;
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Crashes with a file in flight after which the file is quarantined.
pub const POISON_DEATHS: u32 = 3;

/// Compact the log when it grows past this.
const COMPACT_AT: u64 = 4 << 20;

/// A file found in flight at start, with how many crashes it has seen.
pub struct Survivor {
    pub path: PathBuf,
    pub deaths: u32,
}

/// The journal.
pub struct Journal {
    path: PathBuf,
    state: Mutex<State>,
}

struct State {
    file: File,
    written: u64,
    /// Files in flight now, with the crashes each has seen.
    in_flight: HashMap<PathBuf, u32>,
    /// Crash counts of files that were in flight at earlier crashes and are not done yet.
    deaths: HashMap<PathBuf, u32>,
}

impl Journal {
    /// Open `state_dir/inflight.log`; after a crash (`crashed`) count one more death for every
    /// file that was in flight. Returns the journal and the files that reached
    /// [`POISON_DEATHS`] (they stay noted until [`Journal::end`]).
    pub fn open(state_dir: &Path, crashed: bool) -> anyhow::Result<(Journal, Vec<Survivor>)> {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        let path = state_dir.join("inflight.log");
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let (mut open, mut deaths) = (
            HashMap::<PathBuf, ()>::new(),
            HashMap::<PathBuf, u32>::new(),
        );
        for line in text.lines() {
            // A torn last line (death mid-append) is skipped.
            let parse = |s: &str| serde_json::from_str::<PathBuf>(s).ok();
            match line.as_bytes().first() {
                Some(b'+') => {
                    if let Some(p) = parse(&line[1..]) {
                        open.insert(p, ());
                    }
                }
                Some(b'-') => {
                    if let Some(p) = parse(&line[1..]) {
                        open.remove(&p);
                        deaths.remove(&p);
                    }
                }
                Some(b'!') => {
                    if let Some((n, p)) = line[1..].split_once(' ') {
                        if let (Ok(n), Some(p)) = (n.parse(), parse(p)) {
                            deaths.insert(p, n);
                        }
                    }
                }
                _ => {}
            }
        }
        let mut poison = Vec::new();
        for p in open.into_keys() {
            if !crashed {
                tracing::info!(path = %p.display(), "the daemon stopped (not by a crash) with this file in flight; it is tried again");
                continue;
            }
            let n = deaths.get(&p).copied().unwrap_or(0) + 1;
            tracing::warn!(path = %p.display(), deaths = n, "the daemon crashed while this file was in flight");
            if n >= POISON_DEATHS {
                poison.push(Survivor {
                    path: p.clone(),
                    deaths: n,
                });
            }
            deaths.insert(p, n);
        }
        // Files that were quarantined stay in flight until `end`.
        let in_flight = poison.iter().map(|s| (s.path.clone(), s.deaths)).collect();
        let (file, written) = rewrite(&path, &in_flight, &deaths)?;
        let journal = Journal {
            path,
            state: Mutex::new(State {
                file,
                written,
                in_flight,
                deaths,
            }),
        };
        Ok((journal, poison))
    }

    /// Note that `path` is now in flight; returns the crashes it has already seen.
    pub fn begin(&self, path: &Path) -> anyhow::Result<u32> {
        let mut s = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("in-flight journal lock poisoned"))?;
        let deaths = s.deaths.get(path).copied().unwrap_or(0);
        s.in_flight.insert(path.to_path_buf(), deaths);
        self.append(&mut s, &format!("+{}\n", quoted(path)))?;
        Ok(deaths)
    }

    /// `path` is done: delivered, failed, or gone.
    pub fn end(&self, path: &Path) {
        self.end_all(&[path]);
    }

    /// These files are done: their lines go out in one append.
    pub fn end_all(&self, paths: &[impl AsRef<Path>]) {
        let Ok(mut s) = self.state.lock() else { return };
        let mut lines = String::new();
        for path in paths.iter().map(AsRef::as_ref) {
            if s.in_flight.remove(path).is_some() {
                s.deaths.remove(path);
                lines.push('-');
                lines.push_str(&quoted(path));
                lines.push('\n');
            }
        }
        if lines.is_empty() {
            return;
        }
        if let Err(e) = self.append(&mut s, &lines) {
            tracing::warn!(error = %format!("{e:#}"), "cannot note files as done in the in-flight journal");
        }
    }

    fn append(&self, s: &mut State, line: &str) -> anyhow::Result<()> {
        s.file
            .write_all(line.as_bytes())
            .with_context(|| format!("cannot append to {}", self.path.display()))?;
        s.written += line.len() as u64;
        if s.written > COMPACT_AT {
            let (file, written) = rewrite(&self.path, &s.in_flight, &s.deaths)?;
            (s.file, s.written) = (file, written);
        }
        Ok(())
    }
}

fn quoted(path: &Path) -> String {
    serde_json::to_string(path).unwrap_or_else(|_| format!("{:?}", path.to_string_lossy()))
}

/// Replace the log by its compact form (atomically) and open it for appending.
fn rewrite(
    path: &Path,
    in_flight: &HashMap<PathBuf, u32>,
    deaths: &HashMap<PathBuf, u32>,
) -> anyhow::Result<(File, u64)> {
    let mut text = String::new();
    for (p, n) in deaths {
        text.push_str(&format!("!{n} {}\n", quoted(p)));
    }
    for p in in_flight.keys() {
        text.push_str(&format!("+{}\n", quoted(p)));
    }
    let tmp = path.with_extension("log.tmp");
    std::fs::write(&tmp, &text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("cannot rewrite {}", path.display()))?;
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    Ok((file, text.len() as u64))
}

/// The file descriptor the crash handler writes to (-1: not armed).
static CRASH_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

extern "C" fn on_crash_signal(_signal: libc::c_int) {
    let fd = CRASH_FD.load(std::sync::atomic::Ordering::Relaxed);
    if fd >= 0 {
        const MARK: &[u8] = b"crash\n";
        // SAFETY: write(2) is async-signal-safe; the fd stays open for the life of the process.
        unsafe { libc::write(fd, MARK.as_ptr().cast(), MARK.len()) };
    }
    // Returning with SA_RESETHAND set: the default action runs, the process dies of the signal.
}

/// Whether the previous run crashed (its marker is non-empty); then clear the marker and arm
/// the handlers that write it if this run crashes.
pub fn arm_crash_marker(state_dir: &Path) -> anyhow::Result<bool> {
    use std::os::fd::IntoRawFd;
    let path = state_dir.join("crash.marker");
    let crashed = std::fs::metadata(&path)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    CRASH_FD.store(file.into_raw_fd(), std::sync::atomic::Ordering::Relaxed);
    for signal in [
        libc::SIGSEGV,
        libc::SIGBUS,
        libc::SIGILL,
        libc::SIGFPE,
        libc::SIGABRT,
    ] {
        // SAFETY: a zeroed sigaction is valid; the handler only calls write(2).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_crash_signal as extern "C" fn(libc::c_int) as usize;
            action.sa_flags = libc::SA_RESETHAND | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                anyhow::bail!("cannot install the crash handler for signal {signal}");
            }
        }
    }
    Ok(crashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_flight_during_three_deaths_is_poison() {
        let dir = tempfile::tempdir().unwrap();
        let victim = Path::new("/drop/bad.txt");
        let fine = Path::new("/drop/fine.txt");
        for death in 1..=POISON_DEATHS {
            let (j, poison) = Journal::open(dir.path(), true).unwrap();
            assert!(poison.is_empty(), "not yet poison at start {death}");
            assert_eq!(j.begin(victim).unwrap(), death - 1);
            j.begin(fine).unwrap();
            j.end(fine);
            // the daemon dies here, with `victim` in flight
        }
        let (j, poison) = Journal::open(dir.path(), true).unwrap();
        assert_eq!(poison.len(), 1);
        assert_eq!(poison[0].path, victim);
        assert_eq!(poison[0].deaths, POISON_DEATHS);
        j.end(victim);
        let (_, poison) = Journal::open(dir.path(), true).unwrap();
        assert!(poison.is_empty());
    }

    #[test]
    fn files_ended_together_are_all_done_and_the_others_stay_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let paths = ["/drop/a.txt", "/drop/b.txt", "/drop/c \"quoted\".txt"].map(Path::new);
        for death in 1..=POISON_DEATHS {
            let (j, poison) = Journal::open(dir.path(), true).unwrap();
            assert!(poison.is_empty(), "not yet poison at start {death}");
            for p in paths {
                j.begin(p).unwrap();
            }
            j.end_all(&[paths[0], paths[2], Path::new("/drop/never-begun.txt")]);
        }
        let (_, poison) = Journal::open(dir.path(), true).unwrap();
        let poisoned: Vec<_> = poison.iter().map(|s| s.path.as_path()).collect();
        assert_eq!(poisoned, [paths[1]]);
    }

    #[test]
    fn a_death_that_was_not_a_crash_does_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let victim = Path::new("/drop/innocent.txt");
        for _ in 0..POISON_DEATHS + 1 {
            let (j, poison) = Journal::open(dir.path(), false).unwrap();
            assert!(poison.is_empty());
            assert_eq!(j.begin(victim).unwrap(), 0);
        }
    }
}
