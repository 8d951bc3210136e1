//! The PostgreSQL sink against a real server (started by the test on loopback; see
//! support/postgres.rs): the daemon end to end, the server going away, and the sink's contract
//! (one row per record id, a failed commit leaves nothing and is retried).

#[path = "support/postgres.rs"]
mod postgres;
mod support;

use enrichd::record::Record;
use enrichd::sink::postgres::PostgresSink;
use enrichd::sink::Sink;
use postgres::PgServer;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use support::*;

/// The sinks of a daemon writing to `pg` and to out/records.jsonl.
fn sinks(pg: &PgServer) -> String {
    format!(
        "sinks:\n  - type: postgres\n    url: \"{}\"\n    flush_ms: 50\n  - type: jsonl\n    path: out/records.jsonl\n    flush_ms: 50\n",
        pg.url()
    )
}

/// The files directly in `dir` (not its subfolders).
fn files_in(dir: PathBuf) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn drop_articles(sb: &Sandbox, articles: &[PathBuf]) {
    for a in articles {
        std::fs::copy(a, sb.path("drop").join(a.file_name().unwrap())).unwrap();
    }
}

/// How many entries of `key` with a string `name_key` the records hold (what the sink stores).
fn entries(records: &[Value], key: &str, name_key: Option<&str>) -> i64 {
    records
        .iter()
        .filter_map(|r| r[key].as_array())
        .flatten()
        .filter(|e| name_key.is_none_or(|k| e[k].is_string()) && e.is_object())
        .count() as i64
}

#[test]
fn dev_articles_land_in_postgres_with_their_people_dates_acronyms_and_the_record_as_jsonb() {
    let pg = PgServer::start();
    let sb = Sandbox::with_sinks(&default_chain(), &sinks(&pg), "");
    let daemon = sb.start();
    drop_articles(&sb, &dev_articles());
    assert!(
        wait_until(60, || files_in(sb.path("drop/processed")).len() == 5),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
    let records = sb.records();
    assert_eq!(records.len(), 5);
    let mut ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    let in_pg = pg.psql("enrichd", "SELECT id FROM documents ORDER BY id");
    assert_eq!(in_pg.lines().collect::<Vec<_>>(), ids);
    assert_eq!(
        pg.value::<i64>(
            "SELECT count(*) FROM documents WHERE record->>'id' = id AND source_name LIKE '%.txt'
             AND text <> '' AND ingested_at IS NOT NULL AND jsonb_array_length(record->'pipeline') = 5"
        ),
        5
    );
    let people = entries(&records, "people", Some("name"));
    assert!(people > 0, "the dev articles name people");
    assert_eq!(pg.value::<i64>("SELECT count(*) FROM people"), people);
    assert_eq!(
        pg.value::<i64>("SELECT count(*) FROM dates"),
        entries(&records, "dates", None)
    );
    assert_eq!(
        pg.value::<i64>("SELECT count(*) FROM acronyms"),
        entries(&records, "acronyms", Some("short"))
    );
    // One person, column by column, as the record has them.
    let (doc, person) = records
        .iter()
        .find_map(|r| {
            let p = r["people"]
                .as_array()?
                .iter()
                .position(|p| p["rank"].is_string())?;
            Some((r, p))
        })
        .expect("someone with a rank");
    let p = &doc["people"][person];
    let row = pg.psql(
        "enrichd",
        &format!(
            "SELECT name, rank, rank_code, titles FROM people WHERE doc_id = '{}' AND ord = {person}",
            doc["id"].as_str().unwrap()
        ),
    );
    let titles: Value = serde_json::from_str(row.rsplit('|').next().unwrap()).unwrap();
    assert_eq!(titles, p["titles"]);
    assert!(
        row.starts_with(&format!(
            "{}|{}|{}|",
            p["name"].as_str().unwrap(),
            p["rank"].as_str().unwrap(),
            p["rank_code"].as_str().unwrap_or("")
        )),
        "{row}"
    );
}

#[test]
fn files_dropped_while_the_server_is_down_stay_and_are_delivered_once_when_it_is_back() {
    let mut pg = PgServer::start();
    let sb = Sandbox::with_sinks(&default_chain(), &sinks(&pg), "");
    let daemon = sb.start();
    let articles = dev_articles();
    drop_articles(&sb, &articles[..1]);
    assert!(
        wait_until(30, || files_in(sb.path("drop/processed")).len() == 1),
        "log:\n{}",
        daemon.log()
    );

    pg.stop();
    drop_articles(&sb, &articles[1..]);
    assert!(
        wait_until(30, || daemon.log().matches("sink commit failed").count()
            >= 2),
        "log:\n{}",
        daemon.log()
    );
    let log = daemon.log();
    assert!(
        log.contains(&format!(
            "PostgreSQL server 127.0.0.1:{}/enrichd",
            pg.port()
        )),
        "the failure names the server:\n{log}"
    );
    // Nothing lost, nothing moved: the undelivered files wait in the drop folder.
    assert_eq!(files_in(sb.path("drop")).len(), 4);
    assert_eq!(files_in(sb.path("drop/processed")).len(), 1);
    assert_eq!(
        sb.records().len(),
        1,
        "the JSON Lines sink commits after PostgreSQL"
    );

    pg.restart();
    assert!(
        wait_until(60, || files_in(sb.path("drop/processed")).len() == 5),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.log().contains("sink recovered"));
    assert!(daemon.stop());
    assert!(files_in(sb.path("drop")).is_empty());
    let records = sb.records();
    assert_eq!(records.len(), 5);
    assert_eq!(pg.value::<i64>("SELECT count(*) FROM documents"), 5);
    assert_eq!(
        pg.value::<i64>("SELECT count(DISTINCT source_name) FROM documents"),
        5
    );
    assert_eq!(
        pg.value::<i64>("SELECT count(*) FROM people"),
        entries(&records, "people", Some("name"))
    );
}

#[test]
fn files_redone_after_the_state_is_lost_leave_one_row_per_record() {
    let pg = PgServer::start();
    let only_pg = format!(
        "sink:\n  type: postgres\n  url: \"{}\"\n  flush_ms: 50\n",
        pg.url()
    );
    let sb = Sandbox::with_sinks(&default_chain(), &only_pg, "");
    let articles = dev_articles();
    let counts = || {
        pg.psql(
            "enrichd",
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM people),
                    (SELECT count(*) FROM dates), (SELECT count(*) FROM acronyms)",
        )
    };
    let mut first = String::new();
    for run in 0..2 {
        let daemon = sb.start();
        drop_articles(&sb, &articles);
        assert!(
            wait_until(60, || files_in(sb.path("drop/processed")).len() == 5),
            "run {run}, log:\n{}",
            daemon.log()
        );
        let log = daemon.log();
        assert!(daemon.stop());
        assert_eq!(log.matches("delivered").count(), 5, "run {run}:\n{log}");
        if run == 0 {
            first = counts();
            assert!(first.starts_with("5|"), "{first}");
            // Forget everything the daemon knew: the files will be processed and written again.
            std::fs::remove_dir_all(sb.path("drop/.enrichd")).unwrap();
            std::fs::remove_dir_all(sb.path("drop/processed")).unwrap();
        }
    }
    assert_eq!(counts(), first);
}

