//! Behaviour tests on short synthetic snippets: each `case!` is one input and the
//! values it must give (an empty list for text that holds no date).

use super::*;
use enrichd_plugin_api::{Context, Document, Plugin};
use resolve::YearSource;

/// The plugin with the built-in lexicon, built once per setting (regex building is slow
/// in debug builds).
fn plugin(bare_relative: bool) -> &'static Dates {
    static PLAIN: std::sync::OnceLock<Dates> = std::sync::OnceLock::new();
    static RELATIVE: std::sync::OnceLock<Dates> = std::sync::OnceLock::new();
    let cell = if bare_relative { &RELATIVE } else { &PLAIN };
    cell.get_or_init(|| {
        Dates::with_lexicon(&Lexicon::builtin().expect("lexicon"), bare_relative).expect("plugin")
    })
}

fn values_of(records: &[DateRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| r.value.clone().unwrap_or_default())
        .collect()
}

fn values(text: &str) -> Vec<String> {
    values_of(&plugin(false).extract(text, None, None, None))
}

fn with_published(text: &str, published: &str) -> Vec<DateRecord> {
    plugin(false).extract(text, None, Some(published), None)
}

fn relative(text: &str, published: Option<&str>) -> Vec<DateRecord> {
    plugin(true).extract(text, None, published, None)
}

fn only(records: &[DateRecord]) -> &DateRecord {
    assert_eq!(records.len(), 1, "{records:#?}");
    &records[0]
}

macro_rules! case {
    ($name:ident, $text:expr, [$($v:expr),* $(,)?]) => {
        #[test]
        fn $name() {
            let want: Vec<String> = vec![$($v.to_string()),*];
            assert_eq!(values($text), want, "input: {:?}", $text);
        }
    };
}

// Full dates.
case!(
    full_dashes,
    "Văn bản ký ngày 12-3-2021 tại Huế.",
    ["2021-03-12"]
);
case!(full_slashes_bare, "Hạn chót là 05/11/2019.", ["2019-11-05"]);
case!(
    full_dots_bare,
    "Khánh thành 7.9.2018, đơn vị mới.",
    ["2018-09-07"]
);
case!(
    full_in_words,
    "Thành lập ngày 3 tháng 2 năm 1930 tại Hương Cảng.",
    ["1930-02-03"]
);
case!(full_invalid_month, "Số liệu 1-13-2020 chưa đúng.", []);
case!(full_invalid_day, "Ngày 31/4/2022 không có thật.", []);
case!(full_mixed_separators, "Mã 12-3/2021 lưu kho.", []);
case!(
    full_in_parentheses_pair,
    "Kỷ niệm (1/1/1990 – 1/1/2020) trọng thể.",
    ["1990-01-01/2020-01-01"]
);

// Day-months after a cue.
case!(
    morning_dash,
    "Sáng 2-9, lễ duyệt binh diễn ra.",
    ["--09-02"]
);
case!(afternoon_slash, "Chiều 11/7 đoàn đến thăm.", ["--07-11"]);
case!(
    evening_slash,
    "Tối 3/9, chương trình kết thúc.",
    ["--09-03"]
);
case!(noon_dash, "Trưa 1-10, đoàn rời cảng.", ["--10-01"]);
case!(
    day_word_slash,
    "Ngày 5/6, đoàn làm việc với tỉnh.",
    ["--06-05"]
);
case!(day_word_dot, "ngày 9.8 vừa qua", ["--08-09"]);
case!(
    this_morning_parenthesis,
    "Lễ ra quân diễn ra sáng nay (9/8) tại Hà Nội.",
    ["--08-09"]
);
case!(
    yesterday_afternoon_comma,
    "Chiều qua, 3-3, hội nghị bế mạc.",
    ["--03-03"]
);
case!(
    yesterday_parenthesis,
    "Hôm qua (20-10), đoàn về nước.",
    ["--10-20"]
);
case!(
    today_parenthesis,
    "Tin quốc tế hôm nay (2-2) có ba nội dung.",
    ["--02-02"]
);
case!(
    weekday_stamp,
    "Thứ sáu, 7/6/2024 09:15 GMT+7",
    ["2024-06-07T09:15+07:00"]
);
case!(
    clock_before_day,
    "Đến 19 giờ ngày 15/3, tỷ lệ đạt cao.",
    ["--03-15T19:00+07:00"]
);
case!(
    clock_with_evening,
    "Khoảng 8 giờ tối 4/5, xảy ra vụ việc.",
    ["--05-04T20:00+07:00"]
);
case!(
    clock_h_form,
    "Lúc 20h30 ngày 2/1, tàu cập cảng.",
    ["--01-02T20:30+07:00"]
);
case!(
    two_digit_year_stamp,
    "Cập nhật 31/05/13 10:48 GMT+7",
    ["2013-05-31T10:48+07:00"]
);
case!(
    glued_heading_cue,
    "Phần một kết thúcNgày 30.5, công an triệu tập.",
    ["--05-30"]
);

