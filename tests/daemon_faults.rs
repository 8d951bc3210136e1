//! The daemon survives plugin faults, bad inputs, sink failures and signals:
//! every input ends as exactly one record, or in `failed/` with its reason.

mod support;

use serde_json::Value;
use std::time::{Duration, Instant};
use support::*;

fn faulty_lib() -> String {
    let lib = plugin_dir().join("libenrichd_test_faulty.so");
    assert!(
        lib.exists(),
        "{} missing: cargo build --workspace",
        lib.display()
    );
    lib.display().to_string()
}

fn chain_with_faulty(extra: &str) -> String {
    format!(
        "plugins:\n  - name: normalize\n  - library: {}\n{extra}",
        faulty_lib()
    )
}

fn report(sb: &Sandbox, name: &str) -> Value {
    let p = sb.path(&format!("drop/failed/{name}.error.json"));
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap()
}

#[test]
fn a_panicking_plugin_fails_only_its_file_with_the_panic_message() {
    let sb = Sandbox::new(&chain_with_faulty(""), "");
    let daemon = sb.start();
    std::fs::write(sb.path("drop/boom.txt"), "PANIC-ME\n").unwrap();
    std::fs::write(sb.path("drop/calm.txt"), "calm\n").unwrap();
    assert!(
        wait_until(15, || sb.path("drop/failed/boom.txt.error.json").exists()
            && sb.records().len() == 1),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let r = report(&sb, "boom.txt");
    assert_eq!(r["stage"], "plugin:faulty");
    assert_eq!(r["error"], "plugin panicked: asked to panic");
    assert_eq!(r["attempts"], 1);
    assert_eq!(sb.records()[0]["faulty_seen"], true);
}

#[test]
fn skip_plugin_lets_the_record_through_with_the_error_noted() {
    let sb = Sandbox::new(
        &chain_with_faulty("    on_error: skip_plugin\n  - name: normalize\n"),
        "",
    );
    let daemon = sb.start();
    std::fs::write(sb.path("drop/err.txt"), "ERROR-ME please\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let r = &sb.records()[0];
    let steps = r["pipeline"].as_array().unwrap();
    assert_eq!(steps.len(), 3, "the chain went on after the skipped plugin");
    assert_eq!(steps[1]["plugin"], "faulty");
    assert_eq!(steps[1]["error"], "asked to fail");
    assert!(steps[2]["error"].is_null());
    assert!(r.get("faulty_seen").is_none());
    assert!(sb.path("drop/processed/err.txt").exists());
}

#[test]
fn a_hanging_plugin_call_times_out_fails_its_file_and_the_daemon_goes_on() {
    let sb = Sandbox::new(
        &chain_with_faulty("    timeout_ms: 300\n"),
        "workers: 1\nshutdown_grace_ms: 500\n",
    );
    let daemon = sb.start();
    std::fs::write(sb.path("drop/stuck.txt"), "HANG-ME\n").unwrap();
    assert!(
        wait_until(15, || sb.path("drop/failed/stuck.txt.error.json").exists()),
        "{}",
        daemon.log()
    );
    // One worker, and it is stuck forever: later files still get through.
    std::fs::write(sb.path("drop/after.txt"), "after\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "{}",
        daemon.log()
    );
    let r = report(&sb, "stuck.txt");
    assert_eq!(r["stage"], "plugin:faulty");
    assert!(r["error"].as_str().unwrap().contains("timed out"), "{r}");
    assert!(daemon.stop(), "exits cleanly despite the stuck thread");
}

#[test]
fn a_hanging_call_gives_its_files_room_in_the_inflight_budget_back() {
    // The stuck file alone is larger than the budget: had its room stayed taken with the
    // abandoned thread, no later file would ever get in.
    let sb = Sandbox::new(
        &chain_with_faulty("    timeout_ms: 300\n"),
        "workers: 1\nshutdown_grace_ms: 500\nmax_inflight_bytes: 64\n",
    );
    let daemon = sb.start();
    std::fs::write(
        sb.path("drop/stuck.txt"),
        format!("HANG-ME {}\n", "x".repeat(200)),
    )
    .unwrap();
    assert!(
        wait_until(15, || sb.path("drop/failed/stuck.txt.error.json").exists()),
        "{}",
        daemon.log()
    );
    for name in ["a", "b"] {
        std::fs::write(sb.path(&format!("drop/{name}.txt")), "after\n").unwrap();
    }
    assert!(
        wait_until(15, || sb.records().len() == 2),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
}

#[test]
fn a_file_that_kills_the_daemon_three_times_is_quarantined_as_poison() {
    let sb = Sandbox::new(&chain_with_faulty(""), "");
    std::fs::write(sb.path("drop/killer.txt"), "SEGV-ME\n").unwrap();
    for death in 1..=3 {
        let mut daemon = sb.start();
        let status = daemon
            .wait_exit(20)
            .unwrap_or_else(|| panic!("death {death} did not come:\n{}", daemon.log()));
        assert!(!status.success(), "the segfault killed it");
        assert!(sb.path("drop/killer.txt").exists());
    }
    let daemon = sb.start();
    std::fs::write(sb.path("drop/innocent.txt"), "innocent\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let r = report(&sb, "killer.txt");
    assert_eq!(r["stage"], "poison");
    assert_eq!(r["attempts"], 3);
    assert!(!sb.path("drop/killer.txt").exists());
}

#[test]
fn sigterm_while_the_plugins_start_up_is_a_clean_stop() {
    let sb = Sandbox::new(
        &chain_with_faulty("    settings: {create_delay_ms: 2000}\n"),
        "",
    );
    let daemon = sb.start();
    // Well inside the plugin's start-up, before the daemon loop runs.
    std::thread::sleep(Duration::from_millis(500));
    assert!(!daemon.log().contains("enrichd is running"));
    let stopped = daemon.stop();
    let log = std::fs::read_to_string(sb.path("daemon.log")).unwrap_or_default();
    assert!(stopped, "exit 0, not killed by the signal; log:\n{log}");
    assert!(log.contains("stopping"), "{log}");
}

#[test]
fn sigterm_abandons_a_stuck_file_after_the_grace_period_and_keeps_it_for_the_next_start() {
    let sb = Sandbox::new(
        &chain_with_faulty("    timeout_ms: 60000\n"),
        "shutdown_grace_ms: 300\n",
    );
    let daemon = sb.start();
    std::fs::write(sb.path("drop/slowpoke.txt"), "HANG-ME\n").unwrap();
    assert!(
        wait_until(15, || daemon.log().contains("slowpoke")),
        "{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    assert!(daemon.stop(), "exit 0");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(sb.path("drop/slowpoke.txt").exists(), "abandoned, not lost");
    assert!(sb.records().is_empty());
}

#[test]
fn sighup_reloads_the_chain_and_a_bad_config_keeps_the_running_one() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    let original = std::fs::read_to_string(sb.config()).unwrap();
    let daemon = sb.start();
    std::fs::write(sb.path("drop/one.txt"), "one\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "{}",
        daemon.log()
    );
    // A broken config is refused; the daemon keeps going.
    std::fs::write(sb.config(), format!("{original}bogus_key: 1\n")).unwrap();
    daemon.signal("HUP");
    assert!(
        wait_until(15, || daemon.log().contains("reload refused")),
        "{}",
        daemon.log()
    );
    std::fs::write(sb.path("drop/two.txt"), "two\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 2),
        "{}",
        daemon.log()
    );
    // A good one adds a plugin to the chain.
    std::fs::write(
        sb.config(),
        format!("{original}  - library: {}\n", faulty_lib()),
    )
    .unwrap();
    daemon.signal("HUP");
    assert!(
        wait_until(15, || daemon.log().contains("reloaded the plugin chain")),
        "{}",
        daemon.log()
    );
    std::fs::write(sb.path("drop/three.txt"), "three\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 3),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let records = sb.records();
    assert!(records[1].get("faulty_seen").is_none());
    assert_eq!(records[2]["faulty_seen"], true);
}

#[test]
fn a_full_disk_under_the_sink_keeps_inputs_until_their_records_are_durable() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    std::fs::create_dir_all(sb.path("out")).unwrap();
    let real = sb.path("out/real.jsonl");
    let sink = sb.path("out/records.jsonl");
    std::os::unix::fs::symlink("/dev/full", &sink).unwrap();
    let daemon = sb.start();
    std::fs::write(sb.path("drop/waiting.txt"), "waiting\n").unwrap();
    assert!(
        wait_until(15, || daemon.log().contains("sink commit failed")),
        "{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        sb.path("drop/waiting.txt").exists(),
        "nothing acknowledged early"
    );
    // Space comes back.
    std::fs::remove_file(&sink).unwrap();
    std::os::unix::fs::symlink(&real, &sink).unwrap();
    assert!(
        wait_until(20, || sb.path("drop/processed/waiting.txt").exists()),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let records = parse_jsonl(&std::fs::read_to_string(&real).unwrap());
    assert_eq!(records.len(), 1);
}

/// Each bad input has one clear outcome, and the daemon stays up for the next.
#[test]
fn bad_inputs_each_get_a_record_or_a_reason() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "max_file_bytes: 1000\n");
    let drop = sb.path("drop");
    let write = |name: &str, bytes: &[u8]| std::fs::write(drop.join(name), bytes).unwrap();
    write("empty.txt", b"");
    write("binary.txt", b"\x7fELF\x02\x01\x01\0\0\0\0");
    write("cp1258.txt", b"Ha\xcc N\xf4\xf2i\n"); // "Hà Nội" in Windows-1258
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend("Quốc phòng\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
    write("utf16.txt", &utf16);
    write("nfd.txt", "Quo\u{302}\u{301}c pho\u{300}ng\n".as_bytes());
    write("big.txt", &[b'a'; 1001]);
    write(
        "tên có dấu và khoảng trắng.txt",
        "Tên tiếng Việt.\n".as_bytes(),
    );
    write("line\nbreak.txt", b"newline in the name\n");
    std::os::unix::fs::symlink("/etc/hostname", drop.join("escape.txt")).unwrap();
    let daemon = sb.start();
    let failed = ["empty.txt", "binary.txt", "big.txt", "escape.txt"];
    assert!(
        wait_until(20, || sb.records().len() == 5
            && failed.iter().all(|f| sb
                .path(&format!("drop/failed/{f}.error.json"))
                .exists())),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    for (name, needle) in [
        ("empty.txt", "is empty"),
        ("binary.txt", "binary"),
        ("big.txt", "over the limit"),
        ("escape.txt", "symbolic link"),
    ] {
        let r = report(&sb, name);
        assert_eq!(r["stage"], "ingest", "{name}");
        assert!(r["error"].as_str().unwrap().contains(needle), "{name}: {r}");
    }
    let by_name = |n: &str| {
        sb.records()
            .into_iter()
            .find(|r| r["source"]["name"] == n)
            .unwrap_or_else(|| panic!("no record for {n}"))
    };
    assert_eq!(by_name("cp1258.txt")["text"], "Hà Nội\n");
    assert_eq!(by_name("cp1258.txt")["source_encoding"], "windows-1258");
    assert_eq!(by_name("utf16.txt")["text"], "Quốc phòng\n");
    assert_eq!(by_name("utf16.txt")["source_encoding"], "UTF-16LE");
    assert_eq!(by_name("nfd.txt")["text"], "Quốc phòng\n");
    assert!(by_name("nfd.txt").get("source_encoding").is_none());
    assert_eq!(
        by_name("tên có dấu và khoảng trắng.txt")["text"],
        "Tên tiếng Việt.\n"
    );
    assert_eq!(by_name("line\nbreak.txt")["text"], "newline in the name\n");
    assert!(std::fs::symlink_metadata(sb.path("drop/failed/escape.txt"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn ten_thousand_files_at_once_each_give_exactly_one_record() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    let daemon = sb.start();
    std::thread::sleep(Duration::from_millis(300));
    let n = 10_000;
    for i in 0..n {
        let tmp = sb.path(&format!("drop/.f{i}.tmp"));
        std::fs::write(&tmp, format!("Tệp số {i}.\n")).unwrap();
        std::fs::rename(&tmp, sb.path(&format!("drop/f{i}.txt"))).unwrap();
    }
    assert!(
        wait_until(240, || sb.records().len() >= n),
        "{} records\n",
        sb.records().len()
    );
    assert!(wait_until(30, || std::fs::read_dir(
        sb.path("drop/processed")
    )
    .unwrap()
    .count()
        == n));
    assert!(daemon.stop());
    let records = sb.records();
    assert_eq!(records.len(), n);
    let names: std::collections::HashSet<&str> = records
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), n, "no duplicates");
}

#[test]
fn plugin_output_that_is_not_one_json_object_fails_the_record_and_valid_output_is_kept() {
    // The C example plugin returns what follows FIELDS-ME in the text as its fields JSON:
    // the Rust export macro never writes invalid JSON, a plugin in another language may.
    let sb = Sandbox::new("", "");
    let lib = c_plugin(sb.dir.path(), 1);
    let chain = format!("plugins:\n  - library: {}\n", lib.display());
    std::fs::write(
        sb.config(),
        std::fs::read_to_string(sb.config()).unwrap() + &chain,
    )
    .unwrap();
    let bad = [
        ("comma.txt", r#"{"a": 1,}"#),
        ("array.txt", "[1]"),
        ("two.txt", r#"{"a": 1} {"b": 2}"#),
        ("unclosed.txt", r#"{"a": "x"#),
        ("control.txt", "{\"a\": \"tab\there\"}"),
        ("number.txt", r#"{"a": 01}"#),
    ];
    let good = [
        (
            "nested.txt",
            r#"{"a": 1, "b": [true, null, {"c": "\u00e9 \"q\""}], "d": -2.5e3}"#,
        ),
        ("twice.txt", r#"{"dup": 1, "dup": 2}"#),
        ("escaped.txt", r#"{"n\u0061me": "x", "e": {}}"#),
    ];
    let daemon = sb.start();
    for (name, text) in bad.iter().chain(&good) {
        std::fs::write(sb.path(&format!("drop/{name}")), format!("FIELDS-ME{text}")).unwrap();
    }
    assert!(
        wait_until(15, || sb.records().len() == good.len()
            && bad.iter().all(|(name, _)| sb
                .path(&format!("drop/failed/{name}.error.json"))
                .exists())),
        "{}",
        daemon.log()
    );
    assert!(daemon.stop());
    for (name, _) in bad {
        let r = report(&sb, name);
        assert_eq!(r["stage"], "plugin:count-c", "{name}");
        let error = r["error"].as_str().unwrap();
        assert!(
            error.starts_with("returned fields that are not a JSON object: "),
            "{name}: {error}"
        );
    }
    let records = sb.records();
    let by_name = |name: &str| {
        records
            .iter()
            .find(|r| r["source"]["name"] == name)
            .unwrap_or_else(|| panic!("no record of {name}"))
    };
    let nested = by_name("nested.txt");
    assert_eq!(nested["a"], 1);
    assert_eq!(
        nested["b"],
        serde_json::json!([true, null, {"c": "é \"q\""}])
    );
    assert_eq!(nested["d"], -2500.0);
    // A name given twice: the last one counts, as in any JSON object read into a map.
    assert_eq!(by_name("twice.txt")["dup"], 2);
    assert_eq!(by_name("escaped.txt")["name"], "x");
    assert_eq!(by_name("escaped.txt")["e"], serde_json::json!({}));
}
