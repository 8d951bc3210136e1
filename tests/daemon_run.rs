//! `enrichd run` end to end: the real binary on a temporary drop folder.

mod support;

use std::io::Write;
use std::time::Duration;
use support::*;

const NORMALIZE_ONLY: &str = "plugins:\n  - name: normalize\n";

#[test]
fn dev_articles_dropped_into_a_running_daemon_give_five_records() {
    let sb = Sandbox::new(&default_chain(), "");
    let daemon = sb.start();
    let articles = dev_articles();
    assert_eq!(articles.len(), 5);
    for a in &articles {
        std::fs::copy(a, sb.path("drop").join(a.file_name().unwrap())).unwrap();
    }
    assert!(
        wait_until(30, || sb.records().len() >= 5),
        "log:\n{}",
        daemon.log()
    );
    assert!(wait_until(10, || std::fs::read_dir(
        sb.path("drop/processed")
    )
    .unwrap()
    .count()
        == 5));
    assert!(daemon.stop(), "clean exit on SIGTERM");
    let records = sb.records();
    assert_eq!(records.len(), 5);
    let mut names: Vec<&str> = records
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    let expected: Vec<String> = articles
        .iter()
        .map(|a| a.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected);
    for r in &records {
        assert_eq!(r["id"], r["source"]["sha256"]);
        let steps: Vec<&str> = r["pipeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["plugin"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            ["normalize", "boilerplate", "dates", "ranks", "acronyms"]
        );
        assert!(r["pipeline"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["error"].is_null()));
        assert!(!r["text"].as_str().unwrap().is_empty());
        assert!(r["dates"].is_array() && r.get("title").is_some());
    }
    // Nothing left behind in the drop folder.
    let left: Vec<_> = std::fs::read_dir(sb.path("drop"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn files_already_present_at_start_are_processed() {
    let sb = Sandbox::new(NORMALIZE_ONLY, "");
    for i in 0..3 {
        std::fs::write(
            sb.path(&format!("drop/early{i}.txt")),
            format!("Bài {i}  có  khoảng trắng thừa \n"),
        )
        .unwrap();
    }
    let daemon = sb.start();
    assert!(
        wait_until(20, || sb.records().len() == 3),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    for r in sb.records() {
        assert!(r["text"].as_str().unwrap().starts_with("Bài "));
        assert!(
            !r["text"].as_str().unwrap().contains("  "),
            "whitespace normalised"
        );
    }
    assert!(sb.path("drop/processed/early0.txt").exists());
}

#[test]
fn a_file_written_in_chunks_gives_exactly_one_record_with_the_whole_text() {
    let sb = Sandbox::new(NORMALIZE_ONLY, "");
    let daemon = sb.start();
    std::thread::sleep(Duration::from_millis(300));
    let mut expected = String::new();
    {
        let mut f = std::fs::File::create(sb.path("drop/slow.txt")).unwrap();
        for i in 0..10 {
            let line = format!("Đoạn {i}: viết chậm từng phần.\n");
            f.write_all(line.as_bytes()).unwrap();
            f.flush().unwrap();
            f.sync_data().unwrap();
            expected.push_str(&line);
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    assert!(
        wait_until(15, || !sb.records().is_empty()),
        "log:\n{}",
        daemon.log()
    );
    // Give a would-be second record time to appear.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(daemon.stop());
    let records = sb.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["text"].as_str().unwrap(), expected);
}

#[test]
fn a_file_renamed_into_the_folder_is_taken_and_temporary_names_are_not() {
    let sb = Sandbox::new(NORMALIZE_ONLY, "");
    let daemon = sb.start();
    std::thread::sleep(Duration::from_millis(300));
    let tmp = sb.path("drop/.incoming.txt.tmp");
    std::fs::write(&tmp, "Nội dung hoàn chỉnh.\n").unwrap();
    std::fs::write(sb.path("drop/notes.part"), "half").unwrap();
    std::fs::write(sb.path("drop/.hidden.txt"), "hidden").unwrap();
    std::fs::write(sb.path("drop/backup.txt~"), "backup").unwrap();
    std::fs::rename(&tmp, sb.path("drop/incoming.txt")).unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "log:\n{}",
        daemon.log()
    );
    std::thread::sleep(Duration::from_millis(1000));
    assert!(daemon.stop());
    assert_eq!(sb.records().len(), 1);
    assert_eq!(sb.records()[0]["source"]["name"], "incoming.txt");
    for left in ["notes.part", ".hidden.txt", "backup.txt~"] {
        assert!(sb.path("drop").join(left).exists(), "{left} was touched");
    }
}

#[test]
fn a_failing_plugin_sends_the_input_to_failed_with_a_report_and_the_daemon_goes_on() {
    let sb = Sandbox::new("", "");
    let lib = c_plugin(sb.dir.path(), 1);
    let chain = format!(
        "plugins:\n  - name: normalize\n  - library: {}\n",
        lib.display()
    );
    std::fs::write(
        sb.config(),
        std::fs::read_to_string(sb.config()).unwrap() + &chain,
    )
    .unwrap();
    let daemon = sb.start();
    std::fs::write(sb.path("drop/bad.txt"), "please FAIL-ME now\n").unwrap();
    std::fs::write(sb.path("drop/good.txt"), "fine\n").unwrap();
    assert!(
        wait_until(15, || sb.path("drop/failed/bad.txt.error.json").exists()),
        "log:\n{}",
        daemon.log()
    );
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    assert!(sb.path("drop/failed/bad.txt").exists());
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sb.path("drop/failed/bad.txt.error.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["stage"], "plugin:count-c");
    assert_eq!(report["error"], "the text asked to fail");
    assert_eq!(report["file"], "bad.txt");
    let good = &sb.records()[0];
    assert_eq!(good["source"]["name"], "good.txt");
    assert_eq!(good["c_bytes"], 5);
}

#[test]
fn a_kept_input_is_not_written_again_after_a_restart() {
    let sb = Sandbox::new(NORMALIZE_ONLY, "on_success: keep\n");
    std::fs::write(sb.path("drop/kept.txt"), "Giữ lại.\n").unwrap();
    let daemon = sb.start();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    let daemon = sb.start();
    // The restart lists the folder again and meets the same input.
    assert!(
        wait_until(15, || daemon.log().matches("already delivered").count()
            >= 1),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    assert_eq!(sb.records().len(), 1);
    assert!(sb.path("drop/kept.txt").exists());
}

#[test]
fn poll_mode_takes_files_once_they_are_quiet() {
    let sb = Sandbox::new(NORMALIZE_ONLY, "");
    let cfg = std::fs::read_to_string(sb.config()).unwrap().replace(
        "watch:\n",
        "watch:\n  mode: poll\n  poll_interval_ms: 100\n",
    );
    std::fs::write(sb.config(), cfg).unwrap();
    let daemon = sb.start();
    std::fs::write(sb.path("drop/polled.txt"), "Qua thăm dò.\n").unwrap();
    assert!(
        wait_until(15, || sb.records().len() == 1),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    assert!(sb.path("drop/processed/polled.txt").exists());
}

#[test]
fn a_lone_file_is_committed_without_waiting_out_flush_ms() {
    // A batch that could wait ten minutes for more records closes as soon as none is on its way.
    let sb = Sandbox::with_sinks(
        &default_chain(),
        "sink:\n  type: jsonl\n  path: out/records.jsonl\n  batch: 64\n  flush_ms: 600000\n",
        "",
    );
    let daemon = sb.start();
    let article = &dev_articles()[0];
    let staged = sb.path("staged.txt");
    std::fs::copy(article, &staged).unwrap();
    std::fs::rename(&staged, sb.path("drop/one.txt")).unwrap();
    assert!(
        wait_until(60, || sb.records().len() == 1),
        "the record waited for more: log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
}

#[test]
fn a_backlog_larger_than_the_queue_is_taken_whole_and_once() {
    // 500 files at start: more than the queue (20) and than one chunk of the listing (64).
    let sb = Sandbox::new(NORMALIZE_ONLY, "queue: 20\n");
    for i in 0..500 {
        std::fs::write(
            sb.path(&format!("drop/backlog{i:03}.txt")),
            format!("Bài số {i}.\n"),
        )
        .unwrap();
    }
    let daemon = sb.start();
    assert!(
        // Well inside the 30 s rescan: nothing may wait for the next listing.
        wait_until(25, || sb.records().len() >= 500),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
    let mut names: Vec<String> = sb
        .records()
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    let expected: Vec<String> = (0..500).map(|i| format!("backlog{i:03}.txt")).collect();
    assert_eq!(names, expected, "every file once");
    assert_eq!(
        std::fs::read_dir(sb.path("drop/processed"))
            .unwrap()
            .count(),
        500
    );
}
