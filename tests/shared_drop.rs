//! Several daemons on one shared drop folder (as on NFS or SMB, in poll mode):
//! each file is claimed by one of them, and the claims of a daemon that dies
//! are taken over by the others once its lease runs out. They share one SQLite
//! database (as daemons on several machines would share PostgreSQL or a
//! JetStream stream) and each writes its own JSON Lines file.

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use support::*;

const FILES: usize = 5000;

/// A config for `instance`; `chain_extra` is appended to its plugin chain.
fn config(root: &Path, instance: &str, chain_extra: &str) -> std::path::PathBuf {
    let text = format!(
        "drop: drop\n\
         plugin_dir: {plugins}\n\
         watch:\n  mode: poll\n  poll_interval_ms: 200\n  quiet_period_ms: 200\n  include: [\"*.txt\"]\n\
         claim:\n  instance: {instance}\n  lease_s: 4\n  max_files: 32\n\
         sinks:\n  - type: sqlite\n    path: out/shared.db\n  - type: jsonl\n    path: out/{instance}.jsonl\n\
         plugins:\n  - name: normalize\n{chain_extra}",
        plugins = plugin_dir().display(),
    );
    let path = root.join(format!("{instance}.yaml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().filter(|e| e.path().is_file()).count())
        .unwrap_or(0)
}

/// The files still in the drop folder or a claim folder.
fn leftovers(drop: &Path) -> Vec<String> {
    let mut dirs = vec![drop.to_path_buf()];
    if let Ok(d) = std::fs::read_dir(drop.join(".claims")) {
        dirs.extend(d.flatten().map(|e| e.path()));
    }
    dirs.iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter(|e| e.path().is_file())
        .map(|e| e.path().display().to_string())
        .collect()
}

fn ids_in(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    parse_jsonl(&text)
        .iter()
        .map(|r| r["id"].as_str().expect("record has an id").to_string())
        .collect()
}

#[test]
fn three_daemons_share_a_folder_and_a_killed_ones_claims_are_taken_over() {
    let root = tempfile::tempdir().unwrap();
    let drop = root.path().join("drop");
    std::fs::create_dir_all(&drop).unwrap();
    let mut expected = HashSet::new();
    for i in 0..FILES {
        let text = format!(
            "Bài số {i}: Thượng tướng Hoàng Xuân Chiến tiếp đoàn đại biểu ngày {}/{}/2025.\n",
            i % 28 + 1,
            i % 12 + 1
        );
        expected.insert(sha256_hex(text.as_bytes()));
        let tmp = drop.join(format!(".f{i:05}.txt"));
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, drop.join(format!("f{i:05}.txt"))).unwrap();
    }
    let names = ["a", "b", "c"];
    // b is slow, so it always holds claimed files when it is killed.
    let faulty = format!(
        "  - library: {}\n    settings:\n      delay_ms: 20\n",
        plugin_dir().join("libenrichd_test_faulty.so").display()
    );
    let mut daemons: HashMap<&str, Daemon> = names
        .iter()
        .map(|&n| {
            let cfg = config(root.path(), n, if n == "b" { &faulty } else { "" });
            (n, start_daemon(&cfg, &root.path().join(format!("{n}.log"))))
        })
        .collect();
    let processed = drop.join("processed");
    let b_claims = drop.join(".claims/b");
    assert!(
        wait_until(120, || count_files(&processed) >= FILES / 5
            && count_files(&b_claims) > 0),
        "a fifth of the files is not done after 120 s"
    );
    let mut victim = daemons.remove("b").unwrap();
    victim.kill9();
    let done = wait_until(180, || count_files(&processed) == FILES);
    for (name, d) in daemons.drain() {
        let stopped = d.stop();
        let log =
            std::fs::read_to_string(root.path().join(format!("{name}.log"))).unwrap_or_default();
        assert!(
            stopped,
            "daemon {name} did not stop cleanly; its log ends:\n{}",
            &log[log.len().saturating_sub(3000)..]
        );
    }
    let logs: String = names
        .iter()
        .map(|n| std::fs::read_to_string(root.path().join(format!("{n}.log"))).unwrap_or_default())
        .collect();
    assert!(
        done,
        "{} of {FILES} files processed; left: {:?}; warnings:\n{}",
        count_files(&processed),
        leftovers(&drop),
        logs.lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(count_files(&drop), 0, "inputs left in the drop folder");
    for n in names {
        assert_eq!(
            count_files(&drop.join(".claims").join(n)),
            0,
            "files left claimed by {n}"
        );
    }
    let per: HashMap<&str, Vec<String>> = names
        .iter()
        .map(|&n| (n, ids_in(&root.path().join(format!("out/{n}.jsonl")))))
        .collect();
    for n in names {
        assert!(!per[n].is_empty(), "daemon {n} took no share of the work");
    }
    let all: HashSet<&String> = per.values().flatten().collect();
    assert_eq!(all.len(), FILES, "every file has a record");
    assert!(all.iter().all(|id| expected.contains(*id)));
    // Only files the killed daemon had delivered but not yet moved away can appear twice.
    let survivors: Vec<&String> = per["a"].iter().chain(&per["c"]).collect();
    let unique: HashSet<&&String> = survivors.iter().collect();
    assert_eq!(
        unique.len(),
        survivors.len(),
        "a file went to two live daemons"
    );
    assert!(
        logs.contains("its claimed files are taken over"),
        "no takeover was logged"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(bytes);
    digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
