//! Putting it together: every short form of an article, resolved or not.
//!
//! Order of trust for a short form:
//! 1. its definition in the article ([`crate::definitions::find`]), origin `document`;
//! 2. the dictionary: a one-sense entry, or the sense the article's words choose
//!    ([`crate::context::choose`]); origin `dictionary`. An ambiguous entry the words do not
//!    decide stays unresolved, with its senses as candidates;
//! 3. for short forms the dictionary does not know: a long form spelled out without brackets
//!    in the article ([`crate::definitions::implicit`]), origin `document`;
//! 4. a joined form ("TTGT-ĐT") known neither as a whole nor from the article is taken piece
//!    by piece;
//! 5. anything else is unresolved. Parts of document numbers that the `codes` table does not
//!    know are dropped (they are issuers' codes, not words).

use crate::candidates::{scan_with, AuthorWords, Candidate, Place, TextBlocks};
use crate::context::choose_in;
use crate::definitions::{find, implicit, implicit_may_apply, Definition, Phrases};
use crate::dictionary::Dictionary;
use crate::fnv::FnvMap;
use crate::vietnamese::{find_phrase_with, is_all_caps, lower};

/// Where an expansion comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Written in the article.
    Document,
    /// From the dictionary.
    Dictionary,
}

impl Origin {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Document => "document",
            Origin::Dictionary => "dictionary",
        }
    }
}

/// What a mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The short form in running text.
    Text,
    /// The short form where the article defines it ("hội nhập quốc tế (HNQT)").
    Definition,
    /// A part of a document number (53-KL/TW) or a piece of a joined form: never expanded.
    Inside,
}

/// One occurrence of a short form (byte offsets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
    /// What it is.
    pub role: Role,
}

/// A resolved short form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acronym {
    /// As written.
    pub short: String,
    /// The expansion.
    pub long: String,
    /// Where the expansion comes from.
    pub origin: Origin,
    /// Every occurrence, in order.
    pub mentions: Vec<Mention>,
}

/// A short form left unresolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// As written.
    pub short: String,
    /// Every occurrence, in order.
    pub mentions: Vec<Mention>,
    /// For an ambiguous dictionary entry the article did not decide: its senses.
    pub candidates: Vec<String>,
}

/// The short forms of one article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Resolved, in order of first mention.
    pub acronyms: Vec<Acronym>,
    /// Unresolved, in order of first mention.
    pub unresolved: Vec<Unresolved>,
}

/// One short form's mentions while they are gathered.
struct Group<'s> {
    /// As written.
    short: &'s str,
    /// Every occurrence, in the order found.
    mentions: Vec<Mention>,
    /// Whether every single-token candidate of it is a part of a document number (`None`
    /// when it has none: found only as a phrase).
    code_only: Option<bool>,
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Analyse `text`; `authors` are the words of the record's bylines.
pub fn analyse(text: &str, dict: &Dictionary, authors: &[String]) -> Analysis {
    analyse_with(text, dict, authors)
}

