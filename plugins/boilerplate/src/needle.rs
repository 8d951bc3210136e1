//! A cheap test before a regular expression: a piece of plain text that every
//! match contains.
//!
//! Some patterns of the rules file are costly to run on every block (a photo
//! credit anchored at the end of the line scans up to sixty characters back
//! through a large automaton; date-times scan the whole block) although almost
//! no block can match. Most of them require a plain character or word ("Ảnh:
//! …" needs a `:`, "31/05/13" needs a `/`), and text without it is skipped
//! undecided by the automaton. [`required_literal`] reads that piece off the
//! pattern's text, conservatively: the longest run of plain characters at the
//! pattern's top level, or nothing when the pattern has a top-level alternation
//! or flag group, or a shape it does not know. [`Rx`] pairs a compiled pattern
//! with it.

use crate::latin::{slot, slotted, SLOTS};
use memchr::memmem::Finder;
use regex::{CaptureMatches, Captures, Match, Regex};
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::hybrid;
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, MatchKind};
use std::iter::Flatten;
use std::option;
use std::panic::{RefUnwindSafe, UnwindSafe};

/// A compiled pattern with the plain text every match contains, if known.
#[derive(Debug, Clone)]
pub struct Rx {
    re: Regex,
    /// Each a set of alternatives, one of which every match contains.
    needles: Vec<Needle>,
    /// Every match starts the text with one of these (a pattern anchored at the start).
    prefix: Vec<String>,
    /// For a pattern anchored at the start: whether a text starting with this
    /// byte may match (every byte outside ASCII may), see [`first_bytes`].
    first: Option<Box<[bool; 256]>>,
    /// For such a pattern, per first byte of a text when it is ASCII, and
    /// second character when the tables of [`crate::latin`] cover it: whether
    /// a match may start so, see [`first_pairs`].
    pairs: Option<Box<Pairs>>,
    /// For a pattern anchored at the start or at the end: a dense DFA of the
    /// pattern without its word-boundary assertions (so it matches every text
    /// the pattern matches, and maybe more), run anchored there; see [`Gate`].
    gate: Option<Gate>,
}

impl Rx {
    /// Wrap a compiled pattern, reading its required literal off its text.
    pub fn new(re: Regex) -> Rx {
        let needles = required(re.as_str())
            .iter()
            .filter_map(|set| Needle::new(set))
            .collect();
        let prefix = required_prefix(re.as_str()).unwrap_or_default();
        let anchored = anchored_pairs(re.as_str());
        let first = anchored.as_deref().and_then(bytes_table);
        let pairs = anchored.as_deref().and_then(pairs_table);
        Rx {
            re,
            needles,
            prefix,
            first,
            pairs,
            gate: None,
        }
    }

    /// The pattern with a [`Gate`] (when it is anchored and its DFA is
    /// small): for patterns tried on most texts without a pre-check of
    /// their own.
    pub fn gated(mut self) -> Rx {
        self.gate = Gate::new(self.re.as_str());
        self
    }

    /// The bytes taken by the pattern's [`Gate`], if it has one.
    pub fn gate_bytes(&self) -> Option<usize> {
        self.gate.as_ref().map(|g| g.dfa.memory_usage())
    }

    /// Whether the lazy DFA of the `regex` crate runs the pattern to the end
    /// of any text: it has no word-boundary assertion (`\b`, `\B`, `\<`,
    /// `\>`, read conservatively off its text), on which the DFA gives up at
    /// the first byte outside ASCII and a much slower engine takes over.
    pub fn dfa_friendly(&self) -> bool {
        let p = self.re.as_str();
        !["\\b", "\\B", "\\<", "\\>"].iter().any(|a| p.contains(a))
    }

    /// The compiled pattern.
    pub fn regex(&self) -> &Regex {
        &self.re
    }

    /// False when `text` cannot match (it lacks a piece every match has).
    #[inline]
    pub fn may_match(&self, text: &str) -> bool {
        if let (Some(t), Some(&b)) = (&self.first, text.as_bytes().first()) {
            if !t[usize::from(b)] {
                return false;
            }
        }
        if let (Some(p), &[b0, b1, ..]) = (&self.pairs, text.as_bytes()) {
            if b0 < 0x80 {
                // After an ASCII first byte, the second character starts at byte 1.
                let second = if b1 < 0x80 {
                    Some(char::from(b1))
                } else {
                    text[1..].chars().next()
                };
                if let Some(s) = second.and_then(slot) {
                    if p[usize::from(b0)][s / 64] >> (s % 64) & 1 == 0 {
                        return false;
                    }
                }
            }
        }
        if !self.prefix.is_empty() && !self.prefix.iter().any(|p| text.starts_with(p.as_str())) {
            return false;
        }
        // The gate decides within the first (or last) few bytes of most
        // texts, where a needle is looked for through the whole text.
        if let Some(m) = self.gate.as_ref().and_then(|g| g.may_match(text)) {
            return m;
        }
        let b = text.as_bytes();
        self.needles.iter().all(|n| n.is_in(b))
    }

    /// `Regex::is_match`.
    pub fn is_match(&self, text: &str) -> bool {
        self.may_match(text) && self.re.is_match(text)
    }

    /// `Regex::find`.
    pub fn find<'t>(&self, text: &'t str) -> Option<Match<'t>> {
        self.may_match(text).then(|| self.re.find(text)).flatten()
    }

    /// `Regex::captures`.
    pub fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        self.may_match(text)
            .then(|| self.re.captures(text))
            .flatten()
    }

    /// `Regex::captures_iter` (nothing when `text` cannot match).
    pub fn captures_iter<'r, 't>(
        &'r self,
        text: &'t str,
    ) -> Flatten<option::IntoIter<CaptureMatches<'r, 't>>> {
        let it = self.may_match(text).then(|| self.re.captures_iter(text));
        it.into_iter().flatten()
    }
}

/// Per byte, whether the anchored DFA `dfa` lives on after reading it
/// first from its start state (at the start of a text, or at its end for a
/// reversed DFA), and per such byte and next byte read, whether it lives on
/// after both; every byte may when that cannot be told.
#[allow(clippy::type_complexity)]
fn edge_bytes(dfa: &hybrid::dfa::DFA) -> (Box<[bool; 256]>, Box<[[u64; 4]; 256]>) {
    let mut edge = Box::new([true; 256]);
    let mut edge2 = Box::new([[u64::MAX; 4]; 256]);
    let mut cache = dfa.create_cache();
    let config = regex_automata::util::start::Config::new().anchored(Anchored::Yes);
    let Ok(start) = dfa.start_state(&mut cache, &config) else {
        return (edge, edge2);
    };
    for b in 0..=255u8 {
        let Ok(next) = dfa.next_state(&mut cache, start, b) else {
            continue;
        };
        edge[usize::from(b)] = !next.is_dead();
        if next.is_dead() || next.is_match() || next.is_quit() || next.is_unknown() {
            continue;
        }
        let mut bits = [0u64; 4];
        for c in 0..=255u8 {
            let lives = dfa
                .next_state(&mut cache, next, c)
                .map_or(true, |s| !s.is_dead());
            bits[usize::from(c / 64)] |= u64::from(lives) << (c % 64);
        }
        edge2[usize::from(b)] = bits;
    }
    (edge, edge2)
}

