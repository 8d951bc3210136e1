//! The database sinks' shared reading of a record: the columns of its
//! `documents` row and its `people`, `dates` and `acronyms` rows (SQLite and
//! PostgreSQL store the same logical schema).
//!
//! A record is never refused for its shape: a missing field, or one of an
//! unexpected type, becomes `None` or no rows; a person without a name and an
//! acronym without its short form are skipped. The whole record is kept as
//! JSON beside the rows, so nothing is lost.

use crate::record::{RawJson, Record};

/// What the tables take from one record, extracted at `write`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub source_path: Option<String>,
    pub source_name: Option<String>,
    pub title: Option<String>,
    pub text: String,
    /// As the record has it (the boilerplate plugin writes RFC 3339).
    pub published: Option<String>,
    pub ingested_at: Option<String>,
    pub people: Vec<PersonRow>,
    pub dates: Vec<DateRow>,
    pub acronyms: Vec<AcronymRow>,
}

/// One of `people[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub name: String,
    pub rank: Option<String>,
    pub rank_en: Option<String>,
    pub rank_code: Option<String>,
    /// A JSON array of strings.
    pub titles: String,
}

/// One of `dates[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct DateRow {
    pub text: Option<String>,
    pub value: Option<String>,
    pub precision: Option<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// One of `acronyms[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct AcronymRow {
    pub short: String,
    pub long: Option<String>,
    pub origin: Option<String>,
}

impl Row {
    /// Read the rows out of `record`.
    pub fn from_record(record: &Record) -> Row {
        let string_field = |key: &str| text(record.fields.get(key).map(RawJson::get));
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        Row {
            id: record.id.clone(),
            source_path: nonempty(&record.source.path),
            source_name: nonempty(&record.source.name),
            title: string_field("title"),
            text: record.text.clone(),
            published: string_field("published"),
            ingested_at: nonempty(&record.ingested_at),
            people: entries(record, "people", PersonRow::from_entry),
            dates: entries(record, "dates", DateRow::from_entry),
            acronyms: entries(record, "acronyms", AcronymRow::from_entry),
        }
    }

    /// Apply `f` to every text value (PostgreSQL: drop NUL characters).
    pub fn map_text(&mut self, f: impl Fn(&str) -> String) {
        let opt = |o: &mut Option<String>| {
            if let Some(s) = o {
                *s = f(s);
            }
        };
        self.id = f(&self.id);
        self.text = f(&self.text);
        for o in [
            &mut self.source_path,
            &mut self.source_name,
            &mut self.title,
            &mut self.published,
            &mut self.ingested_at,
        ] {
            opt(o);
        }
        for p in &mut self.people {
            p.name = f(&p.name);
            p.titles = f(&p.titles);
            for o in [&mut p.rank, &mut p.rank_en, &mut p.rank_code] {
                opt(o);
            }
        }
        for d in &mut self.dates {
            for o in [&mut d.text, &mut d.value, &mut d.precision] {
                opt(o);
            }
        }
        for a in &mut self.acronyms {
            a.short = f(&a.short);
            for o in [&mut a.long, &mut a.origin] {
                opt(o);
            }
        }
    }
}

/// The rows of the array field `key`, each read by `row` from the entry's members (JSON text,
/// no tree). An entry that is not an object gives no row; neither does a value that is not an
/// array. A record's shape is never an error.
fn entries<'a, T>(record: &'a Record, key: &str, row: impl Fn(&Entry<'a>) -> Option<T>) -> Vec<T> {
    let Some(list) = record
        .fields
        .get(key)
        .and_then(|raw| enrichd_json::elements(raw.get()).ok())
    else {
        return Vec::new();
    };
    list.into_iter()
        .filter(|entry| entry.starts_with('{'))
        .filter_map(|entry| row(&Entry(enrichd_json::members(entry).ok()?)))
        .collect()
}

/// The members of one entry object.
struct Entry<'a>(Vec<enrichd_json::Member<'a>>);