// Months, quarters, years, decades.
case!(
    month_slash_year,
    "Trong tháng 6/2022 đơn vị huấn luyện.",
    ["2022-06"]
);
case!(month_word_year, "Từ tháng 6 năm 2022 trở đi.", ["2022-06"]);
case!(
    month_dash_year,
    "Tháng 11-2020, Bộ ban hành thông tư.",
    ["2020-11"]
);
case!(year_word, "Kế hoạch năm 2019 đã hoàn thành.", ["2019"]);
case!(
    year_word_capital,
    "Năm 2019, đơn vị được khen thưởng.",
    ["2019"]
);
case!(
    year_with_modifier,
    "Dự kiến đầu năm 2026 hoàn thành.",
    ["2026"]
);
case!(
    quarter_roman,
    "Trong quý I/2024, sản lượng tăng.",
    ["2024-01/2024-03"]
);
case!(
    quarter_digit_word,
    "Quý 3 năm 2023 doanh thu giảm.",
    ["2023-07/2023-09"]
);
case!(decade_word, "Từ thập niên 1980 đến nay.", ["1980/1989"]);
case!(
    constitution_year,
    "Sửa đổi Hiến pháp năm 1992 và luật.",
    ["1992"]
);
case!(
    year_range_after_year_word,
    "Kế hoạch năm 2024-2025 được duyệt.",
    ["2024/2025"]
);

// Periods and ranges.
case!(
    period_stage,
    "Tổng kết giai đoạn 2021-2025 của ngành.",
    ["2021/2025"]
);
case!(
    period_term_spaced,
    "Bầu cử nhiệm kỳ 2020 - 2025 thành công.",
    ["2020/2025"]
);
case!(
    years_from_to,
    "Ông công tác từ năm 2011 đến năm 2015 tại đây.",
    ["2011/2015"]
);
case!(
    years_from_to_bare_end,
    "Từ năm 2011 đến 2015, ông là chỉ huy.",
    ["2011/2015"]
);
case!(
    years_from_until_now,
    "Từ năm 2005 đến nay, đảo đón tàu cá.",
    ["2005"]
);
case!(
    years_in_parentheses,
    "Bằng khen năm năm (2015-2020) của Bộ.",
    ["2015/2020"]
);
case!(
    days_from_to_year_at_end,
    "Hội thao diễn ra từ ngày 3/4 đến 5/4/2019 tại Huế.",
    ["2019-04-03/2019-04-05"]
);
case!(
    days_across_new_year,
    "Từ ngày 29/12 đến 2/1/2020, đoàn công tác nước ngoài.",
    ["2019-12-29/2020-01-02"]
);
case!(
    day_span_one_month,
    "Diễn tập ngày 14-16/8/2022 tại Quân khu 7.",
    ["2022-08-14/2022-08-16"]
);
case!(
    days_without_year_split,
    "Từ ngày 8 đến 12/10, đoàn thăm đảo.",
    ["--10-08", "--10-12"]
);
case!(
    days_range_year_in_sentence,
    "Hội thao năm 2022 diễn ra từ ngày 8/10 đến hết ngày 12/10.",
    ["2022", "2022-10-08/2022-10-12"]
);

