//! Official titles: a position word and the organisation it belongs to, and the appositive
//! chains of titles that follow a name.
//!
//! A title is `[kept modifier] [Phó] [Tổng] POSITION [qualifier] ORGANISATION`:
//! "nguyên Trưởng ban Thư ký biên tập", "Phó Tổng Tham mưu trưởng Quân đội nhân dân Việt Nam".
//! The organisation runs over capitalised words, acronyms, numbers and a parenthesis that
//! opens with a capital ("Đồn biên phòng A Mú Sung (Lào Cai)"); lower-case words are taken
//! when a capitalised word follows them ("Quân đội nhân dân Việt Nam") or when at most three
//! of them close the title before punctuation or a predicate ("Chính ủy Lữ đoàn,"). It ends
//! at punctuation, at a predicate verb ("chủ trì", "phát biểu"), at a rank, and at a role
//! phrase ("giữ chức"). An organisation head with lower-case words of its own ("Hội đồng
//! Nghĩa vụ quân sự") is read whole.
//!
//! A chain after a name is a list of titles joined by commas, dashes, "kiêm" and "và";
//! a comma followed by an organisation (not a position) continues the previous title:
//! "Phó cục trưởng Cục Đối ngoại, Bộ Quốc phòng" is one title.

use crate::lexicon::{tag, Lexicon};
use crate::names::{foreign_name, vietnamese_name};
use crate::tokens::Token;
use crate::vocab::Tags;

/// Tags of the words a title may start with (see [`position_at`]): a dropped or kept
/// modifier, a position prefix or a position word.
pub const STARTS_TITLE: Tags =
    tag::MODIFIER_DROPPED | tag::MODIFIER_KEPT | tag::POSITION_PREFIX | tag::POSITION;

/// Where a position word sits: tokens `start..end` (after dropped modifiers such as "tân").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// First token of the title text.
    pub start: usize,
    /// Token after the position word and its qualifiers.
    pub end: usize,
}

/// How the organisation part of a title ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Punctuation or the end of the line.
    Punct,
    /// A predicate verb or a role phrase.
    Predicate,
    /// A rank, a glued token, a name, anything else.
    Other,
}

/// A parsed title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Title {
    /// First token of the title.
    pub start: usize,
    /// Token after the title.
    pub end: usize,
    /// A name found right after the organisation ("Tổng Bí thư Nguyễn Phú Trọng").
    pub name: Option<(usize, usize)>,
    /// The title ended at punctuation, so a comma after it may continue the organisation.
    pub clean: bool,
}

/// A position word at token `i`, if one starts there. Lower-case positions are accepted only
/// when `allow_lower` (inside a chain after a name, or after a role phrase) and only when
/// they have two words or more ("giám đốc", not "phó").
pub fn position_at(
    tokens: &[Token],
    i: usize,
    lex: &Lexicon,
    allow_lower: bool,
) -> Option<Position> {
    // every reading below starts with a word carrying one of these tags
    if !tokens.get(i)?.has_tag(STARTS_TITLE) {
        return None;
    }
    let mut j = i;
    while let Some((len, _)) = lex.modifiers_dropped.match_at(tokens, j) {
        j += len;
    }
    let start = j;
    for _ in 0..2 {
        match lex.modifiers_kept.match_at(tokens, j) {
            Some((len, _)) if position_core(tokens, j + len, lex).is_some() => j += len,
            _ => break,
        }
    }
    let head = tokens.get(j)?;
    // the shape of the head first: the position words are only looked for when it may do
    if head.is_lower() && !allow_lower {
        return None;
    }
    if !head.is_lower() && !head.is_cap() {
        return None;
    }
    let core_end = position_core(tokens, j, lex)?;
    if head.is_lower() && core_end - j < 2 {
        return None;
    }
    // "Tổng Lãnh sự quán", "Đại sứ quán": an organisation that starts like a position.
    if let Some((olen, _)) = lex.org_heads.match_at(tokens, j) {
        if j + olen > core_end {
            return None;
        }
    }
    let mut end = core_end;
    while let Some((len, _)) = lex.position_qualifiers.match_at(tokens, end) {
        end += len;
    }
    Some(Position { start, end })
}

