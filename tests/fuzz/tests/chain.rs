//! Fuzzing the built-in chain on arbitrary text: no panic, no error, and every
//! offset a plugin reports lies inside the text and points at what it says.
//! Bounded: PROPTEST_CASES (default 300) inputs per property.

use proptest::prelude::*;
use serde_json::Value;

/// Characters and fragments that drive the extractors into their rules.
fn vietnamese_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(String::from),
        "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ0-9 ,.;:/()\\-]{1,12}",
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        prop::sample::select(vec![
            "ngày ", "tháng ", "năm ", "Sáng ", "giai đoạn ", "quý I/", "hôm qua", "GMT+7", " - ",
            "Đại tá ", "Thượng tướng ", "Bộ trưởng ", "Phó ", "Cục ", "Bộ Quốc phòng", "Ủy viên ",
            "Ảnh: ", "Tin, ảnh: ", "(Chinhphu.vn) – ", "leftcenterrightdel", "Bình luận", "ZALO",
            "(HNQT)", "ĐNQP", "hội nhập quốc tế", "53-KL/TW", "XIII", "Nguyễn Văn ", "Hoàng Xuân ",
            "hoà", "thuỷ", "\u{301}", "\u{323}", "\u{a0}", "\r\n", "\t", "28/4/2023", "14-4",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

thread_local! {
    static CHAIN: enrichd::pipeline::Pipeline = enrichd_fuzz::chain();
    static NORMALIZE: enrichd::pipeline::Pipeline = enrichd_fuzz::normalize_only();
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn check_span(
    text: &[char],
    start: &Value,
    end: &Value,
    what: &str,
) -> Result<(usize, usize), TestCaseError> {
    let (Some(s), Some(e)) = (start.as_u64(), end.as_u64()) else {
        return Err(TestCaseError::fail(format!(
            "{what}: offsets are not numbers: {start} {end}"
        )));
    };
    let (s, e) = (s as usize, e as usize);
    prop_assert!(
        s < e && e <= text.len(),
        "{what}: [{s}, {e}) outside a text of {} chars",
        text.len()
    );
    Ok((s, e))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(300),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_chain_never_fails_and_every_offset_is_inside_the_text(input in vietnamese_text()) {
        let record = CHAIN.with(|c| enrichd_fuzz::run(c, &input)).map_err(TestCaseError::fail)?;
        let list = |name: &str| match record.field(name) {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        let (dates, people, acronyms) = (list("dates"), list("people"), list("acronyms"));
        let t = chars(&record.text);
        for d in &dates {
            let (s, e) = check_span(&t, &d["start"], &d["end"], "dates")?;
            let written: String = t[s..e].iter().collect();
            prop_assert_eq!(Some(written.as_str()), d["text"].as_str(), "dates text must be what the offsets point at");
        }
        for p in &people {
            for m in p["mentions"].as_array().into_iter().flatten() {
                check_span(&t, &m["start"], &m["end"], "people mention")?;
            }
        }
        for a in &acronyms {
            for m in a["mentions"].as_array().into_iter().flatten() {
                let (s, e) = check_span(&t, &m["start"], &m["end"], "acronym mention")?;
                let written: String = t[s..e].iter().collect();
                prop_assert!(!written.trim().is_empty(), "acronym mention points at blank text");
            }
        }
    }

    #[test]
    fn normalized_text_is_stable_under_a_second_pass(input in vietnamese_text()) {
        let once = NORMALIZE.with(|c| enrichd_fuzz::run(c, &input)).map_err(TestCaseError::fail)?.text;
        let twice = NORMALIZE.with(|c| enrichd_fuzz::run(c, &once)).map_err(TestCaseError::fail)?.text;
        prop_assert_eq!(&once, &twice);
        prop_assert!(!once.contains("  ") && !once.contains('\r'));
    }
}