// Lists.
case!(
    month_list,
    "Vào tháng 3 và tháng 4/2021, băng nhóm gây án.",
    ["2021-03", "2021-04"]
);
case!(
    year_list,
    "Đoàn dự các năm 2015, 2016 và 2017 ở cấp thứ trưởng.",
    ["2015", "2016", "2017"]
);
case!(
    day_list,
    "Hội nghị họp ngày 14 và 15/4 tại Hà Nội.",
    ["--04-14", "--04-15"]
);
case!(
    day_month_list,
    "Kiểm tra ngày 27/5 và 28/5 tại đơn vị.",
    ["--05-27", "--05-28"]
);
case!(
    year_then_quantity,
    "Trong năm 2013, 2000 người tham gia.",
    ["2013"]
);
case!(
    year_list_then_verb,
    "Các năm 2008 và 2012 đều tăng.",
    ["2008", "2012"]
);

// Years lent by the sentence.
case!(
    sentence_year,
    "Ngày 3/2, Bộ tổng kết công tác năm 2020.",
    ["2020-02-03", "2020"]
);
case!(
    sentence_nearest_year,
    "Ngày 27/11, tổng kết năm 2023; phương hướng năm 2024.",
    ["2023-11-27", "2023", "2024"]
);
case!(
    deadline_year_not_lent,
    "Sáng 5/4, bàn nhiệm vụ đến năm 2030.",
    ["--04-05", "2030"]
);
case!(
    period_year_not_lent,
    "Chiều 9/9, tổng kết giai đoạn 2015-2020.",
    ["--09-09", "2015/2020"]
);
case!(
    named_year_lent_not_reported,
    "Ngày 20-1, đón Tết Giáp Thìn 2024, đoàn đến thăm.",
    ["2024-01-20"]
);
case!(
    year_in_other_sentence_not_lent,
    "Năm 2019 khó khăn. Sáng 14-4, đoàn đến.",
    ["2019", "--04-14"]
);
case!(
    written_year_beats_named_year,
    "Sáng 29/12, ra quân phục vụ Tết Ất Tỵ 2025, thi hành văn bản ngày 26/12/2024.",
    ["2024-12-29", "2024-12-26"]
);
case!(
    range_takes_year_from_next_sentence,
    "Phiên họp kéo dài từ ngày 10 đến 14/10. Ngày 18/11/2022, sẽ biểu quyết.",
    ["2022-10-10/2022-10-14", "2022-11-18"]
);
case!(
    range_takes_year_from_previous_sentence,
    "Năm 2019, đoàn tuần tra lần thứ 45. Chuyến đi diễn ra từ ngày 5 đến ngày 8/9.",
    ["2019", "2019-09-05/2019-09-08"]
);
case!(
    range_year_not_from_other_paragraph,
    "Năm 2019 khó khăn.\nTừ ngày 8 đến 12/10, đoàn thăm đảo.",
    ["2019", "--10-08", "--10-12"]
);
case!(
    range_year_not_from_two_sentences_away,
    "Năm 2019 khó khăn. Đoàn đông. Từ ngày 8 đến 12/10, đoàn thăm đảo.",
    ["2019", "--10-08", "--10-12"]
);

// The lead's date lends its year.
case!(
    lead_date_lends_year,
    "Ngày 5/9/2019, lễ khai mạc.\nTuần tra từ ngày 5 đến ngày 8/9. Trước đó, chiều 4-9, đoàn đến.",
    ["2019-09-05", "2019-09-05/2019-09-08", "2019-09-04"]
);
case!(
    lead_date_after_outlet_tag,
    "TGVN. Ngày 14/10/2022, phiên họp khai mạc.\nSáng 15/10, bế mạc.",
    ["2022-10-14", "2022-10-15"]
);
case!(
    lead_date_window_crosses_new_year,
    "Ngày 3/1/2020, tổng kết.\nNgày 28/12, đoàn đến.",
    ["2020-01-03", "2019-12-28"]
);
case!(
    date_inside_lead_is_not_lead_date,
    "Kỷ niệm 70 năm chiến thắng lịch sử Điện Biên Phủ ngày 7/5/1954.\nSáng 6/5, đoàn đến.",
    ["1954-05-07", "--05-06"]
);
case!(
    date_not_first_is_not_lead_date,
    "Sáng 5/9, họp.\nNgày 2/9/1945, Bác đọc Tuyên ngôn.\nChiều 6/9, bế mạc.",
    ["--09-05", "1945-09-02", "--09-06"]
);