/// A necessary condition for a match of a pattern anchored at the start (or
/// at the end) of the text, decided by a small dense DFA built at start-up
/// (no per-thread cache): the pattern without its word-boundary assertions
/// (which only ever rule matches out), run anchored where the pattern is.
#[derive(Debug, Clone)]
struct Gate {
    dfa: dense::DFA<Vec<u32>>,
    /// Whether the DFA reads the text backwards from its end.
    reverse: bool,
}

/// The most memory one [`Gate`] may take; a pattern whose DFA is larger has none.
const GATE_LIMIT: usize = 96 << 10;

/// A [`Gate`] reads at most this many bytes of a text (from the end where
/// the pattern is anchored there): a text not decided within them goes to
/// the other tests.
const GATE_BYTES: usize = 64;

impl Gate {
    /// The gate of `pattern`; `None` when it is anchored neither at the
    /// start nor at the end, or its DFA would be larger than [`GATE_LIMIT`].
    fn new(pattern: &str) -> Option<Gate> {
        let loose = without_word_boundaries(pattern)?;
        [false, true].into_iter().find_map(|reverse| {
            let nfa = thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .reverse(reverse)
                        .which_captures(thompson::WhichCaptures::None),
                )
                .build(&loose)
                .ok()?;
            // A reversed NFA starts where the pattern ends.
            if !nfa.is_always_start_anchored() {
                return None;
            }
            let dfa = dense::Builder::new()
                .configure(
                    dense::Config::new()
                        .match_kind(MatchKind::All)
                        .start_kind(StartKind::Anchored)
                        .dfa_size_limit(Some(GATE_LIMIT))
                        .determinize_size_limit(Some(4 * GATE_LIMIT)),
                )
                .build_from_nfa(&nfa)
                .ok()?;
            (dfa.memory_usage() <= GATE_LIMIT).then_some(Gate { dfa, reverse })
        })
    }

    /// False when the pattern cannot match `text`, true when the loosened
    /// pattern matches it; `None` when undecided within the first (or, for
    /// a pattern anchored at the end, the last) [`GATE_BYTES`] bytes.
    #[inline]
    fn may_match(&self, text: &str) -> Option<bool> {
        let input = Input::new(text).anchored(Anchored::Yes);
        let b = text.as_bytes();
        let dfa = &self.dfa;
        let (mut sid, bytes, whole) = if self.reverse {
            let from = b.len().saturating_sub(GATE_BYTES);
            (dfa.start_state_reverse(&input).ok()?, &b[from..], from == 0)
        } else {
            let to = b.len().min(GATE_BYTES);
            (
                dfa.start_state_forward(&input).ok()?,
                &b[..to],
                to == b.len(),
            )
        };
        // A match state is entered one byte after the match ends: any is a match.
        let mut step = |byte: u8| {
            sid = dfa.next_state(sid, byte);
            if !dfa.is_special_state(sid) {
                None
            } else if dfa.is_match_state(sid) {
                Some(Some(true))
            } else if dfa.is_dead_state(sid) {
                Some(Some(false))
            } else if dfa.is_quit_state(sid) {
                Some(None)
            } else {
                None
            }
        };
        let done = if self.reverse {
            bytes.iter().rev().find_map(|&x| step(x))
        } else {
            bytes.iter().find_map(|&x| step(x))
        };
        if let Some(verdict) = done {
            return verdict;
        }
        if !whole {
            return None;
        }
        Some(dfa.is_match_state(dfa.next_eoi_state(sid)))
    }
}

