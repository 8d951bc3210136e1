//! `enrichd search`: find articles in the SQLite sink's database (schema in
//! [`crate::sink::sqlite`]).
//!
//! # What matches
//! - Words: every word must be in the title or the body (FTS5). Words and text are folded
//!   alike ([`fold`]: no diacritics, đ = d, lower case), so "hoang xuan chien" finds
//!   "Hoàng Xuân Chiến" and "dai tuong" finds "Đại tướng". Words in double quotes must stand
//!   next to each other (`"xuan chien"`). Punctuation inside a word splits it into adjacent
//!   tokens ("C-130" = "c" then "130"); nothing in a query is FTS5 syntax, so `AND(` or
//!   `C-130` are plain words, never a syntax error. No prefix matching.
//! - Order: articles where the unquoted words also stand together, in the order typed, come
//!   first (a name typed without quotes still ranks the articles naming that person above
//!   those that merely contain its syllables); then by relevance (bm25, a title word weighs
//!   five body words); then the newest `published` first.
//! - `person`: a person of the article whose folded name contains the folded words as whole
//!   words ("xuan chien" matches "Hoàng Xuân Chiến"; "chie" does not).
//! - `rank`: a person of the article with that rank, folded: the Vietnamese rank ("Thượng
//!   tướng", "thuong tuong"), the English one ("Colonel General") or the NATO code ("OF-8"),
//!   whole. With `person` too, one person must match both.
//! - `since` / `until`: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive, compared with the date
//!   of the article's `published` stamp as written (its own time zone). Articles without
//!   `published` never match a date filter.
//! - Without words, every article passing the filters matches, newest first.

use crate::sink::sqlite::{check_version, fold, fold_char, schema_version};
use anyhow::Context as _;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::Path;

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The words, as typed (may be empty when a filter is given).
    pub words: String,
    pub person: Option<String>,
    pub rank: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    /// At most this many articles.
    pub limit: usize,
}

impl Query {
    /// Whether the query asks for anything at all.
    pub fn is_empty(&self) -> bool {
        self.words.trim().is_empty()
            && [&self.person, &self.rank, &self.since, &self.until]
                .iter()
                .all(|f| f.is_none())
    }
}

/// One article found.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub people: Vec<Person>,
    pub source: HitSource,
    /// A piece of the body around the first word found (only when words were given).
    pub snippet: Option<String>,
}

/// Where the article's input file was.
#[derive(Debug, Clone, Serialize)]
pub struct HitSource {
    pub path: Option<String>,
    pub name: Option<String>,
}

/// A person named in a found article.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub name: String,
    pub rank: Option<String>,
    pub rank_en: Option<String>,
    pub titles: Vec<String>,
}