// Not dates.
case!(
    not_minutes_range,
    "phát hiện bão trong vòng 15-30 phút sau khi hình thành",
    []
);
case!(
    not_percentage,
    "tỷ lệ cử tri đi bầu đạt 99,46%, rất cao",
    []
);
case!(
    not_document_code,
    "Kết luận số 53-KL/TW của Bộ Chính trị",
    []
);
case!(
    not_resolution_code,
    "Nghị quyết số 2662-NQ/QUTW về hội nhập",
    []
);
case!(not_mobile_number, "Đường dây nóng: 0912011882", []);
case!(not_landline, "Điện thoại (024) 39364407 trực 24/24", []);
case!(not_decimal_millions, "hơn 78,9 triệu cử tri cả nước", []);
case!(not_score, "Đội tuyển thắng 2-1 trong trận chung kết.", []);
case!(
    not_anniversary,
    "Lễ kỷ niệm 70 năm Chiến thắng Điện Biên Phủ",
    []
);
case!(not_covid, "dịch Covid-19 bùng phát", []);
case!(
    not_year_after_name,
    "Triển lãm Quốc phòng quốc tế Việt Nam 2024 thành công.",
    []
);
case!(not_thousands, "hơn 1.200 ngày công và 4.200 ý kiến", []);
case!(not_law_number, "Luật số 12/2023/QH15 có hiệu lực.", []);
case!(not_maximum_words, "tăng tối đa 2-3 lần so với trước", []);
case!(
    not_clock_alone,
    "Phiên họp bắt đầu lúc 12:50 tại hội trường.",
    []
);
case!(
    not_weapon_codes,
    "tiêm kích F-16 và pháo AK-630, tầm 500-800km",
    []
);
case!(
    not_bare_relative_by_default,
    "Hôm qua, công an tỉnh khám nghiệm hiện trường.",
    []
);
case!(
    not_outlet_name,
    "(Ngày Nay) - Các nhà khoa học cho biết",
    []
);
case!(
    not_unit_numbers,
    "Sư đoàn 1, Sư đoàn 4 và Quân khu 4 tham gia",
    []
);

#[test]
fn record_fields_and_char_offsets() {
    let text = "Đặc biệt, Sáng 14-4 họp.";
    let recs = plugin(false).extract(text, None, None, None);
    let r = only(&recs);
    assert_eq!(r.text, "Sáng 14-4");
    assert_eq!((r.start, r.end), (10, 19));
    let sliced: String = text.chars().skip(r.start).take(r.end - r.start).collect();
    assert_eq!(sliced, r.text);
    assert_eq!(r.precision, "day");
    assert_eq!(r.part_of_day.as_deref(), Some("morning"));
    assert_eq!(r.year_source, YearSource::Unknown);
}

#[test]
fn periods_keep_their_word_in_text() {
    let recs = plugin(false).extract("Tổng kết giai đoạn 2016-2021.", None, None, None);
    let r = only(&recs);
    assert_eq!(r.text, "giai đoạn 2016-2021");
    assert_eq!(r.precision, "year");
    assert_eq!(r.year_source, YearSource::Text);
}

#[test]
fn stamp_has_minute_precision() {
    let recs = plugin(false).extract("Thứ hai, 3/6/2024 08:05 GMT+7", None, None, None);
    let r = only(&recs);
    assert_eq!(r.text, "Thứ hai, 3/6/2024 08:05 GMT+7");
    assert_eq!(r.precision, "minute");
}