/// `pattern` without its word-boundary assertions (`\b`, `\B`, `\<`,
/// `\>`): a pattern matching every text `pattern` matches. `None` for a
/// shape this reading does not handle (`\b{…}`, an escape it does not know,
/// an unbalanced class).
pub fn without_word_boundaries(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '[' => {
                let end = class_end(&chars, i)?;
                out.extend(&chars[i..end]);
                i = end;
            }
            '\\' => match chars.get(i + 1) {
                Some('b' | 'B') if chars.get(i + 2) == Some(&'{') => return None,
                Some('b' | 'B' | '<' | '>') => i += 2,
                _ => {
                    let (_, next) = escape(&chars, i)?;
                    out.extend(&chars[i..next]);
                    i = next;
                }
            },
            '{' => {
                // `{n,m}` loosens to `{n,}`: counted upper bounds make large DFAs.
                let close = chars[i..].iter().position(|&c| c == '}').map(|k| i + k);
                let inside: Option<String> = close.map(|c| chars[i + 1..c].iter().collect());
                match inside.as_deref().and_then(|t| t.split_once(',')) {
                    Some((n, m)) if n.parse::<u32>().is_ok() && m.trim().parse::<u32>().is_ok() => {
                        out.push('{');
                        out.push_str(n);
                        out.push_str(",}");
                        i = close? + 1;
                    }
                    _ => {
                        out.push('{');
                        i += 1;
                    }
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Plain text one piece of which every match of a pattern contains.
#[derive(Debug, Clone)]
enum Needle {
    /// One piece.
    One(Box<Finder<'static>>),
    /// One of several pieces, looked for in one pass.
    Any(aho_corasick::AhoCorasick),
}

impl Needle {
    /// The needle for the alternatives `set` (one of which every match
    /// contains), without those that contain another one (a text with the
    /// longer one has the shorter one too); `None` when it cannot be built
    /// (nothing is then ruled out).
    fn new(set: &[String]) -> Option<Needle> {
        let kept: Vec<&str> = set
            .iter()
            .enumerate()
            .filter(|&(i, a)| {
                !set.iter()
                    .enumerate()
                    .any(|(j, b)| j != i && a.contains(b.as_str()) && (a.len() > b.len() || j < i))
            })
            .map(|(_, a)| a.as_str())
            .collect();
        match kept[..] {
            [] => None,
            [one] => Some(Needle::One(Box::new(
                Finder::new(one.as_bytes()).into_owned(),
            ))),
            _ => aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(&kept)
                .ok()
                .map(Needle::Any),
        }
    }

    /// Whether `b` has the piece (one of the pieces).
    #[inline]
    fn is_in(&self, b: &[u8]) -> bool {
        match self {
            Needle::One(f) => f.find(b).is_some(),
            Needle::Any(ac) => ac.is_match(b),
        }
    }
}

/// Patterns tried together (does any of them match?), with, per first byte
/// of a text, the patterns that may match it ([`first_bytes`]): the others are
/// not looked at.
#[derive(Debug, Clone)]
pub struct RxSet {
    rxs: Vec<Rx>,
    /// Per first byte, a bit for each of the first 64 patterns that may match
    /// a text starting with it (the patterns after those are always tried).
    by_first: Box<[u64; 256]>,
    /// See [`RxSet::dfa_friendly`].
    dfa_friendly: bool,
}

impl RxSet {
    /// [`RxSet::new`] of the patterns [`Rx::gated`] when the set is not
    /// [`RxSet::dfa_friendly`] (an [`AnyOf`] cannot cover it).
    pub fn gated(rxs: Vec<Rx>) -> RxSet {
        if rxs.iter().all(Rx::dfa_friendly) {
            RxSet::new(rxs)
        } else {
            RxSet::new(rxs.into_iter().map(Rx::gated).collect())
        }
    }

    /// The patterns, in the order they are tried.
    pub fn new(rxs: Vec<Rx>) -> RxSet {
        let mut by_first = Box::new([0u64; 256]);
        for (i, rx) in rxs.iter().enumerate().take(64) {
            for (b, bits) in by_first.iter_mut().enumerate() {
                let allowed = rx.first.as_ref().is_none_or(|t| t[b]);
                *bits |= u64::from(allowed) << i;
            }
        }
        let dfa_friendly = rxs.iter().all(Rx::dfa_friendly);
        RxSet {
            rxs,
            by_first,
            dfa_friendly,
        }
    }

    /// Whether any of the patterns matches `text`.
    pub fn is_match(&self, text: &str) -> bool {
        let Some(&b) = text.as_bytes().first() else {
            return self.rxs.iter().any(|r| r.is_match(text));
        };
        let mut bits = self.by_first[usize::from(b)];
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if self.rxs[i].is_match(text) {
                return true;
            }
        }
        self.rxs.iter().skip(64).any(|r| r.is_match(text))
    }
}

impl RxSet {
    /// Whether every pattern of the set is [`Rx::dfa_friendly`].
    pub fn dfa_friendly(&self) -> bool {
        self.dfa_friendly
    }
}

/// Several [`RxSet`]s tried on the same texts, with one search that tells
/// when none of the patterns of those among them that are
/// [`RxSet::dfa_friendly`] can match (one pass of a `regex::RegexSet`
/// instead of a search per pattern).
#[derive(Debug, Clone)]
pub struct AnyOf {
    /// The patterns of the covered sets; `None` when none is covered or the
    /// set cannot be built (then nothing is ruled out).
    set: Option<regex::RegexSet>,
    /// The same patterns as a lazy DFA searched directly, anchored (at the
    /// start, or from the end for [`AnyOf::ending`]) when every pattern is
    /// anchored there: no set-up of a general search per text.
    lazy: Option<Lazy>,
}

/// A lazy DFA's cache for each thread.
type CachePool = Pool<
    hybrid::dfa::Cache,
    Box<dyn Fn() -> hybrid::dfa::Cache + Send + Sync + UnwindSafe + RefUnwindSafe>,
>;

/// A union of anchored patterns as a lazy DFA with a cache per thread (see [`AnyOf`]).
struct Lazy {
    dfa: hybrid::dfa::DFA,
    /// Whether the DFA reads the text backwards from its end.
    reverse: bool,
    caches: CachePool,
    /// Per byte, whether a text may start with it (forwards) or end with it
    /// (backwards) and match: false when the DFA dies on it at once.
    edge: Box<[bool; 256]>,
    /// Per first byte read, a bit per second byte read: whether the DFA
    /// lives on after both.
    edge2: Box<[[u64; 4]; 256]>,
}

impl std::fmt::Debug for Lazy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lazy")
            .field("reverse", &self.reverse)
            .finish_non_exhaustive()
    }
}

impl Clone for Lazy {
    fn clone(&self) -> Lazy {
        Lazy::from_dfa(self.dfa.clone(), self.reverse)
    }
}

impl Lazy {
    /// The DFA of `patterns` (Rust `regex` syntax, default flags), read
    /// forwards or backwards; `None` when some pattern is not anchored at
    /// the start (forwards) or at the end (backwards).
    fn new<P: AsRef<str>>(patterns: &[P], reverse: bool) -> Option<Lazy> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .reverse(reverse)
                    .which_captures(thompson::WhichCaptures::None),
            )
            .build_many(patterns)
            .ok()?;
        // A reversed NFA starts where the patterns end.
        if !nfa.is_always_start_anchored() {
            return None;
        }
        let dfa = hybrid::dfa::Builder::new()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(MatchKind::All)
                    .cache_capacity(crate::rules::DFA_CACHE),
            )
            .build_from_nfa(nfa)
            .ok()?;
        Some(Lazy::from_dfa(dfa, reverse))
    }

    fn from_dfa(dfa: hybrid::dfa::DFA, reverse: bool) -> Lazy {
        let (edge, edge2) = edge_bytes(&dfa);
        let d = dfa.clone();
        let caches: CachePool = Pool::new(Box::new(move || d.create_cache()));
        Lazy {
            dfa,
            reverse,
            caches,
            edge,
            edge2,
        }
    }

    /// False when no pattern can match `text`, told from its first byte
    /// (its last one backwards).
    #[inline]
    fn edge_may(&self, text: &str) -> bool {
        let b = text.as_bytes();
        let (one, two) = match (self.reverse, b) {
            (_, []) => return true,
            (_, &[x]) => (x, None),
            (false, &[x, y, ..]) => (x, Some(y)),
            (true, &[.., y, x]) => (x, Some(y)),
        };
        let one = usize::from(one);
        self.edge[one]
            && two.is_none_or(|y| self.edge2[one][usize::from(y / 64)] >> (y % 64) & 1 == 1)
    }

    /// Whether any pattern matches `text`; `None` when the DFA cannot tell.
    #[inline]
    fn is_match(&self, text: &str) -> Option<bool> {
        if !self.edge_may(text) {
            return Some(false);
        }
        let input = Input::new(text).anchored(Anchored::Yes).earliest(true);
        let mut cache = self.caches.get();
        let found = if self.reverse {
            self.dfa.try_search_rev(&mut cache, &input)
        } else {
            self.dfa.try_search_fwd(&mut cache, &input)
        };
        found.ok().map(|m| m.is_some())
    }
}

/// What [`AnyOf::check`] says of a text: whether any of the covered
/// patterns may match it (false: none does).
#[derive(Debug, Clone, Copy)]
pub struct Verdict(bool);

impl AnyOf {
    /// The pre-check for `sets` (see [`AnyOf`]).
    pub fn new(sets: &[&RxSet]) -> AnyOf {
        let patterns: Vec<&str> = sets
            .iter()
            .filter(|s| s.dfa_friendly())
            .flat_map(|s| s.rxs.iter().map(|r| r.re.as_str()))
            .collect();
        let set = if patterns.is_empty() {
            None
        } else {
            regex::RegexSet::new(&patterns).ok()
        };
        let lazy = set.as_ref().and_then(|_| Lazy::new(&patterns, false));
        AnyOf { set, lazy }
    }

    /// The pre-check for matches of the patterns `rxs` followed by `tail` (a
    /// pattern) up to the end of the text: [`AnyOf::check`] is false when no
    /// match of any of them ends where the rest of the text matches `tail`
    /// to its end. Searched from the end of the text back (the set is
    /// anchored there), it is decided within the last few characters of
    /// most texts. Nothing is ruled out when one of the patterns is not
    /// [`Rx::dfa_friendly`].
    pub fn ending(rxs: &[Rx], tail: &str) -> AnyOf {
        if rxs.is_empty() || !rxs.iter().all(Rx::dfa_friendly) {
            return AnyOf {
                set: None,
                lazy: None,
            };
        }
        let patterns: Vec<String> = rxs
            .iter()
            .map(|r| format!("(?:{}){tail}$", r.re.as_str()))
            .collect();
        let set = regex::RegexSet::new(&patterns).ok();
        let lazy = set.as_ref().and_then(|_| Lazy::new(&patterns, true));
        AnyOf { set, lazy }
    }

    /// Whether the pre-check runs its own lazy DFA.
    pub fn is_lazy(&self) -> bool {
        self.lazy.is_some()
    }

    /// Whether the `RegexSet` alone (without the dense DFA) says a covered
    /// pattern may match `text` (for tests).
    pub fn set_says(&self, text: &str) -> bool {
        self.set.as_ref().is_none_or(|s| s.is_match(text))
    }

    /// False when [`AnyOf::check`] would rule `text` out by its first byte
    /// (its last one for [`AnyOf::ending`]) alone: a test cheaper than any
    /// other.
    #[inline]
    pub fn edge_may(&self, text: &str) -> bool {
        self.lazy.as_ref().is_none_or(|l| l.edge_may(text))
    }

