//! The NATS JetStream sink: each record is published to one subject of one stream, with the
//! record id as the `Nats-Msg-Id` header, so the server stores a record published twice once.
//!
//! Opening connects (every attempt bounded by `ack_timeout_ms`) and checks the stream: it must
//! exist and take the subject, or, with `create_stream`, it is created with the subject and the
//! configured deduplication window. An unreachable server or a wrong stream fails the open.
//!
//! `write` buffers the record; `commit` publishes the whole batch pipelined (every message sent,
//! then every acknowledgement awaited) and returns `Ok` only when the server acknowledged each
//! one as stored, a duplicate included (it was stored before). The whole commit is bounded by
//! `ack_timeout_ms`: a server that went away fails the commit instead of hanging it, and a
//! client that is not connected fails it at once. A failed commit keeps the whole batch and
//! the next commit publishes all of it again; what reached the stream the first time is
//! dropped by the server as a duplicate. That holds within the stream's deduplication window
//! only: a record published again after the window (a batch retried after a longer outage, a
//! file redone after a crash and a later restart, the same file dropped again) is stored twice.
//!
//! The client reconnects by itself (forever, backing off up to 4 s) on a runtime the sink
//! owns, whose one worker thread keeps the connection alive between commits.

use super::{Prepared, Sink};
use anyhow::{bail, Context as _};
use async_nats::connection::State;
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, stream};
use async_nats::{Client, ServerAddr};
use std::sync::Arc;
use std::time::Duration;

/// Where and how to publish (the `nats` sink's config).
#[derive(Debug, Clone)]
pub struct Settings {
    /// One or more (comma-separated) `nats://` URLs, credentials allowed.
    pub url: String,
    pub stream: String,
    pub subject: String,
    pub create_stream: bool,
    pub duplicate_window: Duration,
    pub ack_timeout: Duration,
}

/// A JetStream stream behind a NATS connection.
pub struct NatsSink {
    runtime: tokio::runtime::Runtime,
    client: Client,
    js: jetstream::Context,
    settings: Settings,
    /// "NATS stream `S` (subject `x`) at host:port", without credentials, for messages.
    place: String,
    /// The batch since the last commit.
    pending: Vec<Arc<Prepared>>,
}

impl NatsSink {
    /// Connect, and check (or create) the stream.
    pub fn open(settings: Settings) -> anyhow::Result<NatsSink> {
        let place = format!(
            "NATS stream `{}` (subject `{}`) at {}",
            settings.stream,
            settings.subject,
            without_credentials(&settings.url)
        );
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("enrichd-nats")
            .enable_all()
            .build()
            .context("cannot start the NATS sink's runtime")?;
        let (client, js) = runtime
            .block_on(connect(&settings))
            .with_context(|| place.clone())?;
        Ok(NatsSink {
            runtime,
            client,
            js,
            settings,
            place,
            pending: Vec::new(),
        })
    }
}

/// Connect and make sure the stream exists and takes the subject.
async fn connect(s: &Settings) -> anyhow::Result<(Client, jetstream::Context)> {
    let addrs = s
        .url
        .split(',')
        .map(|u| u.trim().parse::<ServerAddr>())
        .collect::<Result<Vec<_>, _>>()
        .context("`url` is not a list of NATS URLs (nats://host:port, comma-separated)")?;
    let client = async_nats::ConnectOptions::new()
        .name("enrichd")
        .connection_timeout(s.ack_timeout)
        .connect(addrs)
        .await
        .context("cannot connect")?;
    let js = jetstream::ContextBuilder::new()
        .timeout(s.ack_timeout)
        .build(client.clone());
    let existing = match js.get_stream(&s.stream).await {
        Ok(stream) => Some(stream.cached_info().config.clone()),
        Err(e) if is_not_found(&e) => None,
        Err(e) => {
            return Err(e)
                .context("cannot look the stream up (is JetStream enabled: nats-server -js?)")
        }
    };
    let config = match existing {
        Some(config) => config,
        None if !s.create_stream => {
            bail!("the stream does not exist: create it (nats stream add), or set `create_stream: true`")
        }
        None => {
            let wanted = stream::Config {
                name: s.stream.clone(),
                subjects: vec![s.subject.clone()],
                duplicate_window: s.duplicate_window,
                ..Default::default()
            };
            match js.create_stream(wanted).await {
                Ok(created) => created.cached_info().config.clone(),
                // Another instance may have created it a moment ago: take that one.
                Err(create) => match js.get_stream(&s.stream).await {
                    Ok(stream) => stream.cached_info().config.clone(),
                    Err(_) => return Err(create).context("cannot create the stream"),
                },
            }
        }
    };
    if !config
        .subjects
        .iter()
        .any(|pattern| subject_matches(pattern, &s.subject))
    {
        bail!(
            "the stream does not take the subject (its subjects: {:?}): add it (nats stream edit) or use another stream",
            config.subjects
        );
    }
    if config.duplicate_window < s.duplicate_window {
        tracing::warn!(
            stream = %s.stream,
            stream_window_s = config.duplicate_window.as_secs(),
            configured_window_s = s.duplicate_window.as_secs(),
            "the stream's deduplication window is shorter than duplicate_window_s (set only when the sink creates the stream); a record published again after it is stored twice"
        );
    }
    Ok((client, js))
}

fn is_not_found(e: &jetstream::context::GetStreamError) -> bool {
    matches!(e.kind(), GetStreamErrorKind::JetStream(je)
        if je.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND)
}