#[test]
fn headline_lends_its_only_year() {
    let recs = plugin(false).extract(
        "Ngày 5/3 đoàn đến.",
        Some("Tổng kết công tác năm 2019"),
        None,
        None,
    );
    assert_eq!(values_of(&recs), vec!["2019-03-05"]);
    assert_eq!(recs[0].year_source, YearSource::Text);
}

#[test]
fn headline_with_two_years_lends_none() {
    let recs = plugin(false).extract(
        "Ngày 5/3 đoàn đến.",
        Some("Năm 2019 và năm 2020"),
        None,
        None,
    );
    assert_eq!(values_of(&recs), vec!["--03-05"]);
    assert_eq!(recs[0].year_source, YearSource::Unknown);
}

#[test]
fn published_gives_the_year() {
    let recs = with_published("Sáng 14-4, họp.", "2022-04-15T08:00:00+07:00");
    assert_eq!(values_of(&recs), vec!["2022-04-14"]);
    assert_eq!(recs[0].year_source, YearSource::Published);
}

#[test]
fn published_in_january_puts_late_december_in_the_year_before() {
    let recs = with_published("Ngày 28/12, họp.", "2025-01-05T08:00:00+07:00");
    assert_eq!(values_of(&recs), vec!["2024-12-28"]);
}

#[test]
fn published_in_late_december_puts_early_january_in_the_year_after() {
    let recs = with_published("Ngày 3/1 sẽ khai mạc.", "2024-12-30T08:00:00+07:00");
    assert_eq!(values_of(&recs), vec!["2025-01-03"]);
}

#[test]
fn file_time_is_the_last_resort() {
    let recs = plugin(false).extract("Ngày 30/5, họp.", None, None, Some("2021-06-01T03:00:00Z"));
    assert_eq!(values_of(&recs), vec!["2021-05-30"]);
    assert_eq!(recs[0].year_source, YearSource::File);
}

#[test]
fn text_year_contradicting_published_is_a_reviewed_period() {
    let recs = with_published(
        "Ngày 28/5, đánh giá kết quả năm 2012.",
        "2013-05-29T07:00:00+07:00",
    );
    assert_eq!(values_of(&recs), vec!["2013-05-28", "2012"]);
    assert_eq!(recs[0].year_source, YearSource::Published);
}

#[test]
fn text_year_agreeing_with_published_is_text() {
    let recs = with_published(
        "Ngày 27/12, tổng kết năm 2024.",
        "2024-12-28T07:00:00+07:00",
    );
    assert_eq!(values_of(&recs), vec!["2024-12-27", "2024"]);
    assert_eq!(recs[0].year_source, YearSource::Text);
}

#[test]
fn leap_day_in_a_common_year_stays_yearless() {
    let recs = with_published("Ngày 29/2, họp.", "2023-03-01T07:00:00+07:00");
    assert_eq!(values_of(&recs), vec!["--02-29"]);
    assert_eq!(recs[0].year_source, YearSource::Unknown);
}

#[test]
fn range_without_text_year_splits_with_published_year() {
    let recs = with_published(
        "Từ ngày 18 đến 28/5, đoàn thăm đảo.",
        "2013-05-29T07:00:00+07:00",
    );
    assert_eq!(values_of(&recs), vec!["2013-05-18", "2013-05-28"]);
    assert_eq!(recs[0].text, "Từ ngày 18");
    assert_eq!(recs[1].text, "28/5");
}

#[test]
fn lead_date_contradicting_published_is_not_used() {
    let recs = with_published(
        "Ngày 5/9/2019, lễ khai mạc.\nChiều 4-9, đoàn đến.",
        "2021-09-06T07:00:00+07:00",
    );
    assert_eq!(values_of(&recs), vec!["2019-09-05", "2021-09-04"]);
    assert_eq!(recs[1].year_source, YearSource::Published);
}

