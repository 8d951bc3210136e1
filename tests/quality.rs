//! The extraction quality the issues promise, measured with the user's own
//! scorer on the eval sets: a regression in any extractor fails here.

mod support;

use serde_json::Value;
use std::process::Command;
use support::*;

fn score(set: &str) -> Value {
    let sb = Sandbox::new(&default_chain(), "");
    let dir = repo().join("../shared/eval").join(set);
    let out = sb.enrichd(&["process", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = sb.path("records.jsonl");
    std::fs::write(&records, &out.stdout).unwrap();
    let scored = Command::new("python3")
        .arg(repo().join("../shared/eval/score.py"))
        .arg("--gold")
        .arg(&dir)
        .arg("--pred")
        .arg(&records)
        .arg("--json")
        .output()
        .expect("python3 runs the scorer");
    assert!(
        scored.status.success(),
        "{}",
        String::from_utf8_lossy(&scored.stderr)
    );
    serde_json::from_slice(&scored.stdout).unwrap()
}

fn at_least(s: &Value, path: &str, min: f64) {
    let (k, m) = path.split_once('.').unwrap();
    let v = s[k][m]
        .as_f64()
        .unwrap_or_else(|| panic!("no {path} in {s}"));
    assert!(v >= min, "{path} = {v:.3}, below {min}: {s}");
}

#[test]
fn dev_set_scores_meet_the_targets() {
    let s = score("dev");
    at_least(&s, "body.f1", 0.98);
    at_least(&s, "body.r", 1.0); // every body_include snippet kept
    at_least(&s, "title.accuracy", 1.0);
    at_least(&s, "dates.f1", 0.97);
    at_least(&s, "people.f1", 0.95);
    at_least(&s, "ranks.accuracy", 1.0);
    at_least(&s, "titles.f1", 0.90);
    at_least(&s, "acronyms.f1", 0.97);
}

#[test]
fn more_set_scores_meet_the_targets() {
    let s = score("more");
    at_least(&s, "body.f1", 0.93);
    at_least(&s, "title.accuracy", 0.90);
    at_least(&s, "dates.f1", 0.90);
    at_least(&s, "people.f1", 0.90);
    at_least(&s, "ranks.accuracy", 0.98);
    at_least(&s, "titles.f1", 0.80);
    at_least(&s, "acronyms.f1", 0.90);
}