/// The end of `[Phó] [Tổng] POSITION` starting at `j`.
fn position_core(tokens: &[Token], j: usize, lex: &Lexicon) -> Option<usize> {
    let mut k = j;
    for _ in 0..2 {
        match lex.position_prefixes.match_at(tokens, k) {
            Some((len, _)) if lex.positions.match_at(tokens, k + len).is_some() => k += len,
            _ => break,
        }
    }
    let (len, _) = lex.positions.match_at(tokens, k)?;
    // a bare prefix-like position ("Phó") must not be the first word of a longer one
    Some(k + len)
}

/// Parse a title starting at token `i`. With `detect_name`, a Vietnamese name that closes
/// the organisation is returned apart ("Bộ trưởng Ngô Xuân Lịch").
pub fn parse_title(
    tokens: &[Token],
    i: usize,
    lex: &Lexicon,
    allow_lower: bool,
    detect_name: bool,
) -> Option<Title> {
    let pos = position_at(tokens, i, lex, allow_lower)?;
    let (end, name, stop) = organisation(tokens, pos.end, lex, detect_name);
    Some(Title {
        start: pos.start,
        end,
        name,
        clean: stop == Stop::Punct,
    })
}

/// Read the organisation part from token `j`: returns its end, a closing name, and why it
/// stopped.
fn organisation(
    tokens: &[Token],
    mut j: usize,
    lex: &Lexicon,
    detect_name: bool,
) -> (usize, Option<(usize, usize)>, Stop) {
    let org_start = j;
    let mut good = j;
    let mut lower_run = 0usize;
    let mut stop = Stop::Punct;
    let mut name = None;
    while j < tokens.len() {
        let t = &tokens[j];
        if t.glued {
            stop = Stop::Other;
            break;
        }
        if t.is('(') {
            match parenthesis(tokens, j, lex) {
                Some(close) => {
                    j = close + 1;
                    good = j;
                    lower_run = 0;
                    continue;
                }
                _ => {
                    stop = Stop::Punct;
                    break;
                }
            }
        }
        if !t.is_word() {
            stop = Stop::Punct;
            break;
        }
        if lex.rank_at(tokens, j).is_some() {
            stop = Stop::Other;
            break;
        }
        if t.is_lower() {
            if t.id == lex.words.va {
                // "Bộ Nông nghiệp và Phát triển Nông thôn": an organisation goes on.
                let next_is_org_word = tokens.get(j + 1).is_some_and(|n| {
                    n.is_cap()
                        && !n.glued
                        && lex.rank_at(tokens, j + 1).is_none()
                        && position_at(tokens, j + 1, lex, false).is_none()
                        && lex.honorifics.match_at(tokens, j + 1).is_none()
                        && vietnamese_name(tokens, j + 1, lex).is_none()
                });
                if next_is_org_word && lower_run == 0 {
                    j += 1;
                    continue;
                }
                stop = Stop::Predicate;
                break;
            }
            if lex.predicates.starts_at(tokens, j)
                || lex.role_triggers.starts_at(tokens, j)
                || lex.role_objects.starts_at(tokens, j)
            {
                stop = Stop::Predicate;
                break;
            }
            lower_run += 1;
            j += 1;
            continue;
        }
        // capitalised word, acronym or number
        if t.is_cap() {
            // an organisation name with lower-case words of its own ("Hội đồng Nghĩa vụ quân
            // sự") is read whole
            if let Some((len, _)) = lex.org_heads.match_at(tokens, j) {
                if len >= 2 && tokens[j + 1..j + len].iter().any(Token::is_lower) {
                    j += len;
                    good = j;
                    lower_run = 0;
                    continue;
                }
            }
        }
        if t.has_tag(tag::NOT_NAME) && t.is_name_syllable() && lower_run > 0 {
            stop = Stop::Other;
            break;
        }
        if detect_name && lower_run == 0 {
            if let Some(e) = foreign_name(tokens, j, org_start, lex) {
                good = j;
                name = Some((j, e));
                stop = Stop::Other;
                break;
            }
        }
        if detect_name {
            if let Some(e) = vietnamese_name(tokens, j, lex) {
                // "Bộ trưởng Quốc phòng Phan Văn Giang": the lower-case words before the name
                // close the organisation
                if lower_run <= 3 {
                    good = j;
                }
                name = Some((j, e));
                stop = Stop::Other;
                break;
            }
        }
        if lex.honorifics.starts_at(tokens, j) && t.is_all_caps() && j > good {
            stop = Stop::Other;
            break;
        }
        j += 1;
        good = j;
        lower_run = 0;
    }
    if j >= tokens.len() {
        stop = Stop::Punct;
    }
    if lower_run > 0 && lower_run <= 3 && name.is_none() && stop != Stop::Other {
        good = j;
    }
    let clean = stop == Stop::Punct && good == j;
    (good, name, if clean { Stop::Punct } else { stop })
}