impl<'a> Entry<'a> {
    /// The JSON text of member `name`; the last one when it is there twice, as in a tree.
    fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .rev()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }
}

/// A value if it is a string (JSON text).
fn text(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    let content = raw.strip_prefix('"')?.strip_suffix('"')?;
    if content.contains('\\') {
        serde_json::from_str(raw).ok()
    } else {
        // A checked JSON string without escapes: its content is the string.
        Some(content.to_string())
    }
}

/// A value if it is an integer that fits an `i64` (JSON text, so no sign but `-` and no
/// leading zeros: `i64`'s own parsing agrees with serde_json's, but for `-0`, which serde_json
/// reads as the float -0.0).
fn integer(raw: Option<&str>) -> Option<i64> {
    raw.filter(|r| *r != "-0")?.parse().ok()
}

impl PersonRow {
    /// The row of one `people[]` entry; `None` without a name.
    fn from_entry(p: &Entry) -> Option<PersonRow> {
        let titles: Vec<String> = p
            .get("titles")
            .and_then(|t| enrichd_json::elements(t).ok())
            .map(|t| t.into_iter().filter_map(|t| text(Some(t))).collect())
            .unwrap_or_default();
        Some(PersonRow {
            name: text(p.get("name"))?,
            rank: text(p.get("rank")),
            rank_en: text(p.get("rank_en")),
            rank_code: text(p.get("rank_code")),
            titles: serde_json::to_string(&titles).unwrap_or_else(|_| "[]".into()),
        })
    }
}

impl DateRow {
    /// The row of one `dates[]` entry.
    fn from_entry(d: &Entry) -> Option<DateRow> {
        Some(DateRow {
            text: text(d.get("text")),
            value: text(d.get("value")),
            precision: text(d.get("precision")),
            start: integer(d.get("start")),
            end: integer(d.get("end")),
        })
    }
}

impl AcronymRow {
    /// The row of one `acronyms[]` entry; `None` without a short form.
    fn from_entry(a: &Entry) -> Option<AcronymRow> {
        Some(AcronymRow {
            short: text(a.get("short"))?,
            long: text(a.get("long")),
            origin: text(a.get("origin")),
        })
    }
}

