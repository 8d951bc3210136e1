//! The database sinks' shared reading of a record: the columns of its
//! `documents` row and its `people`, `dates` and `acronyms` rows (SQLite and
//! PostgreSQL store the same logical schema).
//!
//! A record is never refused for its shape: a missing field, or one of an
//! unexpected type, becomes `None` or no rows; a person without a name and an
//! acronym without its short form are skipped. The whole record is kept as
//! JSON beside the rows, so nothing is lost.

use crate::record::Record;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

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

/// A string field of a JSON object, if it is one.
fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

impl Row {
    /// Read the rows out of `record`.
    pub fn from_record(record: &Record) -> Row {
        let string_field = |key: &str| match record.field(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        Row {
            id: record.id.clone(),
            source_path: nonempty(&record.source.path),
            source_name: nonempty(&record.source.name),
            title: string_field("title"),
            text: record.text.clone(),
            published: string_field("published"),
            ingested_at: nonempty(&record.ingested_at),
            people: entries(record, "people", PersonIn::row, PersonRow::from_value),
            dates: entries(record, "dates", DateIn::row, DateRow::from_value),
            acronyms: entries(record, "acronyms", AcronymIn::row, AcronymRow::from_value),
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

impl PersonRow {
    /// The row of one `people[]` entry read as a JSON tree; `None` without a name.
    fn from_value(p: &Value) -> Option<PersonRow> {
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
            titles: serde_json::to_string(&titles).unwrap_or_else(|_| "[]".into()),
        })
    }
}

impl DateRow {
    /// The row of one `dates[]` entry read as a JSON tree; `None` unless it is an object.
    fn from_value(d: &Value) -> Option<DateRow> {
        d.is_object().then(|| DateRow {
            text: string(d, "text"),
            value: string(d, "value"),
            precision: string(d, "precision"),
            start: d.get("start").and_then(Value::as_i64),
            end: d.get("end").and_then(Value::as_i64),
        })
    }
}

impl AcronymRow {
    /// The row of one `acronyms[]` entry read as a JSON tree; `None` without a short form.
    fn from_value(a: &Value) -> Option<AcronymRow> {
        Some(AcronymRow {
            short: string(a, "short")?,
            long: string(a, "long"),
            origin: string(a, "origin"),
        })
    }
}

/// The rows of the array field `key`, each entry read by `fast_row` from its members' JSON text
/// (no tree); an entry that is not an object of distinct keys is read through a `Value` tree
/// by `slow`. Both give the same row: a value of another shape is `None`, never an error.
fn entries<'a, E: Deserialize<'a>, T>(
    record: &'a Record,
    key: &str,
    fast_row: impl Fn(E) -> Option<T>,
    slow: impl Fn(&Value) -> Option<T>,
) -> Vec<T> {
    let Some(list) = record
        .fields
        .get(key)
        .and_then(|raw| serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok())
    else {
        return Vec::new();
    };
    list.into_iter()
        .filter_map(|entry| {
            // (A struct would also be read from an array: only objects take the fast way.)
            let fast = entry
                .get()
                .starts_with('{')
                .then(|| serde_json::from_str::<E>(entry.get()));
            match fast {
                Some(Ok(e)) => fast_row(e),
                _ => slow(&serde_json::from_str(entry.get()).ok()?),
            }
        })
        .collect()
}

/// A member's value if it is a string.
fn text(raw: Option<&RawValue>) -> Option<String> {
    raw.filter(|r| r.get().starts_with('"'))
        .and_then(|r| serde_json::from_str(r.get()).ok())
}

/// A member's value if it is an integer that fits an `i64`.
fn integer(raw: Option<&RawValue>) -> Option<i64> {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
}

/// One `people[]` entry's members that the database keeps.
#[derive(Deserialize)]
struct PersonIn<'a> {
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    rank: Option<&'a RawValue>,
    #[serde(borrow)]
    rank_en: Option<&'a RawValue>,
    #[serde(borrow)]
    rank_code: Option<&'a RawValue>,
    #[serde(borrow)]
    titles: Option<&'a RawValue>,
}

impl PersonIn<'_> {
    fn row(self) -> Option<PersonRow> {
        let titles: Vec<String> = self
            .titles
            .and_then(|t| serde_json::from_str::<Vec<&RawValue>>(t.get()).ok())
            .map(|t| t.into_iter().filter_map(|t| text(Some(t))).collect())
            .unwrap_or_default();
        Some(PersonRow {
            name: text(self.name)?,
            rank: text(self.rank),
            rank_en: text(self.rank_en),
            rank_code: text(self.rank_code),
            titles: serde_json::to_string(&titles).unwrap_or_else(|_| "[]".into()),
        })
    }
}

/// One `dates[]` entry's members that the database keeps.
#[derive(Deserialize)]
struct DateIn<'a> {
    #[serde(borrow)]
    text: Option<&'a RawValue>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
    #[serde(borrow)]
    precision: Option<&'a RawValue>,
    #[serde(borrow)]
    start: Option<&'a RawValue>,
    #[serde(borrow)]
    end: Option<&'a RawValue>,
}

impl DateIn<'_> {
    fn row(self) -> Option<DateRow> {
        Some(DateRow {
            text: text(self.text),
            value: text(self.value),
            precision: text(self.precision),
            start: integer(self.start),
            end: integer(self.end),
        })
    }
}

/// One `acronyms[]` entry's members that the database keeps.
#[derive(Deserialize)]
struct AcronymIn<'a> {
    #[serde(borrow)]
    short: Option<&'a RawValue>,
    #[serde(borrow)]
    long: Option<&'a RawValue>,
    #[serde(borrow)]
    origin: Option<&'a RawValue>,
}

impl AcronymIn<'_> {
    fn row(self) -> Option<AcronymRow> {
        Some(AcronymRow {
            short: text(self.short)?,
            long: text(self.long),
            origin: text(self.origin),
        })
    }
}

/// A record for the sinks' tests: `fields` (a JSON object) and a short text naming `id`.
#[cfg(test)]
pub(crate) fn test_record(id: &str, fields: Value) -> Record {
    let Value::Object(fields) = fields else {
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
    use serde_json::json;

    /// `entries` as the `Value` tree reads them: the reference.
    fn by_tree<T>(record: &Record, key: &str, slow: impl Fn(&Value) -> Option<T>) -> Vec<T> {
        match record.field(key) {
            Some(Value::Array(list)) => list.iter().filter_map(slow).collect(),
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
                entries(&record, "people", PersonIn::row, PersonRow::from_value),
                by_tree(&record, "people", PersonRow::from_value),
                "{shape}"
            );
            assert_eq!(
                entries(&record, "dates", DateIn::row, DateRow::from_value),
                by_tree(&record, "dates", DateRow::from_value),
                "{shape}"
            );
            assert_eq!(
                entries(&record, "acronyms", AcronymIn::row, AcronymRow::from_value),
                by_tree(&record, "acronyms", AcronymRow::from_value),
                "{shape}"
            );
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
