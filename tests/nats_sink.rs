//! The NATS JetStream sink against a real `nats-server -js` on loopback: records reach the
//! stream once each, keyed by record id, across instances and across a server outage.

#[path = "support/nats.rs"]
mod nats_server;
mod support;

use enrichd::record::Record;
use enrichd::sink::nats::{NatsSink, Settings};
use enrichd::sink::{Prepared, Sink};
use nats_server::{stream_messages, NatsServer, Stored};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use support::*;

const STREAM: &str = "RECORDS";
const SUBJECT: &str = "enrichd.records";

/// The sinks: the stream, and the JSON Lines file that `Sandbox::records` reads.
fn nats_sink(server: &NatsServer) -> String {
    format!(
        "sinks:\n  - type: nats\n    url: {}\n    stream: {STREAM}\n    subject: {SUBJECT}\n    flush_ms: 50\n    ack_timeout_ms: 2000\n  - type: jsonl\n    path: out/records.jsonl\n    flush_ms: 50\n",
        server.url()
    )
}

fn drop_articles(sb: &Sandbox) {
    for a in dev_articles() {
        std::fs::copy(&a, sb.path("drop").join(a.file_name().unwrap())).unwrap();
    }
}

/// The input files still waiting in the drop folder.
fn waiting(sb: &Sandbox) -> usize {
    std::fs::read_dir(sb.path("drop"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .count()
}

/// Run a daemon on the five dev articles until they are delivered and have left the drop folder.
fn deliver_articles(sb: &Sandbox) {
    let daemon = sb.start();
    drop_articles(sb);
    assert!(
        wait_until(40, || sb.records().len() == 5 && waiting(sb) == 0),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
}

/// Every stored message carries its record's id as `Nats-Msg-Id`, each id once.
fn distinct_ids(stored: &[Stored]) -> BTreeSet<String> {
    let ids: BTreeSet<String> = stored
        .iter()
        .map(|m| {
            let id = m.msg_id.clone().expect("a Nats-Msg-Id header");
            assert_eq!(m.payload["id"], id.as_str(), "Nats-Msg-Id is the record id");
            assert_eq!(m.subject, SUBJECT);
            id
        })
        .collect();
    assert_eq!(ids.len(), stored.len(), "an id stored twice: {stored:?}");
    ids
}

#[test]
fn dev_articles_reach_the_stream_as_five_messages_equal_to_the_records() {
    let server = NatsServer::start();
    let sb = Sandbox::with_sinks(&default_chain(), &nats_sink(&server), "");
    deliver_articles(&sb);
    let stored = stream_messages(&server.url(), STREAM);
    assert_eq!(stored.len(), 5, "{stored:?}");
    distinct_ids(&stored);
    let mut in_stream: Vec<Value> = stored.into_iter().map(|m| m.payload).collect();
    let mut in_file = sb.records();
    let by_id = |a: &Value, b: &Value| a["id"].as_str().cmp(&b["id"].as_str());
    in_stream.sort_by(by_id);
    in_file.sort_by(by_id);
    assert_eq!(in_stream, in_file, "the payloads are the records");
}

#[test]
fn a_durable_pull_consumer_reads_each_record_once() {
    use async_nats::jetstream::{self, consumer::pull};
    use futures_util::StreamExt;

    let server = NatsServer::start();
    let sb = Sandbox::with_sinks(&default_chain(), &nats_sink(&server), "");
    deliver_articles(&sb);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // The README's consumer, with a deadline on each message.
    let (read, pending) = runtime.block_on(async {
        let js = jetstream::new(async_nats::connect(server.url()).await.unwrap());
        let consumer = js
            .get_stream(STREAM)
            .await
            .unwrap()
            .get_or_create_consumer(
                "indexer",
                pull::Config {
                    durable_name: Some("indexer".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut messages = consumer.messages().await.unwrap();
        let mut read = Vec::new();
        while read.len() < 5 {
            let message = tokio::time::timeout(Duration::from_secs(20), messages.next())
                .await
                .expect("a message within 20 s")
                .expect("the stream of messages goes on")
                .unwrap();
            read.push(serde_json::from_slice::<Value>(&message.payload).unwrap());
            // The README's `ack`, waiting for the server's confirmation so the count below is final.
            message.double_ack().await.unwrap();
        }
        let mut consumer = consumer;
        let info = consumer.info().await.unwrap();
        (read, info.num_pending + info.num_ack_pending as u64)
    });
    let ids: BTreeSet<&str> = read.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 5, "five distinct records");
    assert_eq!(pending, 0, "nothing left for the consumer");
}

#[test]
fn a_second_instance_with_the_same_files_adds_nothing_to_the_stream() {
    let server = NatsServer::start();
    let first = Sandbox::with_sinks(&default_chain(), &nats_sink(&server), "");
    deliver_articles(&first);
    let before = distinct_ids(&stream_messages(&server.url(), STREAM));
    assert_eq!(before.len(), 5);
    // Another instance (its own drop folder and state) gets the same files: it delivers all
    // five, and the server drops them as duplicates of the records it holds.
    let second = Sandbox::with_sinks(&default_chain(), &nats_sink(&server), "");
    deliver_articles(&second);
    let after = stream_messages(&server.url(), STREAM);
    assert_eq!(after.len(), 5, "{after:?}");
    assert_eq!(distinct_ids(&after), before);
}

#[test]
fn files_wait_in_the_drop_folder_while_the_server_is_down_and_go_once_when_it_is_back() {
    let mut server = NatsServer::start();
    let sb = Sandbox::with_sinks(&default_chain(), &nats_sink(&server), "");
    let daemon = sb.start();
    assert!(
        wait_until(20, || daemon.log().contains("enrichd is running")),
        "log:\n{}",
        daemon.log()
    );
    server.stop();
    drop_articles(&sb);
    assert!(
        wait_until(30, || daemon.log().contains("sink commit failed")),
        "log:\n{}",
        daemon.log()
    );
    assert_eq!(waiting(&sb), 5, "the inputs stay while the sink fails");
    assert!(
        sb.records().is_empty(),
        "nothing delivered during the outage"
    );
    server.restart();
    assert!(
        wait_until(60, || sb.records().len() == 5 && waiting(&sb) == 0),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
    let stored = stream_messages(&server.url(), STREAM);
    assert_eq!(stored.len(), 5, "{stored:?}");
    let ids: BTreeSet<String> = sb
        .records()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(distinct_ids(&stored), ids);
}

fn record(id: &str) -> Record {
    Record {
        id: id.into(),
        source: Default::default(),
        ingested_at: "2026-01-01T00:00:00Z".into(),
        text: format!("text of {id}"),
        fields: Default::default(),
        pipeline: Vec::new(),
    }
}

fn prepared(record: &Record) -> Arc<Prepared> {
    Prepared::new(record, false)
}

fn settings(server: &NatsServer) -> Settings {
    Settings {
        url: server.url(),
        stream: STREAM.into(),
        subject: SUBJECT.into(),
        create_stream: true,
        duplicate_window: Duration::from_secs(3600),
        ack_timeout: Duration::from_millis(1000),
    }
}

#[test]
fn a_commit_during_an_outage_fails_keeps_the_batch_and_a_later_commit_stores_it_once() {
    let mut server = NatsServer::start();
    let mut sink = NatsSink::open(settings(&server)).expect("the sink opens");
    for id in ["a1", "a2"] {
        sink.write(&prepared(&record(id))).unwrap();
    }
    sink.commit().expect("the first batch is stored");
    // The same records again (a file redone after a crash): acknowledged as duplicates.
    for id in ["a1", "a2"] {
        sink.write(&prepared(&record(id))).unwrap();
    }
    sink.commit().expect("duplicates are acknowledged");
    assert_eq!(stream_messages(&server.url(), STREAM).len(), 2);

    server.stop();
    for id in ["b1", "b2"] {
        sink.write(&prepared(&record(id))).unwrap();
    }
    // The commit must come back (with an error), not hang: run it aside, with a deadline.
    let (tx, rx) = std::sync::mpsc::channel();
    let aside = std::thread::spawn(move || {
        let result = sink.commit().map_err(|e| format!("{e:#}"));
        tx.send(result).unwrap();
        sink
    });
    let failed = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a commit during the outage returns");
    let mut sink = aside.join().unwrap();
    let err = failed.expect_err("nothing can be stored while the server is down");
    assert!(
        err.contains(&format!("NATS stream `{STREAM}`")) && err.contains("2 records"),
        "{err}"
    );

    server.restart();
    // The client reconnects by itself; the kept batch goes with the first commit after that.
    assert!(
        wait_until(30, || sink.commit().is_ok()),
        "no commit succeeded after the restart:\n{}",
        server.log()
    );
    let stored = stream_messages(&server.url(), STREAM);
    let ids = distinct_ids(&stored);
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        ["a1", "a2", "b1", "b2"],
        "{stored:?}"
    );
}

#[test]
fn a_missing_stream_is_an_error_when_the_sink_may_not_create_it() {
    let server = NatsServer::start();
    let err = NatsSink::open(Settings {
        create_stream: false,
        ..settings(&server)
    })
    .err()
    .expect("no stream, no sink");
    assert!(
        format!("{err:#}").contains("the stream does not exist"),
        "{err:#}"
    );
}

#[test]
fn a_record_over_the_servers_max_payload_is_refused_before_publishing() {
    let server = NatsServer::start();
    let mut sink = NatsSink::open(settings(&server)).expect("the sink opens");
    let mut big = record("big");
    big.text = "x".repeat(1024 * 1024 + 1); // the server's default max_payload is 1 MiB
    let err = sink
        .write(&prepared(&big))
        .expect_err("too large to publish");
    assert!(format!("{err:#}").contains("max_payload"), "{err:#}");
    // The sink goes on: a record that fits is stored.
    sink.write(&prepared(&record("small"))).unwrap();
    sink.commit().unwrap();
    assert_eq!(stream_messages(&server.url(), STREAM).len(), 1);
}

#[test]
fn a_record_larger_than_the_server_takes_fails_its_file_and_the_rest_of_the_batch_goes_on() {
    let server = NatsServer::start();
    let sb = Sandbox::with_sinks("plugins:\n  - name: normalize\n", &nats_sink(&server), "");
    let daemon = sb.start();
    // Over the server's default max_payload (1 MiB) once it is a record.
    let big = "Quân đội nhân dân Việt Nam. ".repeat(40_000);
    std::fs::write(sb.path("drop/big.txt"), big).unwrap();
    drop_articles(&sb);
    assert!(
        wait_until(40, || sb.records().len() == 5
            && sb.path("drop/failed/big.txt.error.json").exists()),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(sb.path("drop/failed/big.txt.error.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["stage"], "sink");
    assert!(
        report["error"].as_str().unwrap().contains("max_payload"),
        "{report}"
    );
    assert_eq!(stream_messages(&server.url(), STREAM).len(), 5);
    assert_eq!(waiting(&sb), 0, "nothing left in the drop folder");
}