/// A record for the sinks' tests: `fields` (a JSON object) and a short text naming `id`.
#[cfg(test)]
pub(crate) fn test_record(id: &str, fields: serde_json::Value) -> Record {
    let serde_json::Value::Object(fields) = fields else {
        panic!("fields are an object")
    };
    Record {
        id: id.into(),
        source: Default::default(),
        ingested_at: "2024-01-01T00:00:00Z".into(),
        text: format!("Văn bản {id}"),
        fields: crate::record::fields_from(fields),
        pipeline: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    // The rows as a `Value` tree reads them: the reference the member reading must agree with.

    /// A string member of a JSON object, if it is one.
    fn string(v: &Value, key: &str) -> Option<String> {
        v.get(key).and_then(Value::as_str).map(str::to_string)
    }

    fn person_by_tree(p: &Value) -> Option<PersonRow> {
        let titles: Vec<&str> = p
            .get("titles")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Some(PersonRow {
            name: string(p, "name")?,
            rank: string(p, "rank"),
            rank_en: string(p, "rank_en"),
            rank_code: string(p, "rank_code"),
            titles: serde_json::to_string(&titles).unwrap(),
        })
    }

    fn date_by_tree(d: &Value) -> Option<DateRow> {
        d.is_object().then(|| DateRow {
            text: string(d, "text"),
            value: string(d, "value"),
            precision: string(d, "precision"),
            start: d.get("start").and_then(Value::as_i64),
            end: d.get("end").and_then(Value::as_i64),
        })
    }

    fn acronym_by_tree(a: &Value) -> Option<AcronymRow> {
        Some(AcronymRow {
            short: string(a, "short")?,
            long: string(a, "long"),
            origin: string(a, "origin"),
        })
    }

    /// `entries` as the `Value` tree reads them.
    fn by_tree<T>(record: &Record, key: &str, row: impl Fn(&Value) -> Option<T>) -> Vec<T> {
        match record.field(key) {
            Some(Value::Array(list)) => list.iter().filter_map(row).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn entries_of_any_shape_read_the_same_as_through_a_value_tree() {
        let odd = json!([
            {"name": "Hoàng Xuân Chiến", "rank": "Đại tướng", "rank_en": "General", "rank_code": "OF-9",
             "titles": ["Thứ trưởng", 5, null, "Uỷ viên \"TW\""], "extra": {"x": [1]},
             "short": "QĐND", "long": "Quân đội nhân dân", "origin": "dictionary",
             "text": "ngày 5/9/2019", "value": "2019-09-05", "precision": "day", "start": 10, "end": 25},
            {"name": 7, "short": null, "start": 1.0, "end": -3, "titles": "not a list"},
            {"name": "A", "name": "B", "short": "X", "short": "Y", "start": 1, "start": 2},
            {"start": 18446744073709551615u64, "end": -9223372036854775808i64, "titles": [[], {}]},
            ["Hoàng Xuân Chiến", "Đại tướng", "General", "OF-9", []],
            ["a", "b", "c", "d", "e"],
            "a string", 12, null, true, {}, [],
        ]);
        let shapes = [
            odd.clone(),
            json!({"not": "a list"}),
            json!("x"),
            json!(null),
            json!([]),
        ];
        for shape in shapes {
            let fields = json!({"people": shape, "dates": shape, "acronyms": shape});
            let record = test_record("r", fields);
            assert_eq!(
                entries(&record, "people", PersonRow::from_entry),
                by_tree(&record, "people", person_by_tree),
                "{shape}"
            );
            assert_eq!(
                entries(&record, "dates", DateRow::from_entry),
                by_tree(&record, "dates", date_by_tree),
                "{shape}"
            );
            assert_eq!(
                entries(&record, "acronyms", AcronymRow::from_entry),
                by_tree(&record, "acronyms", acronym_by_tree),
                "{shape}"
            );
        }
        // Escapes in the JSON text, and nesting deeper than the member scan goes (serde_json
        // then reads the list and the entry).
        let escaped = r#"[{"name": "L\u00ea \"B\" \\ \/", "short": "\/", "text": "", "start": 1e2, "end": -0,
                           "titles": ["\u0041", "x\ty"], "rank": "\ud83d\ude00"}]"#;
        let deep = format!(
            r#"[{{"name": "Sâu", "short": "S", "end": 3, "extra": {}{}}}]"#,
            "[".repeat(110),
            "]".repeat(110)
        );
        for raw in [escaped, &deep] {
            let mut record = test_record("r", json!({}));
            for key in ["people", "dates", "acronyms"] {
                let raw = crate::record::RawJson::parse(raw).unwrap();
                record.fields.insert(key.to_string(), raw);
            }
            let row = Row::from_record(&record);
            assert_eq!(row.people, by_tree(&record, "people", person_by_tree));
            assert_eq!(row.dates, by_tree(&record, "dates", date_by_tree));
            assert_eq!(row.acronyms, by_tree(&record, "acronyms", acronym_by_tree));
            assert_eq!(row.people.len(), 1, "{raw}");
        }
        // A key twice in an entry (JSON allows it; the last one counts): the tree reads it.
        let mut record = test_record("r", json!({}));
        let twice =
            r#"[{"name": "A", "name": "B", "short": 1, "short": "Y", "start": 1, "start": 2}]"#;
        for key in ["people", "dates", "acronyms"] {
            let raw = crate::record::RawJson::parse(twice).unwrap();
            record.fields.insert(key.to_string(), raw);
        }
        let row = Row::from_record(&record);
        assert_eq!(row.people[0].name, "B");
        assert_eq!(row.acronyms[0].short, "Y");
        assert_eq!(row.dates[0].start, Some(2));
    }
}
