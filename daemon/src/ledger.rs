//! The ledger: the ids of records that are durably in the sink.
//!
//! Its promise: an id is stored (and fsync'd) only after the sink committed the record, and
//! before the input leaves the drop folder; an input still in the drop folder whose id is in
//! the ledger is done and is not written again. Each commit also stores the sink's position
//! after it. At start, [`Ledger::recover`] reads the sink past the last stored position: a
//! record there reached the sink before a crash cut the ledger's commit short, and its id
//! joins the ledger, so the input is not written twice.
//!
//! Storage (`state_dir/ledger.db`): an SQLite database in WAL mode with `synchronous=FULL`,
//! table `delivered(id BLOB PRIMARY KEY)` (the id's 32 bytes) and table `checkpoint`
//! (one row: the sink's position). The ids stay on disk, looked up by their index through a
//! page cache of at most [`CACHE_KIB`] KiB, so the daemon's memory does not grow with the
//! number of files it has delivered. A ledger of an earlier version (`state_dir/ledger.ids`:
//! one id per line and `@<position>` checkpoint lines) is imported at open and renamed
//! `ledger.ids.imported`.

use crate::sink::Sink;
use anyhow::Context as _;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};

/// The most the ledger's page cache holds, in KiB.
pub const CACHE_KIB: u32 = 1024;