#[test]
fn lead_date_year_is_text() {
    let recs = plugin(false).extract(
        "Ngày 5/9/2019, lễ khai mạc.\nChiều 4-9, đoàn đến.",
        None,
        None,
        Some("2026-01-01T00:00:00Z"),
    );
    assert_eq!(values_of(&recs), vec!["2019-09-05", "2019-09-04"]);
    assert_eq!(recs[1].year_source, YearSource::Text);
}

#[test]
fn bare_relative_day() {
    let recs = relative(
        "Hôm qua, công an khám nghiệm.",
        Some("2024-03-10T07:00:00+07:00"),
    );
    let r = only(&recs);
    assert_eq!(r.value.as_deref(), Some("2024-03-09"));
    assert_eq!(r.precision, "day");
    assert_eq!(r.year_source, YearSource::Published);
}

#[test]
fn bare_relative_part_of_day() {
    let recs = relative(
        "Sáng nay, đoàn lên đường.",
        Some("2024-03-10T07:00:00+07:00"),
    );
    let r = only(&recs);
    assert_eq!(r.value.as_deref(), Some("2024-03-10"));
    assert_eq!(r.part_of_day.as_deref(), Some("morning"));
}

#[test]
fn bare_relative_week() {
    let recs = relative(
        "Tuần trước, đơn vị diễn tập.",
        Some("2024-03-13T07:00:00+07:00"),
    );
    let r = only(&recs);
    assert_eq!(r.value.as_deref(), Some("2024-03-04/2024-03-10"));
    assert_eq!(r.precision, "week");
}

#[test]
fn bare_relative_month_and_year() {
    let recs = relative(
        "Tháng trước tăng, năm ngoái giảm.",
        Some("2024-03-13T07:00:00+07:00"),
    );
    assert_eq!(values_of(&recs), vec!["2024-02", "2023"]);
}

#[test]
fn bare_relative_duration_is_not_a_date() {
    let recs = relative(
        "Đã từ nhiều năm nay, liên hoan được tổ chức.",
        Some("2024-03-13T07:00:00+07:00"),
    );
    assert!(recs.is_empty(), "{recs:#?}");
}

#[test]
fn bare_relative_without_reference_says_so() {
    let recs = relative("Hôm qua, đoàn về.", None);
    let r = only(&recs);
    assert_eq!(r.value, None);
    assert_eq!(r.year_source, YearSource::Unknown);
}

#[test]
fn relative_attached_to_a_date_is_one_record() {
    let recs = relative(
        "Hôm nay (16-1), đoàn đến.",
        Some("2025-01-16T07:00:00+07:00"),
    );
    let r = only(&recs);
    assert_eq!(r.text, "Hôm nay (16-1)");
    assert_eq!(r.value.as_deref(), Some("2025-01-16"));
}

fn ctx() -> Context {
    Context {
        config_dir: std::env::temp_dir(),
    }
}

#[test]
fn settings_are_checked() {
    assert!(Dates::create(&serde_json::Value::Null, &ctx()).is_ok());
    assert!(Dates::create(&serde_json::json!({"bare_relative": true}), &ctx()).is_ok());
    assert!(Dates::create(&serde_json::json!({"lexicn": "x.yaml"}), &ctx()).is_err());
    assert!(Dates::create(
        &serde_json::json!({"lexicon": "/nonexistent/dates.yaml"}),
        &ctx()
    )
    .is_err());
}

