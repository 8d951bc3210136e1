//! The PostgreSQL sink: records into tables of a PostgreSQL server, the record itself as `jsonb`.
//!
//! # Contract
//! - `write` only buffers the fields the tables need. It never fails on a record's shape: a
//!   missing or oddly shaped field is stored as NULL or as no rows; the full record is always
//!   kept in `documents.record`.
//! - `commit` writes the whole batch in one transaction; the batch is delivered once the server
//!   acknowledged `COMMIT` (durable as the server's own `fsync`/`synchronous_commit` make it).
//! - A failed `commit` (server down, connection lost mid-transaction, an error from the server)
//!   leaves nothing of the batch on the server (the transaction is never committed), keeps the
//!   batch and drops the connection. The next `commit` connects again (one attempt, bounded by
//!   `connect_timeout_ms`; the daemon's retry loop supplies the backoff) and retries the batch.
//!   A whole commit, connecting included, is cut off after [`ANSWER_TIMEOUT`], so a server
//!   that stops answering cannot hang the daemon (the open too).
//! - Idempotent by record id: documents go in with `INSERT … ON CONFLICT (id) DO NOTHING
//!   RETURNING id`, and child rows (people, dates, acronyms) only for the ids that statement
//!   returned, i.e. documents new in this transaction. A record written twice, in one batch or
//!   in two, or retried after a `COMMIT` whose reply was lost, leaves one document and one set
//!   of child rows.
//! - At open the sink connects (so a wrong URL or an unreachable server stops the daemon at
//!   start, with the reason) and creates the tables when missing, in one transaction under a
//!   transaction-level advisory lock, so daemons opening the same database at once do not race.
//! - No TLS: the connection is plain TCP or a Unix socket (for loopback or a trusted network).
//!
//! # Schema (the SQLite sink's, in PostgreSQL types)
//! ```sql
//! documents(id TEXT PRIMARY KEY,           -- the record id (sha256 of the input)
//!           source_path, source_name, title, text NOT NULL,
//!           published TIMESTAMPTZ,         -- NULL when absent or not RFC 3339
//!           ingested_at TIMESTAMPTZ, record JSONB NOT NULL)
//! people(doc_id, ord, name NOT NULL, rank, rank_en, rank_code, titles JSONB)
//! dates(doc_id, ord, text, value, precision, start, "end")
//! acronyms(doc_id, ord, short NOT NULL, long, origin)
//! ```
//! `doc_id` references `documents(id)`; `ord` is the entry's position in the record's list;
//! `(doc_id, ord)` is each child table's primary key. Indexes: documents by `published`,
//! people by `name` and `rank`, dates by `value`, acronyms by `short`.
//!
//! PostgreSQL text cannot hold the NUL character: NULs are dropped from the columns and from
//! the stored record (the JSON Lines sink keeps them), rather than failing the batch forever.

use super::rows::Row;
use super::{Prepared, Sink};
use anyhow::Context as _;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::{Client, NoTls};

/// The longest the open or one commit (connecting included) may take before it is abandoned.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// The advisory lock key that serialises schema creation (arbitrary, fixed: "enrichd" in ASCII).
const SCHEMA_LOCK: i64 = 0x0065_6e72_6963_6864;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source_path TEXT,
    source_name TEXT,
    title TEXT,
    text TEXT NOT NULL,
    published TIMESTAMPTZ,
    ingested_at TIMESTAMPTZ,
    record JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published);
CREATE TABLE IF NOT EXISTS people (
    doc_id TEXT NOT NULL REFERENCES documents(id),
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    rank TEXT,
    rank_en TEXT,
    rank_code TEXT,
    titles JSONB NOT NULL,
    PRIMARY KEY (doc_id, ord)
);
CREATE INDEX IF NOT EXISTS people_name ON people(name);
CREATE INDEX IF NOT EXISTS people_rank ON people(rank);
CREATE TABLE IF NOT EXISTS dates (
    doc_id TEXT NOT NULL REFERENCES documents(id),
    ord INTEGER NOT NULL,
    text TEXT,
    value TEXT,
    precision TEXT,
    start BIGINT,
    "end" BIGINT,
    PRIMARY KEY (doc_id, ord)
);
CREATE INDEX IF NOT EXISTS dates_value ON dates(value);
CREATE TABLE IF NOT EXISTS acronyms (
    doc_id TEXT NOT NULL REFERENCES documents(id),
    ord INTEGER NOT NULL,
    short TEXT NOT NULL,
    long TEXT,
    origin TEXT,
    PRIMARY KEY (doc_id, ord)
);
CREATE INDEX IF NOT EXISTS acronyms_short ON acronyms(short);
"#;