/// A parenthesis at `open` that belongs to a title: it closes within a few words, opens with
/// a capitalised word that is not a caption credit, and holds no predicate. Returns the
/// index of `)`.
fn parenthesis(tokens: &[Token], open: usize, lex: &Lexicon) -> Option<usize> {
    let first = tokens.get(open + 1)?;
    if !(first.is_cap() || first.has_digit()) || first.has_tag(tag::NOT_NAME) {
        return None;
    }
    for (k, t) in tokens.iter().enumerate().skip(open + 1).take(16) {
        if t.is(')') {
            return Some(k);
        }
        if t.is('(') || t.is('.') || t.is(';') || t.is(':') {
            return None;
        }
        if t.is_lower() && lex.predicates.starts_at(tokens, k) && t.id != lex.words.va {
            return None;
        }
    }
    None
}

/// An organisation after a comma that continues the previous title ("…, Bộ Quốc phòng"):
/// an organisation word or an acronym, or another capitalised segment that closes at
/// punctuation; not a position, a rank, an honorific or a name. Returns its end.
pub fn continuation(tokens: &[Token], q: usize, lex: &Lexicon) -> Option<usize> {
    let t = tokens.get(q)?;
    // the shape first: every test below only rules the segment out
    if t.glued || !t.is_cap() {
        return None;
    }
    if lex.rank_at(tokens, q).is_some() || position_at(tokens, q, lex, true).is_some() {
        return None;
    }
    if lex.honorifics.starts_at(tokens, q) || vietnamese_name(tokens, q, lex).is_some() {
        return None;
    }
    let (start, known) = match lex.org_heads.match_at(tokens, q) {
        Some((len, _)) => (q + len, true),
        None => (q + 1, t.is_all_caps()),
    };
    let (end, name, stop) = organisation(tokens, start, lex, true);
    if name.is_some() {
        return None;
    }
    // any other capitalised segment ("…, Truyền hình, Điện ảnh (PT-TH-ĐA) CAND - …") must
    // close at punctuation to count as part of the organisation
    if !known && stop != Stop::Punct {
        return None;
    }
    Some(end)
}

/// A chain of titles after a name ending at token `p`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    /// Token spans of the titles, in order.
    pub titles: Vec<(usize, usize)>,
    /// Token after the chain.
    pub end: usize,
}

/// A list item "Name, Title" or "Name - Title" at `i`: returns the end of the name.
pub fn list_item(tokens: &[Token], i: usize, lex: &Lexicon) -> Option<usize> {
    let e = vietnamese_name(tokens, i, lex)?;
    let sep = tokens.get(e)?;
    if !(sep.is(',') || sep.is_dash() || sep.is('(')) {
        return None;
    }
    position_at(tokens, e + 1, lex, true)?;
    Some(e)
}

