//! The SQLite sink and `enrichd search` end to end: the real daemon writes the dev articles
//! to a JSON Lines file and a database, the real binary searches the database.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use support::*;

const BOTH_SINKS: &str = "sinks:\n  - type: jsonl\n    path: out/records.jsonl\n    flush_ms: 50\n  - type: sqlite\n    path: out/enrichd.db\n    flush_ms: 50\n";
const SQLITE_ONLY: &str = "sinks:\n  - type: sqlite\n    path: out/enrichd.db\n    flush_ms: 50\n";

/// An article with a publication stamp (no dev article has one).
const DATED: &str = "Bộ trưởng Quốc phòng tiếp đoàn đại biểu quân sự Lào\n\nThứ Năm, 05/09/2019 - 18:32\n\nChiều 5/9, tại Hà Nội, Đại tướng Ngô Xuân Lịch, Bộ trưởng Bộ Quốc phòng, đã tiếp đoàn đại biểu quân sự cấp cao Quân đội nhân dân Lào.\n\nHai bên đã trao đổi về hợp tác quốc phòng giữa hai nước trong thời gian tới.\n";

fn documents(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap()
}

fn processed(sb: &Sandbox) -> usize {
    std::fs::read_dir(sb.path("drop/processed")).map_or(0, |d| d.count())
}

fn drop_dev_articles(sb: &Sandbox) {
    for a in dev_articles() {
        std::fs::copy(&a, sb.path("drop").join(a.file_name().unwrap())).unwrap();
    }
}

/// Run `enrichd search ARGS --json` on the sandbox's config; the ids found, in order.
fn search(sb: &Sandbox, args: &[&str]) -> (Vec<String>, Output) {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let out = sb.enrichd(&all);
    let ids = parse_jsonl(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    (ids, out)
}

/// The ids of the records for which `keep` holds.
fn ids_where(records: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    records
        .iter()
        .filter(|r| keep(r))
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn names_someone(r: &Value, test: impl Fn(&Value) -> bool) -> bool {
    r["people"].as_array().is_some_and(|p| p.iter().any(&test))
}

#[test]
fn dev_articles_reach_both_sinks_once_and_search_finds_them_without_diacritics() {
    let sb = Sandbox::with_sinks(&default_chain(), BOTH_SINKS, "");
    let db = sb.path("out/enrichd.db");
    let daemon = sb.start();
    drop_dev_articles(&sb);
    assert!(
        wait_until(60, || processed(&sb) == 5),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
    assert_eq!(sb.records().len(), 5);
    assert_eq!(documents(&db), 5);

    // Restart and drop the same files again, and one dated article.
    let daemon = sb.start();
    drop_dev_articles(&sb);
    std::fs::write(sb.path("drop/dated.txt"), DATED).unwrap();
    assert!(
        wait_until(60, || processed(&sb) == 11),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop(), "clean exit on SIGTERM");
    let records = sb.records();
    assert_eq!(records.len(), 6);
    assert_eq!(documents(&db), 6);

    // Words typed without diacritics find the articles naming Hoàng Xuân Chiến, first.
    let chien = ids_where(&records, |r| {
        r["text"].as_str().unwrap().contains("Hoàng Xuân Chiến")
    });
    assert_eq!(chien.len(), 3, "three dev articles name him");
    let (found, out) = search(&sb, &["hoang xuan chien"]);
    assert!(out.status.success(), "{out:?}");
    assert!(found.len() >= 3, "{found:?}");
    assert_eq!(found[..3].iter().cloned().collect::<BTreeSet<_>>(), chien);
    let (quoted, _) = search(&sb, &["\"hoang xuan chien\""]);
    assert_eq!(quoted.into_iter().collect::<BTreeSet<_>>(), chien);
    let hit: Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().expect("a line")).unwrap();
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("Hoàng Xuân Chiến"),
        "{hit}"
    );
    assert!(hit["source"]["name"].as_str().unwrap().ends_with(".txt"));

    // --person and --rank, with or without diacritics, Vietnamese or English rank.
    let lich = ids_where(&records, |r| {
        names_someone(r, |p| p["name"] == "Ngô Xuân Lịch")
    });
    assert!(!lich.is_empty());
    let (found, _) = search(&sb, &["--person", "ngo xuan lich"]);
    assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), lich);
    let colonel_generals = ids_where(&records, |r| {
        names_someone(r, |p| p["rank"] == "Thượng tướng")
    });
    assert!(!colonel_generals.is_empty());
    for rank in ["thuong tuong", "Thượng tướng", "colonel general"] {
        let (found, _) = search(&sb, &["--rank", rank]);
        assert_eq!(
            found.into_iter().collect::<BTreeSet<_>>(),
            colonel_generals,
            "{rank}"
        );
    }
    let (found, _) = search(&sb, &["hoi nhap", "--person", "xuan chien", "--limit", "1"]);
    assert_eq!(found.len(), 1);
    assert!(chien.contains(&found[0]));

    // Dates filter on `published`: only the dated article has one.
    let dated = ids_where(&records, |r| r["published"].is_string());
    assert_eq!(dated.len(), 1);
    for (since, until) in [
        ("2019-09", "2019-09-05"),
        ("2019", "2019"),
        ("2019-09-05", "2030"),
    ] {
        let (found, _) = search(&sb, &["--since", since, "--until", until]);
        assert_eq!(found.into_iter().collect::<BTreeSet<_>>(), dated);
    }
    let (found, out) = search(&sb, &["--until", "2019-09-04"]);
    assert!(found.is_empty());
    assert_eq!(out.status.code(), Some(1));

    // No match: nothing printed, exit status 1 (table or JSON).
    for json in [true, false] {
        let mut args = vec!["search", "zzqxj"];
        if json {
            args.push("--json");
        }
        let out = sb.enrichd(&args);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(out.stdout.is_empty());
    }

    // The table: a header, one line per article, ranked people.
    let out = sb.enrichd(&["search", "hoang xuan chien", "--limit", "3"]);
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(lines[0].starts_with("DATE"), "{table}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.contains("Thượng tướng Hoàng Xuân Chiến")),
        "{table}"
    );
}