    /// Run the pre-check on `text`.
    pub fn check(&self, text: &str) -> Verdict {
        if let Some(any) = self.lazy.as_ref().and_then(|d| d.is_match(text)) {
            return Verdict(any);
        }
        Verdict(self.set.as_ref().is_none_or(|s| s.is_match(text)))
    }
}

impl Verdict {
    /// False when none of the covered patterns matches.
    pub fn any(self) -> bool {
        self.0
    }

    /// [`RxSet::is_match`] of `set` (one of those [`AnyOf`] was built for)
    /// on the text the verdict is about.
    pub fn is_match(self, set: &RxSet, text: &str) -> bool {
        (self.0 || !set.dfa_friendly()) && set.is_match(text)
    }
}

impl std::ops::Deref for RxSet {
    type Target = [Rx];

    fn deref(&self) -> &[Rx] {
        &self.rxs
    }
}

/// What every match of `pattern` (Rust `regex` syntax, default flags)
/// contains, read off its top level: the longest run of plain characters, and
/// the best set of plain alternatives (`(?:Ảnh|Video)`: one of them), each
/// when there is one. Empty when the pattern has a shape this reading does not
/// handle (a top-level `|`, a flag group such as `(?i)` outside a group).
///
/// Groups (other than alternatives of plain text), classes, escapes other
/// than escaped punctuation, `.`, `^` and `$` are opaque: they end a run. A
/// character or group with a repetition operator ends a run too (it is not
/// counted). Whitespace is plain (no `x` flag at the top level).
pub fn required(pattern: &str) -> Vec<Vec<String>> {
    read(pattern).map(|r| r.pieces).unwrap_or_default()
}

/// What [`read`] finds in a pattern.
#[derive(Debug, Default)]
struct Reading {
    /// See [`required`].
    pieces: Vec<Vec<String>>,
    /// For a pattern anchored at the start (`^`) and going on with plain
    /// text or plain alternatives: what every match starts with, one of them.
    prefix: Option<Vec<String>>,
}

/// The pieces and prefix of `pattern`; `None` for a shape not handled.
fn read(pattern: &str) -> Option<Reading> {
    let chars: Vec<char> = pattern.chars().collect();
    let anchored = chars.first() == Some(&'^');
    let mut prefix: Option<Vec<String>> = None;
    // Whether the prefix may still grow (plain characters right after `^`).
    let mut prefix_open = false;
    let mut item = 0usize;
    let mut best = String::new();
    let mut run = String::new();
    let mut best_set: Option<Vec<String>> = None;
    let mut i = 0;
    while i < chars.len() {
        // One item: a literal character (`Some`) or an opaque atom (`None`).
        let mut set = None;
        let (literal, next) = match chars[i] {
            '|' | ')' => return None,
            '(' => {
                if chars.get(i + 1) == Some(&'?') && is_flag_group(&chars[i + 2..]) {
                    return None;
                }
                let end = group_end(&chars, i)?;
                set = plain_alternatives(&chars[i..end]);
                (None, end)
            }
            '[' => (None, class_end(&chars, i)?),
            '\\' => escape(&chars, i)?,
            '.' | '^' | '$' => (None, i + 1),
            '?' | '*' | '+' | '{' | ']' | '}' => return None,
            c => (Some(c), i + 1),
        };
        let (repeated, after) = repetition(&chars, next)?;
        match literal {
            Some(c) if !repeated => run.push(c),
            _ => keep_longest(&mut best, &mut run),
        }
        // The prefix: the items right after a leading `^`.
        if anchored && item == 1 && !repeated {
            if let Some(c) = literal {
                prefix = Some(vec![c.to_string()]);
                prefix_open = true;
            } else if let Some(set) = &set {
                prefix = Some(set.clone());
            }
        } else if prefix_open {
            match (literal, &mut prefix) {
                (Some(c), Some(p)) if !repeated => p[0].push(c),
                _ => prefix_open = false,
            }
        }
        item += 1;
        if let Some(set) = set.filter(|_| !repeated) {
            let shortest = |s: &[String]| s.iter().map(String::len).min().unwrap_or(0);
            if best_set
                .as_deref()
                .is_none_or(|b| shortest(&set) > shortest(b))
            {
                best_set = Some(set);
            }
        }
        i = after;
    }
    keep_longest(&mut best, &mut run);
    let mut pieces = Vec::new();
    if !best.is_empty() {
        pieces.push(vec![best]);
    }
    pieces.extend(best_set);
    Some(Reading { pieces, prefix })
}

/// For a pattern anchored at the start (`^`, no top-level alternation or
/// flags) whose first item is mandatory plain text (a character, escaped
/// punctuation, or a group of such alternatives, maybe case-insensitive
/// `(?i:…)`): per first byte of a text, whether a match may start so. Bytes
/// outside ASCII always may; an ASCII byte may when the pattern's own engine
/// matches that character against one of the first characters (so case
/// folding is the engine's). `None` for any other shape.
pub fn first_bytes(pattern: &str) -> Option<Box<[bool; 256]>> {
    bytes_table(&anchored_pairs(pattern)?)
}

/// For a pattern of the shape [`first_bytes`] reads, its first two characters, one pair per
/// alternative (see [`pair_chars`]); `None` for any other shape.
fn anchored_pairs(pattern: &str) -> Option<Vec<Pair>> {
    let chars: Vec<char> = pattern.chars().collect();
    if chars.first() != Some(&'^') {
        return None;
    }
    read(pattern)?;
    let mut pairs = Vec::new();
    pair_chars(&chars[1..], false, &mut pairs)?;
    Some(pairs)
}

/// [`first_bytes`] of the pattern whose first characters are `pairs`.
fn bytes_table(pairs: &[Pair]) -> Option<Box<[bool; 256]>> {
    let firsts: Vec<(char, bool)> = pairs.iter().map(|&(first, _)| first).collect();
    let mut table = Box::new([true; 256]);
    table[..0x80].copy_from_slice(&ascii_matching(&firsts)?);
    Some(table)
}

/// Of the ASCII characters, those that match one of `chars` (each with
/// whether it matches case-insensitively). An ASCII character matches itself,
/// and under `(?i)` its ASCII other case (ASCII letters fold only with each
/// other and with characters outside ASCII). What else matches, for the other
/// characters, is asked of the engine itself (one character class per case
/// mode).
fn ascii_matching(chars: &[(char, bool)]) -> Option<[bool; 0x80]> {
    let mut table = [false; 0x80];
    for mode in [false, true] {
        let mut class = String::new();
        for &(c, ci) in chars.iter().filter(|&&(_, ci)| ci == mode) {
            if c.is_ascii() {
                table[usize::from(c as u8)] = true;
                if ci {
                    table[usize::from(c.to_ascii_lowercase() as u8)] = true;
                    table[usize::from(c.to_ascii_uppercase() as u8)] = true;
                }
            } else {
                class.push_str(&regex::escape(&c.to_string()));
            }
        }
        if class.is_empty() {
            continue;
        }
        let flags = if mode { "(?i)" } else { "" };
        let re = Regex::new(&format!("{flags}^[{class}]$")).ok()?;
        for b in 0u8..0x80 {
            if re.is_match(&char::from(b).to_string()) {
                table[usize::from(b)] = true;
            }
        }
    }
    Some(table)
}

/// Words of a bit set over the [`slot`]s.
const SLOT_WORDS: usize = SLOTS.div_ceil(64);

/// Per ASCII first byte, a bit per [`slot`] of the second character.
pub type Pairs = [[u64; SLOT_WORDS]; 0x80];