impl Person {
    /// "Rank Name", or the name alone.
    pub fn display(&self) -> String {
        match &self.rank {
            Some(rank) => format!("{rank} {}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Open a database read-only (never creating it) and check its schema.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    let at = || format!("SQLite database {}", path.display());
    if !path.is_file() {
        anyhow::bail!(
            "no {}: the sqlite sink creates it when the daemon writes its first record",
            at()
        );
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {}", at()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .with_context(|| format!("cannot set the busy timeout of {}", at()))?;
    let version = schema_version(&conn).with_context(|| {
        let read_only = conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .err()
            .and_then(|e| e.sqlite_error_code())
            == Some(rusqlite::ErrorCode::ReadOnly);
        if read_only {
            format!(
                "{}: reading a WAL database needs its -shm file: search as a user who may write to its folder (such as the daemon's)",
                at()
            )
        } else {
            at()
        }
    })?;
    check_version(version).with_context(at)?;
    Ok(conn)
}

/// One word or quoted phrase of the query, folded.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    text: String,
    quoted: bool,
}

/// Split the query into words and `"quoted phrases"` (an unclosed quote runs to the end),
/// folded; terms without a letter or digit are dropped (they would match nothing).
fn terms(words: &str) -> Vec<Term> {
    let mut out = Vec::new();
    for (i, part) in words.split('"').enumerate() {
        let quoted = i % 2 == 1;
        let mut push = |text: &str| {
            let text = fold(text).split_whitespace().collect::<Vec<_>>().join(" ");
            if text.chars().any(char::is_alphanumeric) {
                out.push(Term { text, quoted });
            }
        };
        if quoted {
            push(part);
        } else {
            part.split_whitespace().for_each(push);
        }
    }
    out
}

/// An FTS5 string: quoted, so nothing in it is query syntax.
fn fts_string(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The FTS5 expressions: every term (implicit AND), and the unquoted words as one phrase
/// when there are at least two of them.
fn match_expressions(terms: &[Term]) -> Option<(String, Option<String>)> {
    if terms.is_empty() {
        return None;
    }
    let all = terms
        .iter()
        .map(|t| fts_string(&t.text))
        .collect::<Vec<_>>()
        .join(" ");
    let bare: Vec<&str> = terms
        .iter()
        .filter(|t| !t.quoted)
        .map(|t| t.text.as_str())
        .collect();
    let phrase = (bare.len() >= 2).then(|| fts_string(&bare.join(" ")));
    Some((all, phrase))
}

/// The first day of a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` period, and the day after its last.
pub fn period(text: &str) -> anyhow::Result<(String, String)> {
    use jiff::civil::Date;
    let bad = || {
        anyhow::anyhow!(
            "{text:?} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (2019-09-05, 2019-09, 2019)"
        )
    };
    let parts: Vec<&str> = text.trim().split('-').collect();
    let number = |s: &str, len: usize| -> anyhow::Result<i16> {
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (first, after) = match parts.as_slice() {
        [y] => {
            let y = number(y, 4)?;
            let first = Date::new(y, 1, 1).map_err(|_| bad())?;
            (first, Date::new(y + 1, 1, 1).map_err(|_| bad())?)
        }
        [y, m] => {
            let (y, m) = (number(y, 4)?, number(m, 2)? as i8);
            let first = Date::new(y, m, 1).map_err(|_| bad())?;
            let after = first.last_of_month().tomorrow().map_err(|_| bad())?;
            (first, after)
        }
        [y, m, d] => {
            let day = Date::new(number(y, 4)?, number(m, 2)? as i8, number(d, 2)? as i8)
                .map_err(|_| bad())?;
            (day, day.tomorrow().map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    };
    Ok((first.to_string(), after.to_string()))
}

/// Run a query: the matching articles, best first.
pub fn search(conn: &Connection, query: &Query) -> anyhow::Result<Vec<Hit>> {
    let terms = terms(&query.words);
    let mut args: Vec<SqlValue> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    // ORDER BY and its argument (the adjacency phrase), bound after the WHERE arguments.
    let mut order_args: Vec<SqlValue> = Vec::new();
    let (from, order) = match match_expressions(&terms) {
        Some((all, phrase)) => {
            conds.push("documents_fts MATCH ?".into());
            args.push(SqlValue::Text(all));
            let mut order = String::new();
            if let Some(phrase) = phrase {
                order.push_str("(documents_fts.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)) DESC, ");
                order_args.push(SqlValue::Text(phrase));
            }
            order.push_str("bm25(documents_fts, 5.0, 1.0), d.published DESC");
            (
                "documents_fts JOIN documents d ON d.docno = documents_fts.rowid",
                order,
            )
        }
        None if query.words.trim().is_empty() => ("documents d", "d.published DESC".to_string()),
        // Words were typed but none can match (only punctuation).
        None => return Ok(Vec::new()),
    };
    if let Some(since) = &query.since {
        conds.push("d.published >= ?".into());
        args.push(SqlValue::Text(period(since).context("--since")?.0));
    }
    if let Some(until) = &query.until {
        conds.push("d.published < ?".into());
        args.push(SqlValue::Text(period(until).context("--until")?.1));
    }
    let mut person_conds = Vec::new();
    if let Some(name) = &query.person {
        let name = fold(name).split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            anyhow::bail!("--person: give a name");
        }
        person_conds.push("(' ' || p.name_folded || ' ') LIKE ? ESCAPE '\\'");
        args.push(SqlValue::Text(format!("% {} %", like_escape(&name))));
    }
    if let Some(rank) = &query.rank {
        let rank = fold(rank).split_whitespace().collect::<Vec<_>>().join(" ");
        if rank.is_empty() {
            anyhow::bail!("--rank: give a rank");
        }
        person_conds.push("(p.rank_folded = ? OR p.rank_en_folded = ? OR lower(p.rank_code) = ?)");
        for _ in 0..3 {
            args.push(SqlValue::Text(rank.clone()));
        }
    }
    // Schema 3 keys a document's people by its docno; 1 and 2 (not yet migrated) by its id.
    let by_docno = schema_version(conn)? >= 3;
    if !person_conds.is_empty() {
        let link = if by_docno {
            "p.docno = d.docno"
        } else {
            "p.doc_id = d.id"
        };
        conds.push(format!(
            "EXISTS (SELECT 1 FROM people p WHERE {link} AND {})",
            person_conds.join(" AND ")
        ));
    }
    args.extend(order_args);
    args.push(SqlValue::Integer(
        i64::try_from(query.limit).unwrap_or(i64::MAX),
    ));
    let where_ = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let sql = format!(
        "SELECT d.id, d.title, d.published, d.source_path, d.source_name, d.text, d.docno
         FROM {from} {where_} ORDER BY {order}, d.docno DESC LIMIT ?"
    );
    let mut stmt = conn.prepare(&sql).context("cannot prepare the search")?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                Hit {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    published: r.get(2)?,
                    people: Vec::new(),
                    source: HitSource {
                        path: r.get(3)?,
                        name: r.get(4)?,
                    },
                    snippet: None,
                },
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })
        .context("cannot run the search")?;
    let mut hits = Vec::new();
    for row in rows {
        let (mut hit, text, docno) = row.context("cannot read a search result")?;
        hit.people = if by_docno {
            people(conn, "docno", docno)?
        } else {
            people(conn, "doc_id", &hit.id)?
        };
        hit.snippet = snippet(&text, &terms);
        hits.push(hit);
    }
    Ok(hits)
}

/// Escape `LIKE` wildcards (with `ESCAPE '\'`).
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The people of one article (whose `key` column is `value`), in the record's order.
fn people(
    conn: &Connection,
    key: &str,
    value: impl rusqlite::ToSql,
) -> anyhow::Result<Vec<Person>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT name, rank, rank_en, titles FROM people WHERE {key} = ? ORDER BY ord"
        ))
        .context("cannot read people")?;
    let rows = stmt
        .query_map([value], |r| {
            let titles: String = r.get(3)?;
            Ok(Person {
                name: r.get(0)?,
                rank: r.get(1)?,
                rank_en: r.get(2)?,
                titles: serde_json::from_str(&titles).unwrap_or_default(),
            })
        })
        .context("cannot read people")?;
    rows.collect::<Result<_, _>>().context("cannot read people")
}

/// About 200 chars of `text` around the first place a term stands as whole words (quoted
/// phrases, then the unquoted words together, then each term), with its diacritics.
fn snippet(text: &str, terms: &[Term]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    // The folded text, and for each of its bytes the byte in `text` it came from.
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        fold_char(c, &mut folded);
        origin.resize(folded.len(), i);
    }
    let bare: Vec<&str> = terms
        .iter()
        .filter(|t| !t.quoted)
        .map(|t| t.text.as_str())
        .collect();
    let together = bare.join(" ");
    let candidates = terms
        .iter()
        .filter(|t| t.quoted)
        .map(|t| t.text.as_str())
        .chain(std::iter::once(together.as_str()))
        .chain(terms.iter().map(|t| t.text.as_str()));
    let at = candidates
        .filter(|t| !t.is_empty())
        .find_map(|t| find_word(&folded, t))?;
    let start = origin[at];
    let from = text[..start]
        .char_indices()
        .rev()
        .nth(80)
        .map(|(i, _)| i)
        .unwrap_or(0);
    let to = text[start..]
        .char_indices()
        .nth(120)
        .map_or(text.len(), |(i, _)| start + i);
    let mut piece = text[from..to].to_string();
    if from > 0 {
        // Start at a word.
        if let Some(space) = piece.find(char::is_whitespace) {
            piece = piece[space..].to_string();
        }
    }
    let piece = piece.split_whitespace().collect::<Vec<_>>().join(" ");
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < text.len() { "…" } else { "" };
    Some(format!("{lead}{piece}{tail}"))
}

