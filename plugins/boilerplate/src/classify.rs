//! Deciding, block by block, what is article body and what is page furniture.
//!
//! The decision runs in passes over the blocks of the text (see [`crate::lines`]):
//! 1. local rules: artifacts, site header, widgets, promos, inline promos, teaser
//!    headers, page footers, stamps (also in " | " meta lines), bylines, source
//!    lines, credited captions, tag lists (from the rules file); a stamp next to a
//!    site header line is the site clock; related-links blocks (a teaser header,
//!    link items, then a long sentence) are cut out wherever they stand;
//! 2. captions after image markers;
//! 3. the lead (the first body-like block) and the title (the headline-shaped
//!    line before it that shares most word pairs with the body, else a
//!    headline-shaped first block); the rest before the lead is preamble; an
//!    outlet dateline is cut off the lead;
//! 4. repetition: repeated blocks, duplicated captions, duplicated headlines;
//! 5. teasers of other articles: from the first teaser signal (a teaser header, a
//!    second outlet dateline, a duplicated headline) to the end;
//! 6. the body's end: the last body-like block before the first byline, source,
//!    stamp, promo, page footer or teaser; what follows is classified as bylines
//!    (also "Name - Unit"), outlet, category or trailer;
//! 7. inside the body: glued captions (also a short sentence glued before a
//!    paragraph at a line's start), caption-shaped short lines, one-name
//!    portrait captions and credit-only lines.

use crate::credits::{
    dateline, parse_byline_counted, parse_source_counted, parse_tail_source, split_credit,
    trailing_caps_name,
};
use crate::lines::{segment_into, sentence_spans, split_lines, Block, Line};
use crate::rules::{words_lower, Rules};
use crate::shape::{
    collapse_whitespace_cow, collapse_whitespace_in, count_words_in, ends_sentence, fold_in,
    has_wide_space, is_headline_like, is_name_like, is_tag_list, more_words_than,
};
use crate::stamps::{find_stamp, stamp_line};
use crate::words::with_words;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A piece of text taken out of the body, and the rule that took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The text as it stood in the input.
    pub text: String,
    /// The rule's name.
    pub rule: &'static str,
}

/// What the plugin found in one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    /// The article body, one paragraph per line, paragraphs separated by a blank line.
    pub text: String,
    /// The headline, when the file has one.
    pub title: Option<String>,
    /// Photo captions, without their credits, in order, without repeats.
    pub captions: Vec<String>,
    /// Names from bylines.
    pub authors: Vec<String>,
    /// The outlet named by a dateline or an outlet line.
    pub outlet: Option<String>,
    /// Sources credited by source lines ("nguồn: …", "Theo …").
    pub sources: Vec<String>,
    /// The page's own publication stamp, RFC 3339.
    pub published: Option<String>,
    /// The site header's clock (the day the page was scraped), RFC 3339.
    pub site_clock: Option<String>,
    /// Everything taken out, in document order.
    pub removed: Vec<Removed>,
}

/// What a block turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Article text (possibly trimmed by partial cuts).
    Body,
    /// The headline.
    Title,
    /// Furniture with nothing to report but its removal.
    Drop,
    /// A photo caption (clean text).
    Caption(String),
    /// A byline (authors).
    Byline(Vec<String>),
    /// A source credit (an optional author, the source).
    Source(Option<String>, String),
    /// The page's publication stamp.
    Stamp(String),
    /// Site header furniture, with the site clock if it shows one.
    Header(Option<String>),
    /// An outlet line.
    Outlet(String),
}

#[derive(Debug, Clone)]
struct Label {
    kind: Kind,
    rule: &'static str,
}

/// A piece cut out of a block that otherwise stays body.
#[derive(Debug, Clone)]
struct Cut {
    start: usize,
    end: usize,
    kind: Kind,
    rule: &'static str,
}

/// The working state of one document (`'t`: the text's lifetime).
struct Doc<'r, 't> {
    rules: &'r Rules,
    lines: Vec<Line<'t>>,
    blocks: Vec<Block<'t>>,
    labels: Vec<Option<Label>>,
    /// Cuts inside body blocks (byte ranges of the block's text).
    cuts: Vec<Vec<Cut>>,
    /// The number of words of each block ([`crate::shape::word_count`]).
    words: Vec<usize>,
    /// Whether the text has no whitespace outside ASCII (nor has any piece of
    /// it), see [`count_words_in`].
    ascii_spaces: bool,
}

impl<'r, 't> Doc<'r, 't> {
    fn new(rules: &'r Rules, text: &'t str) -> Doc<'r, 't> {
        let lines = split_lines(text);
        let mut blocks: Vec<Block<'t>> = Vec::with_capacity(lines.len() + 8);
        for (i, l) in lines.iter().enumerate() {
            segment_into(i, l.text, &mut blocks);
        }
        let n = blocks.len();
        let ascii_spaces = !has_wide_space(text.as_bytes());
        let words = blocks
            .iter()
            .map(|b| count_words_in(b.text, usize::MAX, ascii_spaces))
            .collect();
        Doc {
            rules,
            lines,
            blocks,
            labels: vec![None; n],
            cuts: vec![Vec::new(); n],
            words,
            ascii_spaces,
        }
    }

    /// [`more_words_than`] of a piece of the text (or of a copy of one).
    fn more_words(&self, t: &str, n: usize) -> bool {
        count_words_in(t, n.saturating_add(1), self.ascii_spaces) > n
    }

    /// [`crate::shape::is_body_like`] of block `i`, from its word count.
    fn body_like(&self, i: usize) -> bool {
        let l = &self.rules.limits;
        let n = self.words[i];
        (n >= l.body_min_words && ends_sentence(self.text(i))) || n >= l.body_min_words_unpunctuated
    }