/// [`analyse`] with the bylines' words asked of `authors` only when a candidate needs them.
pub fn analyse_with<A: AuthorWords + ?Sized>(
    text: &str,
    dict: &Dictionary,
    authors: &A,
) -> Analysis {
    let defs: Vec<Definition> = find(text, dict);
    let mut defined: FnvMap<&str, &Definition> = FnvMap::default();
    for d in &defs {
        defined.entry(d.short.as_str()).or_insert(d);
    }
    let def_sites: Vec<(usize, usize)> = defs.iter().map(|d| d.short_span).collect();

    // Every short form's mentions, in order of first sight, found below.
    let mut groups: Vec<Group> = Vec::new();
    let mut index: FnvMap<&str, usize> = FnvMap::default();
    fn add<'s>(
        groups: &mut Vec<Group<'s>>,
        index: &mut FnvMap<&'s str, usize>,
        short: &'s str,
        m: Mention,
    ) -> usize {
        let i = *index.entry(short).or_insert_with(|| {
            groups.push(Group {
                short,
                mentions: Vec::new(),
                code_only: None,
            });
            groups.len() - 1
        });
        groups[i].mentions.push(m);
        i
    }

    // Short forms with a space or comma ("QP, AN") are found as phrases first.
    let role_at = |span: (usize, usize), default: Role| {
        if def_sites.contains(&span) {
            Role::Definition
        } else {
            default
        }
    };
    let mut phrase_shorts: Vec<&str> = defs
        .iter()
        .map(|d| d.short.as_str())
        .chain(dict.phrase_keys())
        .filter(|s| s.contains([' ', ',']))
        .collect();
    phrase_shorts.sort_by_key(|s| std::cmp::Reverse(s.len()));
    phrase_shorts.dedup();
    let mut masked: Vec<(usize, usize)> = Vec::new();
    for short in phrase_shorts {
        // The dictionary's keys come with their searcher; a definition's short form gets one.
        let built;
        let finder = match dict.phrase_finder(short) {
            Some(finder) => finder,
            None => {
                built = memchr::memmem::Finder::new(short.as_bytes());
                &built
            }
        };
        for start in find_phrase_with(text, short, finder) {
            let span = (start, start + short.len());
            if masked.iter().any(|&m| overlaps(m, span)) {
                continue;
            }
            masked.push(span);
            add(
                &mut groups,
                &mut index,
                short,
                Mention {
                    start: span.0,
                    end: span.1,
                    role: role_at(span, Role::Text),
                },
            );
        }
    }

    // Single-token candidates; joined forms nobody knows as a whole go piece by piece.
    let known = |s: &str| defined.contains_key(s) || dict.get(s).is_some();
    let blocks = TextBlocks::read(text);
    let scanned = scan_with(text, &blocks, dict, authors);
    let mut cands: Vec<Candidate> = Vec::with_capacity(scanned.len());
    for c in scanned {
        if masked.iter().any(|&m| overlaps(m, (c.start, c.end))) {
            continue;
        }
        if c.is_joined() && c.place == Place::Free && !known(c.text) {
            for &(s, e) in &c.pieces {
                let piece = &text[s..e];
                if piece.chars().filter(|ch| ch.is_alphabetic()).count() >= 2 && is_all_caps(piece)
                {
                    cands.push(Candidate {
                        text: piece,
                        start: s,
                        end: e,
                        place: Place::Piece,
                        pieces: Vec::new(),
                    });
                }
            }
        } else {
            cands.push(c);
        }
    }
    for c in &cands {
        let role = match c.place {
            Place::Free => role_at((c.start, c.end), Role::Text),
            Place::Code | Place::Piece => Role::Inside,
        };
        let code = c.place == Place::Code;
        let i = add(
            &mut groups,
            &mut index,
            c.text,
            Mention {
                start: c.start,
                end: c.end,
                role,
            },
        );
        *groups[i].code_only.get_or_insert(code) &= code;
    }

    // Built only when needed: the article's words (for implicit long forms), its lower case
    // (for choosing between senses).
    let mut phrases: Option<Phrases> = None;
    let mut doc_lower: Option<String> = None;
    let mut out = Analysis::default();
    for group in groups {
        let (short, mut mentions) = (group.short.to_string(), group.mentions);
        mentions.sort_by_key(|m| m.start);
        let resolved = if let Some(d) = defined.get(short.as_str()) {
            Some((d.long.clone(), Origin::Document))
        } else if group.code_only.unwrap_or(false) {
            match dict.code_part(&short) {
                Some(long) => Some((long.to_string(), Origin::Dictionary)),
                None => continue,
            }
        } else if let Some(entry) = dict.get(&short) {
            if entry.is_ambiguous() {
                let doc = doc_lower.get_or_insert_with(|| lower(text));
                let spans: Vec<(usize, usize)> =
                    mentions.iter().map(|m| (m.start, m.end)).collect();
                match choose_in(text, doc, &spans, &entry.senses) {
                    Some(i) => Some((entry.senses[i].long.clone(), Origin::Dictionary)),
                    None => {
                        let candidates = if entry.senses.len() > 1 {
                            entry.senses.iter().map(|s| s.long.clone()).collect()
                        } else {
                            Vec::new()
                        };
                        out.unresolved.push(Unresolved {
                            short,
                            mentions,
                            candidates,
                        });
                        continue;
                    }
                }
            } else {
                Some((entry.senses[0].long.clone(), Origin::Dictionary))
            }
        } else if implicit_may_apply(&short) {
            let phrases = phrases.get_or_insert_with(|| Phrases::with_blocks(text, &blocks));
            implicit(phrases, &short).map(|(long, _)| (long, Origin::Document))
        } else {
            None
        };
        match resolved {
            Some((long, origin)) => out.acronyms.push(Acronym {
                short,
                long,
                origin,
                mentions,
            }),
            None => out.unresolved.push(Unresolved {
                short,
                mentions,
                candidates: Vec::new(),
            }),
        }
    }
    out.acronyms
        .sort_by_key(|a| a.mentions.first().map_or(usize::MAX, |m| m.start));
    out.unresolved
        .sort_by_key(|a| a.mentions.first().map_or(usize::MAX, |m| m.start));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DICT: &str = r#"
