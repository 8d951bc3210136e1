//! The ledger: the ids of records that are durably in the sink.
//!
//! Its promise: an id is appended (and fsync'd) only after the sink committed
//! the record, and before the input leaves the drop folder. After a crash, an
//! input still in the drop folder whose id is in the ledger is recognised as
//! done and not written twice. A crash between the sink's commit and the
//! ledger's can still repeat a record (at-least-once); its `id` lets readers
//! drop the repeat.

use anyhow::Context as _;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// The set of delivered record ids, backed by an append-only file.
pub struct Ledger {
    done: HashSet<String>,
    file: File,
    path: PathBuf,
}

impl Ledger {
    /// Open (or create) `dir/ledger.ids` and load it.
    pub fn open(dir: &Path) -> anyhow::Result<Ledger> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create state folder {}", dir.display()))?;
        let path = dir.join("ledger.ids");
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&path)
            .with_context(|| format!("cannot open ledger {}", path.display()))?;
        let mut done = HashSet::new();
        for line in BufReader::new(&file).lines() {
            let line = line.with_context(|| format!("cannot read ledger {}", path.display()))?;
            // A torn last line (crash mid-append) is not a valid id: skip it.
            if line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit()) {
                done.insert(line);
            }
        }
        Ok(Ledger { done, file, path })
    }

    /// Whether a record with this id is already delivered.
    pub fn contains(&self, id: &str) -> bool {
        self.done.contains(id)
    }

    /// Record these ids as delivered, durably.
    pub fn commit<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) -> anyhow::Result<()> {
        let mut buf = String::new();
        for id in ids {
            if self.done.insert(id.to_string()) {
                buf.push('\n');
                buf.push_str(id);
            }
        }
        if buf.is_empty() {
            return Ok(());
        }
        // Each batch starts with a newline, so a torn line never merges with the next id.
        self.file
            .write_all(buf.as_bytes())
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot write ledger {}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_survive_a_reopen_and_torn_lines_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        {
            let mut l = Ledger::open(dir.path()).unwrap();
            l.commit([a.as_str(), b.as_str()]).unwrap();
        }
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join("ledger.ids"))
            .unwrap();
        f.write_all(b"\ncccc").unwrap();
        let l = Ledger::open(dir.path()).unwrap();
        assert!(l.contains(&a) && l.contains(&b));
        assert!(!l.contains("cccc"));
    }
}
