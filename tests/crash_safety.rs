//! Exactly once across SIGKILLs: kill the daemon at random moments while it
//! ingests 2,000 files, restart it, twenty times; then every input is in the
//! sink exactly once and in `processed/`.

mod support;

use std::collections::HashMap;
use std::time::Duration;
use support::*;

/// xorshift64*: a seeded, reproducible source of kill moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    const FILES: usize = 2_000;
    const KILLS: usize = 20;
    let seed = std::env::var("ENRICHD_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026);
    let mut rng = Rng(seed);
    let sb = Sandbox::new(&default_chain(), "");
    let articles: Vec<String> = dev_articles()
        .iter()
        .map(|a| std::fs::read_to_string(a).unwrap())
        .collect();
    let write_file = |i: usize| {
        let tmp = sb.path(&format!("drop/.a{i}.tmp"));
        std::fs::write(
            &tmp,
            format!("{}\nBản số {i}.\n", articles[i % articles.len()]),
        )
        .unwrap();
        std::fs::rename(&tmp, sb.path(&format!("drop/a{i:05}.txt"))).unwrap();
    };
    // Half the files wait at the first start, half arrive while the daemon is being killed.
    let (mut next, mut kills) = (0, 0);
    while next < FILES / 2 {
        write_file(next);
        next += 1;
    }
    while kills < KILLS {
        let mut daemon = sb.start();
        let batch = rng.between(0, 100) as usize;
        for _ in 0..batch.min(FILES - next) {
            write_file(next);
            next += 1;
        }
        std::thread::sleep(Duration::from_millis(rng.between(50, 600)));
        daemon.kill9();
        kills += 1;
    }
    while next < FILES {
        write_file(next);
        next += 1;
    }
    let daemon = sb.start();
    // The killed daemons may have done every file already: stop this one only once it runs.
    assert!(
        wait_until(60, || daemon.log().contains("enrichd is running")),
        "{}",
        daemon.log()
    );
    let settled = wait_until(300, || {
        std::fs::read_dir(sb.path("drop"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
            .count()
            == 0
    });
    assert!(settled, "inputs left in the drop folder\n{}", daemon.log());
    let stopped = daemon.stop();
    let log = std::fs::read_to_string(sb.path("daemon.log")).unwrap_or_default();
    assert!(stopped, "no clean exit on SIGTERM; log:\n{log}");

    let text = std::fs::read_to_string(sb.path("out/records.jsonl")).unwrap();
    let mut per_name: HashMap<String, usize> = HashMap::new();
    for line in text.lines() {
        let r: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a torn or invalid line in the sink ({e}): {line:.80}"));
        *per_name
            .entry(r["source"]["name"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let duplicated: Vec<_> = per_name.iter().filter(|(_, &n)| n > 1).collect();
    let processed = std::fs::read_dir(sb.path("drop/processed"))
        .unwrap()
        .count();
    let failed = std::fs::read_dir(sb.path("drop/failed"))
        .map(|d| d.count())
        .unwrap_or(0);
    eprintln!(
        "kill loop: seed {seed:#x}, {FILES} files, {kills} SIGKILLs, {} records, {} distinct, {} duplicated, {processed} processed, {failed} failed",
        text.lines().count(),
        per_name.len(),
        duplicated.len()
    );
    assert!(duplicated.is_empty(), "duplicated: {duplicated:?}");
    assert_eq!(per_name.len(), FILES, "lost: {}", FILES - per_name.len());
    assert_eq!(processed, FILES);
    assert_eq!(failed, 0);
}