    /// The text of block `i` (a slice of the document's text).
    fn text(&self, i: usize) -> &'t str {
        self.blocks[i].text
    }

    fn free(&self, i: usize) -> bool {
        self.labels[i].is_none()
    }

    fn set(&mut self, i: usize, kind: Kind, rule: &'static str) {
        self.labels[i] = Some(Label { kind, rule });
    }

    fn is_rule(&self, i: usize, rule: &str) -> bool {
        self.labels[i].as_ref().is_some_and(|l| l.rule == rule)
    }

    /// Whether the block is a whole line (not glued to anything).
    fn whole_line(&self, i: usize) -> bool {
        !self.blocks[i].glued_left && !self.blocks[i].glued_right
    }

    /// Pass 1: rules that need only the block itself.
    fn local_rules(&mut self) {
        let rules = self.rules;
        for i in 0..self.blocks.len() {
            let t = self.text(i);
            let n = self.words[i];
            let verdict = rules.local_sets.check(t);
            let full = |set: &crate::needle::RxSet| verdict.is_match(set, t);
            if full(&rules.artifacts) {
                self.set(i, Kind::Drop, "artifact");
            } else if full(&rules.image_markers) {
                self.set(i, Kind::Drop, "image_marker");
            } else if full(&rules.site_header) {
                let clock = find_stamp(rules, t).map(|s| s.value);
                self.set(i, Kind::Header(clock), "site_header");
            } else if is_widget_line(rules, t) {
                self.set(i, Kind::Drop, "widget");
            } else if full(&rules.inline_promos) {
                self.set(i, Kind::Drop, "inline_promo");
            } else if full(&rules.promos) {
                self.set(i, Kind::Drop, "promo");
            } else if full(&rules.teaser_headers) {
                self.set(i, Kind::Drop, "teaser_header");
            } else if full(&rules.page_footer) {
                self.set(i, Kind::Drop, "footer");
            } else if let Some(v) = stamp_line(rules, t).or_else(|| meta_stamp_line(rules, t)) {
                self.set(i, Kind::Stamp(v), "timestamp");
            } else if let Some(names) = parse_byline_counted(rules, t, n) {
                self.set(i, Kind::Byline(names), "byline");
            } else if let Some(src) = parse_source_counted(rules, t, n) {
                self.set(i, Kind::Source(None, src), "source");
            } else if is_tag_list(t) {
                self.set(i, Kind::Drop, "tag_list");
            } else if let Some(c) = split_credit(rules, t) {
                if c.caption.is_empty() {
                    self.set(i, Kind::Drop, "photo_credit");
                } else if !self.more_words(&c.caption, 2 * rules.limits.caption_max_words) {
                    self.set(i, Kind::Caption(c.caption), "caption_credit");
                }
            }
        }
    }

    /// A stamp line next to a site header line (hotline, contact) is the site's
    /// clock, not the page's publication stamp.
    fn clocks_beside_headers(&mut self) {
        for i in 0..self.blocks.len() {
            let Some(Label {
                kind: Kind::Stamp(v),
                ..
            }) = &self.labels[i]
            else {
                continue;
            };
            let beside = (i > 0 && self.is_rule(i - 1, "site_header"))
                || (i + 1 < self.blocks.len() && self.is_rule(i + 1, "site_header"));
            if beside {
                let v = v.clone();
                self.set(i, Kind::Header(Some(v)), "site_header");
            }
        }
    }

    /// Related-links blocks anywhere: a teaser header, then one or more link
    /// items (bulleted lines, or headline-shaped lines), then a long
    /// sentence-shaped paragraph. The header and its items go (`related_links`)
    /// and the body goes on; a header not followed so is left to [`Doc::teasers`].
    fn related_blocks(&mut self) {
        let limits = &self.rules.limits;
        let n = self.blocks.len();
        let mut i = 0;
        while i < n {
            if !self.is_rule(i, "teaser_header") {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n
                && j - i <= MAX_LINK_ITEMS
                && self.free(j)
                && self.whole_line(j)
                && is_link_item(self.text(j), limits)
            {
                j += 1;
            }
            let resumes = j < n && self.free(j) && ends_sentence(self.text(j)) && self.body_like(j);
            if j > i + 1 && resumes {
                for k in i..j {
                    self.set(k, Kind::Drop, "related_links");
                }
            }
            i = j;
        }
    }

    /// Pass 2: the short block after an image marker is its caption.
    fn captions_after_markers(&mut self) {
        for i in 1..self.blocks.len() {
            if self.is_rule(i - 1, "image_marker") || self.is_rule(i - 1, "artifact") {
                let marker = self
                    .rules
                    .image_markers
                    .iter()
                    .any(|r| r.is_match(self.text(i - 1)));
                if marker && self.free(i) && self.short_caption(i) {
                    let t = self.text(i);
                    self.set(i, Kind::Caption(t.to_string()), "caption_after_image");
                }
            }
        }
    }

    fn short_caption(&self, i: usize) -> bool {
        let t = self.text(i);
        !self.more_words(t, self.rules.limits.caption_max_words) && sentence_spans(t).len() <= 2
    }

    /// Pass 3: title, preamble and lead; returns the lead's index.
    fn title_and_lead(&mut self) -> Option<usize> {
        let first = (0..self.blocks.len()).find(|&i| self.free(i))?;
        let first_is_title = self.title_candidate(first);
        let from = first + usize::from(first_is_title);
        // The lead is the first punctuated body-like block (a long unpunctuated
        // line near the top is more often a list of links than a paragraph).
        let lead = (from..self.blocks.len())
            .find(|&i| self.free(i) && ends_sentence(self.text(i)) && self.body_like(i))
            .or_else(|| (from..self.blocks.len()).find(|&i| self.free(i) && self.body_like(i)))?;
        if let Some(t) = self.pick_title(first, lead, first_is_title) {
            self.set(t, Kind::Title, "title");
        }
        for i in first..lead {
            if self.free(i) {
                let t = self.text(i);
                let rule = if t.contains(" / ") || t.contains(" | ") {
                    "related_links"
                } else {
                    "preamble"
                };
                self.set(i, Kind::Drop, rule);
            }
        }
        if let Some((len, outlet)) = dateline(self.rules, self.text(lead)) {
            self.cuts[lead].push(Cut {
                start: 0,
                end: len,
                kind: Kind::Outlet(outlet),
                rule: "outlet_dateline",
            });
        }
        Some(lead)
    }

    /// Whether a free block may be the headline: a whole, headline-shaped line
    /// that is not a dateline nor menu, breadcrumb, link-list or clock furniture.
    fn title_candidate(&self, i: usize) -> bool {
        let t = self.text(i);
        self.free(i)
            && self.whole_line(i)
            && is_headline_like(t, &self.rules.limits)
            && !is_bulleted(t)
            && !MENU_SEPARATORS.iter().any(|s| t.contains(s))
            && dateline(self.rules, t).is_none()
            && find_stamp(self.rules, t).is_none()
    }

    /// The headline among the lines before the lead: the candidate sharing the
    /// most word pairs with the lead and the paragraphs after it (the latest on
    /// a tie), so that a site name, menu or widget line above the headline is
    /// passed over; with no shared pair, the first line when it is a candidate.
    fn pick_title(&self, first: usize, lead: usize, first_is_title: bool) -> Option<usize> {
        let candidates: Vec<usize> = (first + usize::from(first_is_title)..lead)
            .filter(|&i| self.title_candidate(i))
            .collect();
        if candidates.is_empty() {
            return first_is_title.then_some(first);
        }
        let body: Vec<Vec<String>> = (lead..self.blocks.len())
            .filter(|&i| self.free(i) && self.body_like(i))
            .take(TITLE_BODY_BLOCKS)
            .map(|i| words_lower(self.text(i)))
            .collect();
        let pairs: FastSet<(&str, &str)> = body
            .iter()
            .flat_map(|w| w.windows(2).map(|p| (p[0].as_str(), p[1].as_str())))
            .collect();
        let shared = |i: usize| {
            let w = words_lower(self.text(i));
            let mut seen: FastSet<(&str, &str)> = FastSet::default();
            w.windows(2)
                .filter(|p| {
                    let pair = (p[0].as_str(), p[1].as_str());
                    seen.insert(pair) && pairs.contains(&pair)
                })
                .count()
        };
        let best = first_is_title
            .then_some(first)
            .iter()
            .chain(&candidates)
            .map(|&i| (shared(i), i))
            .max()
            .filter(|&(n, _)| n > 0)
            .map(|(_, i)| i);
        best.or_else(|| first_is_title.then_some(first))
    }

    /// Pass 4: repeated blocks. Returns the first duplicated headline (a teaser signal).
    ///
    /// Blocks compare by their [`fold`]; as folding keeps the number of words,
    /// only blocks with as many words as a block they are compared with are folded.
    fn repetition(&mut self, lead: usize) -> Option<usize> {
        let limits = &self.rules.limits;
        let mut teaser = None;
        let mut folds = Folds::new(&self.words, self.ascii_spaces);
        // Consecutive duplicates: captions when they are sentences, teaser headlines otherwise.
        for i in lead + 1..self.blocks.len() {
            if !folds.equal(&self.blocks, i, i - 1) {
                continue;
            }
            let t = self.text(i);
            let both_free = self.free(i) && self.free(i - 1);
            let prose = with_words(t, usize::MAX, |w| self.rules.prose_markers.occurs_in_buf(w));
            if both_free
                && ends_sentence(t)
                && !prose
                && !self.more_words(t, limits.caption_shape_max_words)
            {
                self.set(i - 1, Kind::Caption(t.to_string()), "caption_duplicate");
                self.set(i, Kind::Caption(t.to_string()), "caption_duplicate");
            } else if both_free && is_headline_like(t, limits) && teaser.is_none() {
                teaser = Some(i - 1);
            }
        }
        // Later repeats of a block already seen: a free block after the lead, of
        // three words or more, folding like an earlier block.
        let words = std::mem::take(&mut folds.words);
        let candidate = |i: usize| i > lead && self.free(i) && words[i] >= 3;
        // The word counts of such blocks: only blocks with one of them are folded.
        // (Indexed by word count: `known[n]`, a block of `n` words was seen.)
        let max = words.iter().copied().max().unwrap_or(0);
        let mut known = vec![false; max + 1];
        let mut counts = vec![false; max + 1];
        for (i, &n) in words.iter().enumerate() {
            if std::mem::replace(&mut known[n], true) && candidate(i) {
                counts[n] = true;
            }
        }
        // Among them, a block whose [`fold_head`] no other block of as many
        // words shares cannot fold like another: it is not folded. (A word
        // count with a block whose head is unsure folds all its blocks.)
        let mut unsure = vec![false; max + 1];
        let mut heads: HashMap<(usize, Head), u32, BuildHasherDefault<FxHasher>> =
            HashMap::default();
        for (i, &n) in words.iter().enumerate() {
            if counts[n] {
                match folds.head(&self.blocks, i) {
                    Some(h) => *heads.entry((n, h)).or_default() += 1,
                    None => unsure[n] = true,
                }
            }
        }
        for (i, &n) in words.iter().enumerate() {
            if counts[n] {
                let shared = match folds.head(&self.blocks, i) {
                    Some(h) => heads.get(&(n, h)).is_some_and(|&c| c > 1),
                    None => true,
                };
                if unsure[n] || shared {
                    folds.fold(&self.blocks, i);
                }
            }
        }
        let mut seen: FastSet<&str> = FastSet::default();
        let mut repeats = Vec::new();
        for (i, f) in folds.cache.iter().enumerate() {
            if let Some(f) = f {
                if !seen.insert(f) && candidate(i) {
                    repeats.push(i);
                }
            }
        }
        for i in repeats {
            self.set(i, Kind::Drop, "duplicate");
        }
        teaser
    }

    /// Pass 5: teasers of other articles after the body. Returns where they start.
    fn teasers(&mut self, lead: usize, dup_headline: Option<usize>) -> Option<usize> {
        let limits = &self.rules.limits;
        let mut body_seen = 0usize;
        let mut signal = None;
        for i in lead + 1..self.blocks.len() {
            if self.is_rule(i, "teaser_header") {
                signal = Some(i);
                break;
            }
            if Some(i) == dup_headline && body_seen >= limits.teaser_min_body_blocks {
                signal = Some(i);
                break;
            }
            if self.free(i)
                && !self.blocks[i].glued_left
                && body_seen >= limits.teaser_min_body_blocks
                && dateline(self.rules, self.text(i)).is_some()
            {
                // The teaser's headline usually stands right before its dateline.
                let mut s = i;
                if s > lead + 1 && self.free(s - 1) && is_headline_like(self.text(s - 1), limits) {
                    s -= 1;
                }
                signal = Some(s);
                break;
            }
            if self.free(i) && self.body_like(i) {
                body_seen += 1;
            }
        }
        let mut start = signal?;
        // In a page laid out with blank lines between paragraphs, a teaser block is
        // one run of lines: it starts after the last blank line.
        let blank_laid = self.lines.iter().filter(|l| l.blank_before).count() >= 3;
        if blank_laid {
            while start > lead + 1 {
                let b = &self.blocks[start];
                if !b.glued_left && self.lines[b.line].blank_before {
                    break;
                }
                start -= 1;
            }
        }
        for i in start..self.blocks.len() {
            let replace = match &self.labels[i] {
                None => true,
                Some(l) => matches!(l.kind, Kind::Caption(_)),
            };
            if replace {
                self.set(i, Kind::Drop, "teaser");
            }
        }
        Some(start)
    }

    /// Pass 6: where the body ends, and what follows it.
    fn body_end(&mut self, lead: usize, teaser: Option<usize>) -> usize {
        let rules = self.rules;
        let limits = &rules.limits;
        let n = self.blocks.len();
        let marker = (lead + 1..n).find(|&i| {
            self.labels[i].as_ref().is_some_and(|l| {
                matches!(l.kind, Kind::Byline(_) | Kind::Source(..) | Kind::Stamp(_))
                    || l.rule == "promo"
                    || l.rule == "footer"
            })
        });
        let limit = marker.unwrap_or(n).min(teaser.unwrap_or(n));
        let end = (lead..limit)
            .rev()
            .find(|&i| self.free(i) && self.body_like(i))
            .unwrap_or(lead);
        // A byline in capitals glued with a space after the body's last sentence.
        if let Some((at, name)) = trailing_caps_name(self.text(end)) {
            let len = self.text(end).len();
            self.cuts[end].push(Cut {
                start: at,
                end: len,
                kind: Kind::Byline(vec![name]),
                rule: "byline_trailing",
            });
        }
        // The tail: furniture after the body.
        let mut after_furniture = false;
        for i in end + 1..n {
            if let Some(l) = &self.labels[i] {
                if matches!(l.kind, Kind::Stamp(_)) || l.rule == "tag_list" {
                    after_furniture = true;
                }
                continue;
            }
            let t = self.text(i);
            if rules.categories.is_exactly_text(t) {
                self.set(i, Kind::Drop, "category");
                after_furniture = true;
            } else if rules.outlets.is_exactly_text(t) {
                self.set(i, Kind::Outlet(t.to_string()), "outlet");
            } else if let Some((who, src)) = parse_tail_source(rules, t) {
                self.set(i, Kind::Source(who, src), "source");
            } else if let Some(name) = name_and_unit(t, limits.name_max_words) {
                self.set(i, Kind::Byline(vec![name]), "byline");
            } else if is_name_like(t, limits.name_max_words) {
                if after_furniture {
                    self.set(i, Kind::Outlet(t.to_string()), "outlet");
                } else {
                    self.set(i, Kind::Byline(vec![t.to_string()]), "byline_name");
                }
            } else {
                self.set(i, Kind::Drop, "trailer");
            }
        }
        end
    }

    /// Whether a short block reads like a caption: it opens with a person or a group
    /// (or a scene word), describes the picture with a caption verb, and has none of
    /// the marks of running prose.
    fn caption_shaped(&self, t: &str, max_words: usize) -> bool {
        let r = self.rules;
        let n = count_words_in(t, max_words.saturating_add(1), self.ascii_spaces);
        if n < 2 || n > max_words || t.contains(':') || t.contains(['“', '”', '"']) {
            return false;
        }
        if !ends_sentence(t) && t.trim_end().ends_with([',', ';']) {
            return false;
        }
        if !r.caption_scenes.may_open(t) && !r.caption_subjects.may_open(t) {
            return false;
        }
        with_words(t, usize::MAX, |w| {
            r.caption_scenes.starts(w)
                || (r.caption_subjects.starts(w)
                    && !r.prose_openers.starts(w)
                    && !r.prose_markers.occurs_in_buf(w)
                    && r.caption_verbs.occurs_in_buf(w))
        })
    }

    /// Whether a glued piece is a caption: caption-shaped, or naming a position in the picture.
    fn glued_caption(&self, t: &str) -> bool {
        let r = self.rules;
        let lower = crate::latin::to_lowercase(t);
        let positional = [
            "(trái)",
            "(phải)",
            "(giữa)",
            "(thứ",
            "từ trái sang",
            "từ phải sang",
        ]
        .iter()
        .any(|p| lower.contains(p));
        positional
            || self.caption_shaped(t, self.rules.limits.caption_max_words)
            || with_words(t, usize::MAX, |w| {
                r.caption_subjects.starts(w)
                    && !r.prose_openers.starts(w)
                    && r.caption_verbs.occurs_in_buf(w)
            })
    }

    /// Whether a block opening its line is a caption glued before a paragraph
    /// ("… dịp cao điểm Tết.Nghị định mới có hiệu lực …"): one short sentence,
    /// without the marks of prose, glued with no space to a body-like block.
    fn glued_lead_caption(&self, i: usize) -> bool {
        let r = self.rules;
        let b = &self.blocks[i];
        if b.glued_left || !b.glued_right || i + 1 >= self.blocks.len() {
            return false;
        }
        let t = self.text(i);
        if !ends_sentence(t)
            || self.more_words(t, r.limits.caption_shape_max_words)
            || t.contains([':', '“', '”', '"'])
            || sentence_spans(t).len() != 1
        {
            return false;
        }
        let next = i + 1;
        self.blocks[next].glued_left
            && self.free(next)
            && self.body_like(next)
            && with_words(t, usize::MAX, |w| {
                !r.prose_openers.starts(w) && !r.prose_markers.occurs_in_buf(w)
            })
    }

    /// Pass 7: captions inside the body.
    fn body_captions(&mut self, lead: usize, end: usize) {
        let limits = self.rules.limits.clone();
        for i in lead..=end {
            if !self.free(i) {
                continue;
            }
            let t = self.text(i);
            let glued = self.blocks[i].glued_left || self.blocks[i].glued_right;
            if i != lead
                && glued
                && !ends_sentence(t)
                && !self.more_words(t, limits.caption_max_words)
                && self.glued_caption(t)
            {
                self.set(i, Kind::Caption(t.to_string()), "caption_glued");
                continue;
            }
            if i != lead && self.glued_lead_caption(i) {
                self.set(i, Kind::Caption(t.to_string()), "caption_glued");
                continue;
            }
            if i != lead && self.caption_shaped(t, limits.caption_shape_max_words) {
                self.set(i, Kind::Caption(t.to_string()), "caption_shape");
                continue;
            }
            // Portrait captions: a sentence that is only a rank or honorific and a name.
            let spans = sentence_spans(t);
            for &(s, e) in &spans {
                if self.is_portrait(&t[s..e]) {
                    if spans.len() == 1 && i != lead {
                        self.set(i, Kind::Caption(t.to_string()), "caption_portrait");
                    } else if spans.len() > 1 {
                        self.cuts[i].push(Cut {
                            start: s,
                            end: e,
                            kind: Kind::Caption(t[s..e].to_string()),
                            rule: "caption_portrait",
                        });
                    }
                }
            }
        }
        // A credit-only line credits the short block before it.
        for i in lead + 1..=end.min(self.blocks.len().saturating_sub(1)) {
            if self.is_rule(i, "photo_credit") && self.free(i - 1) && i - 1 != lead {
                let t = self.text(i - 1);
                if !self.more_words(t, limits.caption_max_words) {
                    self.set(i - 1, Kind::Caption(t.to_string()), "caption_credit");
                }
            }
        }
        for i in lead..=end {
            if self.free(i) {
                self.set(i, Kind::Body, "body");
            }
        }
    }

    fn is_portrait(&self, sentence: &str) -> bool {
        let s = sentence.trim().trim_end_matches('.');
        if s.len() == sentence.trim().len() {
            return false; // a portrait caption is a full stop-closed sentence
        }
        // The rank takes at most the longest rank's number of words (folding
        // keeps or drops words), so a longer sentence leaves more than four.
        if self.more_words(s, self.rules.ranks.max_len().saturating_add(4)) {
            return false;
        }
        let Some(k) = self.rules.ranks.prefix_len_of(s) else {
            return false;
        };
        let rest: Vec<&str> = s.split_whitespace().skip(k).collect();
        (2..=4).contains(&rest.len()) && is_name_like(&rest.join(" "), 4)
    }

    /// Everything not yet labelled before the lead or after the body.
    fn leftovers(&mut self) {
        for i in 0..self.blocks.len() {
            if self.free(i) {
                self.set(i, Kind::Drop, "trailer");
            }
        }
    }

    /// Assemble the result.
    fn finish(self) -> Extraction {
        let mut x = Extraction::default();
        // The body, written as it is assembled: paragraphs separated by a blank line.
        let mut out = String::with_capacity(self.blocks.iter().map(|b| b.text.len() + 2).sum());
        let mut current: Option<(usize, usize)> = None; // (line, end of last kept block) of the paragraph being written
        let report = |x: &mut Extraction, kind: &Kind, rule: &'static str, text: &str| {
            match kind {
                Kind::Body => return,
                Kind::Title => x.title = Some(text.to_string()),
                Kind::Caption(c) => {
                    if !x.captions.contains(c) {
                        x.captions.push(c.clone());
                    }
                }
                Kind::Byline(names) => {
                    for n in names {
                        if !x.authors.contains(n) {
                            x.authors.push(n.clone());
                        }
                    }
                }
                Kind::Source(who, src) => {
                    if let Some(w) = who {
                        if !x.authors.contains(w) {
                            x.authors.push(w.clone());
                        }
                    }
                    if !x.sources.contains(src) {
                        x.sources.push(src.clone());
                    }
                }
                Kind::Stamp(v) => {
                    x.published.get_or_insert_with(|| v.clone());
                }
                Kind::Header(Some(v)) => {
                    x.site_clock.get_or_insert_with(|| v.clone());
                }
                Kind::Outlet(o) => {
                    x.outlet.get_or_insert_with(|| o.clone());
                }
                Kind::Header(None) | Kind::Drop => {}
            }
            x.removed.push(Removed {
                text: text.trim().to_string(),
                rule,
            });
        };
        for (i, b) in self.blocks.iter().enumerate() {
            let Some(label) = &self.labels[i] else {
                continue;
            };
            if label.kind != Kind::Body {
                report(&mut x, &label.kind, label.rule, b.text);
                continue;
            }
            // Body: apply cuts, report them.
            let untouched = self.cuts[i].is_empty();
            let kept: Cow<'_, str> = if untouched {
                collapse_whitespace_cow(b.text, self.ascii_spaces)
            } else {
                let mut cuts = self.cuts[i].clone();
                cuts.sort_by_key(|c| c.start);
                let mut kept = String::new();
                let mut pos = 0;
                for c in &cuts {
                    if c.start < pos {
                        continue;
                    }
                    kept.push_str(&b.text[pos..c.start]);
                    report(&mut x, &c.kind, c.rule, &b.text[c.start..c.end]);
                    pos = c.end;
                }
                kept.push_str(&b.text[pos..]);
                Cow::Owned(collapse_whitespace_in(kept, self.ascii_spaces))
            };
            if kept.is_empty() {
                continue;
            }
            let end = if untouched { b.end } else { usize::MAX };
            current = match current {
                Some((line, last_end)) if line == b.line => {
                    // Blocks of one line: rejoin glued neighbours as they were.
                    if !(untouched && last_end == b.start) {
                        out.push(' ');
                    }
                    out.push_str(&kept);
                    Some((line, end))
                }
                _ => {
                    if !out.is_empty() {
                        out.push_str("\n\n");
                    }
                    out.push_str(&kept);
                    Some((b.line, end))
                }
            };
        }
        if !out.is_empty() {
            out.push('\n');
        }
        x.text = out;
        x
    }
}

