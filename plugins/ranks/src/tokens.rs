//! Tokens with character offsets: words (syllables) and punctuation marks.
//!
//! A word is a run of letters and digits; `&`, `-`, `.` and `'` stay inside a word when a
//! letter or digit follows them directly ("PC&CC", "PT-TH-ĐA", "TP.HCM"). A lower-case
//! letter directly followed by a capitalised syllable starts a new token marked
//! [`Token::glued`]: scraped pages glue headings and captions to the next sentence
//! ("chỉ đạoHội đồng", "Lê Mạnh TuấnDự Lễ").

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters and digits.
    Word,
    /// One punctuation character.
    Punct(char),
}

/// One token of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token as written.
    pub text: String,
    /// Lower-case form, for lexicon look-ups.
    pub key: String,
    /// Offset of the first character (Unicode scalar values, from the start of the input).
    pub start: usize,
    /// Offset after the last character.
    pub end: usize,
    /// Word or punctuation.
    pub kind: Kind,
    /// Split from the previous word without a space (a glued heading or caption).
    pub glued: bool,
}

impl Token {
    /// Whether this is a word.
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }

    /// Whether this is the punctuation mark `c`.
    pub fn is(&self, c: char) -> bool {
        self.kind == Kind::Punct(c)
    }

    /// Whether this is one of the dashes used as separators.
    pub fn is_dash(&self) -> bool {
        matches!(self.kind, Kind::Punct('-' | '–' | '—'))
    }

    /// A word whose first character is an upper-case letter.
    pub fn is_cap(&self) -> bool {
        self.is_word() && self.text.chars().next().is_some_and(char::is_uppercase)
    }

    /// A word of at least two letters, all upper-case ("ĐNQP", "CATP", "XUÂN").
    pub fn is_all_caps(&self) -> bool {
        self.is_word()
            && self.text.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && !self.text.chars().any(char::is_lowercase)
    }

    /// Capitalised like a name syllable: upper-case first letter, the rest lower-case
    /// letters ("Nguyễn", "Sít"); a single capital letter also counts ("Y").
    pub fn is_name_syllable(&self) -> bool {
        let mut chars = self.text.chars();
        match chars.next() {
            Some(c) if c.is_uppercase() => chars.all(|c| c.is_lowercase()),
            _ => false,
        }
    }

    /// Contains a digit.
    pub fn has_digit(&self) -> bool {
        self.text.chars().any(|c| c.is_ascii_digit())
    }

    /// A lower-case word.
    pub fn is_lower(&self) -> bool {
        self.is_word() && self.text.chars().next().is_some_and(char::is_lowercase)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\u{300}' || ('\u{301}'..='\u{323}').contains(&c)
}

/// Whether a '.' glued to the next word after `part` ends a sentence ("Tuấn.Theo") rather
/// than an abbreviation ("TP.HCM", "H.Định", "v.v", "1.600"): the part since the last
/// connector has two letters or more and a lower-case one.
fn ends_sentence(part: &[char]) -> bool {
    let last: Vec<char> = part
        .iter()
        .rev()
        .take_while(|c| !matches!(c, '&' | '-' | '.' | '\'' | '’'))
        .copied()
        .collect();
    last.iter().filter(|c| c.is_alphabetic()).count() >= 2 && last.iter().any(|c| c.is_lowercase())
}

/// Split `text` (one line) into tokens; offsets count characters from the start of `text`
/// plus `base`.
pub fn tokenize_at(text: &str, base: usize) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if is_word_char(c) {
            let start = i;
            let mut j = i + 1;
            while j < chars.len() {
                let d = chars[j];
                if is_word_char(d) {
                    j += 1;
                } else if matches!(d, '&' | '-' | '.' | '\'' | '’')
                    && chars.get(j + 1).is_some_and(|n| is_word_char(*n))
                    && !(d == '.' && ends_sentence(&chars[start..j]))
                {
                    j += 2;
                } else {
                    break;
                }
            }
            push_word(&chars[start..j], base + start, &mut out);
            i = j;
        } else {
            out.push(Token {
                text: c.to_string(),
                key: c.to_string(),
                start: base + i,
                end: base + i + 1,
                kind: Kind::Punct(c),
                glued: false,
            });
            i += 1;
        }
    }
    out
}

/// Split `text` (one line) into tokens with offsets from its start.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_at(text, 0)
}

/// Push one word, split where a lower-case letter is followed by a capitalised syllable.
fn push_word(chars: &[char], start: usize, out: &mut Vec<Token>) {
    let mut from = 0;
    for k in 1..chars.len() {
        let split = chars[k - 1].is_lowercase()
            && chars[k].is_uppercase()
            && chars.get(k + 1).is_some_and(|c| c.is_lowercase());
        if split {
            out.push(word(&chars[from..k], start + from, from > 0));
            from = k;
        }
    }
    out.push(word(&chars[from..], start + from, from > 0));
}

fn word(chars: &[char], start: usize, glued: bool) -> Token {
    let text: String = chars.iter().collect();
    Token {
        key: text.to_lowercase(),
        text,
        start,
        end: start + chars.len(),
        kind: Kind::Word,
        glued,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_keep_inner_connectors_and_offsets_are_characters() {
        assert_eq!(
            texts("Sở Cảnh sát PC&CC, PT-TH-ĐA (TP.HCM)."),
            vec![
                "Sở",
                "Cảnh",
                "sát",
                "PC&CC",
                ",",
                "PT-TH-ĐA",
                "(",
                "TP.HCM",
                ")",
                "."
            ]
        );
        let t = tokenize("Đại tá Minh");
        assert_eq!((t[2].start, t[2].end), (7, 11));
    }

    #[test]
    fn a_glued_full_stop_ends_a_sentence_but_not_an_abbreviation() {
        assert_eq!(
            texts("Lê Mạnh Tuấn.Theo TP.HCM, H.Định"),
            vec!["Lê", "Mạnh", "Tuấn", ".", "Theo", "TP.HCM", ",", "H.Định"]
        );
    }

    #[test]
    fn a_dash_before_a_space_is_punctuation() {
        assert_eq!(
            texts("Bộ Quốc phòng- Đại tướng"),
            vec!["Bộ", "Quốc", "phòng", "-", "Đại", "tướng"]
        );
    }

    #[test]
    fn glued_capitalised_syllables_split_and_are_marked() {
        let t = tokenize("Lê Mạnh TuấnDự Lễ");
        assert_eq!(t[2].text, "Tuấn");
        assert_eq!(t[3].text, "Dự");
        assert!(t[3].glued);
        assert!(!t[2].glued);
        // acronyms do not split
        assert_eq!(texts("ĐNQP HNQT"), vec!["ĐNQP", "HNQT"]);
    }

    #[test]
    fn token_shapes() {
        let t = tokenize("Nguyễn ĐNQP vùng");
        assert!(t[0].is_name_syllable() && t[0].is_cap());
        assert!(t[1].is_all_caps() && !t[1].is_name_syllable());
        assert!(t[2].is_lower());
    }
}