/// Read the appositive titles after a name that ends at token `p`.
pub fn parse_chain(tokens: &[Token], p: usize, lex: &Lexicon) -> Chain {
    let mut titles: Vec<(usize, usize)> = Vec::new();
    let mut last_clean = false;
    let mut k = p;
    while let Some(t) = tokens.get(k) {
        if t.is(',') || t.is_dash() {
            let q = k + 1;
            if q >= tokens.len() || lex.rank_at(tokens, q).is_some() {
                break;
            }
            if t.is(',') && list_item(tokens, q, lex).is_some() {
                break;
            }
            if let Some(tp) = parse_title(tokens, q, lex, true, true) {
                if tp.name.is_some() || tp.end <= tp.start || lex.rank_at(tokens, tp.end).is_some()
                {
                    break;
                }
                titles.push((tp.start, tp.end));
                last_clean = tp.clean;
                k = tp.end;
                continue;
            }
            if t.is(',') && last_clean {
                if let (Some(e), Some(last)) = (continuation(tokens, q, lex), titles.last_mut()) {
                    last.1 = e;
                    last_clean = tokens.get(e).is_none_or(|n| !n.is_word());
                    k = e;
                    continue;
                }
            }
            break;
        }
        if t.is('(') && titles.is_empty() {
            // "Đại tá Phạm Văn Lương (Phó Giám đốc Công an tỉnh Bắc Ninh)"
            let inner = parse_chain_inner(tokens, k + 1, lex);
            match inner {
                Some((mut spans, close)) => {
                    titles.append(&mut spans);
                    k = close + 1;
                    last_clean = false;
                    continue;
                }
                None => break,
            }
        }
        if t.is_word() && (t.id == lex.words.kiem || t.id == lex.words.va) {
            if t.id == lex.words.va && lex.rank_at(tokens, k + 1).is_some() {
                break;
            }
            if let Some(tp) = parse_title(tokens, k + 1, lex, t.id == lex.words.kiem, true) {
                if tp.name.is_none() && tp.end > tp.start && lex.rank_at(tokens, tp.end).is_none() {
                    titles.push((tp.start, tp.end));
                    last_clean = tp.clean;
                    k = tp.end;
                    continue;
                }
            }
        }
        break;
    }
    Chain { titles, end: k }
}

