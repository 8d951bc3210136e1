//! The SQLite sink: one database file, searchable with `enrichd search` (see [`crate::search`]).
//!
//! # Contract
//! - `write` only keeps the record (its rows were read on the worker; a record's shape never
//!   makes it fail: a missing or oddly shaped field is stored as NULL or no rows; the full
//!   record JSON is always kept in `documents.record`).
//! - `commit` writes the whole batch in one `BEGIN IMMEDIATE` transaction; the batch is
//!   delivered once `COMMIT` returned. The database runs in WAL mode with `synchronous=FULL`,
//!   so a committed transaction is fsync'd to the WAL and survives a power loss.
//!   Checkpoints (copying the WAL into the database) run on a thread of their own every
//!   100 ms (`PASSIVE`: they never wait for, nor block, a writer), not inside a commit, so a
//!   commit does not stall while a few megabytes are copied.
//! - A failed `commit` rolls the transaction back (nothing of the batch stays), keeps the
//!   batch and drops the connection; the next `commit` reopens the file and retries the batch.
//! - Idempotent by record id: `INSERT … ON CONFLICT(id) DO NOTHING`, and the child rows
//!   (people, dates, acronyms, full-text entry) are only inserted when the document row was
//!   new. Writing a record twice, in one batch or in two, leaves one document.
//! - Several daemons may share one file on one machine: writers wait for each other up to
//!   `busy_timeout` (30 s) before the commit fails (and is retried by the daemon).
//!
//! # Schema (version 4, in `PRAGMA user_version`)
//! ```sql
//! document_rows(docno INTEGER PRIMARY KEY, -- stable row number: the full-text entry's rowid
//!           id TEXT NOT NULL UNIQUE,      -- the record id (sha256 of the input)
//!           source_path, source_name, title,
//!           published,                    -- RFC 3339 as the record has it, or NULL
//!           ingested_at, record NOT NULL) -- the whole record as JSON
//! documents                               -- a view: document_rows and
//!           text                          --   json_extract(record, '$.text'), not stored
//! people(doc_id, ord, name, name_folded, rank, rank_en, rank_code, rank_folded,
//!        rank_en_folded, titles,          -- titles: a JSON array of strings
//!        docno)
//! dates(doc_id, ord, text, value, precision, start, end, docno)
//! acronyms(doc_id, ord, short, long, origin, docno)
//! documents_fts(title, body)              -- FTS5, contentless, over the *folded* title and text,
//!                                         --   automerge 16 (see FTS_AUTOMERGE)
//! ```
//! `doc_id` is `documents.id` and `docno` is `documents.docno`; `ord` is the entry's position
//! in the record's list. The child tables are keyed by `(docno, ord)`: a new record's rows go
//! to the end of each table and its key index, where a key starting with the (random) record id
//! put them on pages all over it, rewritten at every commit. Join them on `docno`; `doc_id` is
//! kept for queries written for version 2, and is not indexed. Indexes: documents by
//! `published`; people by `name_folded`, `rank_folded` and `rank_en_folded`; dates by `value`;
//! acronyms by `short`.
//!
//! Queries read `documents`, which has every column of versions 1 to 3. Its rows are in
//! `document_rows`, which has no `text`: versions 2 and 3 made `text` a generated column of
//! the table, and SQLite works out every generated column of a row it inserts, so each insert
//! parsed the whole record JSON again (a sixth of the sink's work) for a column no insert needs.
//!
//! `document_rows` has an explicit `INTEGER PRIMARY KEY` (`docno`) beside the unique `id`
//! because the full-text index refers to documents by rowid, and only an aliased rowid survives
//! `VACUUM` unchanged.
//!
//! "Folded" text ([`fold`]) is NFD with every combining mark dropped, đ/Đ as d, lower case:
//! "Đại tướng Hoàng Xuân Chiến" → "dai tuong hoang xuan chien". The search side folds the
//! user's words the same way, so a search matches with or without diacritics.
//!
//! A database whose `user_version` is newer than this build knows is refused with a clear
//! error rather than written with an old layout. An older one is migrated in place, in one
//! transaction, when the sink opens it: its `documents` table becomes `document_rows` without
//! `text` (a stored copy of the record's text in version 1, a third of each row; generated in
//! versions 2 and 3) and the view is made; version 2's child tables (keyed by `(doc_id, ord)`)
//! get the `docno` column and key. `enrichd search` reads all four versions.