/// The most the page cache of the workers' [`Lookup`] connection holds, in KiB.
const LOOKUP_CACHE_KIB: u32 = 512;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS delivered (id BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoint (one INTEGER PRIMARY KEY CHECK (one = 1), position INTEGER NOT NULL);
";

/// The set of delivered record ids, on disk.
pub struct Ledger {
    /// Held open for its lock: one daemon per state folder.
    _lock: File,
    db: Connection,
    checkpoint: u64,
    path: PathBuf,
}

impl Ledger {
    /// Open (or create) `dir/ledger.db`, importing a `dir/ledger.ids` of an earlier version.
    pub fn open(dir: &Path) -> anyhow::Result<Ledger> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create state folder {}", dir.display()))?;
        let lock = lock(dir)?;
        let path = dir.join("ledger.db");
        let at = || format!("cannot open ledger {}", path.display());
        let mut db = Connection::open(&path).with_context(at)?;
        db.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
            .with_context(at)?;
        db.execute_batch(&format!(
            "PRAGMA synchronous=FULL; PRAGMA cache_size=-{CACHE_KIB}; {SCHEMA}"
        ))
        .with_context(at)?;
        import_legacy(&mut db, dir).with_context(|| {
            format!(
                "cannot import {} into the ledger",
                dir.join("ledger.ids").display()
            )
        })?;
        let checkpoint = db
            .query_row("SELECT position FROM checkpoint", [], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .with_context(at)?
            .unwrap_or(0) as u64;
        Ok(Ledger {
            _lock: lock,
            db,
            checkpoint,
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
        let mut missing = 0;
        for id in &ids {
            missing += usize::from(!self.contains(id)?);
        }
        self.commit(ids.iter().map(String::as_str), Some(position))?;
        Ok(missing)
    }

    /// Whether a record with this id is already delivered.
    pub fn contains(&self, id: &str) -> anyhow::Result<bool> {
        contains(&self.db, &self.path, id)
    }

    /// A read-only connection of its own for [`Lookup::contains`], so that workers looking ids
    /// up do not wait for [`Ledger::commit`] (and its fsync) on this one: in WAL mode a reader
    /// sees the last committed state while a commit is under way.
    pub fn lookup(&self) -> anyhow::Result<Lookup> {
        let at = || format!("cannot open ledger {} for reading", self.path.display());
        let db = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(at)?;
        db.execute_batch(&format!("PRAGMA cache_size=-{LOOKUP_CACHE_KIB};"))
            .with_context(at)?;
        Ok(Lookup {
            db,
            path: self.path.clone(),
        })
    }

    /// Record these ids as delivered, durably, with the sink's position after them.
    pub fn commit<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str>,
        position: Option<u64>,
    ) -> anyhow::Result<()> {
        let position = position.filter(|&p| p != self.checkpoint);
        let tx = self
            .db
            .transaction()
            .with_context(|| format!("cannot write ledger {}", self.path.display()))?;
        // An id that is not 64 hex digits is not a record id: it cannot be looked up again,
        // so it is not kept.
        insert(&tx, ids.into_iter().filter_map(parse_id), position)
            .and_then(|()| tx.commit())
            .with_context(|| format!("cannot write ledger {}", self.path.display()))?;
        if let Some(p) = position {
            self.checkpoint = p;
        }
        Ok(())
    }
}

/// Looks ids up in the ledger on a connection of its own (see [`Ledger::lookup`]).
pub struct Lookup {
    db: Connection,
    path: PathBuf,
}

impl Lookup {
    /// Whether a record with this id is already delivered (committed by [`Ledger::commit`]).
    pub fn contains(&self, id: &str) -> anyhow::Result<bool> {
        contains(&self.db, &self.path, id)
    }
}

/// Whether `db` holds `id` among the delivered ids.
fn contains(db: &Connection, path: &Path, id: &str) -> anyhow::Result<bool> {
    let Some(id) = parse_id(id) else {
        return Ok(false);
    };
    db.prepare_cached("SELECT 1 FROM delivered WHERE id = ?1")
        .and_then(|mut q| q.exists([&id[..]]))
        .with_context(|| format!("cannot read ledger {}", path.display()))
}

/// Insert ids (those already there are kept once) and set the checkpoint.
fn insert(
    tx: &rusqlite::Transaction,
    ids: impl Iterator<Item = Id>,
    position: Option<u64>,
) -> rusqlite::Result<()> {
    let mut add = tx.prepare_cached("INSERT OR IGNORE INTO delivered (id) VALUES (?1)")?;
    for id in ids {
        add.execute([&id[..]])?;
    }
    if let Some(p) = position {
        tx.execute(
            "INSERT INTO checkpoint (one, position) VALUES (1, ?1)
             ON CONFLICT(one) DO UPDATE SET position = excluded.position",
            params![p as i64],
        )?;
    }
    Ok(())
}

/// Import `dir/ledger.ids` (an earlier version's ledger: one id per line, `@<position>`
/// checkpoint lines, a torn last line ignored) in one transaction, then rename it
/// `ledger.ids.imported`. A crash before the rename imports it again, which changes nothing.
fn import_legacy(db: &mut Connection, dir: &Path) -> anyhow::Result<()> {
    let old = dir.join("ledger.ids");
    let file = match File::open(&old) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let (mut ids, mut checkpoint) = (Vec::new(), None);
    for line in BufReader::new(file).lines() {
        let line = line?;
        if let Some(pos) = line.strip_prefix('@') {
            checkpoint = pos.parse().ok().or(checkpoint);
        } else if let Some(id) = parse_id(&line) {
            ids.push(id);
        }
    }
    let tx = db.transaction()?;
    insert(&tx, ids.iter().copied(), checkpoint)?;
    tx.commit()?;
    std::fs::rename(&old, dir.join("ledger.ids.imported"))?;
    tracing::info!(ids = ids.len(), from = %old.display(), "imported the ledger of an earlier version");
    Ok(())
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
    use std::io::Write;

    #[test]
    fn ids_and_the_checkpoint_survive_a_reopen_and_the_folder_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        {
            let mut l = Ledger::open(dir.path()).unwrap();
            l.commit([a.as_str(), b.as_str(), "not an id"], Some(10))
                .unwrap();
        }
        let l = Ledger::open(dir.path()).unwrap();
        assert!(l.contains(&a).unwrap() && l.contains(&b).unwrap());
        assert!(!l.contains(&"c".repeat(64)).unwrap());
        assert!(!l.contains("not an id").unwrap());
        assert_eq!(l.checkpoint, 10);
        let second = Ledger::open(dir.path())
            .err()
            .expect("the folder is locked");
        assert!(
            second.to_string().contains("another enrichd (pid "),
            "{second}"
        );
    }

    #[test]
    fn a_lookup_sees_each_commit_of_its_ledger_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let lookup = l.lookup().unwrap();
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        assert!(!lookup.contains(&a).unwrap());
        l.commit([a.as_str()], Some(1)).unwrap();
        assert!(lookup.contains(&a).unwrap() && !lookup.contains(&b).unwrap());
        l.commit([b.as_str()], Some(2)).unwrap();
        assert!(lookup.contains(&b).unwrap());
        assert!(!lookup.contains("not an id").unwrap());
        // Read-only: it cannot add to the ledger behind the writer's back.
        assert!(lookup
            .db
            .execute("INSERT INTO delivered (id) VALUES (x'00')", [])
            .is_err());
    }

    #[test]
    fn a_ledger_of_the_earlier_line_format_is_imported_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        // As the earlier version wrote it, with a line a crash tore.
        std::fs::write(
            dir.path().join("ledger.ids"),
            format!("\n{a}\n@7\n{b}\n@12\ncccc"),
        )
        .unwrap();
        let l = Ledger::open(dir.path()).unwrap();
        assert!(l.contains(&a).unwrap() && l.contains(&b).unwrap());
        assert!(!l.contains("cccc").unwrap());
        assert_eq!(l.checkpoint, 12);
        assert!(!dir.path().join("ledger.ids").exists());
        assert!(dir.path().join("ledger.ids.imported").exists());
        drop(l);
        let l = Ledger::open(dir.path()).unwrap();
        assert!(l.contains(&b).unwrap());
        assert_eq!(l.checkpoint, 12);
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
        assert!(!ledger.contains(&b).unwrap());
        assert_eq!(ledger.recover(&mut sink).unwrap(), 1);
        assert!(ledger.contains(&b).unwrap());
        // Idempotent.
        assert_eq!(ledger.recover(&mut sink).unwrap(), 0);
    }
}
