//! How enrichd talks to its operator's tools: the systemd notify protocol and
//! the Prometheus endpoint, tested against the real binary.

mod support;

use std::io::{Read, Write};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::{Duration, Instant};
use support::*;

/// Datagrams from the daemon until `want` arrives (or 15 s pass).
fn until(sock: &UnixDatagram, seen: &mut Vec<String>, want: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        if let Ok(n) = sock.recv(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            let hit = msg.lines().any(|l| l.starts_with(want));
            seen.push(msg);
            if hit {
                return true;
            }
        }
    }
    false
}

#[test]
fn the_notify_protocol_says_ready_status_watchdog_reloading_and_stopping() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    let sock_path = sb.path("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let daemon = sb.start_as_service(&[
        ("NOTIFY_SOCKET", &sock_path),
        ("WATCHDOG_USEC", Path::new("400000")),
    ]);
    let mut seen = Vec::new();
    assert!(until(&sock, &mut seen, "READY=1"), "{seen:?}");
    assert!(until(&sock, &mut seen, "STATUS="), "{seen:?}");
    assert!(until(&sock, &mut seen, "WATCHDOG=1"), "{seen:?}");
    std::fs::write(sb.path("drop/a.txt"), "a\n").unwrap();
    assert!(wait_until(15, || sb.records().len() == 1));
    assert!(
        until(&sock, &mut seen, "STATUS=1 processed, 0 failed"),
        "{seen:?}"
    );
    daemon.signal("HUP");
    assert!(until(&sock, &mut seen, "RELOADING=1"), "{seen:?}");
    let reloading = seen.last().unwrap().clone();
    assert!(
        reloading.lines().any(|l| l.starts_with("MONOTONIC_USEC=")),
        "systemd 253+ needs it: {reloading:?}"
    );
    assert!(until(&sock, &mut seen, "READY=1"), "{seen:?}");
    daemon.signal("TERM");
    assert!(until(&sock, &mut seen, "STOPPING=1"), "{seen:?}");
    assert!(daemon.stop(), "exit 0");
}

#[test]
fn the_metrics_endpoint_counts_files_and_plugin_calls() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sb = Sandbox::new(
        "plugins:\n  - name: normalize\n",
        &format!("metrics:\n  listen: 127.0.0.1:{port}\n"),
    );
    let daemon = sb.start();
    std::fs::write(sb.path("drop/one.txt"), "một\n").unwrap();
    std::fs::write(sb.path("drop/empty.txt"), "").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1
            && sb.path("drop/failed/empty.txt").exists()),
        "{}",
        daemon.log()
    );
    let scrape = || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut body = Vec::new();
        let mut buf = [0u8; 8192];
        // Until the server closes, or goes quiet (a timeout ends the read, not the test).
        while let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
        }
        Some(String::from_utf8_lossy(&body).into_owned())
    };
    let mut body = String::new();
    assert!(
        wait_until(10, || {
            body = scrape().unwrap_or_default();
            body.contains("enrichd_files_processed_total 1")
                && body.contains("enrichd_files_failed_total 1")
        }),
        "{body}"
    );
    assert!(
        body.starts_with("HTTP/1.0 200") || body.starts_with("HTTP/1.1 200"),
        "{body}"
    );
    assert!(
        body.contains("enrichd_plugin_duration_seconds_count{plugin=\"normalize\"} 1"),
        "{body}"
    );
    assert!(
        body.contains("enrichd_sink_commit_duration_seconds_count"),
        "{body}"
    );
    assert!(body.contains("enrichd_queue_depth"), "{body}");
    assert!(daemon.stop());
}

#[test]
fn under_journald_log_lines_carry_syslog_priorities_and_no_colour() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    let cfg = std::fs::read_to_string(sb.config()).unwrap();
    std::fs::write(
        sb.config(),
        cfg.replace("  level: debug\n", "  level: info\n"),
    )
    .unwrap();
    let daemon = sb.start_as_service(&[("JOURNAL_STREAM", Path::new("8:12345"))]);
    std::fs::write(sb.path("drop/a.txt"), "a\n").unwrap();
    std::fs::write(sb.path("drop/b.txt"), "").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1
            && sb.path("drop/failed/b.txt").exists()),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let log = std::fs::read_to_string(sb.path("daemon.log")).unwrap();
    assert!(log.lines().all(|l| l.starts_with('<')), "{log}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("<6>") && l.contains("delivered")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.starts_with("<4>") && l.contains("failed")),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "no ANSI colour: {log}");
}