use super::rows::Row;
use super::{Prepared, Sink};
use anyhow::Context as _;
use rusqlite::{params, Connection, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The schema version this build writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// How long a writer waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS document_rows (
    docno INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    source_path TEXT,
    source_name TEXT,
    title TEXT,
    published TEXT,
    ingested_at TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_published ON document_rows(published);
CREATE VIEW IF NOT EXISTS documents AS
    SELECT docno, id, source_path, source_name, title, published, ingested_at, record,
           json_extract(record, '$.text') AS text
    FROM document_rows;
CREATE TABLE IF NOT EXISTS people (
    doc_id TEXT NOT NULL REFERENCES document_rows(id),
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    rank TEXT,
    rank_en TEXT,
    rank_code TEXT,
    rank_folded TEXT,
    rank_en_folded TEXT,
    titles TEXT NOT NULL,
    docno INTEGER NOT NULL REFERENCES document_rows(docno),
    PRIMARY KEY (docno, ord)
);
CREATE INDEX IF NOT EXISTS people_name ON people(name_folded);
CREATE INDEX IF NOT EXISTS people_rank ON people(rank_folded);
CREATE INDEX IF NOT EXISTS people_rank_en ON people(rank_en_folded);
CREATE TABLE IF NOT EXISTS dates (
    doc_id TEXT NOT NULL REFERENCES document_rows(id),
    ord INTEGER NOT NULL,
    text TEXT,
    value TEXT,
    precision TEXT,
    start INTEGER,
    \"end\" INTEGER,
    docno INTEGER NOT NULL REFERENCES document_rows(docno),
    PRIMARY KEY (docno, ord)
);
CREATE INDEX IF NOT EXISTS dates_value ON dates(value);
CREATE TABLE IF NOT EXISTS acronyms (
    doc_id TEXT NOT NULL REFERENCES document_rows(id),
    ord INTEGER NOT NULL,
    short TEXT NOT NULL,
    long TEXT,
    origin TEXT,
    docno INTEGER NOT NULL REFERENCES document_rows(docno),
    PRIMARY KEY (docno, ord)
);
CREATE INDEX IF NOT EXISTS acronyms_short ON acronyms(short);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 2'
);
";

/// Fold text for accent-insensitive matching: NFD, every combining mark dropped, đ/Đ → d,
/// lower case. Old and new tone placement ("hoà", "hòa") fold alike, since the marks go.
/// Each input char folds on its own (see [`fold_char`]), so `fold(a + b) == fold(a) + fold(b)`.
pub fn fold(s: &str) -> String {
    let table = fold_table();
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        // ASCII (spaces, digits, punctuation, unaccented letters: most of any text) byte by
        // byte, without a branch on the case.
        if b.is_ascii() {
            out.push(b | (u8::from(b.wrapping_sub(b'A') < 26) << 5));
            at += 1;
        } else if let Some(c) = s[at..].chars().next() {
            match table.get(c as usize).copied().unwrap_or(FOLDS_OTHERWISE) {
                FOLDS_TO_NOTHING => {}
                FOLDS_TO_ITSELF => out.extend_from_slice(&bytes[at..at + c.len_utf8()]),
                FOLDS_OTHERWISE => {
                    let mut folded = String::new();
                    fold_char_slow(c, &mut folded);
                    out.extend_from_slice(folded.as_bytes());
                }
                ascii => out.push(ascii),
            }
            at += c.len_utf8();
        }
    }
    // Whole chars and ASCII bytes were written, so this is UTF-8; the lossy path is never taken.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Append the folded form of one char (zero or more chars) to `out`: [`fold`] of that char.
pub fn fold_char(c: char, out: &mut String) {
    out.push_str(&fold(c.encode_utf8(&mut [0; 4])));
}

/// Below this code point, folds come from a table made once: the Vietnamese letters
/// (precomposed in U+00C0..U+01FF and U+1E00..U+1EFF), the combining marks of NFD input and
/// the general punctuation (“ ” – …) are all in it.
const TABLE_END: u32 = 0x2070;

/// Table entries: a char past ASCII folds to nothing (a combining mark), to itself, to one
/// ASCII char (the entry, 1..=0x7F) or otherwise (worked out by [`fold_char_slow`]).
const FOLDS_TO_NOTHING: u8 = 0;
const FOLDS_TO_ITSELF: u8 = 0x80;
const FOLDS_OTHERWISE: u8 = 0xFF;

/// The fold of each code point below [`TABLE_END`], as one byte (see [`FOLDS_TO_NOTHING`]).
fn fold_table() -> &'static [u8] {
    use std::sync::OnceLock;
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..TABLE_END)
            .map(|u| {
                let Some(c) = char::from_u32(u).filter(|c| !c.is_ascii()) else {
                    return FOLDS_OTHERWISE;
                };
                let mut s = String::new();
                fold_char_slow(c, &mut s);
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (None, _) => FOLDS_TO_NOTHING,
                    (Some(f), None) if f == c => FOLDS_TO_ITSELF,
                    (Some(f), None) if f.is_ascii() && f != '\0' => f as u8,
                    _ => FOLDS_OTHERWISE,
                }
            })
            .collect()
    })
}

/// [`fold_char`] worked out: canonical decomposition, marks dropped, đ → d, lower case.
fn fold_char_slow(c: char, out: &mut String) {
    use unicode_normalization::char::{decompose_canonical, is_combining_mark};
    decompose_canonical(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        match d {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(d.to_lowercase()),
        }
    });
}

/// An SQLite database file.
pub struct SqliteSink {
    path: PathBuf,
    busy_timeout: Duration,
    /// `None` after a failed commit, until the next commit reopens it.
    conn: Option<Connection>,
    batch: Vec<Arc<Prepared>>,
    /// Tells the checkpoint thread to stop when the sink goes.
    _checkpoints: Checkpointer,
}

