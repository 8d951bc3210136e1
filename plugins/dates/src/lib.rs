//! The `dates` plugin: every date expression in a Vietnamese news article, resolved to ISO 8601.
//!
//! # The `dates` field
//! A list, in text order, of one object per date expression of the record's `text`:
//!
//! | key | meaning |
//! |---|---|
//! | `text` | the expression as written, cue words included: `"Sáng 14-4"`, `"giai đoạn 2016-2021"`, `"Thứ hai, 29/05/2023 12:50 GMT+7"` |
//! | `start`, `end` | offsets of `text` in the record's `text`, in Unicode scalar values (chars) as Python's `len(str)` and spaCy count them; `end` is exclusive |
//! | `value` | ISO 8601: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM±HH:MM`; an interval `START/END` (`2016/2021`, `2013-05-31/2013-06-02`); `--MM-DD` when the year is unknowable; `null` only for a relative date with no reference date |
//! | `precision` | `minute`, `day`, `week`, `month`, `quarter`, `year` or `decade` (of the end, for an interval) |
//! | `part_of_day` | from the part-of-day word before the date (`sáng` → `morning`, `trưa` → `noon`, `chiều` → `afternoon`, `tối` → `evening`, `đêm` → `night`; see the lexicon), or `null` |
//! | `year_source` | where the year comes from: `text` (the expression itself, the same sentence (for an interval, a next one), the headline, or the lead's date), `published` (the page date found by `boilerplate`), `file` (the input file's modification time), `unknown` (nowhere: the value is `--MM-DD`) |
//!
//! # What counts as a date
//! - Full dates: `ngày 28-4-2023`, `28/4/2023`, `28.4.2023`, `ngày 28 tháng 4 năm 2023`, page
//!   stamps `31/05/13 10:48 GMT+7`, with a weekday and clock time when written next to them.
//! - Day-months after a cue: the day word (`Ngày 27/12`), a part of the day (`Sáng 14-4`,
//!   `Chiều 23/5`), a relative day (`hôm nay (16-1)`, `Chiều qua, 25-5`), a weekday, or a
//!   clock time with one of those (`19 giờ ngày 15/3`). A bare `2-1` is a score, not a date.
//! - Months (`tháng 5/2023`, `tháng 5 năm 2023`), quarters (`quý I/2024` →
//!   `2024-01/2024-03`), years after the year word (`năm 2024`, `đầu năm 2025`, `Hiến pháp năm
//!   1992`), decades (`những năm 1990` → `1990/1999`).
//! - Periods: `giai đoạn 2016-2021`, `nhiệm kỳ 2026-2031`, `(2005-2010)`, `từ năm 2016 đến năm
//!   2021` → `2016/2021`; `từ ngày 31-5 đến 2-6-2013` → `2013-05-31/2013-06-02`.
//! - Lists lend each other what they lack: `tháng 8 và tháng 9.2010` → `2010-08`, `2010-09`;
//!   `các năm 2009, 2010 và 2011` → three years.
//! - Not dates: numbers glued to codes or units (`53-KL/TW`, `Covid-19`, `15-30 phút`,
//!   `99,46%`, `78,9 triệu`), phone numbers, scores, anniversaries (`70 năm Chiến thắng…`),
//!   a year after a name (`ASEAN 2020`, which still tells the year of a day-month nearby).
//!
//! A day-month without its year takes it from the same sentence, the headline, the lead's
//! date (`Ngày 5/9/2019, …` opening the text), `published`, then the file's modification
//! time; see [`mod@resolve`] for the rule. An interval also takes it from the sentences next to
//! its own in its paragraph. An interval whose year comes from the text is one `START/END`
//! record (`từ ngày 5 đến ngày 8/9` → `2019-09-05/2019-09-08`); otherwise its two ends are
//! reported separately, each with its own `year_source`.
//!
//! Relative words standing alone (`hôm qua`, `hôm nay`, `tuần trước`, `năm ngoái`) are reported
//! only with the setting `bare_relative: true`, resolved against `published` (else the file's
//! modification time) with the precision of their unit; the eval set's annotation does not
//! count them, so they are off by default. Attached to a written date (`hôm nay (16-1)`) they
//! are always part of that date's `text`.
//!
//! # Reads
//! `text`, the fields `title` (string) and `published` (RFC 3339) when earlier plugins set
//! them, and `source.modified`.
//!
//! # Settings
//! - `lexicon`: path of a YAML lexicon (relative to the daemon's config folder); default: the
//!   built-in copy of `config/dates.vi.yaml`. Unknown keys are errors.
//! - `bare_relative`: report relative words standing alone (default `false`).

