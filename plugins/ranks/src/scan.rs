//! The walk over one line (or one photo caption) that finds mentions of people.
//!
//! Shapes recognised, each a structure of the language rather than a fixed phrase:
//! - `RANK [qualifier] [, honorific] NAME [chain]`: "Thượng tướng Hoàng Xuân Chiến, Ủy viên …";
//! - `TITLE [-|,] RANK NAME [chain]`: "Bộ trưởng Bộ Quốc phòng- Đại tướng Ngô Xuân Lịch";
//! - `TITLE NAME [chain]`: "Tổng Bí thư Nguyễn Phú Trọng", "Đại sứ Nguyễn Phương Nga, …";
//!   at the start of a sentence, `TITLE, TITLE NAME` gives both titles to the name;
//! - `HONORIFIC NAME [chain]`: "TS Nguyễn Thế Kỷ, Phó trưởng ban …", "ông Hận";
//! - list items `NAME, TITLE` after `:`/`;`/line start: "…: Ngô Lê Văn, Phó trưởng Ban …;";
//! - role phrases `giữ chức|từng làm|bổ nhiệm … TITLE[, TITLE][ và TITLE]` that give titles to
//!   the people the clause is about, or to the ones after "đối với";
//! - `N TITLE, gồm: PERSON; PERSON` that gives the title to each person of the list.
//!
//! The chain of appositive titles after a name is read by [`crate::titles::parse_chain`].

use crate::lexicon::{tag, Lexicon};
use crate::names::name_run;
use crate::titles::{list_item, parse_chain, parse_title, position_at, STARTS_TITLE};
use crate::tokens::{char_count, Kind, Token};
use crate::vocab::Tags;

/// Tags of the words a shape of [`Scan::run`] may start with: a rank, an organisation head,
/// a role trigger, an honorific, a pronoun, a title (modifier, prefix or position word), or
/// the family name of a list item.
const STARTS_MENTION: Tags = tag::RANK
    | tag::ORG_HEAD
    | tag::ROLE_TRIGGER
    | tag::HONORIFIC
    | tag::PRONOUN
    | STARTS_TITLE
    | tag::SURNAME;

/// Where a mention was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    /// The article text; offsets are into `text`.
    Text,
    /// Photo caption number `n` of the `captions` field; offsets are into that caption.
    Caption(usize),
}

/// One mention of a person, before merging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The name as written.
    pub name: String,
    /// Offset of the name's first character in its segment.
    pub start: usize,
    /// Offset after the name's last character.
    pub end: usize,
    /// Text or caption.
    pub segment: Segment,
    /// Index into the lexicon's ranks.
    pub rank: Option<usize>,
    /// Titles, as written.
    pub titles: Vec<String>,
}

/// Scanner state for one segment.
struct Scan<'a> {
    tokens: &'a [Token<'a>],
    line: &'a str,
    /// Character offset of `line` in its segment.
    base: usize,
    /// A byte offset of `line` and its character offset, to count characters on from.
    cursor: (usize, usize),
    lex: &'a Lexicon,
    segment: Segment,
    out: &'a mut Vec<Mention>,
    /// The last person mentioned before this segment (for pronouns).
    last_person: Option<usize>,
    /// Mentions of the current clause: (mention index, group).
    clause: Vec<(usize, usize)>,
    group: usize,
    /// Token after the last mention's chain, to group "A và B".
    last_end: Option<usize>,
    /// Titles waiting for the people after "đối với", and the group they went to.
    pending: Option<(Vec<String>, Option<usize>)>,
    /// A title given to every person of a "gồm:" list, until the sentence ends.
    list_title: Option<String>,
}