/// The blocks' [`fold`]s, made on demand, and their word counts (which folding keeps).
struct Folds {
    words: Vec<usize>,
    cache: Vec<Option<String>>,
    /// The blocks' [`fold_head`]s, made on demand (the outer `None`: not yet).
    heads: Vec<Option<Option<Head>>>,
    /// See [`Doc::ascii_spaces`].
    ascii_spaces: bool,
}

impl Folds {
    fn new(words: &[usize], ascii_spaces: bool) -> Folds {
        Folds {
            words: words.to_vec(),
            cache: vec![None; words.len()],
            heads: vec![None; words.len()],
            ascii_spaces,
        }
    }

    /// The [`fold_head`] of block `i`.
    fn head(&mut self, blocks: &[Block<'_>], i: usize) -> Option<Head> {
        *self.heads[i].get_or_insert_with(|| fold_head(blocks[i].text))
    }

    fn fold(&mut self, blocks: &[Block<'_>], i: usize) {
        if self.cache[i].is_none() {
            self.cache[i] = Some(fold_in(blocks[i].text, self.ascii_spaces));
        }
    }

    /// Whether blocks `i` and `j` fold alike.
    fn equal(&mut self, blocks: &[Block<'_>], i: usize, j: usize) -> bool {
        if self.words[i] != self.words[j] {
            return false;
        }
        if self.cache[i].is_none() || self.cache[j].is_none() {
            if let (Some(a), Some(b)) = (self.head(blocks, i), self.head(blocks, j)) {
                if a != b {
                    return false;
                }
            }
        }
        self.fold(blocks, i);
        self.fold(blocks, j);
        self.cache[i] == self.cache[j]
    }
}

/// The first characters of a block's [`fold`] (at most [`HEAD_CHARS`], and
/// their number), when each of them is known from one character of the block
/// (see [`fold_head`]).
type Head = ([char; HEAD_CHARS], u8);

/// The most characters of a [`Head`].
const HEAD_CHARS: usize = 12;

/// The start of `fold(s)`, read without folding `s`: its words joined by single
/// spaces, each character lower-cased through [`crate::latin::lower_of`];
/// `None` when a character there has no single-character lower case in the
/// table (its lower case may be longer, or depend on its neighbours as 'Σ'
/// does). Blocks whose heads differ do not fold alike.
fn fold_head(s: &str) -> Option<Head> {
    let mut head = (['\0'; HEAD_CHARS], 0u8);
    let mut n = 0;
    for (k, w) in s.split_whitespace().enumerate() {
        let space = (k > 0).then_some(' ');
        for c in space.into_iter().chain(w.chars()) {
            if n == HEAD_CHARS {
                head.1 = n as u8;
                return Some(head);
            }
            head.0[n] = if c == ' ' {
                c
            } else {
                crate::latin::lower_of(c)?
            };
            n += 1;
        }
    }
    head.1 = n as u8;
    Some(head)
}

/// A hash set with [`FxHasher`]: the sets of one document's words and folds
/// only answer "seen before?", and SipHash costs more than the rest of it.
type FastSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash of rustc (FxHash), eight bytes at a time.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A byline of a name and the author's unit ("Thanh Hải - Văn phòng UBND tỉnh"):
/// the name, when it has two words or more and the unit is short and no sentence.
fn name_and_unit(t: &str, name_max_words: usize) -> Option<String> {
    // The name's words, the dash and the unit's words (saves looking for
    // the dash in a paragraph).
    if more_words_than(t, name_max_words.saturating_add(UNIT_MAX_WORDS + 1)) {
        return None;
    }
    let (name, unit) = t.split_once(" - ").or_else(|| t.split_once(" – "))?;
    let (name, unit) = (name.trim(), unit.trim());
    let ok = more_words_than(name, 1)
        && is_name_like(name, name_max_words)
        && !unit.is_empty()
        && !more_words_than(unit, UNIT_MAX_WORDS)
        && !ends_sentence(unit);
    ok.then(|| name.to_string())
}

/// The unit after a byline's name has at most this many words.
const UNIT_MAX_WORDS: usize = 8;

/// Separators of menus, breadcrumbs and lists of links on one line.
const MENU_SEPARATORS: &[&str] = &[" | ", " / ", "›", "»", " > ", "•"];

/// The headline is compared with this many body paragraphs from the lead on.
const TITLE_BODY_BLOCKS: usize = 3;

/// At most this many items follow a related-links header.
const MAX_LINK_ITEMS: usize = 12;

/// Characters that open an item of a list of links.
const BULLETS: &[char] = &['•', '›', '»', '-', '–', '+', '*', '·', '>', '▪', '►'];

/// Whether a line starts with a list bullet ("• ", "» ", "- ").
fn is_bulleted(t: &str) -> bool {
    let mut c = t.chars();
    c.next().is_some_and(|b| BULLETS.contains(&b)) && c.next().is_some_and(char::is_whitespace)
}

/// Whether a line is an item of a list of links: a bulleted short line, or a
/// headline-shaped one (no final full stop).
fn is_link_item(t: &str, limits: &crate::rules::Limits) -> bool {
    if is_bulleted(t) {
        return !more_words_than(t, limits.headline_max_words + 1);
    }
    is_headline_like(t, limits)
}

/// A line of short meta parts separated by " | ", one of them a stamp line
/// ("Cỡ chữ: A A A | Cập nhật: 20/12/2012 16:45 | Lượt xem: 356"): the stamp's value.
fn meta_stamp_line(rules: &Rules, t: &str) -> Option<String> {
    if memchr::memchr(b'|', t.as_bytes()).is_none() || !crate::shape::has_ascii_digit(t.as_bytes())
    {
        return None;
    }
    let mut value = None;
    for part in t.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        if value.is_none() {
            if let Some(v) = stamp_line(rules, part) {
                value = Some(v);
                continue;
            }
        }
        if more_words_than(part, META_PART_MAX_WORDS) || ends_sentence(part) {
            return None;
        }
    }
    value
}

/// A meta part beside a stamp ("Lượt xem: 356") has at most this many words.
const META_PART_MAX_WORDS: usize = 5;

/// Whether the line is a widget word, or several separated by | · • /.
fn is_widget_line(rules: &Rules, t: &str) -> bool {
    // The first piece must be a widget phrase: when the line opens with a
    // word, that piece opens with the word cut at its first separator, and
    // its first word tells (without looking for separators in the rest).
    if let Some(w) = crate::shape::split_words(t).next() {
        let cut = w.find(['|', '/', '·', '•']).map_or(w, |k| &w[..k]);
        if !cut.is_empty() && rules.widgets.excludes_first_word(cut) {
            return false;
        }
    }
    let mut any = false;
    for p in widget_parts(t).map(str::trim).filter(|p| !p.is_empty()) {
        if !rules.widgets.is_exactly_text(p) {
            return false;
        }
        any = true;
    }
    any
}

/// The pieces of `t` between the separators of a widget line (`|`, `·`, `•`,
/// `/`), as `t.split(['|', '·', '•', '/'])` gives them, found by their bytes
/// (`·` is C2 B7, `•` E2 80 A2; continuation bytes, whose lead is checked).
fn widget_parts(t: &str) -> impl Iterator<Item = &str> {
    let b = t.as_bytes();
    let mut from = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut k = from;
        let sep = loop {
            let rest = &b[k..];
            let Some(i) = [
                memchr::memchr3(b'|', b'/', 0xB7, rest),
                memchr::memchr(0xA2, rest),
            ]
            .into_iter()
            .flatten()
            .min() else {
                break None;
            };
            let at = k + i;
            match b[at] {
                b'|' | b'/' => break Some((at, at + 1)),
                0xB7 if at >= 1 && b[at - 1] == 0xC2 => break Some((at - 1, at + 1)),
                0xA2 if at >= 2 && b[at - 2..at] == [0xE2, 0x80] => break Some((at - 2, at + 1)),
                _ => k = at + 1,
            }
        };
        let piece = match sep {
            Some((s, e)) => {
                let piece = &t[from..s];
                from = e;
                piece
            }
            None => {
                done = true;
                &t[from..]
            }
        };
        Some(piece)
    })
}