/// Whether a stream subject (with `*` and `>` wildcards) takes a literal subject.
fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut want = subject.split('.');
    for p in pattern.split('.') {
        match (p, want.next()) {
            (">", Some(_)) => return true,
            ("*", Some(_)) => {}
            (p, Some(t)) if p == t => {}
            _ => return false,
        }
    }
    want.next().is_none()
}

/// The URL(s) with any `user:password@` cut out.
fn without_credentials(url: &str) -> String {
    url.split(',')
        .map(|u| {
            let u = u.trim();
            let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            if scheme.is_empty() {
                host.to_string()
            } else {
                format!("{scheme}://{host}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The `HPUB` header block the server counts against `max_payload` with the payload.
fn header_bytes(id: &str) -> usize {
    "NATS/1.0\r\nNats-Msg-Id: \r\n\r\n".len() + id.len()
}

/// Publish every record, then await every acknowledgement; the number of duplicates.
async fn publish_all(
    client: &Client,
    js: &jetstream::Context,
    settings: &Settings,
    batch: &[Arc<Prepared>],
) -> anyhow::Result<usize> {
    if client.connection_state() != State::Connected {
        // Publishing now would only queue messages in the client until it reconnects.
        bail!("not connected (the client keeps reconnecting)");
    }
    let mut acks = Vec::with_capacity(batch.len());
    for record in batch {
        let id = &record.id;
        let message = PublishMessage::build()
            .payload(record.json.clone().into())
            .message_id(id);
        let ack = js
            .send_publish(settings.subject.clone(), message)
            .await
            .with_context(|| format!("cannot publish record {id}"))?;
        acks.push((id, ack));
    }
    let mut duplicates = 0;
    for (id, ack) in acks {
        let ack = ack
            .await
            .with_context(|| format!("record {id} was not acknowledged"))?;
        if ack.stream != settings.stream {
            bail!(
                "record {id} was stored in stream `{}`, not in the configured one",
                ack.stream
            );
        }
        duplicates += usize::from(ack.duplicate);
    }
    Ok(duplicates)
}

impl Sink for NatsSink {
    fn write(&mut self, record: &Arc<Prepared>) -> anyhow::Result<()> {
        let max = self.client.server_info().max_payload;
        let size = record.json.len() + header_bytes(&record.id);
        if max > 0 && size > max {
            bail!(
                "{}: record {} is {size} bytes, more than the server's max_payload ({max} bytes): raise max_payload in the nats-server config",
                self.place,
                record.id
            );
        }
        self.pending.push(record.clone());
        Ok(())
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let n = self.pending.len();
        let timeout = self.settings.ack_timeout;
        let batch = publish_all(&self.client, &self.js, &self.settings, &self.pending);
        // The timer is made inside the runtime: it needs the runtime's clock.
        let published = self
            .runtime
            .block_on(async { tokio::time::timeout(timeout, batch).await });
        match published {
            Ok(Ok(duplicates)) => {
                tracing::debug!(records = n, duplicates, "{}: batch stored", self.place);
                self.pending.clear();
                Ok(())
            }
            Ok(Err(e)) => Err(e.context(format!(
                "{}: a batch of {n} records is not stored yet; the retry publishes it again",
                self.place
            ))),
            Err(_) => bail!(
                "{}: a batch of {n} records was not acknowledged within {} ms (is the server up?); the retry publishes it again",
                self.place,
                timeout.as_millis()
            ),
        }
    }

    fn rollback(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_subjects_take_literal_subjects_by_nats_wildcard_rules() {
        assert!(subject_matches("enrichd.records", "enrichd.records"));
        assert!(subject_matches("enrichd.*", "enrichd.records"));
        assert!(subject_matches("enrichd.>", "enrichd.records.vi"));
        assert!(subject_matches(">", "records"));
        assert!(!subject_matches("enrichd.*", "enrichd.records.vi"));
        assert!(!subject_matches("enrichd.>", "enrichd"));
        assert!(!subject_matches("enrichd.records", "enrichd.records.vi"));
        assert!(!subject_matches("enrichd.records.vi", "enrichd.records"));
        assert!(!subject_matches("other.records", "enrichd.records"));
    }

    #[test]
    fn messages_name_the_server_without_its_password() {
        assert_eq!(
            without_credentials("nats://enrichd:s3cret@10.0.0.1:4222"),
            "nats://10.0.0.1:4222"
        );
        assert_eq!(
            without_credentials("nats://a:4222, nats://u:p@b:4222"),
            "nats://a:4222,nats://b:4222"
        );
        assert_eq!(without_credentials("localhost:4222"), "localhost:4222");
    }

    #[test]
    fn an_unreachable_server_fails_the_open_within_the_timeout_and_names_it() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let err = NatsSink::open(Settings {
            url: format!("nats://user:pw@127.0.0.1:{port}"),
            stream: "S".into(),
            subject: "s".into(),
            create_stream: true,
            duplicate_window: Duration::from_secs(60),
            ack_timeout: Duration::from_millis(500),
        })
        .err()
        .expect("nothing listens there");
        let msg = format!("{err:#}");
        assert!(
            msg.contains(&format!("at nats://127.0.0.1:{port}")) && msg.contains("cannot connect"),
            "{msg}"
        );
        assert!(!msg.contains("pw"), "{msg}");
    }
}