fn record(id: &str, fields: Value) -> Record {
    let Value::Object(fields) = fields else {
        panic!("fields are an object")
    };
    Record {
        id: id.into(),
        source: Default::default(),
        ingested_at: "2024-01-01T00:00:00Z".into(),
        text: format!("Văn bản {id}"),
        fields: enrichd::record::fields_from(fields),
        pipeline: vec![],
    }
}

fn write(sink: &mut PostgresSink, r: &Record) {
    sink.write(&enrichd::sink::Prepared::new(r, true)).unwrap();
}

fn open(pg: &PgServer) -> PostgresSink {
    PostgresSink::open(&pg.url(), Duration::from_secs(5)).unwrap()
}

fn full_record(id: &str) -> Record {
    record(
        id,
        json!({
            "title": "Tiêu đề",
            "published": "2023-05-29T12:50:00+07:00",
            "people": [{"name": "Hoàng Xuân Chiến", "rank": "Thượng tướng", "titles": ["Thứ trưởng"]}],
            "dates": [{"text": "ngày 5/9/2019", "value": "2019-09-05", "precision": "day"}],
            "acronyms": [{"short": "QĐND", "long": "Quân đội nhân dân"}],
        }),
    )
}

const COUNTS: &str = "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM people),
                             (SELECT count(*) FROM dates), (SELECT count(*) FROM acronyms)";

#[test]
fn a_record_written_twice_in_one_batch_or_in_two_leaves_one_row_in_every_table() {
    let pg = PgServer::start();
    let mut sink = open(&pg);
    let r = full_record("a");
    write(&mut sink, &r);
    write(&mut sink, &r);
    sink.commit().unwrap();
    write(&mut sink, &r);
    sink.commit().unwrap();
    drop(sink);
    // Reopened, as after a restart; and a bare record beside it.
    let mut sink = open(&pg);
    write(&mut sink, &r);
    write(
        &mut sink,
        &record("bare", json!({"title": 7, "people": "none"})),
    );
    sink.commit().unwrap();
    assert_eq!(pg.psql("enrichd", COUNTS), "2|1|1|1");
    assert_eq!(
        pg.psql(
            "enrichd",
            "SELECT coalesce(title, 'NULL'), coalesce(published::text, 'NULL'), record->>'title'
             FROM documents ORDER BY id"
        ),
        "Tiêu đề|2023-05-29 05:50:00+00|Tiêu đề\nNULL|NULL|7"
    );
}