acronyms:
  ĐNQP: đối ngoại quốc phòng
  HNQT: hội nhập quốc tế (từ điển)
  TW: Trung ương
  TP: thành phố
  BTV:
    - long: Ban Thường vụ
      context: [đảng ủy, tỉnh ủy]
    - long: biên tập viên
      context: [phóng viên, truyền hình]
codes:
  KL: Kết luận
ignore: [GMT]
"#;

    fn run(text: &str) -> Analysis {
        analyse(text, &Dictionary::parse(DICT, "t").expect("loads"), &[])
    }

    fn pairs(a: &Analysis) -> Vec<(String, String, &'static str)> {
        a.acronyms
            .iter()
            .map(|x| (x.short.clone(), x.long.clone(), x.origin.as_str()))
            .collect()
    }

    #[test]
    fn the_article_wins_over_the_dictionary() {
        let a = run("Công tác HNQT tốt. Hội nghị về hội nhập quốc tế (HNQT) và ĐNQP.");
        assert_eq!(
            pairs(&a),
            [
                ("HNQT".into(), "hội nhập quốc tế".into(), "document"),
                ("ĐNQP".into(), "đối ngoại quốc phòng".into(), "dictionary"),
            ]
        );
        let roles: Vec<Role> = a.acronyms[0].mentions.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::Text, Role::Definition]);
    }

    #[test]
    fn unknown_and_ambiguous_go_to_unresolved() {
        let a = run("Ông là BTV. Đơn vị XYZQ đã đến.");
        assert!(a.acronyms.is_empty());
        let u: Vec<(&str, usize)> = a
            .unresolved
            .iter()
            .map(|u| (u.short.as_str(), u.candidates.len()))
            .collect();
        assert_eq!(u, [("BTV", 2), ("XYZQ", 0)]);
    }

    #[test]
    fn document_numbers_resolve_only_their_known_parts() {
        let a = run("Kết luận số 53-KL/TW và Nghị quyết 12-NQ/ABC; Ủy viên TW Đảng.");
        assert_eq!(
            pairs(&a),
            [
                ("KL".into(), "Kết luận".into(), "dictionary"),
                ("TW".into(), "Trung ương".into(), "dictionary"),
            ]
        );
        let tw: Vec<Role> = a.acronyms[1].mentions.iter().map(|m| m.role).collect();
        assert_eq!(tw, [Role::Inside, Role::Text]);
        assert!(a.unresolved.is_empty(), "{:?}", a.unresolved);
    }

    #[test]
    fn phrase_short_forms_and_joined_pieces() {
        let a = run("chính sách quốc phòng, an ninh (QP, AN) và lãnh đạo QP, AN; TP-XYZ");
        assert_eq!(
            pairs(&a)[0],
            ("QP, AN".into(), "quốc phòng, an ninh".into(), "document")
        );
        assert_eq!(a.acronyms[0].mentions.len(), 2);
        assert_eq!(
            pairs(&a)[1],
            ("TP".into(), "thành phố".into(), "dictionary")
        );
        assert_eq!(a.acronyms[1].mentions[0].role, Role::Inside);
        assert_eq!(a.unresolved[0].short, "XYZ");
    }

    #[test]
    fn implicit_long_form_for_unknown_short_forms() {
        let a = run("Liên hoan Truyền hình khai mạc. LHTH có 78 đơn vị.");
        assert_eq!(
            pairs(&a),
            [("LHTH".into(), "Liên hoan Truyền hình".into(), "document")]
        );
    }
}
