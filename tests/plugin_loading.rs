//! Loading plugins through the C ABI: what loads, what is refused, and how the refusal reads.

mod support;

use support::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn check_prints_the_chain_with_names_versions_and_paths() {
    let sb = Sandbox::new(&default_chain(), "");
    let out = sb.enrichd(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (i, name) in ["normalize", "boilerplate", "dates", "ranks", "acronyms"]
        .iter()
        .enumerate()
    {
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("{}. {name} ", i + 1)))
            .unwrap_or_else(|| panic!("{stdout}"));
        assert!(line.contains(&format!("libenrichd_{name}.so")), "{line}");
    }
}

#[test]
fn a_missing_plugin_library_is_refused_naming_the_path() {
    let sb = Sandbox::new("plugins:\n  - library: nowhere/libghost.so\n", "");
    let out = sb.enrichd(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&sb.path("nowhere/libghost.so").display().to_string()),
        "{err}"
    );
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn a_library_without_the_entry_symbol_is_refused() {
    let sb = Sandbox::new("", "");
    let src = sb.path("plain.c");
    std::fs::write(&src, "int not_a_plugin(void) { return 1; }\n").unwrap();
    let lib = sb.path("libplain.so");
    let ok = std::process::Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .unwrap();
    assert!(ok.success());
    let cfg = std::fs::read_to_string(sb.config()).unwrap()
        + &format!("plugins:\n  - library: {}\n", lib.display());
    std::fs::write(sb.config(), cfg).unwrap();
    let out = sb.enrichd(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&lib.display().to_string()) && err.contains("enrichd_plugin_entry"),
        "{err}"
    );
}

#[test]
fn a_plugin_of_another_abi_version_is_refused_naming_the_file_and_both_versions() {
    let sb = Sandbox::new("", "");
    let lib = c_plugin(sb.dir.path(), 99);
    let cfg = std::fs::read_to_string(sb.config()).unwrap()
        + &format!("plugins:\n  - library: {}\n", lib.display());
    std::fs::write(sb.config(), cfg).unwrap();
    for cmd in [&["check"][..], &["run"][..]] {
        let out = sb.enrichd(cmd);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains(&lib.display().to_string()), "{err}");
        assert!(
            err.contains("ABI version 99") && err.contains("speaks version 1"),
            "{err}"
        );
    }
}

#[test]
fn a_plugin_written_in_c_loads_and_sees_the_normalised_text() {
    let sb = Sandbox::new("", "");
    let lib = c_plugin(sb.dir.path(), 1);
    let cfg = std::fs::read_to_string(sb.config()).unwrap()
        + &format!(
            "plugins:\n  - name: normalize\n  - library: {}\n",
            lib.display()
        );
    std::fs::write(sb.config(), cfg).unwrap();
    let input = sb.path("a.txt");
    std::fs::write(&input, "  ab  \n").unwrap();
    let out = sb.enrichd(&["process", input.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let records = parse_jsonl(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["text"], "ab\n");
    assert_eq!(records[0]["c_bytes"], 3);
    assert_eq!(records[0]["pipeline"][1]["plugin"], "count-c");
    assert_eq!(records[0]["pipeline"][1]["version"], "1.0.0");
}

#[test]
fn a_config_with_an_unknown_key_is_refused_with_file_line_and_column() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "wrokers: 3\n");
    let out = sb.enrichd(&["check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    let lines = std::fs::read_to_string(sb.config())
        .unwrap()
        .lines()
        .count();
    let want = format!(
        "{}:{lines}:1: unknown field `wrokers`",
        sb.config().display()
    );
    assert!(err.contains(&want), "{err}\nwanted {want}");
}