#[test]
fn a_failed_commit_leaves_nothing_and_the_retry_writes_the_batch_once() {
    let pg = PgServer::start();
    let mut sink = open(&pg);
    pg.psql(
        "enrichd",
        "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
         CREATE TRIGGER boom BEFORE INSERT ON acronyms FOR EACH ROW WHEN (NEW.short = 'BOOM') EXECUTE FUNCTION boom();",
    );
    write(&mut sink, &full_record("a"));
    write(
        &mut sink,
        &record("b", json!({"acronyms": [{"short": "BOOM"}]})),
    );
    let err = sink.commit().unwrap_err();
    assert!(format!("{err:#}").contains("boom"), "{err:#}");
    assert_eq!(
        pg.psql("enrichd", COUNTS),
        "0|0|0|0",
        "record a rolled back too"
    );
    pg.psql("enrichd", "DROP TRIGGER boom ON acronyms");
    sink.commit().unwrap();
    assert_eq!(pg.psql("enrichd", COUNTS), "2|1|1|2");
    sink.commit().unwrap();
    assert_eq!(
        pg.psql("enrichd", COUNTS),
        "2|1|1|2",
        "an empty commit writes nothing"
    );
    write(&mut sink, &record("c", json!({})));
    sink.rollback();
    sink.commit().unwrap();
    assert_eq!(pg.value::<i64>("SELECT count(*) FROM documents"), 2);
}

#[test]
fn commits_fail_while_the_server_is_down_and_the_next_one_reconnects_when_it_is_back() {
    let mut pg = PgServer::start();
    let mut sink = open(&pg);
    write(&mut sink, &full_record("a"));
    sink.commit().unwrap();
    pg.stop();
    write(&mut sink, &full_record("b"));
    for _ in 0..2 {
        let err = format!("{:#}", sink.commit().unwrap_err());
        assert!(
            err.contains(&format!(
                "PostgreSQL server 127.0.0.1:{}/enrichd",
                pg.port()
            )),
            "{err}"
        );
    }
    pg.restart();
    sink.commit().unwrap();
    assert_eq!(pg.psql("enrichd", COUNTS), "2|2|2|2");
}

#[test]
fn a_commit_the_server_does_not_answer_is_abandoned_and_retried_once_it_does() {
    use std::io::Write;
    let pg = PgServer::start();
    let mut sink =
        PostgresSink::open_with(&pg.url(), Duration::from_secs(5), Duration::from_secs(1)).unwrap();
    // Another session holds the documents table until told to commit.
    let mut holder = pg
        .psql_command("enrichd")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut hold = holder.stdin.take().unwrap();
    writeln!(
        hold,
        "BEGIN; LOCK TABLE documents IN ACCESS EXCLUSIVE MODE;"
    )
    .unwrap();
    assert!(wait_until(20, || {
        pg.value::<i64>(
        "SELECT count(*) FROM pg_locks WHERE relation = 'documents'::regclass AND mode = 'AccessExclusiveLock' AND granted"
    ) == 1
    }));
    write(&mut sink, &full_record("a"));
    let err = format!("{:#}", sink.commit().unwrap_err());
    assert!(err.contains("no answer within 1s"), "{err}");
    writeln!(hold, "COMMIT;").unwrap();
    drop(hold);
    assert!(holder.wait().unwrap().success());
    sink.commit().unwrap();
    // The abandoned transaction's backend finds its client gone and rolls back.
    assert!(wait_until(20, || {
        pg.value::<i64>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'enrichd' AND state <> 'idle' AND pid <> pg_backend_pid()"
    ) == 0
    }));
    assert_eq!(pg.psql("enrichd", COUNTS), "1|1|1|1");
}

#[test]
fn sinks_opening_a_new_database_at_the_same_time_all_get_the_tables() {
    let pg = PgServer::start();
    let url = pg.url();
    let start = std::sync::Barrier::new(4);
    std::thread::scope(|s| {
        let opened: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    PostgresSink::open(&url, Duration::from_secs(5)).map(drop)
                })
            })
            .collect();
        for o in opened {
            o.join().unwrap().unwrap();
        }
    });
    assert_eq!(pg.psql("enrichd", COUNTS), "0|0|0|0");
}

#[test]
fn a_server_that_is_not_there_fails_the_open_with_the_reason() {
    // A port nothing listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let url = format!("host=127.0.0.1 port={port} user=postgres dbname=enrichd");
    let err = PostgresSink::open(&url, Duration::from_secs(5))
        .err()
        .expect("no server, no sink");
    let err = format!("{err:#}");
    assert!(err.contains("cannot connect"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}/enrichd")), "{err}");
}