/// The thread that checkpoints the WAL; stopped when dropped.
struct Checkpointer(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Checkpointer {
    fn start(path: &Path) -> anyhow::Result<Checkpointer> {
        use std::sync::atomic::Ordering;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let conn = Connection::open(path)
            .and_then(|c| c.busy_timeout(BUSY_TIMEOUT).map(|()| c))
            .with_context(|| format!("cannot open SQLite database {}", path.display()))?;
        let flag = stop.clone();
        let path = path.to_path_buf();
        std::thread::Builder::new()
            .name("enrichd-sqlite-checkpoint".into())
            .spawn(move || {
                // The stop flag is looked at, and the WAL copied, every 100 ms. Copying it
                // once a second copies fewer pages (one that several commits rewrote goes
                // once: 26 KB per file of a 20,000-file backlog, not 35 KB), but the larger
                // copy and its fsync can hold the writer's commits up: in a bench run with it,
                // the SQLite commit p99 was 173 ms (78 ms in the run before) and arrival to
                // durable p99 at 500 files/s 39 ms (19 ms), on a machine somewhat slower
                // that time. The latency target matters more than those copies.
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if let Err(e) = checkpoint(&conn) {
                        tracing::warn!(path = %path.display(), error = %e, "SQLite checkpoint failed; the next one retries");
                    }
                }
            })
            .context("cannot start the SQLite checkpoint thread")?;
        Ok(Checkpointer(stop))
    }
}

/// WAL frames (4 KiB pages) past which a checkpoint waits for the writer, so the WAL cannot
/// grow without bound under a writer that never pauses.
const WAL_LIMIT_FRAMES: i64 = 16_384;

/// One checkpoint: `PASSIVE` (never waits for, nor blocks, a writer). A writer that never
/// pauses keeps appending while it runs, so the WAL never gets back to its start: past
/// [`WAL_LIMIT_FRAMES`], `RESTART` waits for the current transaction and holds the next one
/// back until the WAL can start over (one commit waits, once per 64 MiB of WAL).
fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    let log: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?;
    if log > WAL_LIMIT_FRAMES {
        conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))?;
    }
    Ok(())
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl SqliteSink {
    /// Open (creating it, its folder and its tables when new) the database at `path`.
    pub fn open(path: &Path) -> anyhow::Result<SqliteSink> {
        SqliteSink::open_with(path, BUSY_TIMEOUT)
    }

    /// [`SqliteSink::open`] with another wait for a busy database.
    pub fn open_with(path: &Path, busy_timeout: Duration) -> anyhow::Result<SqliteSink> {
        let conn = open_writable(path, busy_timeout)?;
        Ok(SqliteSink {
            path: path.to_path_buf(),
            busy_timeout,
            conn: Some(conn),
            batch: Vec::new(),
            _checkpoints: Checkpointer::start(path)?,
        })
    }

    fn commit_batch(&mut self) -> anyhow::Result<()> {
        if self.conn.is_none() {
            self.conn = Some(open_writable(&self.path, self.busy_timeout)?);
        }
        let Some(conn) = self.conn.as_mut() else {
            unreachable!("opened above")
        };
        // IMMEDIATE: take the write lock now, so waiting for another writer is covered by the
        // busy timeout (a read lock upgraded later could fail at once).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for record in &self.batch {
            insert(&tx, record.row()?, &record.json)
                .with_context(|| format!("cannot insert record {}", record.id))?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Open read-write, set the pragmas, create or check the schema.
fn open_writable(path: &Path, busy_timeout: Duration) -> anyhow::Result<Connection> {
    let at = || format!("SQLite database {}", path.display());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder of {}", at()))?;
    }
    let mut conn = Connection::open(path).with_context(|| format!("cannot open {}", at()))?;
    conn.busy_timeout(busy_timeout)
        .with_context(|| format!("cannot set the busy timeout of {}", at()))?;
    let mode = switch_to_wal(&conn, busy_timeout)
        .with_context(|| format!("cannot switch {} to WAL mode", at()))?;
    if !mode.eq_ignore_ascii_case("wal") {
        anyhow::bail!("{} stays in journal mode {mode:?}, not WAL", at());
    }
    // Checkpoints are the checkpoint thread's job (see the module doc).
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;",
    )
    .with_context(|| format!("cannot set synchronous=FULL on {}", at()))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .with_context(|| format!("cannot lock {} to check its schema", at()))?;
    let version = schema_version(&tx).with_context(at)?;
    let steps = match version {
        SCHEMA_VERSION => None,
        0 => Some(SCHEMA.to_string()),
        1..=3 => {
            tracing::info!(path = %path.display(), from = version, to = SCHEMA_VERSION, "migrating the SQLite database");
            Some(migration_from(version))
        }
        v => {
            drop(tx);
            return Err(unknown_version(v)).with_context(at);
        }
    };
    if let Some(steps) = steps {
        tx.execute_batch(&steps)
            .and_then(|()| tx.pragma_update(None, "user_version", SCHEMA_VERSION))
            .with_context(|| {
                format!(
                    "cannot bring the tables of {} to schema version {SCHEMA_VERSION} (from {version})",
                    at()
                )
            })?;
    }
    set_automerge(&tx)
        .and_then(|()| tx.commit())
        .with_context(|| format!("cannot set the full-text index's merge policy in {}", at()))?;
    Ok(conn)
}