/// Run every pass on one document's text.
pub fn extract(rules: &Rules, text: &str) -> Extraction {
    let mut doc = Doc::new(rules, text);
    doc.local_rules();
    doc.clocks_beside_headers();
    doc.related_blocks();
    doc.captions_after_markers();
    if let Some(lead) = doc.title_and_lead() {
        let dup = doc.repetition(lead);
        let teaser = doc.teasers(lead, dup);
        let end = doc.body_end(lead, teaser);
        doc.body_captions(lead, end);
    }
    doc.leftovers();
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_heads_are_the_start_of_the_fold() {
        let mut texts: Vec<String> = [
            "",
            " ",
            "Hòa  BÌNH\tđi",
            "  ĐẠI hội\u{a0}Đảng ",
            "ΣΑΣ x",
            "İstanbul xyz",
            "A B C D E F G H I J K L M",
            "Ảnh: TTXVN",
            "x\u{2003}y",
            "ǅ ǈ Ǳ ǲ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let picks = "aĐ ÁẠ\u{a0}\tΣİǅ.\u{301}".as_bytes();
        for seed in 1..3000u64 {
            let b = crate::lines::tests::random_bytes_from(1 + (seed % 40) as usize, picks, seed);
            texts.push(String::from_utf8_lossy(&b).into_owned());
        }
        for t in &texts {
            let fold: Vec<char> = crate::shape::fold(t).chars().collect();
            if let Some((chars, n)) = fold_head(t) {
                let n = usize::from(n);
                assert_eq!(n, fold.len().min(HEAD_CHARS), "{t:?}");
                assert_eq!(chars[..n], fold[..n], "{t:?}");
            }
        }
    }

    fn run(text: &str) -> Extraction {
        extract(&Rules::builtin().expect("rules"), text)
    }

    fn rules_of(x: &Extraction) -> Vec<&'static str> {
        x.removed.iter().map(|r| r.rule).collect()
    }

    fn removed_by(x: &Extraction, rule: &str) -> Vec<String> {
        x.removed
            .iter()
            .filter(|r| r.rule == rule)
            .map(|r| r.text.clone())
            .collect()
    }

    const P1: &str =
        "Sáng 3-4, đơn vị tổ chức hội nghị tổng kết công tác năm với nhiều đại biểu tham dự.";
    const P2: &str =
        "Các đại biểu đã thảo luận nhiều nội dung quan trọng và thống nhất phương hướng năm tới.";
    const P3: &str =
        "Hội nghị kết thúc tốt đẹp, đề ra nhiều giải pháp cụ thể cho thời gian tới của đơn vị.";

    #[test]
    fn headline_first_line_is_the_title_and_a_sentence_is_not() {
        let x = run(&format!("Đổi mới công tác huấn luyện\n\n{P1}\n\n{P2}\n"));
        assert_eq!(x.title.as_deref(), Some("Đổi mới công tác huấn luyện"));
        assert!(!x.text.contains("Đổi mới công tác huấn luyện"));
        let x = run(&format!("{P1}\n\n{P2}\n"));
        assert_eq!(x.title, None);
        assert!(x.text.starts_with("Sáng 3-4"));
    }

    #[test]
    fn artifacts_and_markers_go_and_the_line_after_a_marker_is_a_caption() {
        let x = run(&format!(
            "{P1}\n\nleftcenterrightdel\nĐại tá A phát biểu.\n\n{P2}\n0:00 / 0:00\n"
        ));
        assert_eq!(x.captions, vec!["Đại tá A phát biểu."]);
        assert!(!x.text.contains("leftcenterrightdel") && !x.text.contains("0:00"));
        assert!(rules_of(&x).contains(&"caption_after_image"));
    }

    #[test]
    fn credited_captions_lose_their_credit() {
        let x = run(&format!(
            "{P1}\n\nĐoàn công tác thăm đơn vị. Ảnh: Hồng Pha\n\n{P2}\n"
        ));
        assert_eq!(x.captions, vec!["Đoàn công tác thăm đơn vị."]);
        assert!(!x.text.contains("Hồng Pha"));
    }

    #[test]
    fn site_header_clock_is_not_publication() {
        let x = run(&format!(
            "Đường dây nóng: 0912 345 678Thứ hai, 29/05/2023 12:50 GMT+7\n\nTiêu đề bài\n\n{P1}\n{P2}\n"
        ));
        assert_eq!(x.site_clock.as_deref(), Some("2023-05-29T12:50:00+07:00"));
        assert_eq!(x.published, None);
        assert!(!x.text.contains("Đường dây nóng"));
    }

    #[test]
    fn stamp_category_tags_and_outlet_after_the_body() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\n{P2}\n31/05/13 10:48 GMT+7\nXã hội\nĐơn vị,Hội nghị,Tổng kết,Đại biểu\nBáo Mẫu\n"
        ));
        assert_eq!(x.published.as_deref(), Some("2013-05-31T10:48:00+07:00"));
        assert_eq!(x.outlet.as_deref(), Some("Báo Mẫu"));
        assert_eq!(removed_by(&x, "category"), vec!["Xã hội"]);
        assert_eq!(removed_by(&x, "tag_list").len(), 1);
        assert!(x.text.trim_end().ends_with("phương hướng năm tới."));
    }

    #[test]
    fn bylines_lone_names_and_promos_after_the_body() {
        let x = run(&format!(
            "{P1}\n\n{P2}\n\nTin, ảnh: NGUYỄN AN\n\n* Mời bạn đọc vào chuyên mục X xem các tin, bài liên quan.\n"
        ));
        assert_eq!(x.authors, vec!["NGUYỄN AN"]);
        assert!(!x.text.contains("Mời bạn đọc"));
        let x = run(&format!("{P1}\n\n{P2}\n\nMinh Hà\n\nBình luận\n\nZALO\n"));
        assert_eq!(x.authors, vec!["Minh Hà"]);
        assert_eq!(removed_by(&x, "widget"), vec!["Bình luận", "ZALO"]);
    }

    #[test]
    fn source_lines_are_credits() {
        let x = run(&format!("{P1}\n\n{P2}\n\n(nguồn: Báo Mẫu/Cổng Mẫu)\n"));
        assert_eq!(x.sources, vec!["Báo Mẫu/Cổng Mẫu"]);
        assert!(!x.text.contains("nguồn"));
    }

    #[test]
    fn outlet_dateline_is_cut_from_the_lead() {
        let x = run(&format!("(Báo Mẫu) – {P1}\n\n{P2}\n"));
        assert_eq!(x.outlet.as_deref(), Some("Báo Mẫu"));
        assert!(x.text.starts_with("Sáng 3-4"));
    }

    #[test]
    fn teasers_after_the_body_start_at_a_second_dateline() {
        let x = run(&format!(
            "Tiêu đề bài\n\n(Báo Mẫu) - {P1}\n\n{P2}\n\n{P3}\n\nMột câu mở đầu của bài khác cũng có dấu chấm ở cuối câu.\nTiêu đề bài khác\n(Báo Mẫu) - Nội dung tóm tắt của bài báo khác rất dài dòng.\n"
        ));
        assert!(x.text.contains("giải pháp cụ thể"));
        assert!(!x.text.contains("bài khác"));
        assert_eq!(removed_by(&x, "teaser").len(), 3);
    }

    #[test]
    fn duplicated_headlines_are_teasers() {
        let x = run(&format!(
            "{P1}\n{P2}\n{P3}\nTin nóng về một chủ đề khác\nTin nóng về một chủ đề khác\nNội dung của bài báo khác được tóm tắt ở đây cho bạn đọc.\n"
        ));
        assert!(x.text.contains("giải pháp cụ thể"));
        assert!(!x.text.contains("chủ đề khác") && !x.text.contains("bài báo khác"));
    }

    #[test]
    fn glued_caption_between_paragraphs_is_cut_out() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\n{}Thiếu tướng Trần B phát biểu chỉ đạoHội nghị cũng nghe báo cáo của các đơn vị trực thuộc về kết quả.\n",
            P2
        ));
        assert_eq!(x.captions, vec!["Thiếu tướng Trần B phát biểu chỉ đạo"]);
        assert!(x.text.contains("năm tới. Hội nghị cũng nghe"));
    }

    #[test]
    fn glued_subheading_stays() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\n{P2}Bước tiến mới của đơn vị{P3}\n"
        ));
        assert!(x.captions.is_empty());
        assert!(x.text.contains("Bước tiến mới của đơn vị"));
    }

    #[test]
    fn caption_shaped_short_lines_go_but_prose_stays() {
        let x = run(&format!(
            "{P1}\n\nThượng tướng Lê C chủ trì hội nghị.\n\n{P2}\n\nQuang cảnh buổi lễ.\n\nTại điểm cầu Quân khu 9, Đại tá D chủ trì hội nghị.\n\nCác đại biểu đã đề xuất nhiều giải pháp.\n\n{P3}\n"
        ));
        assert_eq!(
            x.captions,
            vec!["Thượng tướng Lê C chủ trì hội nghị.", "Quang cảnh buổi lễ."]
        );
        assert!(x.text.contains("Tại điểm cầu Quân khu 9"));
        assert!(x.text.contains("Các đại biểu đã đề xuất"));
    }

    #[test]
    fn the_lead_is_never_an_uncredited_caption() {
        let x = run(&format!(
            "Thượng tướng Lê C chủ trì hội nghị tổng kết năm.\n\n{P2}\n"
        ));
        assert!(x.text.starts_with("Thượng tướng Lê C"));
    }

    #[test]
    fn portrait_caption_inside_a_flattened_paragraph() {
        let x = run(&format!("{P1} Thiếu tướng Nguyễn Văn Hòa. {P2}\n"));
        assert_eq!(x.captions, vec!["Thiếu tướng Nguyễn Văn Hòa."]);
        assert!(x.text.contains("tham dự. Các đại biểu"));
    }

    #[test]
    fn duplicated_caption_lines_are_captions_and_repeats_go() {
        let x = run(&format!(
            "{P1}\nĐoàn đến thăm nhà máy.\nĐoàn đến thăm nhà máy.\n{P2}\n{P2}\n"
        ));
        assert_eq!(x.captions, vec!["Đoàn đến thăm nhà máy."]);
        assert_eq!(x.text.matches("phương hướng năm tới").count(), 1);
    }

    #[test]
    fn trailing_capital_byline_and_related_links() {
        let x = run(&format!(
            "Tiêu đề bài\nBài một nói về chủ đề A / Bài hai nói về chủ đề B\n{P1}\n{P2} TRẦN AN\n"
        ));
        assert_eq!(x.authors, vec!["TRẦN AN"]);
        assert_eq!(removed_by(&x, "related_links").len(), 1);
        assert!(x.text.trim_end().ends_with("năm tới."));
    }

    #[test]
    fn every_input_line_is_kept_or_reported() {
        let input = format!(
            "Tiêu đề bài\n\n0:00\n(Báo Mẫu) - {P1}\n\nleftcenterrightdel\nĐại tá A phát biểu.\n\n{P2}\n\nMinh Hà\n"
        );
        let x = run(&input);
        for line in input.lines().filter(|l| !l.trim().is_empty()) {
            let in_text = x.text.contains(line.trim());
            let reported = x.removed.iter().any(|r| line.contains(&r.text));
            assert!(in_text || reported, "lost: {line}");
        }
    }

    #[test]
    fn headline_after_site_name_menu_and_clock_is_the_title() {
        let x = run(&format!(
            "Báo Mẫu điện tử\nThứ Năm, 05/09/2019 - 18:32\nTrang chủ › Xã hội\nChia sẻ Facebook\n\
             Đơn vị tổng kết công tác năm\nTIN LIÊN QUAN\n• Một bài khác về chủ đề khác\n{P1}\n{P2}\n"
        ));
        assert_eq!(x.title.as_deref(), Some("Đơn vị tổng kết công tác năm"));
        assert_eq!(x.published.as_deref(), Some("2019-09-05T18:32:00+07:00"));
        assert!(x.text.starts_with("Sáng 3-4"));
        assert!(!x.text.contains("Báo Mẫu") && !x.text.contains("bài khác"));
    }

    #[test]
    fn without_shared_words_the_first_headline_line_stays_the_title() {
        let x = run(&format!("Một tiêu đề riêng\nMột dòng khác\n{P1}\n{P2}\n"));
        assert_eq!(x.title.as_deref(), Some("Một tiêu đề riêng"));
    }

    #[test]
    fn inline_read_more_removes_only_its_line() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\nXem thêm: Một bài báo khác về chủ đề khác\n{P2}\n{P3}\n"
        ));
        assert_eq!(removed_by(&x, "inline_promo").len(), 1);
        assert!(x.text.contains("phương hướng năm tới") && x.text.contains("giải pháp cụ thể"));
    }

    #[test]
    fn related_links_block_inside_the_body_is_cut_and_the_body_goes_on() {
        for header in ["Bài liên quan", "TIN LIÊN QUAN", "XEM THÊM"] {
            let x = run(&format!(
                "Tiêu đề bài\n{P1}\n{header}\n» Bài khác thứ nhất\nBài khác thứ hai: một chủ đề\n{P2}\n{P3}\n"
            ));
            assert_eq!(removed_by(&x, "related_links").len(), 3, "{header}");
            assert!(x.text.contains("phương hướng năm tới"), "{header}");
            assert!(x.text.contains("giải pháp cụ thể"), "{header}");
            assert!(!x.text.contains("Bài khác"), "{header}");
        }
    }

    #[test]
    fn a_header_at_the_end_still_starts_teasers() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\n{P2}\nCác tin khác:\n- Bài khác thứ nhất (18/12/2012)\n- Bài khác thứ hai (15/12/2012)\n"
        ));
        assert_eq!(removed_by(&x, "teaser").len(), 2);
        assert!(x.text.trim_end().ends_with("năm tới."));
    }

    #[test]
    fn portal_footer_and_name_unit_byline_end_the_body() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\n{P2}\nAn Bình - Văn phòng Sở\n\
             Bản quyền thuộc Cổng thông tin mẫu\nGhi rõ nguồn khi phát hành lại thông tin từ website này.\n"
        ));
        assert_eq!(x.authors, vec!["An Bình"]);
        assert_eq!(removed_by(&x, "footer").len(), 2);
        assert!(x.text.trim_end().ends_with("năm tới."));
    }

    #[test]
    fn clock_beside_the_hotline_is_the_site_clock() {
        let x = run(&format!(
            "Thứ Hai, 30/12/2024 | 08:15\nĐường dây nóng: 0912 345 678\nTiêu đề bài\n{P1}\n{P2}\n"
        ));
        assert_eq!(x.site_clock.as_deref(), Some("2024-12-30T08:15:00+07:00"));
        assert_eq!(x.published, None);
    }

    #[test]
    fn stamp_in_a_meta_line_is_published() {
        let x = run(&format!(
            "Tiêu đề bài\nCập nhật lúc 15:20 ngày 18/08/2017 | Lượt xem: 1245\n{P1}\n{P2}\n"
        ));
        assert_eq!(x.published.as_deref(), Some("2017-08-18T15:20:00+07:00"));
        assert_eq!(x.title.as_deref(), Some("Tiêu đề bài"));
    }

    #[test]
    fn short_sentence_glued_before_a_paragraph_is_a_caption() {
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\nCác tổ công tác ra quân dịp Tết.{P2}\n"
        ));
        assert_eq!(x.captions, vec!["Các tổ công tác ra quân dịp Tết."]);
        assert!(x.text.contains("\nCác đại biểu đã thảo luận"));
        // Prose glued the same way stays.
        let x = run(&format!(
            "Tiêu đề bài\n{P1}\nĐơn vị đã ra quân dịp Tết.{P2}\n"
        ));
        assert!(x.captions.is_empty());
    }

    #[test]
    fn widget_parts_split_as_the_separators_do() {
        for t in [
            "",
            "|",
            "Bình luận | Chia sẻ",
            "In/Lưu·Tweet•ZALO",
            "a||b//c··d••e",
            "“Trích” – · •x• ·",
            "/",
            "x/",
        ] {
            let want: Vec<&str> = t.split(['|', '·', '•', '/']).collect();
            assert_eq!(widget_parts(t).collect::<Vec<_>>(), want, "{t:?}");
        }
    }

    /// Lines around the widget, header and promo shapes, and prose.
    const SHAPED_LINES: [&str; 30] = [
        "Facebook|Twitter",
        "Chia sẻ / Facebook",
        "  Bình luận  ",
        "Bình luận (5)",
        "-- Facebook",
        "| Facebook | Twitter",
        "•Facebook•ZALO",
        "In bài | Lưu",
        "In",
        "Theo dõi",
        "Theo dõi Báo trên Google News",
        "Theo đó, các đơn vị phải báo cáo trước ngày 5/6.",
        "Email: toasoan@example.vn",
        "Thứ hai, 29/05/2023",
        "0:00 / 2:35",
        "leftcenterrightdel",
        "[Ảnh: Quang cảnh hội nghị]",
        "Xem thêm: Tàu cá bị chìm",
        "Tin liên quan:",
        "Các tin khác",
        "© 2023 Báo Điện tử",
        "Copyright by ABC",
        "Bản quyền thuộc về Báo X",
        "* Mời bạn đọc xem video",
        "Mời độc giả theo dõi",
        "Tải ứng dụng ngay",
        "Chủ nhật, 1/1/2023",
        "",
        "   ",
        "Hà Nội là thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam.",
    ];

    #[test]
    fn widget_lines_as_their_definition_says() {
        let r = Rules::builtin().unwrap();
        for t in SHAPED_LINES {
            let pieces: Vec<&str> = t
                .split(['|', '·', '•', '/'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let want = !pieces.is_empty()
                && pieces
                    .iter()
                    .all(|p| r.widgets.is_exactly(&crate::rules::words_lower(p)));
            assert_eq!(is_widget_line(&r, t), want, "{t:?}");
        }
    }

    #[test]
    fn the_local_pre_check_agrees_with_each_set() {
        let r = Rules::builtin().unwrap();
        let sets = [
            &r.artifacts,
            &r.image_markers,
            &r.site_header,
            &r.promos,
            &r.inline_promos,
            &r.teaser_headers,
            &r.page_footer,
        ];
        let mut matched = 0;
        for t in SHAPED_LINES {
            let v = r.local_sets.check(t);
            for set in sets {
                assert_eq!(v.is_match(set, t), set.is_match(t), "{t:?}");
                matched += usize::from(set.is_match(t));
            }
        }
        assert!(matched >= 10, "{matched}");
    }

    #[test]
    fn empty_text_gives_empty_body() {
        let x = run("");
        assert_eq!(x.text, "");
        assert_eq!(x.title, None);
    }
}