/// `s` without NUL characters, which PostgreSQL text cannot hold.
fn no_nul(s: &str) -> String {
    s.replace('\0', "")
}

/// An RFC 3339 time as UTC RFC 3339, or `None`.
fn timestamp(s: &str) -> Option<String> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.to_string())
}

/// The record JSON without NULs: a `\u0000` escape is re-serialised away (jsonb refuses it);
/// `None` when there is none (the JSON is stored as it is).
fn jsonb_text(json: &str) -> Option<String> {
    if !json.contains("\\u0000") {
        return None;
    }
    fn strip(v: &mut Value) {
        match v {
            Value::String(s) => *s = no_nul(s),
            Value::Array(a) => a.iter_mut().for_each(strip),
            Value::Object(o) => {
                let entries = std::mem::take(o);
                for (k, mut v) in entries {
                    strip(&mut v);
                    o.insert(no_nul(&k), v);
                }
            }
            _ => {}
        }
    }
    // Not JSON (never, from the daemon): let the server say so.
    let mut v = serde_json::from_str::<Value>(json).ok()?;
    strip(&mut v);
    serde_json::to_string(&v).ok()
}

/// One record as PostgreSQL takes it: no NUL characters (text and jsonb refuse them), times as
/// UTC RFC 3339 (`None` when not RFC 3339).
struct PgRow {
    row: Row,
    record: Arc<Prepared>,
    /// The record JSON rewritten without NULs, when it had any.
    rewritten: Option<String>,
}

impl PgRow {
    fn new(record: &Arc<Prepared>) -> anyhow::Result<PgRow> {
        let mut row = record.row()?.clone();
        row.map_text(no_nul);
        row.published = row.published.as_deref().and_then(timestamp);
        row.ingested_at = row.ingested_at.as_deref().and_then(timestamp);
        for p in &mut row.people {
            if let Some(titles) = jsonb_text(&p.titles) {
                p.titles = titles;
            }
        }
        Ok(PgRow {
            row,
            rewritten: jsonb_text(&record.json),
            record: record.clone(),
        })
    }

    /// The record JSON to store.
    fn json(&self) -> &str {
        self.rewritten.as_deref().unwrap_or(&self.record.json)
    }
}

impl std::ops::Deref for PgRow {
    type Target = Row;
    fn deref(&self) -> &Row {
        &self.row
    }
}

/// A PostgreSQL database.
pub struct PostgresSink {
    /// `None` after a failure, until the next commit connects again. (Before `rt`: dropped
    /// first, so the connection can still say goodbye to the server.)
    client: Option<Client>,
    /// Drives the connection in the background (one worker thread), so the connection notices
    /// a server that went away between commits.
    rt: tokio::runtime::Runtime,
    config: tokio_postgres::Config,
    /// `host:port/dbname`, for messages (the URL may hold a password).
    server: String,
    answer_timeout: Duration,
    batch: Vec<PgRow>,
}

impl PostgresSink {
    /// Connect to the server at `url` (a libpq connection string or `postgres://` URL) and create
    /// the tables when missing. `connect_timeout` bounds each connection attempt unless `url`
    /// sets its own `connect_timeout`.
    pub fn open(url: &str, connect_timeout: Duration) -> anyhow::Result<PostgresSink> {
        PostgresSink::open_with(url, connect_timeout, ANSWER_TIMEOUT)
    }