/// How many full-text index segments of one size FTS5 lets gather before it merges them into
/// one of the next size (its `automerge`; SQLite's default is 4). Measured with the `sinks`
/// bench (6,000 workload records, callgrind): 16 takes 11% fewer instructions per commit than 4,
/// since each entry is merged into a bigger segment about half as many times. Searches of a
/// 100,000-article database took the same time with either (the same 150 to 230 ms for common
/// words, 28 ms for a name), so the writer's saving costs the reader nothing measurable.
const FTS_AUTOMERGE: i64 = 16;

/// Set [`FTS_AUTOMERGE`] on the full-text index, when it is not set yet (a new database, or
/// one an older enrichd made). Kept in the database, so it is written once.
fn set_automerge(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    if automerge(tx)? != Some(FTS_AUTOMERGE) {
        tx.execute(
            "INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', ?1)",
            [FTS_AUTOMERGE],
        )?;
    }
    Ok(())
}

/// The full-text index's `automerge`, when one was set (FTS5 keeps it in its config table).
fn automerge(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    use rusqlite::OptionalExtension as _;
    conn.query_row(
        "SELECT v FROM documents_fts_config WHERE k = 'automerge'",
        [],
        |r| r.get(0),
    )
    .optional()
}

/// `PRAGMA journal_mode=WAL`, tried again while another connection holds the lock, for up to
/// `busy_timeout`; returns the journal mode the database is in. Connections switching a new
/// file to WAL at the same moment (daemons sharing one database, started together) can each
/// hold the lock the other waits for: SQLite then answers "database is locked" at once
/// instead of calling the busy handler, so the busy timeout alone does not cover it.
fn switch_to_wal(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<String> {
    let deadline = std::time::Instant::now() + busy_timeout;
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            done => return done,
        }
    }
}

/// The database's `user_version`.
pub fn schema_version(conn: &Connection) -> anyhow::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .context("cannot read the schema version (is it an SQLite database?)")
}

/// Versions 1 to 3 kept the documents in a table named `documents`, with a `text` column (a
/// stored copy of the record's text in version 1, generated from the record in versions 2 and
/// 3). Version 4 names the table `document_rows`, without `text` (renaming it rewrites the
/// child tables' references to it), and `documents` is the view [`SCHEMA`] makes. Dropping a
/// stored column rewrites the table once.
const MIGRATE_TO_4: &str = "
ALTER TABLE documents RENAME TO document_rows;
ALTER TABLE document_rows DROP COLUMN text;
";

/// Version 2 keyed `people`, `dates` and `acronyms` by `(doc_id, ord)`: a random key (a
/// sha256), so every record's rows landed on pages all over the index. Version 3 keys them by
/// `(docno, ord)`, in insertion order. The old tables are renamed, their indexes dropped (the
/// names are taken again), the new ones made by [`SCHEMA`], the rows copied over.
const MIGRATE_2_TO_3_SAVE: &str = "
ALTER TABLE people RENAME TO people_v2;
ALTER TABLE dates RENAME TO dates_v2;
ALTER TABLE acronyms RENAME TO acronyms_v2;
DROP INDEX people_name;
DROP INDEX people_rank;
DROP INDEX people_rank_en;
DROP INDEX dates_value;
DROP INDEX acronyms_short;
";
const MIGRATE_2_TO_3_COPY: &str = "
INSERT INTO people (doc_id, ord, name, name_folded, rank, rank_en, rank_code, rank_folded, rank_en_folded, titles, docno)
    SELECT c.doc_id, c.ord, c.name, c.name_folded, c.rank, c.rank_en, c.rank_code, c.rank_folded, c.rank_en_folded, c.titles, d.docno
    FROM people_v2 c JOIN document_rows d ON d.id = c.doc_id ORDER BY d.docno, c.ord;
