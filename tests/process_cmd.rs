//! `enrichd process`: one shot, records on stdout in input order.

mod support;

use support::*;
use unicode_normalization::UnicodeNormalization;

#[test]
fn process_prints_one_record_per_dev_article_in_order_with_normalised_text() {
    let sb = Sandbox::new(&default_chain(), "");
    let dev = repo().join("../shared/eval/dev");
    let out = sb.enrichd(&["process", dev.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = parse_jsonl(&String::from_utf8_lossy(&out.stdout));
    let names: Vec<String> = records
        .iter()
        .map(|r| r["source"]["name"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = dev_articles()
        .iter()
        .map(|a| a.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expected, "only the .txt inputs, sorted");
    for r in &records {
        let text = r["text"].as_str().unwrap();
        assert_eq!(text, text.nfc().collect::<String>(), "NFC");
        assert!(
            !text.contains("  ") && !text.contains('\u{a0}'),
            "whitespace cleaned"
        );
        let old_style = text
            .split(|c: char| !c.is_alphabetic())
            .find(|w| ["hoà", "Hoà", "thuỷ", "Uỷ", "uỷ"].contains(w));
        assert_eq!(old_style, None, "one tone placement");
    }
    // No moving in one-shot mode.
    assert!(dev_articles().iter().all(|a| a.exists()));
}

#[test]
fn process_keeps_the_order_of_the_command_line_and_reads_nfd_input() {
    let sb = Sandbox::new("plugins:\n  - name: normalize\n", "");
    let mut args = vec!["process".to_string()];
    for (i, text) in ["Hoà bình", "Quốc phòng", "Uỷ ban"].iter().enumerate() {
        let p = sb.path(&format!("{}.txt", 9 - i));
        std::fs::write(&p, text.nfd().collect::<String>()).unwrap();
        args.push(p.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sb.enrichd(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let texts: Vec<String> = parse_jsonl(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, ["Hòa bình\n", "Quốc phòng\n", "Ủy ban\n"]);
}