/// The byte offset of the first occurrence of `needle` in `hay` as whole words.
fn find_word(hay: &str, needle: &str) -> Option<usize> {
    hay.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The hits as a table: date, title, people ("Rank Name"). With `width`, cells are cut to
/// fit a terminal that wide.
pub fn table(hits: &[Hit], width: Option<usize>) -> String {
    let date = |h: &Hit| {
        h.published
            .as_deref()
            .and_then(|p| p.get(..10))
            .unwrap_or("-")
            .to_string()
    };
    let title = |h: &Hit| {
        h.title
            .clone()
            .or_else(|| h.source.name.clone())
            .unwrap_or_else(|| h.id.clone())
    };
    let people = |h: &Hit| {
        h.people
            .iter()
            .map(Person::display)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rows: Vec<[String; 3]> = vec![["DATE".into(), "TITLE".into(), "PEOPLE".into()]];
    rows.extend(hits.iter().map(|h| [date(h), title(h), people(h)]));
    let chars = |s: &str| s.chars().count();
    let mut title_width = rows.iter().map(|r| chars(&r[1])).max().unwrap_or(0);
    let mut people_width = None;
    if let Some(width) = width {
        // DATE (10) + 2 spaces + title + 2 spaces + people: the title takes up to 60% of
        // what is left, the people the rest.
        let room = width.saturating_sub(14).max(20);
        title_width = title_width.min(room * 3 / 5);
        people_width = Some(room.saturating_sub(title_width).max(10));
    }
    let cut = |s: &str, max: usize| {
        if chars(s) <= max {
            s.to_string()
        } else {
            let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
            out.push('…');
            out
        }
    };
    let mut out = String::new();
    for [d, t, p] in &rows {
        let t = cut(t, title_width);
        let p = people_width.map_or_else(|| p.clone(), |w| cut(p, w));
        let pad = title_width - chars(&t);
        let line = format!("{d:<10}  {t}{}  {p}", " ".repeat(pad));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;
    use crate::sink::sqlite::SqliteSink;
    use crate::sink::Sink as _;
    use serde_json::json;

    fn term(text: &str, quoted: bool) -> Term {
        Term {
            text: text.into(),
            quoted,
        }
    }

    #[test]
    fn query_words_are_folded_and_quoted_so_nothing_is_fts_syntax() {
        let t = terms("Hoàng  \"Xuân Chiến\" C-130 AND( -");
        assert_eq!(
            t,
            [
                term("hoang", false),
                term("xuan chien", true),
                term("c-130", false),
                term("and(", false),
            ]
        );
        let (all, phrase) = match_expressions(&t).unwrap();
        assert_eq!(all, r#""hoang" "xuan chien" "c-130" "and(""#);
        assert_eq!(phrase.as_deref(), Some(r#""hoang c-130 and(""#));
        assert_eq!(match_expressions(&terms("- ! \"\"")), None);
    }

    #[test]
    fn periods_cover_a_year_a_month_or_a_day() {
        assert_eq!(
            period("2019").unwrap(),
            ("2019-01-01".into(), "2020-01-01".into())
        );
        assert_eq!(
            period("2024-02").unwrap(),
            ("2024-02-01".into(), "2024-03-01".into())
        );
        assert_eq!(
            period("2019-12-31").unwrap(),
            ("2019-12-31".into(), "2020-01-01".into())
        );
        for bad in ["2019-13", "2019-02-30", "19", "2019/09/05", "", "2019-9"] {
            assert!(period(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_snippet_keeps_the_diacritics_around_the_words_found() {
        let text = "Sáng nay, Thượng tướng Hoàng Xuân Chiến tiếp đoàn.";
        let s = snippet(text, &terms("hoang xuan chien")).unwrap();
        assert_eq!(s, text);
        assert_eq!(snippet(text, &[]), None);
        // "chien" is not found inside another word.
        assert_eq!(find_word("chienx chien", "chien"), Some(7));
    }

    fn record(id: &str, title: &str, text: &str, published: Option<&str>, people: Value) -> Record {
        let mut fields = serde_json::Map::new();
        fields.insert("title".into(), json!(title));
        fields.insert("published".into(), json!(published));
        fields.insert("people".into(), people);
        Record {
            id: id.into(),
            source: Default::default(),
            ingested_at: String::new(),
            text: text.into(),
            fields: crate::record::fields_from(fields),
            pipeline: vec![],
        }
    }
    use serde_json::Value;

    /// A database with three articles.
    fn database(dir: &Path) -> Connection {
        let path = dir.join("r.db");
        let mut sink = SqliteSink::open(&path).unwrap();
        let records = [
            record(
                "chien",
                "Tiếp đoàn quân sự",
                "Thượng tướng Hoàng Xuân Chiến tiếp đoàn Đông Timor.",
                Some("2019-09-05T18:32:00+07:00"),
                json!([{"name": "Hoàng Xuân Chiến", "rank": "Thượng tướng", "rank_en": "Colonel General", "rank_code": "OF-8", "titles": ["Thứ trưởng"]}]),
            ),
            record(
                "syllables",
                "Chiến sĩ mùa xuân",
                "Ông Hoàng kể chuyện chiến trường mùa xuân năm ấy. Hoà bình.",
                Some("2021-03-01T08:00:00+07:00"),
                json!([{"name": "Nguyễn Văn Đông", "rank": "Đại tướng", "rank_en": "General", "titles": []}]),
            ),
            record(
                "undated",
                "Không ngày",
                "Máy bay C-130 hạ cánh.",
                None,
                json!([]),
            ),
        ];
        for r in &records {
            sink.write(&crate::sink::Prepared::new(r, true)).unwrap();
        }
        sink.commit().unwrap();
        open(&path).unwrap()
    }

    fn ids(conn: &Connection, q: Query) -> Vec<String> {
        let q = Query { limit: 20, ..q };
        search(conn, &q)
            .unwrap()
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    fn words(w: &str) -> Query {
        Query {
            words: w.into(),
            ..Query::default()
        }
    }

    #[test]
    fn words_without_diacritics_find_the_article_and_adjacent_words_rank_first() {
        let dir = tempfile::tempdir().unwrap();
        let conn = database(dir.path());
        assert_eq!(
            ids(&conn, words("hoang xuan chien")),
            ["chien", "syllables"]
        );
        assert_eq!(ids(&conn, words("\"hoang xuan chien\"")), ["chien"]);
        assert_eq!(ids(&conn, words("dong timor")), ["chien"]);
        assert_eq!(
            ids(&conn, words("hòa")),
            ["syllables"],
            "old and new tone placement"
        );
        assert_eq!(ids(&conn, words("C-130")), ["undated"]);
        assert!(ids(&conn, words("AND( OR \" NEAR")).is_empty());
        assert!(ids(&conn, words("---")).is_empty());
    }

    #[test]
    fn filters_on_person_rank_and_date() {
        let dir = tempfile::tempdir().unwrap();
        let conn = database(dir.path());
        let q = |person: Option<&str>,
                 rank: Option<&str>,
                 since: Option<&str>,
                 until: Option<&str>| Query {
            person: person.map(Into::into),
            rank: rank.map(Into::into),
            since: since.map(Into::into),
            until: until.map(Into::into),
            ..Query::default()
        };
        assert_eq!(
            ids(&conn, q(Some("xuan chien"), None, None, None)),
            ["chien"]
        );
        assert!(ids(&conn, q(Some("chie"), None, None, None)).is_empty());
        assert_eq!(
            ids(&conn, q(Some("van dong"), None, None, None)),
            ["syllables"]
        );
        assert_eq!(
            ids(&conn, q(None, Some("thuong tuong"), None, None)),
            ["chien"]
        );
        assert_eq!(
            ids(&conn, q(None, Some("Colonel General"), None, None)),
            ["chien"]
        );
        assert_eq!(ids(&conn, q(None, Some("of-8"), None, None)), ["chien"]);
        assert_eq!(
            ids(&conn, q(None, Some("Đại tướng"), None, None)),
            ["syllables"]
        );
        assert!(ids(&conn, q(Some("xuan chien"), Some("dai tuong"), None, None)).is_empty());
        assert_eq!(ids(&conn, q(None, None, Some("2020"), None)), ["syllables"]);
        assert_eq!(
            ids(&conn, q(None, None, None, Some("2019-09-05"))),
            ["chien"]
        );
        assert!(ids(&conn, q(None, None, None, Some("2019-09-04"))).is_empty());
        assert_eq!(
            ids(&conn, q(None, None, Some("2019-09"), Some("2021-03"))),
            ["syllables", "chien"],
            "newest first; the undated article is left out"
        );
    }

    #[test]
    fn a_database_not_yet_migrated_to_version_3_is_searched_through_doc_id() {
        let dir = tempfile::tempdir().unwrap();
        let v3 = database(dir.path());
        let query = Query {
            person: Some("xuan chien".into()),
            limit: 20,
            ..words("hoang")
        };
        let found = search(&v3, &query).unwrap();
        drop(v3);
        // The doc_id path reads only columns version 2 has too: relabelled, the database takes it.
        let path = dir.path().join("r.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 2)
            .unwrap();
        let v2 = open(&path).unwrap();
        let found_v2 = search(&v2, &query).unwrap();
        assert_eq!(found_v2.len(), 1);
        assert_eq!(found_v2[0].people.len(), 1, "{found_v2:?}");
        assert_eq!(
            serde_json::to_value(&found_v2).unwrap(),
            serde_json::to_value(&found).unwrap()
        );
    }

    #[test]
    fn a_missing_database_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.db");
        let err = open(&path).unwrap_err();
        assert!(err.to_string().contains("no SQLite database"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn the_table_has_date_title_and_ranked_people() {
        let dir = tempfile::tempdir().unwrap();
        let conn = database(dir.path());
        let hits = search(
            &conn,
            &Query {
                limit: 20,
                ..words("hoang xuan chien")
            },
        )
        .unwrap();
        let t = table(&hits, None);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("DATE        TITLE"));
        assert!(
            lines[1].starts_with("2019-09-05  Tiếp đoàn quân sự")
                && lines[1].ends_with("Thượng tướng Hoàng Xuân Chiến"),
            "{t}"
        );
        let narrow = table(&hits, Some(40));
        assert!(narrow.lines().all(|l| l.chars().count() <= 40), "{narrow}");
    }
}