INSERT INTO dates (doc_id, ord, text, value, precision, start, \"end\", docno)
    SELECT c.doc_id, c.ord, c.text, c.value, c.precision, c.start, c.\"end\", d.docno
    FROM dates_v2 c JOIN document_rows d ON d.id = c.doc_id ORDER BY d.docno, c.ord;
INSERT INTO acronyms (doc_id, ord, short, long, origin, docno)
    SELECT c.doc_id, c.ord, c.short, c.long, c.origin, d.docno
    FROM acronyms_v2 c JOIN document_rows d ON d.id = c.doc_id ORDER BY d.docno, c.ord;
DROP TABLE people_v2;
DROP TABLE dates_v2;
DROP TABLE acronyms_v2;
";

/// The statements that bring a database of schema `version` (1 to 3) to [`SCHEMA_VERSION`].
fn migration_from(version: i64) -> String {
    let (save, copy) = if version < 3 {
        (MIGRATE_2_TO_3_SAVE, MIGRATE_2_TO_3_COPY)
    } else {
        ("", "")
    };
    [MIGRATE_TO_4, save, SCHEMA, copy].concat()
}

/// Refuse a schema this build cannot read (versions 1 to 3 are read as they are, and migrated
/// by the sink).
pub fn check_version(version: i64) -> anyhow::Result<()> {
    if (1..=SCHEMA_VERSION).contains(&version) {
        Ok(())
    } else {
        Err(unknown_version(version))
    }
}

/// Why a schema version is refused.
fn unknown_version(version: i64) -> anyhow::Error {
    if version > SCHEMA_VERSION {
        anyhow::anyhow!(
            "schema version {version} is newer than this enrichd knows ({SCHEMA_VERSION}): upgrade enrichd"
        )
    } else {
        anyhow::anyhow!(
            "schema version {version} is not an enrichd schema (this enrichd writes version {SCHEMA_VERSION})"
        )
    }
}

/// Insert one record (its rows and its JSON); child rows only when its document row is new.
fn insert(tx: &rusqlite::Transaction, row: &Row, json: &str) -> rusqlite::Result<()> {
    let new = tx
        .prepare_cached(
            "INSERT INTO document_rows (id, source_path, source_name, title, published, ingested_at, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO NOTHING",
        )?
        .execute(params![
            row.id,
            row.source_path,
            row.source_name,
            row.title,
            row.published,
            row.ingested_at,
            json
        ])?;
    if new == 0 {
        return Ok(());
    }
    let docno = tx.last_insert_rowid();
    tx.prepare_cached("INSERT INTO documents_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![
            docno,
            fold(row.title.as_deref().unwrap_or("")),
            fold(&row.text)
        ])?;
    let mut people = tx.prepare_cached(
        "INSERT INTO people (doc_id, ord, name, name_folded, rank, rank_en, rank_code, rank_folded, rank_en_folded, titles, docno)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (ord, p) in row.people.iter().enumerate() {
        people.execute(params![
            row.id,
            ord as i64,
            p.name,
            fold(&p.name),
            p.rank,
            p.rank_en,
            p.rank_code,
            p.rank.as_deref().map(fold),
            p.rank_en.as_deref().map(fold),
            p.titles,
            docno
        ])?;
    }
    let mut dates = tx.prepare_cached(
        "INSERT INTO dates (doc_id, ord, text, value, precision, start, \"end\", docno) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (ord, d) in row.dates.iter().enumerate() {
        dates.execute(params![
            row.id,
            ord as i64,
            d.text,
            d.value,
            d.precision,
            d.start,
            d.end,
            docno
        ])?;
    }
    let mut acronyms = tx.prepare_cached(
        "INSERT INTO acronyms (doc_id, ord, short, long, origin, docno) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (ord, a) in row.acronyms.iter().enumerate() {
        acronyms.execute(params![
            row.id, ord as i64, a.short, a.long, a.origin, docno
        ])?;
    }
    Ok(())
}

impl Sink for SqliteSink {
    fn write(&mut self, record: &Arc<Prepared>) -> anyhow::Result<()> {
        record.row()?;
        self.batch.push(record.clone());
        Ok(())
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        match self.commit_batch() {
            Ok(()) => {
                self.batch.clear();
                Ok(())
            }
            Err(e) => {
                // The transaction rolled back (dropped uncommitted, or with the connection);
                // reopen on the next try in case the file or the connection went bad.
                self.conn = None;
                Err(e).with_context(|| {
                    format!("cannot commit to SQLite database {}", self.path.display())
                })
            }
        }
    }

