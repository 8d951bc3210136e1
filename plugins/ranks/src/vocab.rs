//! The words of the lexicon, numbered, with what each one may start.
//!
//! Every word the lexicon mentions (lower-case) gets a [`WordId`] and a set of tags
//! ([`Tags`]): which phrase sets have a phrase starting with it, whether it is a family
//! name, and so on. The tokenizer looks each word up once, so matching a phrase set at a
//! token is a bit test and, rarely, a comparison of numbers.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Number of a lexicon word.
pub type WordId = u32;

/// The id of a word the lexicon does not know (and of punctuation).
pub const NO_WORD: WordId = WordId::MAX;

/// Bit set of tags of a word.
pub type Tags = u32;

/// A small, fast, non-cryptographic hasher (the "Fx" hash of rustc) for look-ups of
/// lexicon words; the keys are not chosen by an adversary that could gain from collisions.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// The longest word packed into a number (see [`pack`]).
const SHORT: usize = 15;

/// The bytes of a word of 1 to [`SHORT`] bytes as one number: the bytes, then the length in
/// the top byte (so no packed word is 0). Most words are this short, and comparing numbers
/// is cheaper than comparing strings.
fn pack(word: &[u8]) -> Option<u128> {
    let n = word.len();
    if n == 0 || n > SHORT {
        return None;
    }
    let mut b = [0u8; 16];
    b[..n].copy_from_slice(word);
    b[15] = n as u8;
    Some(u128::from_le_bytes(b))
}

/// For each length `n` below 16, the masks that keep the first `n` of 16 bytes read as two
/// little-endian numbers (low eight bytes, high eight bytes).
const MASKS: [(u64, u64); 16] = {
    let mut m = [(0u64, 0u64); 16];
    let mut n = 0;
    while n < 16 {
        let lo = if n >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        let hi = if n <= 8 {
            0
        } else {
            (1u64 << (8 * (n - 8))) - 1
        };
        m[n] = (lo, hi);
        n += 1;
    }
    m
};

/// [`pack`] of `text[start..end]`, reading 16 bytes at once when `text` has them.
#[inline(always)]
fn pack_at(text: &[u8], start: usize, end: usize) -> Option<u128> {
    let n = end.checked_sub(start)?;
    if n == 0 || n > SHORT {
        return None;
    }
    match text.get(start..start + 16) {
        Some(b) => {
            let (lo, hi) = b.split_at(8);
            let lo = u64::from_le_bytes(lo.try_into().ok()?);
            let hi = u64::from_le_bytes(hi.try_into().ok()?);
            let (ml, mh) = MASKS[n];
            let hi = (hi & mh) | ((n as u64) << 56);
            Some((u128::from(hi) << 64) | u128::from(lo & ml))
        }
        None => pack_tail(text, start, end),
    }
}

/// [`pack`] of `text[start..end]` near the end of `text` (out of line: few words are).
#[cold]
#[inline(never)]
fn pack_tail(text: &[u8], start: usize, end: usize) -> Option<u128> {
    pack(text.get(start..end)?)
}

/// One slot of a [`PackedMap`]: a packed word (0 when free) with its id and tags, side by
/// side so that a probe and its hit read the same 32 bytes.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u128,
    id: WordId,
    tags: Tags,
}

/// An open-addressing table (linear probing) from packed words to ids and tags.
#[derive(Debug, Clone, Default)]
struct PackedMap {
    /// The slots. The length is 0 or a power of two.
    slots: Vec<Slot>,
    /// 64 - log2(number of slots): the shift that turns a hash into a slot.
    shift: u32,
    len: usize,
}

impl PackedMap {
    #[inline]
    fn slot(&self, key: u128) -> usize {
        let h = ((key as u64) ^ ((key >> 64) as u64).rotate_left(29)).wrapping_mul(SEED);
        // the high bits of the product depend on every bit of the key
        (h >> self.shift) as usize
    }

    #[inline(always)]
    fn get(&self, key: u128) -> Option<(WordId, Tags)> {
        self.find(key)
            .and_then(|i| self.slots.get(i))
            .map(|s| (s.id, s.tags))
    }

