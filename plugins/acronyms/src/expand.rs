//! `text_expanded`: the text with short forms written out as "đối ngoại quốc phòng (ĐNQP)".

use crate::resolve::{Acronym, Role};
use serde::Deserialize;

/// Which mentions to write out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The first mention of each acronym, unless the article defines it there.
    #[default]
    First,
    /// Every mention in running text.
    Every,
    /// No `text_expanded` field.
    Off,
}

/// True when a mention at `start` opens a sentence (start of a line or after `.`, `!`, `?`).
fn opens_sentence(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches([' ', '"', '“', '(', '\'']);
    before.is_empty() || before.ends_with(['\n', '.', '!', '?', ':'])
}

fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The text with mentions written out per `mode`; `None` for [`Mode::Off`].
///
/// Only mentions in running text are written out: not the short form where the article
/// defines it (the long form is already there; in `first` mode that definition counts as the
/// first mention when it comes first), nor parts of document numbers or pieces of joined forms.
pub fn expand(text: &str, acronyms: &[Acronym], mode: Mode) -> Option<String> {
    if mode == Mode::Off {
        return None;
    }
    // (start, end, acronym, capitalise the long form)
    let mut edits: Vec<(usize, usize, &Acronym, bool)> = Vec::new();
    for a in acronyms {
        let chosen = a.mentions.iter().filter(|m| m.role != Role::Inside);
        let take = match mode {
            Mode::First => 1,
            _ => usize::MAX,
        };
        for m in chosen.take(take).filter(|m| m.role == Role::Text) {
            edits.push((m.start, m.end, a, opens_sentence(text, m.start)));
        }
    }
    edits.sort_by_key(|e| e.0);
    // Room for every edit, so the text is copied once: the long form (its first letter may
    // grow by a few bytes when capitalised), " (", the short form and ")".
    let room: usize = edits
        .iter()
        .map(|(_, _, a, _)| a.long.len() + a.short.len() + 3 + 4)
        .sum();
    let mut out = String::with_capacity(text.len() + room);
    let mut at = 0;
    for (s, e, a, capital) in edits {
        if s < at {
            continue;
        }
        out.push_str(&text[at..s]);
        if capital {
            out.push_str(&capitalize_first(&a.long));
        } else {
            out.push_str(&a.long);
        }
        out.push_str(" (");
        out.push_str(&a.short);
        out.push(')');
        at = e;
    }
    out.push_str(&text[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{Mention, Origin};

    fn acr(short: &str, long: &str, text: &str, roles: &[Role]) -> Acronym {
        let mentions = text
            .match_indices(short)
            .zip(roles)
            .map(|((i, m), &role)| Mention {
                start: i,
                end: i + m.len(),
                role,
            })
            .collect();
        Acronym {
            short: short.into(),
            long: long.into(),
            origin: Origin::Dictionary,
            mentions,
        }
    }

    #[test]
    fn first_every_off() {
        let t = "Công tác ĐNQP tốt. ĐNQP đa phương.";
        let a = [acr(
            "ĐNQP",
            "đối ngoại quốc phòng",
            t,
            &[Role::Text, Role::Text],
        )];
        assert_eq!(
            expand(t, &a, Mode::First).as_deref(),
            Some("Công tác đối ngoại quốc phòng (ĐNQP) tốt. ĐNQP đa phương.")
        );
        assert_eq!(
            expand(t, &a, Mode::Every).as_deref(),
            Some(
                "Công tác đối ngoại quốc phòng (ĐNQP) tốt. Đối ngoại quốc phòng (ĐNQP) đa phương."
            )
        );
        assert_eq!(expand(t, &a, Mode::Off), None);
    }

    #[test]
    fn a_definition_is_not_written_out_again() {
        let t = "hội nhập quốc tế (HNQT) và HNQT";
        let a = [acr(
            "HNQT",
            "hội nhập quốc tế",
            t,
            &[Role::Definition, Role::Text],
        )];
        assert_eq!(expand(t, &a, Mode::First).as_deref(), Some(t));
        assert_eq!(
            expand(t, &a, Mode::Every).as_deref(),
            Some("hội nhập quốc tế (HNQT) và hội nhập quốc tế (HNQT)")
        );
    }

    #[test]
    fn code_parts_are_never_written_out() {
        let t = "số 53-KL/TW; Ủy viên TW";
        let a = [acr("TW", "Trung ương", t, &[Role::Inside, Role::Text])];
        assert_eq!(
            expand(t, &a, Mode::First).as_deref(),
            Some("số 53-KL/TW; Ủy viên Trung ương (TW)")
        );
    }
}
