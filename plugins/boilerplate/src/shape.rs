//! Structural shape of a piece of text: length, final punctuation, headline and
//! name shapes. These signals carry the rules to outlets no list knows.

use crate::rules::Limits;

/// Characters that may close a sentence after its final punctuation.
const CLOSERS: &[char] = &['”', '"', '\'', '’', '»', ')', ']'];

/// Number of whitespace-separated words.
pub fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Whether the text ends like a sentence (". ! ? …", possibly inside closing quotes
/// or brackets, or the end-of-article mark "./.").
pub fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end().trim_end_matches(CLOSERS);
    t.ends_with(['.', '!', '?', '…'])
}

/// Whether a block is running body text: a punctuated sentence of some length, or a
/// long stretch of words even without final punctuation.
pub fn is_body_like(s: &str, limits: &Limits) -> bool {
    let n = word_count(s);
    (n >= limits.body_min_words && ends_sentence(s)) || n >= limits.body_min_words_unpunctuated
}

/// Whether a block looks like a headline: a few words, starting with a capital,
/// a digit or a quote, and not ending like a statement (". … : ; ,").
pub fn is_headline_like(s: &str, limits: &Limits) -> bool {
    let n = word_count(s);
    let t = s.trim_end().trim_end_matches(CLOSERS);
    let first_ok = s
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "“\"'‘«(".contains(c));
    (2..=limits.headline_max_words).contains(&n)
        && first_ok
        && !t.ends_with(['.', '…', ':', ';', ','])
}

/// Whether every word starts with a capital letter and holds only letters,
/// dots and hyphens: a personal name ("Duy Khiêm", "MAI NGUYÊN", "K.C").
pub fn is_name_like(s: &str, max_words: usize) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    (1..=max_words).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase())
                && w.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-')
        })
}

/// Whether a word is written in capitals only (an all-caps byline word).
pub fn is_all_caps_word(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.iter().all(|c| c.is_uppercase())
}

/// Whether the text is a tag list: at least four comma-separated short items,
/// mostly without a space after the comma, none a sentence.
pub fn is_tag_list(s: &str) -> bool {
    let items: Vec<&str> = s.split(',').collect();
    if items.len() < 4 {
        return false;
    }
    let tight = s
        .match_indices(',')
        .filter(|(i, _)| !s[i + 1..].starts_with(' '))
        .count();
    tight * 4 >= (items.len() - 1) * 3
        && items.iter().all(|i| {
            let i = i.trim();
            !i.is_empty() && word_count(i) <= 8 && !ends_sentence(i)
        })
}

/// Text folded for comparing repeated blocks: lower case, single spaces.
pub fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        crate::rules::Rules::builtin().unwrap().limits
    }

    #[test]
    fn sentence_ends() {
        assert!(ends_sentence("Xong rồi."));
        assert!(ends_sentence("Anh nói “xong.”"));
        assert!(ends_sentence("theo đúng tiến độ./."));
        assert!(!ends_sentence("Tiêu đề bài báo"));
    }

    #[test]
    fn body_and_headline_shapes() {
        let l = limits();
        assert!(is_body_like("Một câu văn có đủ sáu từ trở lên.", &l));
        assert!(!is_body_like("Quá ngắn.", &l));
        assert!(is_headline_like("Tiếp tục đổi mới công tác đối ngoại", &l));
        assert!(is_headline_like("Vì sao tàu bị chìm?", &l));
        assert!(!is_headline_like("Một câu kết thúc bằng dấu chấm.", &l));
    }

    #[test]
    fn names() {
        assert!(is_name_like("Duy Khiêm", 5));
        assert!(is_name_like("MAI NGUYÊN", 5));
        assert!(!is_name_like("Bình luận", 5));
        assert!(!is_name_like("Nguyễn Văn A 2023", 5));
        assert!(is_all_caps_word("QUÂN"));
        assert!(!is_all_caps_word("Quân"));
    }

    #[test]
    fn tag_lists() {
        assert!(is_tag_list("Biên giới,Lào,Sư đoàn,Quy tập,Trung tướng"));
        assert!(is_tag_list(
            "Tổng công ty viễn thông quân đội,Đảo,Di động,Chủ quyền"
        ));
        assert!(!is_tag_list("Hà Nội, Huế, Đà Nẵng và TP HCM đều có mưa."));
        assert!(!is_tag_list("a,b"));
    }
}