    /// The slot of `key`, if the table has it.
    #[inline(always)]
    fn find(&self, key: u128) -> Option<usize> {
        // an empty table has no slot: the first `get` answers
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = self.slot(key);
        loop {
            let k = self.slots.get(i)?.key;
            if k == key {
                return Some(i);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Add a key that is not in the table. The table is kept at most a quarter full: most
    /// words of a text are not in the lexicon, and a miss probes until a free slot.
    fn insert(&mut self, key: u128, val: (WordId, Tags)) {
        if (self.len + 1) * 4 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
            self.shift = 64 - size.trailing_zeros();
            self.len = 0;
            for s in old {
                if s.key != 0 {
                    self.insert(s.key, (s.id, s.tags));
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        while self.slots[i].key != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot {
            key,
            id: val.0,
            tags: val.1,
        };
        self.len += 1;
    }

    /// Set the tags of every key whose id is `id` (a scan of the table: only while the
    /// lexicon is built).
    fn set_tags(&mut self, id: WordId, tags: Tags) {
        for s in &mut self.slots {
            if s.key != 0 && s.id == id {
                s.tags = tags;
            }
        }
    }
}

/// The numbered words of a lexicon.
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    /// Words of 1 to [`SHORT`] bytes, packed.
    short: PackedMap,
    /// Other words.
    long: FxHashMap<Box<str>, WordId>,
    /// Tags by id.
    tags: Vec<Tags>,
    /// Words by id.
    words: Vec<Box<str>>,
    /// Capitalised forms of the short words ("Nguyễn" for "nguyễn"), see
    /// [`Vocab::add_capitalized`].
    capitalized: PackedMap,
}

impl Vocab {
    fn get(&self, word: &str) -> Option<WordId> {
        match pack(word.as_bytes()) {
            Some(k) => self.short.get(k).map(|v| v.0),
            None => self.long.get(word).copied(),
        }
    }

    fn with_tags(&self, id: Option<WordId>) -> (WordId, Tags) {
        match id {
            Some(id) => (id, self.tags.get(id as usize).copied().unwrap_or(0)),
            None => (NO_WORD, 0),
        }
    }

    /// The id of a lower-case word, adding it if new.
    pub fn intern(&mut self, word: &str) -> WordId {
        if let Some(id) = self.get(word) {
            return id;
        }
        let id = self.tags.len() as WordId;
        match pack(word.as_bytes()) {
            Some(k) => self.short.insert(k, (id, 0)),
            None => {
                self.long.insert(word.into(), id);
            }
        }
        self.tags.push(0);
        self.words.push(word.into());
        id
    }

    /// Also know each short word with its first letter in upper case, when that form
    /// lower-cases back to the word ("nguyễn" → "Nguyễn"), so that a capitalised token is
    /// looked up without lower-casing it first (see [`Vocab::lookup_capitalized`]). Call it
    /// once all words are in.
    pub fn add_capitalized(&mut self) {
        for (id, word) in self.words.iter().enumerate() {
            let mut chars = word.chars();
            let Some(first) = chars.next() else {
                continue;
            };
            let mut upper = first.to_uppercase();
            let (Some(up), None) = (upper.next(), upper.next()) else {
                continue;
            };
            if up == first {
                continue;
            }
            let form = format!("{up}{}", chars.as_str());
            if form.to_lowercase() != **word {
                continue;
            }
            if let Some(k) = pack(form.as_bytes()) {
                if self.capitalized.get(k).is_none() {
                    let tags = self.tags.get(id).copied().unwrap_or(0);
                    self.capitalized.insert(k, (id as WordId, tags));
                }
            }
        }
    }

    /// [`Vocab::lookup`] of the lower-case form of `text[start..end]`, a token whose first
    /// character is a [`crate::chars::CAPITAL`] and whose other characters do not change
    /// when lower-cased: such a token is the capitalised form of a word exactly when
    /// [`Vocab::add_capitalized`] added it. `None` when the token is too long for that
    /// table (look it up lower-cased then).
    #[inline(always)]
    pub fn lookup_capitalized(
        &self,
        text: &str,
        start: usize,
        end: usize,
    ) -> Option<(WordId, Tags)> {
        let k = pack_at(text.as_bytes(), start, end)?;
        Some(self.capitalized.get(k).unwrap_or((NO_WORD, 0)))
    }

    /// Add `tags` to a word (adding the word if new); returns its id.
    pub fn tag(&mut self, word: &str, tags: Tags) -> WordId {
        let id = self.intern(word);
        self.tag_id(id, tags);
        id
    }

    /// Add `tags` to the word numbered `id`.
    pub fn tag_id(&mut self, id: WordId, tags: Tags) {
        let Some(t) = self.tags.get_mut(id as usize) else {
            return;
        };
        *t |= tags;
        let tags = *t;
        // the tables keep a copy of the tags next to the id
        let short = self.words.get(id as usize).and_then(|w| pack(w.as_bytes()));
        if let Some(slot) = short.and_then(|k| self.short.find(k)) {
            if let Some(s) = self.short.slots.get_mut(slot) {
                s.tags = tags;
            }
        }
        if self.capitalized.len > 0 {
            self.capitalized.set_tags(id, tags);
        }
    }

    /// The id and tags of a lower-case word; ([`NO_WORD`], 0) when unknown.
    #[inline]
    pub fn lookup(&self, word: &str) -> (WordId, Tags) {
        self.with_tags(self.get(word))
    }

    /// [`Vocab::lookup`] of `text[start..end]` (a lower-case word).
    #[inline(always)]
    pub fn lookup_at(&self, text: &str, start: usize, end: usize) -> (WordId, Tags) {
        match pack_at(text.as_bytes(), start, end) {
            Some(k) => self.short.get(k).unwrap_or((NO_WORD, 0)),
            None => self.with_tags(self.long_id(text, start, end)),
        }
    }

    /// The id of `text[start..end]`, a word longer than [`SHORT`] bytes (out of line: few
    /// words are).
    #[cold]
    #[inline(never)]
    fn long_id(&self, text: &str, start: usize, end: usize) -> Option<WordId> {
        text.get(start..end).and_then(|w| self.long.get(w).copied())
    }

    /// The id of a lower-case word, if the vocabulary has it.
    pub fn id(&self, word: &str) -> WordId {
        self.lookup(word).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_numbered_once_and_tags_accumulate() {
        let mut v = Vocab::default();
        let a = v.tag("đại", 1);
        let b = v.intern("tá");
        assert_ne!(a, b);
        assert_eq!(v.tag("đại", 4), a);
        assert_eq!(v.lookup("đại"), (a, 5));
        v.add_capitalized();
        let line = "Đại Tá ĐẠI";
        assert_eq!(v.lookup_capitalized(line, 0, "Đại".len()), Some((a, 5)));
        let ta = line.find("Tá").unwrap();
        assert_eq!(v.lookup_capitalized(line, ta, ta + 3), Some((b, 0)));
        let caps = line.find("ĐẠI").unwrap();
        assert_eq!(
            v.lookup_capitalized(line, caps, line.len()),
            Some((NO_WORD, 0))
        );
        assert_eq!(v.lookup("tá"), (b, 0));
        // tags added later reach both tables
        v.tag("tá", 2);
        assert_eq!(v.lookup_capitalized(line, ta, ta + 3), Some((b, 2)));
        assert_eq!(v.lookup_at(line, ta, ta + 3), (NO_WORD, 0));
        assert_eq!(v.lookup("tá"), (b, 2));
        assert_eq!(v.lookup("Đại"), (NO_WORD, 0));
        assert_eq!(v.lookup("đạ"), (NO_WORD, 0));
        let long = v.intern("chuyên-nghiệp-hóa");
        assert_eq!(v.lookup("chuyên-nghiệp-hóa"), (long, 0));
        assert_eq!(v.lookup("chuyên-nghiệp-hó"), (NO_WORD, 0));
        let line = "x đại tá chuyên-nghiệp-hóa và một câu dài hơn mười sáu byte";
        let at = |w: &str| line.find(w).unwrap();
        let dai = at("đại");
        assert_eq!(v.lookup_at(line, dai, dai + "đại".len()), (a, 5));
        assert_eq!(v.lookup_at(line, dai, dai + "đạ".len()), (NO_WORD, 0));
        let c = at("chuyên");
        assert_eq!(
            v.lookup_at(line, c, c + "chuyên-nghiệp-hóa".len()),
            (long, 0)
        );
        let end = line.len();
        let last = v.intern("byte");
        assert_eq!(v.lookup_at(line, end - 4, end), (last, 0));
        for i in 0..200 {
            let w = format!("w{i}");
            let id = v.intern(&w);
            assert_eq!(v.lookup(&w), (id, 0));
        }
        assert_eq!(v.lookup("đại"), (a, 5));
        v.add_capitalized();
        let line = "Đại Tá ĐẠI";
        assert_eq!(v.lookup_capitalized(line, 0, "Đại".len()), Some((a, 5)));
        let ta = line.find("Tá").unwrap();
        assert_eq!(v.lookup_capitalized(line, ta, ta + 3), Some((b, 2)));
        let caps = line.find("ĐẠI").unwrap();
        assert_eq!(
            v.lookup_capitalized(line, caps, line.len()),
            Some((NO_WORD, 0))
        );
    }
}