/// For a pattern of the shape [`first_bytes`] reads: per first byte of a
/// text, ASCII, and second character, one the tables of [`crate::latin`]
/// cover ([`slot`]), whether a match may start so. A match starts with one of
/// the first characters, and, when the item after that character (in its
/// alternative) is a mandatory plain character, with that one next; else
/// any second character may follow. First characters match as in
/// [`ascii_matching`]; which second characters match is asked of the engine
/// for every covered character. `None` for any other shape.
pub fn first_pairs(pattern: &str) -> Option<Box<Pairs>> {
    pairs_table(&anchored_pairs(pattern)?)
}

/// [`first_pairs`] of the pattern whose first two characters are `pairs`.
fn pairs_table(pairs: &[Pair]) -> Option<Box<Pairs>> {
    let mut distinct: Vec<(char, bool)> = pairs.iter().filter_map(|&(_, s)| s).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let matching = slots_matching(&distinct)?;
    let mut table = Box::new([[0u64; SLOT_WORDS]; 0x80]);
    for (first, second) in pairs {
        let firsts = ascii_matching(&[*first])?;
        let seconds = match second {
            Some(c) => matching[distinct.binary_search(c).ok()?],
            None => [u64::MAX; SLOT_WORDS],
        };
        for (row, _) in table.iter_mut().zip(firsts).filter(|&(_, ok)| ok) {
            for (cell, bits) in row.iter_mut().zip(seconds) {
                *cell |= bits;
            }
        }
    }
    Some(table)
}

/// For each of `chars` (each with whether it matches case-insensitively),
/// the characters the tables of [`crate::latin`] cover that the engine
/// matches against it, a bit per [`slot`] (one pass of a set of patterns).
fn slots_matching(chars: &[(char, bool)]) -> Option<Vec<[u64; SLOT_WORDS]>> {
    let mut bits = vec![[0u64; SLOT_WORDS]; chars.len()];
    if chars.is_empty() {
        return Some(bits);
    }
    // Without case folding a character matches only itself; with it, the
    // engine is asked (a set of one-character classes, one pass).
    let mut folded = Vec::new();
    for (k, &(c, ci)) in chars.iter().enumerate() {
        if ci {
            folded.push(k);
        } else if let Some(s) = slot(c) {
            bits[k][s / 64] |= 1 << (s % 64);
        }
    }
    if folded.is_empty() {
        return Some(bits);
    }
    let patterns = folded
        .iter()
        .map(|&k| format!("(?i)^[{}]$", regex::escape(&chars[k].0.to_string())));
    let set = regex::RegexSet::new(patterns).ok()?;
    let mut buf = [0u8; 4];
    for x in slotted() {
        let s = slot(x)?;
        for j in set.matches(x.encode_utf8(&mut buf)).iter() {
            bits[folded[j]][s / 64] |= 1 << (s % 64);
        }
    }
    Some(bits)
}

/// The first two characters of the sequence `s` (each with whether it
/// matches case-insensitively; the second `None` when not known), one pair
/// per alternative; `None` when its first item is not a mandatory plain
/// character or a group of alternatives each starting so.
type Pair = ((char, bool), Option<(char, bool)>);

fn pair_chars(s: &[char], ci: bool, out: &mut Vec<Pair>) -> Option<()> {
    if s.first() == Some(&'(') {
        let end = group_end(s, 0)?;
        if repetition(s, end)?.0 {
            return None;
        }
        let inner = &s[1..end - 1];
        let (body, ci) = match inner {
            ['?', ':', rest @ ..] => (rest, ci),
            ['?', 'i', ':', rest @ ..] => (rest, true),
            ['?', 'P', '<', ..] | ['?', '<', ..] => {
                let close = inner.iter().position(|&c| c == '>')?;
                (&inner[close + 1..], ci)
            }
            ['?', ..] => return None,
            _ => (inner, ci),
        };
        for alt in top_alternatives(body)? {
            // The second character of a one-character alternative follows
            // the group: not read (any may follow).
            pair_chars(alt, ci, out)?;
        }
        return Some(());
    }
    let (c, next) = plain_item(s)?;
    let second = plain_item(&s[next..]).map(|(c, _)| (c, ci));
    out.push(((c, ci), second));
    Some(())
}

/// The mandatory plain character `s` starts with (a character or escaped
/// punctuation not repeated) and the index after it.
fn plain_item(s: &[char]) -> Option<(char, usize)> {
    let (c, next) = match *s.first()? {
        '\\' => match escape(s, 0)? {
            (Some(c), next) => (c, next),
            (None, _) => return None,
        },
        '(' | '[' | '.' | '^' | '$' | ')' | '|' | '?' | '*' | '+' | '{' | ']' | '}' => return None,
        c => (c, 1),
    };
    if repetition(s, next)?.0 {
        return None;
    }
    Some((c, next))
}

/// The alternatives of a group's body, split at its top-level `|`.
fn top_alternatives(body: &[char]) -> Option<Vec<&[char]>> {
    let mut out = Vec::new();
    let mut from = 0;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            '\\' => i = escape(body, i)?.1,
            '[' => i = class_end(body, i)?,
            '(' => i = group_end(body, i)?,
            '|' => {
                out.push(&body[from..i]);
                i += 1;
                from = i;
            }
            _ => i += 1,
        }
    }
    out.push(&body[from..]);
    Some(out)
}

/// What every match of `pattern` starts with (one of them), when it is
/// anchored at the start and goes on with plain text (see [`required`]).
pub fn required_prefix(pattern: &str) -> Option<Vec<String>> {
    read(pattern)?.prefix
}

/// The longest run of plain characters every match of `pattern` contains (see [`required`]).
pub fn required_literal(pattern: &str) -> Option<String> {
    required(pattern)
        .into_iter()
        .find(|set| set.len() == 1)
        .and_then(|mut set| set.pop())
}

