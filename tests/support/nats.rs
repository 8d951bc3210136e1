//! A real `nats-server -js` on loopback for the NATS sink's tests, and a reader of what a
//! stream holds. Include it beside `support` (`#[path = "support/nats.rs"] mod nats_server;`).
#![allow(dead_code)]

use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `nats-server` binary: on `PATH`, or where Debian's package puts it.
fn binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("nats-server"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("nats-server is not installed: install nats-server (apt-get install nats-server) to run the NATS sink tests")
        })
}

/// A loopback port that is free now and that this process has not handed out before.
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// A `nats-server` with JetStream, its store in a temporary folder; killed when dropped.
pub struct NatsServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// Start on a free loopback port and wait until it is ready.
    pub fn start() -> NatsServer {
        let mut last = String::new();
        // A port found free can be taken before the server binds it: then try another.
        for _ in 0..5 {
            let mut server = NatsServer {
                port: free_port(),
                dir: tempfile::tempdir().expect("tempdir"),
                child: None,
            };
            match server.launch() {
                Ok(()) => return server,
                Err(log) => last = log,
            }
        }
        panic!("nats-server did not start:\n{last}");
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Start again on the same port with the same store, and wait until it is ready.
    pub fn restart(&mut self) {
        if let Err(log) = self.launch() {
            panic!("nats-server did not restart on port {}:\n{log}", self.port);
        }
    }

    /// Spawn the server and wait for its own "Server is ready" (another process answering on
    /// the port does not count); `Err(its log)` when it exits or never gets ready.
    fn launch(&mut self) -> Result<(), String> {
        assert!(self.child.is_none(), "the server is already running");
        let log_path = self.log_path();
        let _ = std::fs::remove_file(&log_path);
        let log = std::fs::File::create(&log_path).expect("server log");
        let child = Command::new(binary())
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(self.dir.path().join("store"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.log().contains("Server is ready") {
                return Ok(());
            }
            let exited = matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(Some(_))));
            if exited || Instant::now() > deadline {
                self.stop();
                return Err(self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Stop it (SIGTERM, then wait; SIGKILL if it lingers). The store stays.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::support::stop_child(&mut child, "TERM", Duration::from_secs(10));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One message of a stream: its `Nats-Msg-Id` header and its payload as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub msg_id: Option<String>,
    pub subject: String,
    pub payload: Value,
}

/// Every message the stream holds, in order.
pub fn stream_messages(url: &str, stream: &str) -> Vec<Stored> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = async_nats::connect(url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        let js = async_nats::jetstream::new(client);
        let mut handle = js
            .get_stream(stream)
            .await
            .unwrap_or_else(|e| panic!("stream {stream}: {e}"));
        let state = handle.info().await.expect("stream info").state.clone();
        let mut out = Vec::new();
        if state.messages == 0 {
            return out;
        }
        for seq in state.first_sequence..=state.last_sequence {
            let m = handle
                .get_raw_message(seq)
                .await
                .unwrap_or_else(|e| panic!("message {seq} of {stream}: {e}"));
            out.push(Stored {
                msg_id: m
                    .headers
                    .get(async_nats::header::NATS_MESSAGE_ID)
                    .map(|v| v.as_str().to_string()),
                subject: m.subject.to_string(),
                payload: serde_json::from_slice(&m.payload)
                    .unwrap_or_else(|e| panic!("message {seq} is not JSON: {e}")),
            });
        }
        out
    })
}