    fn rollback(&mut self) {
        self.batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::record::Record;
    use crate::sink::rows::test_record as record;

    fn write(sink: &mut SqliteSink, r: &Record) {
        sink.write(&Prepared::new(r, true)).unwrap();
    }

    fn count(path: &Path, table: &str) -> i64 {
        let conn = Connection::open(path).unwrap();
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn the_folding_table_agrees_with_the_slow_fold_on_every_char_it_covers() {
        for c in (0..TABLE_END + 64).filter_map(char::from_u32) {
            let (mut fast, mut slow) = (String::new(), String::new());
            fold_char(c, &mut fast);
            if c.is_ascii() {
                slow.push(c.to_ascii_lowercase());
            } else {
                fold_char_slow(c, &mut slow);
            }
            assert_eq!(fast, slow, "{c:?} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn folding_a_text_folds_each_of_its_chars_in_turn() {
        // Every string of up to three pieces: ASCII of both cases, precomposed and
        // decomposed Vietnamese, punctuation, chars past the table and a char that folds to two.
        let pieces = [
            "A", "b", " ", "Đ", "ố", "o\u{301}", "“", "😀", "ß", "İ", "Ư",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            let mut by_char = String::new();
            for c in text.chars() {
                fold_char(c, &mut by_char);
            }
            assert_eq!(fold(text), by_char, "{text:?}");
        }
    }

    #[test]
    fn folding_drops_marks_and_the_bar_of_d_and_ignores_tone_placement() {
        assert_eq!(
            fold("Đại tướng Hoàng Xuân Chiến"),
            "dai tuong hoang xuan chien"
        );
        assert_eq!(fold("Đông"), "dong");
        // Old (hoà) and new (hòa) tone placement, precomposed or decomposed: one form.
        let old_nfc = "ho\u{e0}";
        let new_nfc = "h\u{f2}a";
        let decomposed = "ho\u{300}a";
        assert_eq!(fold(old_nfc), "hoa");
        assert_eq!(fold(new_nfc), "hoa");
        assert_eq!(fold(decomposed), "hoa");
        assert_eq!(fold("C-130 AND("), "c-130 and(");
    }

    #[test]
    fn a_record_written_twice_leaves_one_row_in_every_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db/r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        let r = record(
            "a",
            json!({
                "title": "Tiêu đề",
                "people": [{"name": "Hoàng Xuân Chiến", "rank": "Thượng tướng", "rank_en": "Colonel General", "titles": ["Thứ trưởng"]}],
                "dates": [{"text": "ngày 5/9/2019", "value": "2019-09-05", "precision": "day"}],
                "acronyms": [{"short": "QĐND", "long": "Quân đội nhân dân"}],
            }),
        );
        write(&mut sink, &r);
        write(&mut sink, &r);
        sink.commit().unwrap();
        write(&mut sink, &r);
        sink.commit().unwrap();
        drop(sink);
        // Reopened, as after a restart.
        let mut sink = SqliteSink::open(&path).unwrap();
        write(&mut sink, &r);
        sink.commit().unwrap();
        for table in ["documents", "people", "dates", "acronyms", "documents_fts"] {
            assert_eq!(count(&path, table), 1, "{table}");
        }
    }

    #[test]
    fn odd_or_missing_fields_are_stored_as_null_or_no_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        write(&mut sink, &record("bare", json!({})));
        write(
            &mut sink,
            &record(
                "odd",
                json!({"title": 7, "people": {"name": "x"}, "dates": [1, {"value": 2}], "acronyms": [{"long": "no short"}]}),
            ),
        );
        sink.commit().unwrap();
        assert_eq!(count(&path, "documents"), 2);
        assert_eq!(count(&path, "people"), 0);
        assert_eq!(count(&path, "dates"), 1, "an object, even with odd values");
        assert_eq!(count(&path, "acronyms"), 0);
        let conn = Connection::open(&path).unwrap();
        let title: Option<String> = conn
            .query_row("SELECT title FROM documents WHERE id = 'odd'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(title, None);
    }

    #[test]
    fn a_commit_failing_midway_leaves_nothing_and_the_retry_writes_the_batch_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        other
            .execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON acronyms WHEN NEW.short = 'BOOM'
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )
            .unwrap();
        write(&mut sink, &record("a", json!({})));
        write(
            &mut sink,
            &record("b", json!({"acronyms": [{"short": "BOOM"}]})),
        );
        let err = sink.commit().unwrap_err();
        assert!(format!("{err:#}").contains("boom"), "{err:#}");
        assert_eq!(count(&path, "documents"), 0, "record a was rolled back too");
        other.execute_batch("DROP TRIGGER boom").unwrap();
        sink.commit().unwrap();
        assert_eq!(count(&path, "documents"), 2);
        assert_eq!(count(&path, "acronyms"), 1);
        sink.commit().unwrap();
        assert_eq!(
            count(&path, "documents"),
            2,
            "an empty commit writes nothing"
        );
    }

    #[test]
    fn a_commit_waiting_on_another_writer_fails_and_succeeds_once_the_lock_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut sink = SqliteSink::open_with(&path, Duration::from_millis(50)).unwrap();
        let mut other = Connection::open(&path).unwrap();
        let lock = other
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        write(&mut sink, &record("a", json!({})));
        let err = sink.commit().unwrap_err();
        assert!(format!("{err:#}").contains("locked"), "{err:#}");
        drop(lock);
        sink.commit().unwrap();
        assert_eq!(count(&path, "documents"), 1);
    }