/// The alternatives of a group (`group` from its `(` to its `)`) when each is
/// plain, non-empty text: `(?:Ảnh|Video)`, `(?P<x>Tin|Bài)`.
fn plain_alternatives(group: &[char]) -> Option<Vec<String>> {
    let inner = &group[1..group.len() - 1];
    let body = match inner {
        ['?', ':', rest @ ..] => rest,
        ['?', 'P', '<', ..] | ['?', '<', ..] => {
            let close = inner.iter().position(|&c| c == '>')?;
            &inner[close + 1..]
        }
        ['?', ..] => return None,
        _ => inner,
    };
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i <= body.len() {
        match body.get(i) {
            None | Some('|') => {
                if text.is_empty() {
                    return None;
                }
                out.push(std::mem::take(&mut text));
                i += 1;
                continue;
            }
            Some('\\') => {
                let (Some(c), next) = escape(body, i)? else {
                    return None;
                };
                text.push(c);
                i = next;
            }
            Some('(' | ')' | '[' | ']' | '{' | '}' | '.' | '^' | '$' | '?' | '*' | '+') => {
                return None
            }
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
        if let Some((true, _)) = repetition(body, i) {
            return None;
        }
    }
    Some(out)
}

fn keep_longest(best: &mut String, run: &mut String) {
    if run.len() > best.len() {
        *best = std::mem::take(run);
    } else {
        run.clear();
    }
}

/// Whether `rest` (after `(?`) is a flag group without a body: `i)`, `-i)`, `ix)`.
fn is_flag_group(rest: &[char]) -> bool {
    for &c in rest {
        match c {
            ')' => return true,
            ':' | '<' | 'P' | '=' | '!' => return false,
            c if c.is_ascii_alphabetic() || c == '-' => {}
            _ => return false,
        }
    }
    false
}

/// The index after the group opening at `open`, skipping nested groups,
/// classes and escapes.
fn group_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i = escape(chars, i)?.1,
            '[' => i = class_end(chars, i)?,
            '(' => {
                depth += 1;
                i += 1;
            }
            ')' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The index after the character class opening at `open`, nested classes
/// included (a `]` first in a class is a member).
fn class_end(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i = escape(chars, i)?.1,
            '[' => {
                depth += 1;
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    i += 1;
                }
            }
            ']' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The escape at `at`: the character it stands for when it is escaped ASCII
/// punctuation (`\.`, `\(`), else `None` (a class, an assertion, a code
/// point); and the index after it.
fn escape(chars: &[char], at: usize) -> Option<(Option<char>, usize)> {
    let c = *chars.get(at + 1)?;
    if c.is_ascii_punctuation() {
        return Some((Some(c), at + 2));
    }
    let braced = |from: usize| -> Option<usize> {
        let close = chars[from..].iter().position(|&c| c == '}')?;
        Some(from + close + 1)
    };
    let next = match c {
        'p' | 'P' | 'x' | 'u' | 'U' if chars.get(at + 2) == Some(&'{') => braced(at + 2)?,
        'p' | 'P' => at + 3,
        'x' => at + 4,
        'u' => at + 6,
        'U' => at + 10,
        c if c.is_ascii_alphanumeric() => at + 2,
        // Escaped non-ASCII or whitespace: leave such patterns alone.
        _ => return None,
    };
    (next <= chars.len()).then_some((None, next))
}

/// Whether a repetition operator (`?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`, each
/// maybe lazy) follows at `at`, and the index after it. `None` for a `{` that
/// is not a counted repetition.
fn repetition(chars: &[char], at: usize) -> Option<(bool, usize)> {
    let mut i = at;
    match chars.get(i) {
        Some('?' | '*' | '+') => i += 1,
        Some('{') => {
            let close = chars[i..].iter().position(|&c| c == '}')? + i;
            let inside: String = chars[i + 1..close].iter().collect();
            let counted = !inside.is_empty()
                && inside.split(',').count() <= 2
                && inside.split(',').enumerate().all(|(k, n)| {
                    n.trim().parse::<u32>().is_ok() || (k == 1 && n.trim().is_empty())
                });
            if !counted {
                return None;
            }
            i = close + 1;
        }
        _ => return Some((false, at)),
    }
    if chars.get(i) == Some(&'?') {
        i += 1;
    }
    Some((true, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(p: &str) -> Option<String> {
        required_literal(p)
    }

    #[test]
    fn literals_read_off_patterns() {
        assert_eq!(
            lit("^leftcenterrightdel$").as_deref(),
            Some("leftcenterrightdel")
        );
        assert_eq!(lit(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})").as_deref(), Some("/"));
        assert_eq!(lit(r"^\*\s*Chuyên mục\b").as_deref(), Some("Chuyên mục"));
        assert_eq!(lit(r"a\.b+c").as_deref(), Some("a.")); // "b" repeats, "c" alone
        assert_eq!(lit(r"abc?").as_deref(), Some("ab"));
        assert_eq!(lit(r"x{2,}yz").as_deref(), Some("yz"));
        assert_eq!(lit(r"[a]]bc").as_deref(), None); // unbalanced: not handled
        assert_eq!(lit(r"[]a]bc").as_deref(), Some("bc"));
        assert_eq!(lit(r"[[:alpha:]x]q").as_deref(), Some("q"));
        assert_eq!(lit(r"\p{Lu}ab\pLc\x41d\u{1EA0}ef").as_deref(), Some("ab"));
        assert_eq!(
            lit(r"(?:^|[\s.,;(\-–—])\(?\s*(?:Ảnh|Video)\s*:\s*(?P<who>[^():;]{1,60}?)\s*\)?$")
                .as_deref(),
            Some(":")
        );
    }

    #[test]
    fn alternatives_read_off_groups() {
        assert_eq!(
            required(r"\(?(?:Ảnh|Nguồn ảnh|Đồ\.họa)\s*:"),
            vec![
                vec![":".to_string()],
                vec!["Ảnh".into(), "Nguồn ảnh".into(), "Đồ.họa".into()]
            ]
        );
        assert_eq!(
            required(r"(?P<x>ab|cd)"),
            vec![vec!["ab".to_string(), "cd".into()]]
        );
        assert_eq!(
            required(r"(ab|cde)"),
            vec![vec!["ab".to_string(), "cde".into()]]
        );
    }

    #[test]
    fn prefixes_of_anchored_patterns() {
        let p = |s: &str| required_prefix(s);
        assert_eq!(p(r"^leftcenter$"), Some(vec!["leftcenter".to_string()]));
        assert_eq!(p(r"^\[(?:image|ảnh)"), Some(vec!["[".to_string()]));
        assert_eq!(
            p(r"^(?:Play|Tạm dừng)$"),
            Some(vec!["Play".to_string(), "Tạm dừng".into()])
        );
        assert_eq!(
            p(r"^Theo dõi .{0,40} trên"),
            Some(vec!["Theo dõi ".to_string()])
        );
        assert_eq!(p(r"^ab?c"), Some(vec!["a".to_string()]));
        assert_eq!(p(r"^a?bc"), None);
        assert_eq!(p(r"^(?i:Xem) thêm"), None);
        assert_eq!(p(r"^abc|^xyz"), None);
        assert_eq!(p(r"abc"), None);
        let rx = Rx::new(Regex::new(r"^(?:Play|Tạm dừng)$").unwrap());
        assert!(rx.is_match("Tạm dừng") && !rx.may_match("Dừng"));
    }

    #[test]
    fn unsure_shapes_give_nothing() {
        assert_eq!(lit("ab|cd"), None);
        assert_eq!(lit("(?i)abc"), None);
        assert_eq!(lit("ab(?i)cd"), None);
        assert_eq!(lit("a{x}"), None);
        assert_eq!(lit(r"\d+"), None);
        assert_eq!(lit(r"(?i:abc)"), None);
        assert_eq!(lit(""), None);
        assert!(required("(?:ab|)c").len() == 1);
        assert!(required("(?:a.|b)c").len() == 1);
        assert!(required("(?:ab|c)?d").len() == 1);
        assert!(required("(?i:ab|c)d").len() == 1);
    }

    #[test]
    fn the_prefilter_never_rejects_a_match() {
        let cases = [
            (
                r"(?:^|\s)Ảnh\s*:\s*(?P<who>[^():;]{1,60}?)\s*$",
                "Hội nghị. Ảnh: Hồng Pha",
            ),
            (r"(?P<d>\d{1,2})/(?P<m>\d{1,2})", "ngày 15/7"),
            (r"^\*?\s*Mời (?:bạn đọc)\b", "* Mời bạn đọc"),
            (r"ab+c", "abbbc"),
            (r"(?i:xem) thêm", "XEM thêm"),
            (r"(?:Ảnh|Video)\s*:", "Video :"),
            (r"(?P<k>Ảnh|Đồ\.họa):", "Đồ.họa:"),
        ];
        for (p, text) in cases {
            let rx = Rx::new(Regex::new(p).unwrap());
            assert!(rx.regex().is_match(text), "{p}");
            assert!(rx.is_match(text), "{p}");
            assert_eq!(
                rx.captures_iter(text).count(),
                rx.regex().captures_iter(text).count()
            );
        }
        let rx = Rx::new(Regex::new(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})").unwrap());
        assert!(!rx.may_match("Sáng 15-7"));
        let rx = Rx::new(Regex::new(r"(?:Ảnh|Video)\s*:").unwrap());
        assert!(!rx.may_match("Hình ảnh: đẹp"));
        assert!(!rx.may_match("Video clip"));
    }

    #[test]
    fn first_bytes_read_off_anchored_patterns() {
        let t = |p: &str| {
            first_bytes(p).map(|t| {
                (0u8..0x80)
                    .filter(|&b| t[usize::from(b)])
                    .map(char::from)
                    .collect::<String>()
            })
        };
        assert_eq!(t(r"^(?i:Xem|đọc)\s*:").as_deref(), Some("Xx"));
        assert_eq!(
            t(r"^(?:©|\(c\)\s|(?i:Copyright)\b)").as_deref(),
            Some("(Cc")
        );
        assert_eq!(t(r"^(?i:s)").as_deref(), Some("Ss"));
        assert_eq!(t(r"^(?i:ſ)").as_deref(), Some("Ss"));
        assert_eq!(t(r"^(?i:\x{212A})x").as_deref(), None); // an escape: no table
        assert_eq!(t("^(?i:\u{212A})x").as_deref(), Some("Kk"));
        // Every ASCII first character, with and without case folding, as the engine says.
        for a in 0u8..0x80 {
            let c = char::from(a);
            for ci in [false, true] {
                let one = regex::escape(&c.to_string());
                let p = if ci {
                    format!("^(?i:{one})")
                } else {
                    format!("^{one}")
                };
                let re = Regex::new(&p).unwrap();
                let want: String = (0u8..0x80)
                    .map(char::from)
                    .filter(|&x| re.is_match(&x.to_string()))
                    .collect();
                if let Some(got) = t(&p) {
                    assert_eq!(got, want, "{p}");
                }
            }
        }
        assert_eq!(t(r"^\*?\s*Mời"), None);
        assert_eq!(t(r"^(?:\d{1,2}:)?\d"), None);
        assert_eq!(t(r"^(?:ab|)c"), None);
        assert_eq!(t(r"^a|^b"), None);
        assert_eq!(t(r"(?i)^a"), None);
        assert_eq!(t(r"a"), None);
    }

    #[test]
    fn first_bytes_never_reject_a_match() {
        let rules = crate::rules::BUILTIN;
        let raw: serde_norway::Value = serde_norway::from_str(rules).unwrap();
        let mut patterns: Vec<String> = Vec::new();
        if let serde_norway::Value::Mapping(m) = raw {
            for (_, v) in m {
                match v {
                    serde_norway::Value::String(s) => patterns.push(s),
                    serde_norway::Value::Sequence(l) => patterns
                        .extend(l.into_iter().filter_map(|x| x.as_str().map(str::to_string))),
                    _ => {}
                }
            }
        }
        patterns.extend([r"^(?i:ſa|ka)".to_string(), r"^(?i:Đọc|ǅx)".into()]);
        let texts = [
            "Xem thêm: Bài khác",
            "xem thêm: bài",
            "Đọc thêm: x",
            "đọc nhiều",
            "Tin liên quan",
            "TIN LIÊN QUAN",
            "Các tin khác:",
            "© 2024",
            "(c) Báo",
            "Copyright 2020",
            "COPYRIGHT",
            "Bản quyền thuộc X",
            "Mời bạn đọc",
            "* Mời độc giả",
            "0:00 / 0:00",
            "12:30",
            "Play",
            "Thứ hai, 29/05/2023",
            "thứ Hai, 1/1/2020",
            "Chủ nhật, 1/1/2020",
            "Đường dây nóng: 1",
            "Hotline: 1",
            "leftcenterrightdel",
            "[ảnh 1]",
            "![a](b)",
            "ſa",
            "Ka",
            "\u{212A}a",
            "ǆx",
            "ǅx",
            "Theo dõi Báo trên Google News",
            "Tải ứng dụng",
            "",
            " ",
            "a",
            "Z",
        ];
        for p in &patterns {
            let Ok(re) = Regex::new(p) else { continue };
            let rx = Rx::new(re.clone());
            for t in texts {
                assert_eq!(rx.is_match(t), re.is_match(t), "{p} on {t:?}");
            }
        }
    }

    #[test]
    fn first_pairs_never_rule_out_a_match() {
        let patterns = [
            r"^(?i:Thứ (?:hai|ba)|Chủ nhật),\s*\d",
            r"^(?i:Xem thêm|Đọc thêm|Tin liên quan)\s*[:>»]\s*\S",
            r"^(?i:(?:Tin|Bài|Video) (?:liên quan|khác))\s*:?$",
            r"^(?:©|\(c\)\s|(?i:Copyright)\b)",
            r"^(?:Cỡ chữ|Font|A\+|A-|AA)$",
            r"^(?i:sk)",
            r"^(?i:ks)",
            r"^ab",
            r"^(?:a|bc)d",
            r"^(?P<x>Tin|Bài) ",
            r"^(?i:Các (?:tin|bài) (?:khác|liên quan))\s*:?$",
            r"^(?i:Có thể bạn quan tâm|Đọc thêm)\s*:?$",
            r"^(?i:Bản quyền (?:thuộc|©)|Ghi rõ nguồn)",
        ];
        let mut texts = vec![
            "Thứ hai, 1/2".to_string(),
            "THỨ BA, 2".to_string(),
            "Chủ nhật, 3".to_string(),
            "Xem thêm: x".to_string(),
            "ĐỌC THÊM > y".to_string(),
            "tin khác".to_string(),
            "VIDEO LIÊN QUAN:".to_string(),
            "© 2020".to_string(),
            "(c) x".to_string(),
            "copyright".to_string(),
            "A+".to_string(),
            "AA".to_string(),
            "\u{17F}\u{212A}".to_string(),
            "s\u{212A}".to_string(),
            "\u{212A}s".to_string(),
            "Ks".to_string(),
            "ab".to_string(),
            "ad".to_string(),
            "bcd".to_string(),
            "Bài x".to_string(),
            "Các tin khác".to_string(),
            "CÁC BÀI LIÊN QUAN".to_string(),
            "Có thể bạn quan tâm".to_string(),
            "CÓ THỂ BẠN QUAN TÂM".to_string(),
            "Bản quyền thuộc x".to_string(),
            "BẢN QUYỀN ©".to_string(),
            "Ghi rõ nguồn".to_string(),
            "Đọc thêm:".to_string(),
        ];
        for a in 0u8..0x80 {
            for b in 0u8..0x80 {
                texts.push(format!("{}{}d", char::from(a), char::from(b)));
            }
            for b in [
                'á', 'Á', 'ạ', 'ả', 'Ả', 'ó', 'Ó', 'ọ', 'ơ', 'ư', '\u{212A}', '\u{17F}', 'é',
            ] {
                texts.push(format!("{}{b} thể bạn quan tâm", char::from(a)));
                texts.push(format!("{}{b}c tin khác", char::from(a)));
                texts.push(format!("{}{b}n quyền thuộc", char::from(a)));
            }
        }
        for p in patterns {
            let re = Regex::new(p).unwrap();
            assert!(first_pairs(p).is_some(), "{p}");
            let rx = Rx::new(re.clone());
            for t in &texts {
                if re.is_match(t) {
                    assert!(rx.may_match(t), "{p} {t:?}");
                }
            }
        }
        let t = first_pairs(r"^(?i:Thứ)").unwrap();
        let has = |b: u8, c: char| {
            let s = slot(c).unwrap();
            t[usize::from(b)][s / 64] >> (s % 64) & 1 == 1
        };
        assert!(has(b'T', 'h') && has(b't', 'H'));
        assert!(!has(b'T', 'r') && !has(b'T', 'ạ'));
        let t = first_pairs(r"^(?i:Có)").unwrap();
        let has = |b: u8, c: char| {
            let s = slot(c).unwrap();
            t[usize::from(b)][s / 64] >> (s % 64) & 1 == 1
        };
        assert!(has(b'C', 'ó') && has(b'c', 'Ó') && !has(b'C', 'ô') && !has(b'C', 'o'));
        assert!(first_pairs(r"^\*?\s*Mời").is_none());
    }

    #[test]
    fn needles_drop_alternatives_containing_others_and_find_the_rest() {
        let set: Vec<String> = ["Ảnh", "Nguồn ảnh", "Ảnh minh họa", "Video", "Video"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let n = Needle::new(&set).unwrap();
        let Needle::Any(ac) = &n else {
            panic!("several pieces")
        };
        assert_eq!(ac.patterns_len(), 3); // Ảnh, Nguồn ảnh, Video
        for (t, want) in [
            ("Quang cảnh. Ảnh minh họa", true),
            ("Nguồn ảnh: TTXVN", true),
            ("Xem Video", true),
            ("ảnh minh họa", false),
            ("", false),
        ] {
            assert_eq!(n.is_in(t.as_bytes()), want, "{t:?}");
        }
        let one = Needle::new(&["ab".to_string(), "xaby".to_string()]).unwrap();
        assert!(matches!(one, Needle::One(_)));
        assert!(one.is_in(b"zab") && !one.is_in(b"xay"));
        assert!(Needle::new(&[]).is_none());
    }

    #[test]
    fn gates_are_small_and_loosen_only_word_boundaries() {
        let w = |p: &str| without_word_boundaries(p);
        assert_eq!(
            w(r"^\*?\s*Mời (?:bạn)\b").as_deref(),
            Some(r"^\*?\s*Mời (?:bạn)")
        );
        assert_eq!(w(r"a\\b[\b]\Bc\<d\>").as_deref(), Some(r"a\\b[\b]cd"));
        assert_eq!(w(r"\b{start}x"), None);
        assert_eq!(
            w(r"a{2,80}?b{3}c{1,}[{]").as_deref(),
            Some(r"a{2,}?b{3}c{1,}[{]")
        );
        let r = crate::rules::Rules::builtin().unwrap();
        let mut total = 0;
        let all = r
            .artifacts
            .iter()
            .chain(r.image_markers.iter())
            .chain(r.site_header.iter())
            .chain(r.promos.iter())
            .chain(r.inline_promos.iter())
            .chain(r.teaser_headers.iter())
            .chain(r.page_footer.iter())
            .chain(r.timestamps.iter())
            .chain(r.bylines.iter())
            .chain(r.sources.iter())
            .chain([&r.photo_credit, &r.photo_credit_bare, &r.tail_source]);
        for rx in all {
            let rx = rx.clone().gated();
            let b = rx.gate_bytes();
            total += b.unwrap_or(0);
        }
        assert!(total <= 1 << 20, "{total}");
        // A gate never rules out a match, whatever the text's length.
        let long = "x".repeat(GATE_BYTES);
        let texts = [
            "Mời bạn đọc xem",
            "* Mời quý độc giả",
            "*Chuyên mục: X",
            "Tải ứng dụng Báo",
            "Theo dõi Báo X trên Google News",
            "© 2024 Báo",
            "(c) x",
            "Copyright 2020",
            "Bản quyền thuộc Báo",
            "Tin, ảnh: MAI NGUYÊN",
            "Bài và ảnh: A - B",
            "QUỲNH OANH (tổng hợp)",
            "(Theo TTXVN)",
            "Nguồn: Báo Nhân Dân.",
            "Theo VnExpress",
            "Quang cảnh hội nghị. Ảnh: Hồng Pha",
            "Quang cảnh (Ảnh minh họa).",
            "Ảnh minh họa",
            "",
            "Ông A phát biểu tại hội nghị.",
        ];
        let rxs: Vec<Rx> = r
            .promos
            .iter()
            .chain(r.page_footer.iter())
            .chain(r.bylines.iter())
            .chain(r.sources.iter())
            .chain([&r.photo_credit, &r.photo_credit_bare, &r.tail_source])
            .map(|rx| rx.clone().gated())
            .collect();
        for rx in &rxs {
            for t in texts {
                for t in [
                    t.to_string(),
                    format!("{long}{t}"),
                    format!("{t}{long}"),
                    format!("{long}{t}{long}"),
                ] {
                    assert_eq!(
                        rx.is_match(&t),
                        rx.regex().is_match(&t),
                        "{} on {t:?}",
                        rx.regex().as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn lazy_pre_checks_agree_with_the_sets() {
        let r = crate::rules::Rules::builtin().unwrap();
        assert!(r.local_sets.is_lazy() && r.stamp_at_end.is_lazy());
        let texts = [
            "0:00 / 0:00",
            "1:02:03",
            "Play",
            "Tạm dừng đọc bài",
            "[ảnh 2]",
            "![x](y)",
            "Đường dây nóng: 0900",
            "Thứ hai, 29/05/2023",
            "thứ BẢY, 1/1/2020 ",
            "Xem thêm: Bài",
            "ĐỌC THÊM >> x",
            "Tin liên quan",
            "CÁC TIN KHÁC:",
            "Có thể bạn quan tâm",
            "31/05/13 10:48 GMT+7",
            "Cập nhật: Thứ hai, 29/05/2023 12:50 (GMT+7)",
            "10:48 - 31/05/2013",
            "10:48 - 31/05/2013 |",
            "10:48 - 31/05/2013.",
            "Một đoạn văn có ngày 5/6/2020 lúc 10:00 ở giữa câu.",
            "",
            " ",
            "\u{a0}",
            "Ông A phát biểu.",
            "1",
            "12",
            ")",
            "A",
            "AA",
            "Pl",
            "[ả",
        ];
        for t in texts {
            for a in [&r.local_sets, &r.stamp_at_end] {
                assert_eq!(a.check(t).any(), a.set_says(t), "{t:?}");
            }
        }
    }

    #[test]
    fn the_pre_check_of_endings_says_whether_a_match_ends_the_text() {
        let rxs: Vec<Rx> = [r"(?P<d>\d{1,2})/(?P<m>\d{1,2})", r"Theo\s+\p{Lu}"]
            .iter()
            .map(|p| Rx::new(Regex::new(p).unwrap()))
            .collect();
        let any = AnyOf::ending(&rxs, r"[\s)]*");
        for (t, want) in [
            ("ngày 5/6", true),
            ("ngày 5/6 )  ", true),
            ("ngày 5/6.", false),
            ("5/6 và 7/8", true),
            ("ông Theo TTXVN", false),
            ("ông Theo T", true),
            ("", false),
        ] {
            assert_eq!(any.check(t).any(), want, "{t:?}");
        }
        // A word boundary keeps the set out: nothing is ruled out.
        let rxs = vec![Rx::new(Regex::new(r"\bxy").unwrap())];
        assert!(!rxs[0].dfa_friendly());
        assert!(AnyOf::ending(&rxs, "").check("abc").any());
    }
}
