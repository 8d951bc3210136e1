//! The database sinks' shared reading of a record: the columns of its
//! `documents` row and its `people`, `dates` and `acronyms` rows (SQLite and
//! PostgreSQL store the same logical schema).
//!
//! A record is never refused for its shape: a missing field, or one of an
//! unexpected type, becomes `None` or no rows; a person without a name and an
//! acronym without its short form are skipped. The whole record is kept as
//! JSON beside the rows, so nothing is lost.

use crate::record::Record;
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
        let entries = |key: &str| -> Vec<Value> {
            match record.field(key) {
                Some(Value::Array(a)) => a,
                _ => Vec::new(),
            }
        };
        let string_field = |key: &str| match record.field(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let people = entries("people")
            .iter()
            .filter_map(|p| {
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
            })
            .collect();
        let dates = entries("dates")
            .iter()
            .filter(|d| d.is_object())
            .map(|d| DateRow {
                text: string(d, "text"),
                value: string(d, "value"),
                precision: string(d, "precision"),
                start: d.get("start").and_then(Value::as_i64),
                end: d.get("end").and_then(Value::as_i64),
            })
            .collect();
        let acronyms = entries("acronyms")
            .iter()
            .filter_map(|a| {
                Some(AcronymRow {
                    short: string(a, "short")?,
                    long: string(a, "long"),
                    origin: string(a, "origin"),
                })
            })
            .collect();
        let nonempty = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        Row {
            id: record.id.clone(),
            source_path: nonempty(&record.source.path),
            source_name: nonempty(&record.source.name),
            title: string_field("title"),
            text: record.text.clone(),
            published: string_field("published"),
            ingested_at: nonempty(&record.ingested_at),
            people,
            dates,
            acronyms,
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
