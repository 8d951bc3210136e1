//! What an operator and a plugin author touch: `enrichd plugins`, `check`'s
//! explanations, the example plugin, and `make install` with its systemd unit.

mod support;

use std::process::Command;
use support::*;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn plugins_lists_name_version_abi_and_path() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n  - name: example\n", "");
    let out = sb.enrichd(&["plugins"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("1. normalize 0.1.0 (ABI 1)  ")
            && lines[0].ends_with("libenrichd_normalize.so"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("2. example 0.1.0 (ABI 1)  ")
            && lines[1].ends_with("libenrichd_example.so"),
        "{text}"
    );
}

#[test]
fn check_explains_every_plugin_that_fails_on_its_own_line() {
    let sb = Sandbox::new("", "");
    let wrong_abi = c_plugin(sb.dir.path(), 7);
    let plain = sb.path("libplain.so");
    std::fs::write(sb.path("plain.c"), "int nothing(void) { return 0; }\n").unwrap();
    assert!(Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&plain)
        .arg(sb.path("plain.c"))
        .status()
        .unwrap()
        .success());
    let chain = format!(
        "plugins:\n  - name: normalize\n  - library: missing/libnothing.so\n  - library: {}\n  - library: {}\n  - name: example\n    settings: {{words_per_minute: 0}}\n",
        plain.display(),
        wrong_abi.display()
    );
    std::fs::write(
        sb.config(),
        std::fs::read_to_string(sb.config()).unwrap() + &chain,
    )
    .unwrap();
    let out = sb.enrichd(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let line = |i: usize| {
        err.lines()
            .find(|l| l.contains(&format!("plugins[{i}]")))
            .unwrap_or_else(|| panic!("no line for plugins[{i}]:\n{err}"))
            .to_string()
    };
    assert!(line(1).contains("no such file"), "{err}");
    assert!(line(2).contains("enrichd_plugin_entry"), "{err}");
    assert!(
        line(3).contains("ABI version 7") && line(3).contains("speaks version 1"),
        "{err}"
    );
    assert!(
        line(4).contains("refused its settings")
            && line(4).contains("words_per_minute must be at least 1"),
        "{err}"
    );
    assert!(err.contains("4 of 5 plugins cannot be loaded"), "{err}");
    assert!(
        stdout(&out).contains("1. normalize"),
        "the good one is still listed"
    );
}

#[test]
fn the_example_plugin_loads_and_adds_its_fields() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n  - name: example\n    settings:\n      words_per_minute: 2\n", "");
    let input = sb.path("a.txt");
    std::fs::write(&input, "Một hai ba bốn năm.\n\nSáu.\n").unwrap();
    let out = sb.enrichd(&["process", input.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = &parse_jsonl(&stdout(&out))[0];
    assert_eq!(r["word_count"], 6);
    assert_eq!(r["paragraph_count"], 2);
    assert_eq!(r["reading_minutes"], 3);
}

#[test]
fn make_install_gives_a_unit_systemd_accepts_and_a_working_config_and_uninstall_removes_it() {
    let root = tempfile::tempdir().unwrap();
    let (prefix, etc, units) = (
        root.path().join("usr"),
        root.path().join("etc"),
        root.path().join("units"),
    );
    let target = bin().parent().unwrap().parent().unwrap().to_path_buf();
    let make = |goal: &str| {
        let out = Command::new("make")
            .arg("-C")
            .arg(repo())
            .arg(goal)
            .arg("NO_BUILD=1")
            .arg("PROFILE=debug")
            .arg(format!("CARGO_TARGET_DIR={}", target.display()))
            .arg(format!("PREFIX={}", prefix.display()))
            .arg(format!("SYSCONFDIR={}", etc.display()))
            .arg(format!("UNITDIR={}", units.display()))
            .output()
            .expect("make runs");
        assert!(
            out.status.success(),
            "make {goal}:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    };
    make("install");
    let unit = units.join("enrichd.service");
    let unit_text = std::fs::read_to_string(&unit).unwrap();
    assert!(
        unit_text.contains(&format!(
            "ExecStart={}/bin/enrichd run --config {}/enrichd/enrichd.yaml",
            prefix.display(),
            etc.display()
        )),
        "{unit_text}"
    );

    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .expect("systemd-analyze is installed");
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "{}",
        stderr(&verify)
    );
    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=yes"])
        .arg(&unit)
        .output()
        .unwrap();
    let report = stdout(&security) + &stderr(&security);
    let exposure: f64 = report
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for enrichd.service: ")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{report}"));
    eprintln!("systemd-analyze security exposure: {exposure}");
    assert!(exposure < 2.0, "exposure {exposure}:\n{report}");

    // The installed config writes its sinks under /srv/enrichd, where the unit may write.
    let config = std::fs::read_to_string(etc.join("enrichd/enrichd.yaml")).unwrap();
    assert!(
        config.contains("path: /srv/enrichd/out/records.jsonl")
            && config.contains("path: /srv/enrichd/out/enrichd.db")
            && !config.contains("../out"),
        "{config}"
    );

    // The installed config loads the installed plugins.
    let installed = prefix.join("bin/enrichd");
    let out = Command::new(&installed)
        .args(["check", "--config"])
        .arg(etc.join("enrichd/enrichd.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "{}/lib/enrichd/plugins/libenrichd_acronyms.so",
            prefix.display()
        )),
        "{}",
        stdout(&out)
    );
    // … and says where records go, in delivery order.
    assert!(
        stdout(&out).contains(
            "sink 1: sqlite → /srv/enrichd/out/enrichd.db\nsink 2: jsonl → /srv/enrichd/out/records.jsonl\n"
        ),
        "{}",
        stdout(&out)
    );

    make("uninstall");
    assert!(!installed.exists() && !unit.exists() && !prefix.join("lib/enrichd").exists());
    // The config is the operator's: kept. Unchanged rule files are removed.
    assert!(etc.join("enrichd/enrichd.yaml").exists());
    assert!(!etc.join("enrichd/dates.vi.yaml").exists());
}
