//! The ledger: the ids of records that are durably in the sink.
//!
//! Its promise: an id is appended (and fsync'd) only after the sink committed
//! the record, and before the input leaves the drop folder; an input still in
//! the drop folder whose id is in the ledger is done and is not written again.
//! Each commit also stores the sink's position after it (`@<position>`). At
//! start, [`Ledger::recover`] reads the sink past the last stored position: a
//! record there reached the sink before a crash cut the ledger's commit short,
//! and its id joins the ledger, so the input is not written twice.
//!
//! File format (`state_dir/ledger.ids`): one line per delivered id (64 hex
//! digits) and `@<decimal position>` checkpoint lines; a torn last line is ignored.

use crate::sink::Sink;
use anyhow::Context as _;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The set of delivered record ids, backed by an append-only file.
pub struct Ledger {
    /// Held open for its lock: one daemon per state folder.
    _lock: File,
    /// Ids as their 32 bytes (a quarter of the memory of the hex strings).
    done: HashSet<Id>,
    checkpoint: u64,
    file: File,
    path: PathBuf,
}

impl Ledger {
    /// Open (or create) `dir/ledger.ids` and load it.
    pub fn open(dir: &Path) -> anyhow::Result<Ledger> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create state folder {}", dir.display()))?;
        let lock = lock(dir)?;
        let path = dir.join("ledger.ids");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)
            .with_context(|| format!("cannot open ledger {}", path.display()))?;
        let mut done = HashSet::new();
        let mut checkpoint = 0;
        for line in BufReader::new(&file).lines() {
            let line = line.with_context(|| format!("cannot read ledger {}", path.display()))?;
            if let Some(pos) = line.strip_prefix('@') {
                if let Ok(pos) = pos.parse() {
                    checkpoint = pos;
                }
            } else if let Some(id) = parse_id(&line) {
                done.insert(id);
            }
        }
        Ok(Ledger {
            _lock: lock,
            done,
            checkpoint,
            file,
            path,
        })
    }

    /// Bring the ledger up to date with what the sink holds (after a crash); returns how many
    /// records were found in the sink but missing from the ledger.
    pub fn recover(&mut self, sink: &mut dyn Sink) -> anyhow::Result<usize> {
        let Some(position) = sink.position() else {
            return Ok(0);
        };
        let ids = if position < self.checkpoint {
            tracing::warn!(
                ledger = %self.path.display(),
                "the sink is shorter than the ledger's checkpoint (truncated or replaced?); not reading it back"
            );
            Vec::new()
        } else {
            sink.ids_since(self.checkpoint)?
        };
        let missing = ids.iter().filter(|id| !self.contains(id)).count();
        self.commit(ids.iter().map(String::as_str), Some(position))?;
        Ok(missing)
    }

    /// Whether a record with this id is already delivered.
    pub fn contains(&self, id: &str) -> bool {
        parse_id(id).is_some_and(|id| self.done.contains(&id))
    }

    /// Record these ids as delivered, durably, with the sink's position after them.
    pub fn commit<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str>,
        position: Option<u64>,
    ) -> anyhow::Result<()> {
        // Each batch starts with a newline, so a torn line never merges with the next entry.
        let mut buf = String::new();
        for id in ids {
            // An id that is not 64 hex digits is not a record id: it cannot be looked up
            // again, so it is not kept.
            if parse_id(id).is_some_and(|b| self.done.insert(b)) {
                buf.push('\n');
                buf.push_str(id);
            }
        }
        if let Some(p) = position.filter(|&p| p != self.checkpoint) {
            buf.push_str(&format!("\n@{p}"));
            self.checkpoint = p;
        }
        if buf.is_empty() {
            return Ok(());
        }
        self.file
            .write_all(buf.as_bytes())
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot write ledger {}", self.path.display()))
    }
}

/// A record id: the SHA-256 of the input.
type Id = [u8; 32];

/// The 32 bytes of a 64-hex-digit id.
fn parse_id(hex: &str) -> Option<Id> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut id = [0u8; 32];
    for (byte, pair) in id.iter_mut().zip(digits.chunks_exact(2)) {
        let nibble = |d: u8| (d as char).to_digit(16);
        *byte = (nibble(pair[0])? << 4 | nibble(pair[1])?) as u8;
    }
    Some(id)
}

/// Lock `dir/lock` for this process, or say who holds it. Two daemons sharing a state
/// folder would both append to the ledger and the in-flight journal.
fn lock(dir: &Path) -> anyhow::Result<File> {
    use std::os::fd::AsRawFd;
    let path = dir.join("lock");
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    // SAFETY: flock on a valid, open file descriptor.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let err = std::io::Error::last_os_error();
        let holder = std::fs::read_to_string(&path).unwrap_or_default();
        if err.kind() == std::io::ErrorKind::WouldBlock {
            anyhow::bail!(
                "another enrichd ({}) uses the state folder {}; give each daemon its own `state_dir` (or its own claim.instance)",
                holder.trim(),
                dir.display()
            );
        }
        return Err(err).with_context(|| format!("cannot lock {}", path.display()));
    }
    file.set_len(0)
        .and_then(|()| {
            writeln!(
                file,
                "pid {} on {}",
                std::process::id(),
                crate::config::host_name()
            )
        })
        .with_context(|| format!("cannot write lock file {}", path.display()))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::jsonl::JsonlSink;

    #[test]
    fn ids_survive_a_reopen_and_torn_lines_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        {
            let mut l = Ledger::open(dir.path()).unwrap();
            l.commit([a.as_str(), b.as_str()], Some(10)).unwrap();
        }
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join("ledger.ids"))
            .unwrap();
        f.write_all(b"\ncccc").unwrap();
        let l = Ledger::open(dir.path()).unwrap();
        assert!(l.contains(&a) && l.contains(&b));
        let second = Ledger::open(dir.path())
            .err()
            .expect("the folder is locked");
        assert!(
            second.to_string().contains("another enrichd (pid "),
            "{second}"
        );
        assert!(!l.contains("cccc"));
        assert_eq!(l.checkpoint, 10);
    }

    #[test]
    fn records_the_sink_holds_past_the_checkpoint_join_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let sink_path = dir.path().join("r.jsonl");
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let mut ledger = Ledger::open(dir.path()).unwrap();
        // One record committed to both; then a crash after the sink's write of the second,
        // with a torn third line.
        std::fs::write(&sink_path, format!("{{\"id\":\"{a}\"}}\n")).unwrap();
        let mut sink = JsonlSink::open(&sink_path).unwrap();
        ledger.commit([a.as_str()], sink.position()).unwrap();
        let mut f = OpenOptions::new().append(true).open(&sink_path).unwrap();
        f.write_all(format!("{{\"id\":\"{b}\"}}\n{{\"id\":\"ccc").as_bytes())
            .unwrap();
        drop(ledger);
        let mut ledger = Ledger::open(dir.path()).unwrap();
        assert!(!ledger.contains(&b));
        assert_eq!(ledger.recover(&mut sink).unwrap(), 1);
        assert!(ledger.contains(&b));
        // Idempotent.
        assert_eq!(ledger.recover(&mut sink).unwrap(), 0);
    }
}