    #[test]
    fn rollback_drops_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        write(&mut sink, &record("a", json!({})));
        sink.rollback();
        sink.commit().unwrap();
        assert_eq!(count(&path, "documents"), 0);
    }

    #[test]
    fn a_database_with_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        drop(SqliteSink::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = SqliteSink::open(&path).err().expect("refused");
        assert!(
            format!("{err:#}").contains("newer than this enrichd"),
            "{err:#}"
        );
    }

    /// A database at `path` made with an older `schema`, marked as of that `version`.
    fn old_database(path: &Path, schema: &str, version: i64) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(schema).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
        conn
    }

    /// The schema of version 3: [`SCHEMA`] without the view, the table named `documents` and
    /// `text` a column of it, generated from the record.
    fn version_3_schema() -> String {
        let view = SCHEMA.find("CREATE VIEW").unwrap();
        let after_view = view + SCHEMA[view..].find(";\n").unwrap() + 2;
        let v3 = [&SCHEMA[..view], &SCHEMA[after_view..]]
            .concat()
            .replace("document_rows", "documents")
            .replace(
                "    record TEXT NOT NULL\n);",
                "    record TEXT NOT NULL,\n    text TEXT GENERATED ALWAYS AS (json_extract(record, '$.text')) VIRTUAL\n);",
            );
        assert!(v3.contains("GENERATED") && !v3.contains("VIEW"), "{v3}");
        v3
    }

    /// The schema of version 2: the child tables keyed by `(doc_id, ord)`, without `docno`.
    fn version_2_schema() -> String {
        let v2 = version_3_schema().replace(
            "    docno INTEGER NOT NULL REFERENCES documents(docno),\n    PRIMARY KEY (docno, ord)",
            "    PRIMARY KEY (doc_id, ord)",
        );
        assert_eq!(
            v2.matches("PRIMARY KEY (doc_id, ord)").count(),
            3,
            "the three child tables differ by their docno"
        );
        v2
    }

    /// A version 1 database as enrichd 0.1 wrote it: `documents.text` stored beside the record.
    fn version_1_database(path: &Path) {
        let v2 = version_2_schema();
        let v1 = v2
            .replace(
                "    record TEXT NOT NULL,\n    text TEXT GENERATED ALWAYS AS (json_extract(record, '$.text')) VIRTUAL\n",
                "    record TEXT NOT NULL\n",
            )
            .replace("    title TEXT,\n", "    title TEXT,\n    text TEXT NOT NULL,\n");
        assert_ne!(v1, v2, "the v1 schema differs by the text column");
        let conn = old_database(path, &v1, 1);
        conn.execute(
            "INSERT INTO documents (id, title, text, record) VALUES ('old', 't', 'Hà Nội', ?1)",
            [r#"{"id":"old","text":"Hà Nội"}"#],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO people (doc_id, ord, name, name_folded, titles) VALUES ('old', 0, 'Phan Văn Giang', 'phan van giang', '[]')",
            [],
        )
        .unwrap();
    }

    /// Every table and index of the database at `path`: (type, name, table).
    fn layout(path: &Path) -> Vec<(String, String, String)> {
        Connection::open(path)
            .unwrap()
            .prepare("SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Each child table's rows: (table, docno, doc_id, ord).
    fn child_rows(path: &Path) -> Vec<(String, i64, String, i64)> {
        let conn = Connection::open(path).unwrap();
        let mut rows = Vec::new();
        for table in ["people", "dates", "acronyms"] {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT docno, doc_id, ord FROM {table} ORDER BY docno, ord"
                ))
                .unwrap();
            let found = stmt
                .query_map([], |r| {
                    Ok((table.to_string(), r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .unwrap();
            rows.extend(found.map(Result::unwrap));
        }
        rows
    }

    #[test]
    fn a_version_2_database_is_migrated_with_every_row_keyed_by_its_docno() {
        let dir = tempfile::tempdir().unwrap();
        let (path, fresh) = (dir.path().join("v2.db"), dir.path().join("new.db"));
        let conn = old_database(&path, &version_2_schema(), 2);
        // Ids in another order than the docnos, as sha256 ids are.
        for (docno, id) in [(1, "c"), (2, "a"), (3, "b")] {
            conn.execute(
                "INSERT INTO documents (docno, id, record) VALUES (?1, ?2, '{}')",
                params![docno, id],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO people (doc_id, ord, name, name_folded, titles) VALUES
                 ('a', 0, 'A0', 'a0', '[]'), ('a', 1, 'A1', 'a1', '[\"t\"]'), ('c', 0, 'C0', 'c0', '[]');
             INSERT INTO dates (doc_id, ord, value) VALUES ('b', 0, '2019'), ('a', 0, '2020');
             INSERT INTO acronyms (doc_id, ord, short) VALUES ('c', 0, 'QĐND');",
        )
        .unwrap();
        drop(conn);
        drop(SqliteSink::open(&path).unwrap());
        drop(SqliteSink::open(&fresh).unwrap());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let row =
            |t: &str, docno: i64, id: &str, ord: i64| (t.to_string(), docno, id.to_string(), ord);
        assert_eq!(
            child_rows(&path),
            [
                row("people", 1, "c", 0),
                row("people", 2, "a", 0),
                row("people", 2, "a", 1),
                row("dates", 2, "a", 0),
                row("dates", 3, "b", 0),
                row("acronyms", 1, "c", 0),
            ]
        );
        let titles: String = conn
            .query_row(
                "SELECT titles FROM people WHERE docno = 2 AND ord = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(titles, r#"["t"]"#, "the other columns came along");
        assert_eq!(
            layout(&path),
            layout(&fresh),
            "the same tables and indexes as a new database"
        );
    }

    #[test]
    fn a_version_1_database_is_migrated_and_keeps_its_documents_and_their_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        version_1_database(&path);
        let mut sink = SqliteSink::open(&path).unwrap();
        let mut r = record("new", json!({}));
        r.text = "Đà Nẵng".into();
        write(&mut sink, &r);
        sink.commit().unwrap();
        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let texts: Vec<(String, String)> = conn
            .prepare("SELECT id, text FROM documents ORDER BY docno")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            texts,
            [
                ("old".into(), "Hà Nội".into()),
                ("new".into(), "Đà Nẵng".into())
            ]
        );
        assert_eq!(child_rows(&path), [("people".into(), 1, "old".into(), 0)]);
        // Opening again finds the current version and changes nothing.
        drop(sink);
        drop(SqliteSink::open(&path).unwrap());
        assert_eq!(count(&path, "documents"), 2);
        let fresh = dir.path().join("new.db");
        drop(SqliteSink::open(&fresh).unwrap());
        assert_eq!(layout(&path), layout(&fresh));
    }

    /// The columns of `table` (or view) as `SELECT *` gives them.
    fn columns(conn: &Connection, table: &str) -> Vec<String> {
        conn.prepare(&format!("SELECT * FROM {table}"))
            .unwrap()
            .column_names()
            .map(String::from)
            .collect()
    }

    #[test]
    fn the_text_is_not_stored_twice_and_documents_reads_it_from_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        let mut r = record("a", json!({}));
        r.text = "Quân đội nhân dân".into();
        write(&mut sink, &r);
        sink.commit().unwrap();
        let conn = Connection::open(&path).unwrap();
        let stored: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_xinfo('document_rows')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!stored.contains(&"text".to_string()), "{stored:?}");
        let text: String = conn
            .query_row("SELECT text FROM documents WHERE id = 'a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(text, "Quân đội nhân dân");
        assert_eq!(
            columns(&conn, "documents"),
            [
                "docno",
                "id",
                "source_path",
                "source_name",
                "title",
                "published",
                "ingested_at",
                "record",
                "text"
            ],
            "the columns of version 3's documents table, in its order"
        );
    }

    #[test]
    fn a_version_3_database_is_migrated_and_its_documents_read_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let (path, fresh) = (dir.path().join("v3.db"), dir.path().join("new.db"));
        let conn = old_database(&path, &version_3_schema(), 3);
        conn.execute_batch(
            r#"INSERT INTO documents (docno, id, title, record) VALUES (7, 'old', 't', '{"id":"old","text":"Hà Nội"}');
               INSERT INTO people (doc_id, ord, name, name_folded, titles, docno) VALUES ('old', 0, 'Phan Văn Giang', 'phan van giang', '[]', 7);
               INSERT INTO documents_fts (rowid, title, body) VALUES (7, 't', 'ha noi');"#,
        )
        .unwrap();
        let before = columns(&conn, "documents");
        drop(conn);
        drop(SqliteSink::open(&path).unwrap());
        drop(SqliteSink::open(&fresh).unwrap());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        assert_eq!(columns(&conn, "documents"), before);
        let (docno, text): (i64, String) = conn
            .query_row(
                "SELECT d.docno, d.text FROM documents_fts JOIN documents d ON d.docno = documents_fts.rowid
                 WHERE documents_fts MATCH 'noi'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((docno, text.as_str()), (7, "Hà Nội"));
        assert_eq!(child_rows(&path), [("people".into(), 7, "old".into(), 0)]);
        // The child tables' references followed the table to its new name.
        let dangling: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(dangling, 0);
        let people_sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'people'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(people_sql.contains("document_rows"), "{people_sql}");
        assert_eq!(layout(&path), layout(&fresh));
    }

    #[test]
    fn the_full_text_index_merges_sixteen_segments_at_a_time_in_new_and_older_databases() {
        let automerge = |path: &Path| automerge(&Connection::open(path).unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let [fresh, v3, v4] = ["new.db", "v3.db", "v4.db"].map(|name| dir.path().join(name));
        drop(old_database(&v3, &version_3_schema(), 3));
        // A version 4 database made before the setting: FTS5's default.
        drop(old_database(&v4, SCHEMA, SCHEMA_VERSION));
        assert_eq!(automerge(&v4), None);
        for path in [&fresh, &v3, &v4] {
            drop(SqliteSink::open(path).unwrap());
            assert_eq!(automerge(path), Some(FTS_AUTOMERGE), "{}", path.display());
        }
    }

    #[test]
    fn sinks_opening_one_new_database_at_the_same_moment_all_open_it() {
        // Daemons sharing one database, started together, race to switch the new file to WAL.
        for round in 0..30 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("shared.db");
            let start = std::sync::Barrier::new(3);
            std::thread::scope(|s| {
                let opens: Vec<_> = (0..3)
                    .map(|_| {
                        s.spawn(|| {
                            start.wait();
                            SqliteSink::open(&path).map(drop)
                        })
                    })
                    .collect();
                for open in opens {
                    let result = open.join().unwrap();
                    assert!(result.is_ok(), "round {round}: {:#}", result.unwrap_err());
                }
            });
        }
    }

    #[test]
    fn the_database_is_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let _sink = SqliteSink::open(&path).unwrap();
        let mode: String = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn the_checkpoint_thread_copies_committed_pages_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        for i in 0..20 {
            let mut r = record(&format!("{i:064x}"), json!({"title": "t"}));
            r.text = "Quân đội nhân dân. ".repeat(200);
            write(&mut sink, &r);
        }
        sink.commit().unwrap();
        // The writer never checkpoints (wal_autocheckpoint=0): only the thread can grow the file.
        let grown = || std::fs::metadata(&path).unwrap().len() > before;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !grown() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            grown(),
            "the database file did not grow past {before} bytes"
        );
    }
}