impl Scan<'_> {
    fn text(&self, from: usize, to: usize) -> String {
        let s = self.tokens[from].byte_start();
        let e = self.tokens[to - 1].byte_end();
        self.line[s..e].to_string()
    }

    /// The character offset in `line` of byte `byte` (a character boundary), counted on
    /// from the previous one asked when it is before.
    fn char_offset(&mut self, byte: usize) -> usize {
        let (from, chars) = if self.cursor.0 <= byte {
            self.cursor
        } else {
            (0, 0)
        };
        let chars = chars + char_count(self.line.get(from..byte).unwrap_or(""));
        self.cursor = (byte, chars);
        chars
    }

    fn end_clause(&mut self, sentence: bool) {
        self.clause.clear();
        self.last_end = None;
        if sentence {
            self.list_title = None;
            self.pending = None;
        }
    }

    /// Record a mention of tokens `ns..ne` with a rank and titles; returns its index.
    fn push(&mut self, ns: usize, ne: usize, rank: Option<usize>, titles: Vec<String>) -> usize {
        let same_group = self.last_end.is_some_and(|le| {
            le <= ns
                && self.tokens[le..ns]
                    .iter()
                    .all(|t| t.is(',') || t.id == self.lex.words.va || t.id == self.lex.words.cung)
        });
        if !same_group {
            self.group += 1;
        }
        let mut titles = titles;
        if let Some(t) = &self.list_title {
            titles.push(t.clone());
        }
        if let Some((pending, group)) = &mut self.pending {
            match group {
                None => {
                    *group = Some(self.group);
                    titles.extend(pending.iter().cloned());
                }
                Some(g) if *g == self.group => titles.extend(pending.iter().cloned()),
                Some(_) => self.pending = None,
            }
        }
        let idx = self.out.len();
        let name = self.text(ns, ne);
        let start = self.base + self.char_offset(self.tokens[ns].byte_start());
        self.out.push(Mention {
            end: start + char_count(&name),
            name,
            start,
            segment: self.segment,
            rank,
            titles,
        });
        self.clause.push((idx, self.group));
        self.last_person = Some(idx);
        idx
    }

    /// Add the chain after token `p` to mention `idx`; returns the token after it.
    fn chain(&mut self, idx: usize, p: usize) -> usize {
        let chain = parse_chain(self.tokens, p, self.lex);
        for (s, e) in chain.titles {
            let t = self.text(s, e);
            self.out[idx].titles.push(t);
        }
        self.last_end = Some(chain.end);
        chain.end
    }

    /// `RANK [qualifier] [, honorific] NAME [chain]` at `i`.
    fn rank_person(&mut self, i: usize, pre_titles: Vec<String>) -> Option<usize> {
        let (rlen, rid) = self.lex.rank_at(self.tokens, i)?;
        let mut j = i + rlen;
        while let Some((len, _)) = self.lex.rank_qualifiers.match_at(self.tokens, j) {
            j += len;
        }
        // "Trung tướng, nhà văn Hữu Ước", "Đại tá, NSƯT Nguyễn Quang Vinh"
        let mut k = j;
        if self.tokens.get(k).is_some_and(|t| t.is(',')) {
            k += 1;
        }
        let mut saw_honorific = false;
        while let Some((len, _)) = self.lex.honorifics.match_at(self.tokens, k) {
            k += len;
            saw_honorific = true;
            if self.tokens.get(k).is_some_and(|t| t.is(','))
                && self.lex.honorifics.starts_at(self.tokens, k + 1)
            {
                k += 1;
            }
        }
        if saw_honorific {
            j = k;
        }
        let ne = name_run(self.tokens, j, self.lex)?;
        let idx = self.push(j, ne, Some(rid), pre_titles);
        Some(self.chain(idx, ne))
    }

    /// `HONORIFIC NAME [chain]` at `i`.
    fn honorific_person(&mut self, i: usize) -> Option<usize> {
        let (len, _) = self.lex.honorifics.match_at(self.tokens, i)?;
        let mut j = i + len;
        loop {
            let t = self.tokens.get(j)?;
            if t.is(':') || (t.is(',') && self.lex.honorifics.starts_at(self.tokens, j + 1)) {
                j += 1;
            } else if let Some((l, _)) = self.lex.honorifics.match_at(self.tokens, j) {
                j += l;
            } else {
                break;
            }
        }
        if self.lex.rank_at(self.tokens, j).is_some() {
            return None;
        }
        let ne = name_run(self.tokens, j, self.lex)?;
        let idx = self.push(j, ne, None, Vec::new());
        Some(self.chain(idx, ne))
    }

    /// A title at `i`: with a name after it, before a rank, or heading a "gồm" list.
    fn title_person(&mut self, i: usize) -> Option<usize> {
        let tp = parse_title(self.tokens, i, self.lex, false, true)?;
        if tp.end <= tp.start {
            return None;
        }
        let title = self.text(tp.start, tp.end);
        if let Some((ns, ne)) = tp.name {
            let idx = self.push(ns, ne, None, vec![title]);
            return Some(self.chain(idx, ne));
        }
        // "Chủ tịch Ủy ban 6, Đại sứ Pedro Comissário Afonso": titles in a row at the start of
        // a sentence all belong to the name that closes the last one
        if self.starts_list_item(i) && self.tokens.get(tp.end).is_some_and(|t| t.is(',')) {
            if let Some(next) = parse_title(self.tokens, tp.end + 1, self.lex, false, true) {
                if let (Some((ns, ne)), true) = (next.name, next.end > next.start) {
                    let titles = vec![title, self.text(next.start, next.end)];
                    let idx = self.push(ns, ne, None, titles);
                    return Some(self.chain(idx, ne));
                }
            }
        }
        let mut k = tp.end;
        let sep = self.tokens.get(k);
        if sep.is_some_and(|t| t.is_dash() || t.is(',')) {
            k += 1;
        }
        // a title that opens its phrase, then the rank and name of its holder
        let opens = i == 0 || {
            let prev = &self.tokens[i - 1];
            !prev.is_word() || prev.is_lower() || prev.glued
        };
        if opens && self.lex.rank_at(self.tokens, k).is_some() {
            if let Some(end) = self.rank_person(k, vec![title.clone()]) {
                return Some(end);
            }
        }
        let mut k = tp.end;
        if self.tokens.get(k).is_some_and(|t| t.is(',')) {
            k += 1;
        }
        if let Some((len, _)) = self.lex.list_heads.match_at(self.tokens, k) {
            self.list_title = Some(title);
            return Some(k + len);
        }
        Some(tp.end)
    }

    /// A role phrase whose titles start at `j`.
    fn role(&mut self, j: usize) -> Option<usize> {
        let first = parse_title(self.tokens, j, self.lex, true, false)?;
        let mut titles = vec![self.text(first.start, first.end)];
        let mut k = first.end;
        while let Some(t) = self.tokens.get(k) {
            if t.is(',') || t.id == self.lex.words.va || t.id == self.lex.words.kiem {
                if let Some(tp) = parse_title(self.tokens, k + 1, self.lex, true, false) {
                    titles.push(self.text(tp.start, tp.end));
                    k = tp.end;
                    continue;
                }
            }
            break;
        }
        if let Some((len, _)) = self.lex.role_objects.match_at(self.tokens, k) {
            self.pending = Some((titles, None));
            return Some(k + len);
        }
        if let Some(&(_, group)) = self.clause.last() {
            let targets: Vec<usize> = self
                .clause
                .iter()
                .filter(|(_, g)| *g == group)
                .map(|(m, _)| *m)
                .collect();
            for m in targets {
                self.out[m].titles.extend(titles.iter().cloned());
            }
        }
        Some(k)
    }

    fn starts_list_item(&self, i: usize) -> bool {
        i == 0
            || {
                let prev = &self.tokens[i - 1];
                prev.is(':') || prev.is(';') || prev.is('.') || prev.is('•')
            }
            || self.tokens[i].glued
    }

    fn run(&mut self) {
        let mut i = 0;
        while let Some(t) = self.tokens.get(i) {
            if t.glued {
                self.end_clause(true);
            }
            if !t.has_tag(STARTS_MENTION) {
                // none of the shapes below can start here (punctuation has no tags)
                match t.kind {
                    Kind::Punct('.' | '!' | '?') => self.end_clause(true),
                    Kind::Punct(';') => self.end_clause(false),
                    _ => {}
                }
                i += 1;
                continue;
            }
            // each shape needs its own kind of first word: test the tag before trying it
            if t.has_tag(tag::RANK) {
                if let Some(end) = self.rank_person(i, Vec::new()) {
                    i = end.max(i + 1);
                    continue;
                }
            }
            // a capitalised organisation longer than any position it starts is skipped whole
            // (the capital tested first: the position is only looked for then)
            if t.is_cap() {
                if let Some((olen, _)) = self.lex.org_heads.match_at(self.tokens, i) {
                    let plen =
                        position_at(self.tokens, i, self.lex, false).map_or(0, |p| p.end - i);
                    if olen > plen {
                        i += olen;
                        continue;
                    }
                }
            }
            if let Some((len, _)) = self.lex.role_triggers.match_at(self.tokens, i) {
                if let Some(end) = self.role(i + len) {
                    i = end;
                    continue;
                }
            }
            if t.has_tag(tag::HONORIFIC) {
                if let Some(end) = self.honorific_person(i) {
                    i = end.max(i + 1);
                    continue;
                }
            }
            if let Some((len, _)) = self.lex.pronouns.match_at(self.tokens, i) {
                let named = self
                    .tokens
                    .get(i + len)
                    .is_some_and(Token::is_name_syllable);
                if !named {
                    if let Some(p) = self.last_person {
                        self.group += 1;
                        self.clause.push((p, self.group));
                    }
                    i += len;
                    continue;
                }
            }
            if t.has_tag(STARTS_TITLE) {
                if let Some(end) = self.title_person(i) {
                    i = end.max(i + 1);
                    continue;
                }
            }
            if t.has_tag(tag::SURNAME) && self.starts_list_item(i) {
                if let Some(ne) = list_item(self.tokens, i, self.lex) {
                    let idx = self.push(i, ne, None, Vec::new());
                    i = self.chain(idx, ne).max(i + 1);
                    continue;
                }
            }
            i += 1;
        }
    }
}

/// Find the mentions in one segment. `base` is the character offset of `line` in its
/// segment; `last_person` carries pronoun resolution across lines. Returns the last person
/// mentioned.
pub fn scan_line(
    line: &str,
    base: usize,
    segment: Segment,
    lex: &Lexicon,
    last_person: Option<usize>,
    out: &mut Vec<Mention>,
) -> Option<usize> {
    let tokens = crate::tokens::tokenize(line, &lex.vocab);
    scan_tokens(line, base, &tokens, segment, lex, last_person, out)
}

/// [`scan_line`] on the tokens of `line`, already split (see [`crate::tokens::Tokenizer`]).
pub fn scan_tokens(
    line: &str,
    base: usize,
    tokens: &[Token],
    segment: Segment,
    lex: &Lexicon,
    last_person: Option<usize>,
    out: &mut Vec<Mention>,
) -> Option<usize> {
    let mut scan = Scan {
        tokens,
        line,
        base,
        cursor: (0, 0),
        lex,
        segment,
        out,
        last_person,
        clause: Vec::new(),
        group: 0,
        last_end: None,
        pending: None,
        list_title: None,
    };
    scan.run();
    scan.last_person
}