/// Titles inside a parenthesis that starts at `q` (after `(`): returns them and the index
/// of `)`.
fn parse_chain_inner(
    tokens: &[Token],
    q: usize,
    lex: &Lexicon,
) -> Option<(Vec<(usize, usize)>, usize)> {
    let first = parse_title(tokens, q, lex, true, false)?;
    let mut spans = vec![(first.start, first.end)];
    let mut k = first.end;
    while let Some(t) = tokens.get(k) {
        if t.is(')') {
            return Some((spans, k));
        }
        if t.is(',') || t.is_dash() || t.id == lex.words.kiem {
            if let Some(tp) = parse_title(tokens, k + 1, lex, true, false) {
                spans.push((tp.start, tp.end));
                k = tp.end;
                continue;
            }
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::lexicon::tokenize_builtin as tokenize;

    fn lex() -> &'static Lexicon {
        crate::lexicon::builtin()
    }

    fn text_of(s: &str, span: (usize, usize)) -> String {
        let t = tokenize(s);
        s[t[span.0].byte_start()..t[span.1 - 1].byte_end()].to_string()
    }

    fn chain_titles(s: &str, p: usize) -> Vec<String> {
        let lex = lex();
        let t = tokenize(s);
        parse_chain(&t, p, lex)
            .titles
            .into_iter()
            .map(|sp| text_of(s, sp))
            .collect()
    }

    #[test]
    fn titles_end_where_the_predicate_starts() {
        let s = "X, Ủy viên Trung ương Đảng, Thứ trưởng Bộ Quốc phòng chủ trì hội nghị.";
        assert_eq!(
            chain_titles(s, 1),
            vec!["Ủy viên Trung ương Đảng", "Thứ trưởng Bộ Quốc phòng"]
        );
    }

    #[test]
    fn a_comma_before_an_organisation_continues_the_title() {
        let s = "X, Phó cục trưởng Cục Hợp tác, Bộ Công an phát biểu.";
        assert_eq!(
            chain_titles(s, 1),
            vec!["Phó cục trưởng Cục Hợp tác, Bộ Công an"]
        );
    }

    #[test]
    fn lower_case_words_inside_an_organisation_are_kept() {
        let s = "X - Phó Tổng tham mưu trưởng Quân đội nhân dân Lào; Y";
        assert_eq!(
            chain_titles(s, 1),
            vec!["Phó Tổng tham mưu trưởng Quân đội nhân dân Lào"]
        );
        let s = "X, Chính ủy Lữ đoàn, phấn khởi kể";
        assert_eq!(chain_titles(s, 1), vec!["Chính ủy Lữ đoàn"]);
    }

    #[test]
    fn kiem_and_parentheses_chain_titles() {
        let s = "X, Chỉ huy trưởng kiêm Chủ tịch UBND thị trấn Sơn Hải cho biết";
        assert_eq!(
            chain_titles(s, 1),
            vec!["Chỉ huy trưởng", "Chủ tịch UBND thị trấn Sơn Hải"]
        );
        let s = "X (Phó Giám đốc Công an tỉnh Nam Định); Y";
        assert_eq!(
            chain_titles(s, 1),
            vec!["Phó Giám đốc Công an tỉnh Nam Định"]
        );
    }

    #[test]
    fn a_new_rank_or_list_item_ends_the_chain() {
        let s = "X, Thứ trưởng Bộ Tài chính, Đại tá Y";
        assert_eq!(chain_titles(s, 1), vec!["Thứ trưởng Bộ Tài chính"]);
        let s = "X, Thứ trưởng Bộ Tài chính, Trần Văn Nam, Phó Chủ tịch Hội";
        assert_eq!(chain_titles(s, 1), vec!["Thứ trưởng Bộ Tài chính"]);
    }

    #[test]
    fn a_title_before_a_rank_belongs_to_the_next_person() {
        let s = "X và Tùy viên Quốc phòng Đại tá Y";
        assert!(chain_titles(s, 1).is_empty());
    }

    #[test]
    fn a_title_may_close_with_a_name() {
        let lex = lex();
        let s = "Bộ trưởng Quốc phòng Phan Văn Giang đánh giá";
        let t = tokenize(s);
        let tp = parse_title(&t, 0, lex, false, true).unwrap();
        assert_eq!(text_of(s, (tp.start, tp.end)), "Bộ trưởng Quốc phòng");
        assert_eq!(tp.name, Some((4, 7)));
    }

    #[test]
    fn a_title_may_close_with_a_name_right_after_the_position() {
        let lex = lex();
        let s = "Tổng Bí thư Nguyễn Phú Trọng nhiều lần khen ngợi";
        let t = tokenize(s);
        let tp = parse_title(&t, 0, lex, false, true).unwrap();
        assert_eq!(text_of(s, (tp.start, tp.end)), "Tổng Bí thư");
        assert_eq!(tp.name, Some((3, 6)));
    }

    #[test]
    fn organisations_that_look_like_positions_are_not_titles() {
        let lex = lex();
        let t = tokenize("Tổng Lãnh sự quán Nhật Bản");
        assert!(position_at(&t, 0, lex, false).is_none());
        let t = tokenize("thủ trưởng các đơn vị");
        assert!(position_at(&t, 0, lex, false).is_none());
    }
}