pub mod cued;
pub mod fold;
pub mod left;
pub mod lexicon;
pub mod matches;
pub mod regions;
pub mod resolve;
pub mod scan;
pub mod text;

use enrichd_plugin_api::{export_plugin, Context, Document, Error, Output, Plugin};
use lexicon::Lexicon;
use resolve::{date_of, resolve, DateRecord, Reference};
use scan::Scanner;
use serde::Deserialize;

/// The plugin's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Path of a YAML lexicon.
    #[serde(default)]
    lexicon: Option<String>,
    /// Report relative words standing alone.
    #[serde(default)]
    bare_relative: bool,
}

/// The plugin.
pub struct Dates {
    scanner: Scanner,
    utc_offset: String,
    bare_relative: bool,
}

impl Dates {
    /// A plugin from a lexicon.
    pub fn with_lexicon(lex: &Lexicon, bare_relative: bool) -> Result<Dates, Error> {
        Ok(Dates {
            scanner: Scanner::with_relative(lex, bare_relative).map_err(Error::new)?,
            utc_offset: lex.utc_offset.clone(),
            bare_relative,
        })
    }

    /// The date records of `text` given the headline, the page date and the file date
    /// (RFC 3339 strings).
    pub fn extract(
        &self,
        text: &str,
        title: Option<&str>,
        published: Option<&str>,
        modified: Option<&str>,
    ) -> Vec<DateRecord> {
        let scan = self.scanner.scan(text, self.bare_relative);
        let reference = Reference {
            title,
            published: published.and_then(date_of),
            file: modified.and_then(date_of),
            utc_offset: &self.utc_offset,
        };
        resolve(&self.scanner, text, &scan, &reference)
    }
}

impl Plugin for Dates {
    const NAME: &'static str = "dates";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn create(config: &serde_json::Value, ctx: &Context) -> Result<Self, Error> {
        let settings: Settings = enrichd_plugin_api::settings(Self::NAME, config)?;
        let lex = match &settings.lexicon {
            Some(path) => {
                let path = ctx.resolve(path);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::new(format!("dates lexicon {}: {e}", path.display())))?;
                Lexicon::from_yaml(&text, &path.display().to_string()).map_err(Error::new)?
            }
            None => Lexicon::builtin().map_err(Error::new)?,
        };
        Dates::with_lexicon(&lex, settings.bare_relative)
    }

    fn process(&self, doc: &Document<'_>) -> Result<Output, Error> {
        // Only these two fields are parsed, not everything earlier plugins added.
        let title = doc.field_as::<serde_json::Value>("title")?;
        let published = doc.field_as::<serde_json::Value>("published")?;
        let modified = doc.source()?.modified.clone();
        let records = self.extract(
            doc.text(),
            title.as_ref().and_then(|v| v.as_str()),
            published.as_ref().and_then(|v| v.as_str()),
            modified.as_deref(),
        );
        let mut out = Output::default();
        let records = records.into_iter().map(DateRecord::into_json).collect();
        out.fields
            .insert("dates".to_string(), serde_json::Value::Array(records));
        Ok(out)
    }
}

export_plugin!(Dates);

#[cfg(test)]
mod tests;
