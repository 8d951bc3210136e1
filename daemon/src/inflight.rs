//! The in-flight journal: which inputs were being processed when the daemon died.
//!
//! Before a worker reads a file it notes the file in `state_dir/inflight/`;
//! when the file is done (delivered or failed) the note goes. A note found at
//! start means the daemon stopped with that file in flight.
//!
//! Whether that counts against the file depends on how the daemon died. A
//! crash signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT: a plugin aborted or
//! crashed) is caught by [`arm_crash_marker`], which writes
//! `state_dir/crash.marker` before the process dies. After a crash, every
//! file in flight has its death count raised, and a file that was in flight
//! during [`POISON_DEATHS`] crashes is quarantined to `failed/` (stage
//! `poison`) instead of being given the chance to crash the daemon again.
//! After any other death (SIGKILL, the OOM killer, a power loss) the files in
//! flight are not to blame: they are simply tried again.
//!
//! Notes are not fsync'd: they guard against process deaths, which keep the
//! page cache; after a power loss a file is simply tried again.

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Deaths with a file in flight after which the file is quarantined.
pub const POISON_DEATHS: u32 = 3;

#[derive(Serialize, Deserialize)]
struct Note {
    path: PathBuf,
    deaths: u32,
}

/// The journal.
pub struct Journal {
    dir: PathBuf,
    /// Death counts of files that were in flight at earlier deaths.
    deaths: Mutex<HashMap<PathBuf, u32>>,
}

/// A file found in flight at start, with how many deaths it has seen.
pub struct Survivor {
    pub path: PathBuf,
    pub deaths: u32,
}

impl Journal {
    /// Open `dir`; after a crash (`crashed`) count one more death for every note in it, else
    /// clear the notes. Returns the journal and the files that reached [`POISON_DEATHS`]
    /// (their notes stay until [`Journal::end`]).
    pub fn open(dir: &Path, crashed: bool) -> anyhow::Result<(Journal, Vec<Survivor>)> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut deaths = HashMap::new();
        let mut poison = Vec::new();
        for entry in
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?
        {
            let note_path = entry?.path();
            let note: Note = match std::fs::read(&note_path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
            {
                Some(n) => n,
                None => {
                    // A torn note (death while writing it): the file will be retried anyway.
                    let _ = std::fs::remove_file(&note_path);
                    continue;
                }
            };
            if !crashed {
                tracing::info!(path = %note.path.display(), "the daemon stopped (not by a crash) with this file in flight; it is tried again");
                let _ = std::fs::remove_file(&note_path);
                continue;
            }
            let note = Note {
                deaths: note.deaths + 1,
                path: note.path,
            };
            tracing::warn!(path = %note.path.display(), deaths = note.deaths, "the daemon crashed while this file was in flight");
            write_note(&note_path, &note)?;
            if note.deaths >= POISON_DEATHS {
                poison.push(Survivor {
                    path: note.path.clone(),
                    deaths: note.deaths,
                });
            }
            deaths.insert(note.path, note.deaths);
        }
        Ok((
            Journal {
                dir: dir.to_path_buf(),
                deaths: Mutex::new(deaths),
            },
            poison,
        ))
    }

    fn note_path(&self, path: &Path) -> PathBuf {
        let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(name)
    }

    /// Note that `path` is now in flight; returns the deaths it has already seen.
    pub fn begin(&self, path: &Path) -> anyhow::Result<u32> {
        let deaths = self
            .deaths
            .lock()
            .ok()
            .and_then(|d| d.get(path).copied())
            .unwrap_or(0);
        if deaths == 0 {
            write_note(
                &self.note_path(path),
                &Note {
                    path: path.to_path_buf(),
                    deaths: 0,
                },
            )?;
        }
        Ok(deaths)
    }

    /// `path` is done: delivered, failed, or gone.
    pub fn end(&self, path: &Path) {
        if let Ok(mut d) = self.deaths.lock() {
            d.remove(path);
        }
        let note = self.note_path(path);
        if let Err(e) = std::fs::remove_file(&note) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(note = %note.display(), error = %e, "cannot remove an in-flight note");
            }
        }
    }
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

fn write_note(path: &Path, note: &Note) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let json = serde_json::to_vec(note).context("cannot encode an in-flight note")?;
    std::fs::write(&tmp, json)
        .and_then(|()| std::fs::rename(&tmp, path))
        .with_context(|| format!("cannot write in-flight note {}", path.display()))
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