#[test]
fn a_database_written_again_after_the_ledger_was_lost_keeps_one_copy_of_each_record() {
    let sb = Sandbox::with_sinks(&default_chain(), SQLITE_ONLY, "");
    let db = sb.path("out/enrichd.db");
    let daemon = sb.start();
    drop_dev_articles(&sb);
    assert!(
        wait_until(60, || processed(&sb) == 5),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    assert_eq!(documents(&db), 5);
    // Without its ledger the daemon cannot know the records were delivered: it writes them
    // again, and the database must keep one copy.
    std::fs::remove_dir_all(sb.path("drop/.enrichd")).unwrap();
    let daemon = sb.start();
    drop_dev_articles(&sb);
    assert!(
        wait_until(60, || processed(&sb) == 10),
        "log:\n{}",
        daemon.log()
    );
    assert!(daemon.stop());
    assert!(
        daemon_wrote_again(&sb),
        "the records went through the sink a second time"
    );
    assert_eq!(documents(&db), 5);
}

/// Whether the second run delivered records (rather than skipping them as already done).
fn daemon_wrote_again(sb: &Sandbox) -> bool {
    let log = std::fs::read_to_string(sb.path("daemon.log")).unwrap_or_default();
    log.matches("enrichd::service: delivered path=").count() == 5
        && !log.contains("already delivered")
}

#[test]
fn search_without_a_database_explains_itself_and_creates_nothing() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    let out = sb.enrichd(&["search", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no sqlite sink"), "{err}");

    let sb = Sandbox::with_sinks("plugins:\n  - name: normalize\n", SQLITE_ONLY, "");
    let out = sb.enrichd(&["search", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no SQLite database"), "{err}");
    assert!(
        !sb.path("out/enrichd.db").exists(),
        "search creates no database"
    );

    let out = sb.enrichd(&["search"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("give words to search for"), "{err}");
}