#[test]
fn lexicon_setting_is_loaded_and_used() {
    let dir = std::env::temp_dir().join(format!("enrichd-dates-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let yaml = lexicon::DEFAULT_YAML.replace(
        "  trưa: noon\n",
        "  trưa: noon\n  xế chiều: late_afternoon\n",
    );
    std::fs::write(dir.join("lex.yaml"), yaml).expect("write lexicon");
    let ctx = Context {
        config_dir: dir.clone(),
    };
    let p = Dates::create(&serde_json::json!({"lexicon": "lex.yaml"}), &ctx).expect("plugin");
    let recs = p.extract("Xế chiều 4/7, đoàn về.", None, None, None);
    let r = only(&recs);
    assert_eq!(r.part_of_day.as_deref(), Some("late_afternoon"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn process_reads_fields_and_source() {
    let p = Dates::create(&serde_json::Value::Null, &ctx()).expect("plugin");
    let source = r#"{"path":"/x/a.txt","name":"a.txt","bytes":1,"sha256":"0","modified":"2020-01-01T00:00:00Z"}"#;
    let fields = r#"{"title":"Hội nghị","published":"2019-06-02T10:00:00+07:00"}"#;
    let doc = Document::new("Chiều 1/6, hội nghị khai mạc.", source, fields);
    let out = p.process(&doc).expect("process");
    let dates = out.fields.get("dates").expect("dates field");
    assert_eq!(dates[0]["value"], "2019-06-01");
    assert_eq!(dates[0]["year_source"], "published");
    assert_eq!(dates[0]["part_of_day"], "afternoon");
    assert_eq!(dates[0]["start"], 0);
    assert_eq!(dates[0]["end"], 9);
}

#[test]
fn process_without_fields_falls_back_to_file_time() {
    let p = Dates::create(&serde_json::Value::Null, &ctx()).expect("plugin");
    let source = r#"{"path":"/x/a.txt","name":"a.txt","bytes":1,"sha256":"0","modified":"2020-06-03T00:00:00Z"}"#;
    let doc = Document::new("Chiều 1/6, hội nghị khai mạc.", source, "{}");
    let out = p.process(&doc).expect("process");
    let dates = out.fields.get("dates").expect("dates field");
    assert_eq!(dates[0]["value"], "2020-06-01");
    assert_eq!(dates[0]["year_source"], "file");
}

case!(
    clock_after_date_with_word,
    "Lễ khai mạc ngày 15/3 lúc 8h30 tại Hà Nội.",
    ["--03-15T08:30+07:00"]
);
case!(
    stamp_with_dash_time,
    "Thứ sáu, 15/03/2024 - 08:00",
    ["2024-03-15T08:00+07:00"]
);
case!(
    stamp_with_parenthesised_zone,
    "Thứ sáu, 15/3/2024, 08:00 (GMT+7)",
    ["2024-03-15T08:00+07:00"]
);
case!(
    clock_colon_before_day,
    "Đến 12:30 ngày 2/9, lễ kết thúc.",
    ["--09-02T12:30+07:00"]
);
case!(
    day_span_after_from,
    "Triển lãm mở cửa từ 15-20/3/2024 tại Hà Nội.",
    ["2024-03-15/2024-03-20"]
);
case!(
    dash_between_dates_is_no_clock,
    "(19/5/1890 – 19/5/2024)",
    ["1890-05-19/2024-05-19"]
);
case!(
    not_count_range_after_from,
    "thời gian từ 1-2 ngày đến 3-5 năm",
    []
);

#[test]
fn file_time_in_late_november_keeps_january_in_its_year() {
    let recs = plugin(false).extract(
        "Chiều 15-1, hội nghị.",
        None,
        None,
        Some("2026-11-22T12:54:19Z"),
    );
    assert_eq!(values_of(&recs), vec!["2026-01-15"]);
}
case!(
    not_score_before_date,
    "Đội thắng 2-1, sáng 5/6 trở về.",
    ["--06-05"]
);
case!(
    not_score_after_date,
    "Sáng 5/6, thắng 2-1 tại sân nhà.",
    ["--06-05"]
);

#[test]
fn records_as_json_are_what_they_serialise_to() {
    let text = "Sáng 14-4, giai đoạn 2016-2021; hôm qua; ngày 29/5/2023 lúc 8h30.";
    for published in [None, Some("2023-05-29T12:50:00+07:00")] {
        for recs in [
            plugin(true).extract(text, None, published, None),
            plugin(false).extract(text, None, None, None),
        ] {
            assert!(!recs.is_empty());
            for r in recs {
                let expected = serde_json::to_value(&r).expect("serialises");
                assert_eq!(r.into_json(), expected);
            }
        }
    }
}