    /// [`PostgresSink::open`] with another limit than [`ANSWER_TIMEOUT`] on the open and on
    /// each commit.
    pub fn open_with(
        url: &str,
        connect_timeout: Duration,
        answer_timeout: Duration,
    ) -> anyhow::Result<PostgresSink> {
        let mut config: tokio_postgres::Config = url
            .parse()
            .context("the `url` is not a PostgreSQL connection string")?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(connect_timeout);
        }
        if config.get_application_name().is_none() {
            config.application_name("enrichd");
        }
        let server = describe(&config);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("enrichd-postgres")
            .enable_all()
            .build()
            .context("cannot start the PostgreSQL sink's runtime")?;
        let client = within(&rt, answer_timeout, async {
            let mut client = connect(&config).await?;
            create_schema(&mut client).await?;
            Ok(client)
        })
        .with_context(|| format!("PostgreSQL server {server}"))?;
        Ok(PostgresSink {
            rt,
            config,
            server,
            answer_timeout,
            client: Some(client),
            batch: Vec::new(),
        })
    }
}

/// `host:port/dbname` of a config, without user or password.
fn describe(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("{host}:{port}/{db}")
}

/// Run `work` on `rt`, giving up after `limit`.
fn within<T>(
    rt: &tokio::runtime::Runtime,
    limit: Duration,
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    rt.block_on(async {
        match tokio::time::timeout(limit, work).await {
            Ok(result) => result,
            Err(_) => anyhow::bail!("no answer within {limit:?}"),
        }
    })
}

/// Connect, and drive the connection on the current runtime until it closes.
async fn connect(config: &tokio_postgres::Config) -> anyhow::Result<Client> {
    let (client, connection) = config.connect(NoTls).await.context("cannot connect")?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "PostgreSQL connection closed");
        }
    });
    Ok(client)
}

/// Create the tables and indexes that are missing, one opener at a time.
async fn create_schema(client: &mut Client) -> anyhow::Result<()> {
    let tx = client
        .transaction()
        .await
        .context("cannot begin the schema transaction")?;
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .await
        .context("cannot quiet the schema notices")?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
        .await
        .context("cannot take the schema lock")?;
    tx.batch_execute(SCHEMA)
        .await
        .context("cannot create the tables")?;
    tx.commit().await.context("cannot commit the tables")?;
    Ok(())
}

/// Insert the batch in one transaction; returns how many documents were new.
async fn insert_batch(client: &mut Client, rows: &[&PgRow]) -> anyhow::Result<u64> {
    let tx = client
        .transaction()
        .await
        .context("cannot begin a transaction")?;
    let col = |f: fn(&PgRow) -> Option<&str>| rows.iter().map(|r| f(r)).collect::<Vec<_>>();
    let ids = col(|r| Some(&r.id));
    let new: std::collections::HashSet<String> = tx
        .query(
            "INSERT INTO documents (id, source_path, source_name, title, text, published, ingested_at, record)
             SELECT id, source_path, source_name, title, text, published::timestamptz, ingested_at::timestamptz, record::jsonb
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                  AS u(id, source_path, source_name, title, text, published, ingested_at, record)
             ON CONFLICT (id) DO NOTHING RETURNING id",
            &[
                &ids,
                &col(|r| r.source_path.as_deref()),
                &col(|r| r.source_name.as_deref()),
                &col(|r| r.title.as_deref()),
                &col(|r| Some(&r.text)),
                &col(|r| r.published.as_deref()),
                &col(|r| r.ingested_at.as_deref()),
                &col(|r| Some(r.json())),
            ],
        )
        .await
        .context("cannot insert the documents")?
        .iter()
        .map(|row| row.try_get::<_, String>(0))
        .collect::<Result<_, _>>()
        .context("unexpected reply to the documents insert")?;
    let fresh: Vec<&PgRow> = rows
        .iter()
        .copied()
        .filter(|r| new.contains(&r.id))
        .collect();

    // Child rows of the new documents, one column array per table column.
    let mut p = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut d = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut a = (vec![], vec![], vec![], vec![], vec![]);
    for r in &fresh {
        for (i, x) in r.people.iter().enumerate() {
            p.0.push(r.id.as_str());
            p.1.push(i as i32);
            p.2.push(x.name.as_str());
            p.3.push(x.rank.as_deref());
            p.4.push(x.rank_en.as_deref());
            p.5.push(x.rank_code.as_deref());
            p.6.push(x.titles.as_str());
        }
        for (i, x) in r.dates.iter().enumerate() {
            d.0.push(r.id.as_str());
            d.1.push(i as i32);
            d.2.push(x.text.as_deref());
            d.3.push(x.value.as_deref());
            d.4.push(x.precision.as_deref());
            d.5.push(x.start);
            d.6.push(x.end);
        }
        for (i, x) in r.acronyms.iter().enumerate() {
            a.0.push(r.id.as_str());
            a.1.push(i as i32);
            a.2.push(x.short.as_str());
            a.3.push(x.long.as_deref());
            a.4.push(x.origin.as_deref());
        }
    }
    if !p.0.is_empty() {
        tx.execute(
            "INSERT INTO people (doc_id, ord, name, rank, rank_en, rank_code, titles)
             SELECT doc_id, ord, name, rank, rank_en, rank_code, titles::jsonb
             FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                  AS u(doc_id, ord, name, rank, rank_en, rank_code, titles)",
            &[&p.0, &p.1, &p.2, &p.3, &p.4, &p.5, &p.6],
        )
        .await
        .context("cannot insert the people")?;
    }
    if !d.0.is_empty() {
        tx.execute(
            "INSERT INTO dates (doc_id, ord, text, value, precision, start, \"end\")
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[])",
            &[&d.0, &d.1, &d.2, &d.3, &d.4, &d.5, &d.6],
        )
        .await
        .context("cannot insert the dates")?;
    }
    if !a.0.is_empty() {
        tx.execute(
            "INSERT INTO acronyms (doc_id, ord, short, long, origin)
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[])",
            &[&a.0, &a.1, &a.2, &a.3, &a.4],
        )
        .await
        .context("cannot insert the acronyms")?;
    }
    tx.commit().await.context("cannot commit")?;
    Ok(fresh.len() as u64)
}

impl PostgresSink {
    /// One attempt: connect if needed, insert the batch, commit.
    fn try_commit(&mut self) -> anyhow::Result<u64> {
        // One row per id: a record written twice in one batch is one document.
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<&PgRow> = self
            .batch
            .iter()
            .filter(|r| seen.insert(r.id.as_str()))
            .collect();
        let (config, client) = (&self.config, &mut self.client);
        within(&self.rt, self.answer_timeout, async {
            // A connection the server closed since the last commit is replaced up front.
            if client.as_ref().is_some_and(Client::is_closed) {
                *client = None;
            }
            if client.is_none() {
                *client = Some(connect(config).await?);
            }
            let Some(c) = client.as_mut() else {
                unreachable!("connected above")
            };
            insert_batch(c, &rows).await
        })
    }
}

impl Sink for PostgresSink {
    fn write(&mut self, record: &Arc<Prepared>) -> anyhow::Result<()> {
        self.batch.push(PgRow::new(record)?);
        Ok(())
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        match self.try_commit() {
            Ok(new) => {
                tracing::debug!(records = self.batch.len(), new, server = %self.server, "committed to PostgreSQL");
                self.batch.clear();
                Ok(())
            }
            Err(e) => {
                // Closing the connection aborts whatever transaction it still had open; the
                // batch stays for the retry, which connects again.
                self.client = None;
                Err(e).with_context(|| {
                    format!(
                        "cannot commit {} records to PostgreSQL server {}",
                        self.batch.len(),
                        self.server
                    )
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
    use crate::sink::rows::{DateRow, PersonRow};
    use serde_json::json;

    use crate::record::Record;
    use crate::sink::rows::test_record as record;

    fn row(r: &Record) -> PgRow {
        PgRow::new(&Prepared::new(r, true)).unwrap()
    }

    #[test]
    fn people_dates_and_acronyms_are_taken_from_the_record() {
        let r = record(
            "a",
            json!({
                "title": "Tiêu đề",
                "published": "2023-05-29T12:50:00+07:00",
                "people": [{"name": "Hoàng Xuân Chiến", "rank": "Thượng tướng", "rank_en": "Colonel General",
                            "rank_code": "OF-8", "titles": ["Thứ trưởng", 3], "mentions": []}],
                "dates": [{"text": "ngày 5/9/2019", "value": "2019-09-05", "precision": "day", "start": 4, "end": 17}],
                "acronyms": [{"short": "QĐND", "long": "Quân đội nhân dân", "origin": "dictionary"}],
            }),
        );
        let row = row(&r);
        assert_eq!(row.title.as_deref(), Some("Tiêu đề"));
        assert_eq!(row.published.as_deref(), Some("2023-05-29T05:50:00Z"));
        assert_eq!(row.ingested_at.as_deref(), Some("2024-01-01T00:00:00Z"));
        assert_eq!(
            row.people,
            [PersonRow {
                name: "Hoàng Xuân Chiến".into(),
                rank: Some("Thượng tướng".into()),
                rank_en: Some("Colonel General".into()),
                rank_code: Some("OF-8".into()),
                titles: r#"["Thứ trưởng"]"#.into(),
            }]
        );
        assert_eq!(
            row.dates,
            [DateRow {
                text: Some("ngày 5/9/2019".into()),
                value: Some("2019-09-05".into()),
                precision: Some("day".into()),
                start: Some(4),
                end: Some(17),
            }]
        );
        assert_eq!(row.acronyms[0].short, "QĐND");
        assert_eq!(row.acronyms[0].origin.as_deref(), Some("dictionary"));
    }

    #[test]
    fn odd_or_missing_fields_become_null_or_no_rows() {
        let bare = row(&record("bare", json!({})));
        assert_eq!((&bare.title, &bare.published), (&None, &None));
        assert!(bare.people.is_empty() && bare.dates.is_empty() && bare.acronyms.is_empty());
        assert_eq!(bare.source_path, None, "an empty path is no path");
        let odd = row(&record(
            "odd",
            json!({"title": 7, "published": "hôm qua", "people": {"name": "x"},
                   "dates": [1, {"value": 2}], "acronyms": [{"long": "no short"}, "QĐ"]}),
        ));
        assert_eq!((&odd.title, &odd.published), (&None, &None));
        assert!(odd.people.is_empty() && odd.acronyms.is_empty());
        assert_eq!(odd.dates.len(), 1, "an object, even with odd values");
        assert_eq!(odd.dates[0].value, None);
        let rankless = row(&record(
            "r",
            json!({"people": [{"name": "Lê Văn A", "rank": {"vi": "x"}, "titles": "not a list"}]}),
        ));
        assert_eq!(rankless.people[0].rank, None);
        assert_eq!(rankless.people[0].titles, "[]");
    }

    #[test]
    fn nul_characters_are_dropped_from_columns_and_the_stored_record() {
        let mut r = record("n", json!({"title": "a\u{0}b", "x\u{0}": ["c\u{0}d"]}));
        r.text = "e\u{0}f".into();
        let row = row(&r);
        assert_eq!(row.title.as_deref(), Some("ab"));
        assert_eq!(row.text, "ef");
        assert!(!row.json().contains("\\u0000"), "{}", row.json());
        let v: Value = serde_json::from_str(row.json()).unwrap();
        assert_eq!(v["x"], json!(["cd"]));
        // A literal backslash-u in the text is not a NUL and stays.
        let lit = record("l", json!({"title": "\\u0000"}));
        let v: Value = serde_json::from_str(self::row(&lit).json()).unwrap();
        assert_eq!(v["title"], "\\u0000");
    }

    #[test]
    fn describe_names_host_port_and_database_but_no_password() {
        let c: tokio_postgres::Config = "postgres://u:secret@db.example:5433/news".parse().unwrap();
        assert_eq!(describe(&c), "db.example:5433/news");
        let c: tokio_postgres::Config = "host=/run/postgresql user=enrichd password=secret"
            .parse()
            .unwrap();
        assert_eq!(describe(&c), "/run/postgresql:5432/enrichd");
    }

    #[test]
    fn a_server_that_never_answers_fails_the_open_after_the_answer_timeout() {
        // Takes the connection (the kernel completes the handshake) and never says a word.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let url = format!("host=127.0.0.1 port={port} user=enrichd");
        let err = PostgresSink::open_with(&url, Duration::from_secs(5), Duration::from_millis(300))
            .err()
            .expect("no answer, no sink");
        let err = format!("{err:#}");
        assert!(err.contains("no answer within 300ms"), "{err}");
        assert!(err.contains(&format!("127.0.0.1:{port}/enrichd")), "{err}");
    }
}
