//! Spanish text → search terms. The browser runs the same steps in
//! `static/busqueda.js`; `tests/fixtures/normalizacion.json` is the table
//! both implementations are tested against, so change the three together.
//!
//! 1. **Lowercase** the text (Unicode, like JavaScript's `toLowerCase`).
//! 2. **Words**: runs of letters, digits and combining marks (Unicode
//!    Alphabetic, Numeric, U+0300–U+036F). A hyphen (`-`, U+2010, U+2011)
//!    between two such characters joins two runs into one word of several
//!    parts: `sub-cuentas` has the parts `sub` and `cuentas`.
//! 3. **Fold** each part ([`fold`]): á à â ã ä å → a, é è ê ë → e,
//!    í ì î ï → i, ó ò ô õ ö → o, ú ù û ü → u, ý ÿ → y, ç → c. `ñ` stays
//!    (`año` is not `ano`). Combining marks (decomposed text) are dropped,
//!    except a combining tilde after `n`, which makes `ñ`. Parts left
//!    empty are dropped.
//! 4. **Candidates**: the parts, then, for a word of several parts, the
//!    joined form (`sub`, `cuentas`, `subcuentas`); those shorter than two
//!    characters and the [`STOP_WORDS`] are dropped.
//! 5. **Stem** each candidate ([`stem`]): light, conservative Spanish rules.

/// Spanish stop words, folded. Trimmed from the usual lists: words that
/// can name a topic here (`dos` as in «verificación en dos pasos», `año`,
/// `día`, `parte`, `tiempo`…) are searchable. `no` is a stop word: it is in
/// nearly every article, so it would match everything and rank nothing.
pub const STOP_WORDS: &[&str] = &[
    "a", "al", "algo", "alli", "ante", "antes", "aqui", "asi", "aunque", "bien", "cada", "como",
    "con", "cual", "cuales", "cuando", "de", "del", "desde", "despues", "donde", "durante", "e",
    "el", "ella", "ellas", "ellos", "en", "entre", "era", "es", "esa", "esas", "ese", "eso",
    "esos", "esta", "estan", "estas", "este", "esto", "estos", "fue", "ha", "habia", "hace", "han",
    "hasta", "hay", "la", "las", "le", "les", "lo", "los", "mas", "me", "menos", "mi", "mis",
    "mismo", "muy", "ni", "no", "nos", "o", "otra", "otras", "otro", "otros", "para", "pero",
    "por", "porque", "puede", "que", "se", "segun", "ser", "si", "sido", "siempre", "sin", "sobre",
    "solo", "son", "su", "sus", "tambien", "tan", "tanto", "te", "tiene", "todo", "todos", "tu",
    "tus", "u", "un", "una", "unas", "uno", "unos", "usted", "ustedes", "vez", "ya", "yo",
];

/// A word of at most 8 bytes as a number (one byte each, no NUL in words,
/// so different words give different numbers).
const fn pack(word: &[u8]) -> u64 {
    let mut packed = 0;
    let mut i = 0;
    while i < word.len() {
        packed = (packed << 8) | word[i] as u64;
        i += 1;
    }
    packed
}

/// [`STOP_WORDS`] packed and sorted, built at compile time: checking a word
/// is a binary search over numbers (the tokenizer asks for every word).
const PACKED_STOP_WORDS: [u64; STOP_WORDS.len()] = {
    let mut packed = [0; STOP_WORDS.len()];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        assert!(STOP_WORDS[i].len() <= 8, "stop words have at most 8 bytes");
        packed[i] = pack(STOP_WORDS[i].as_bytes());
        i += 1;
    }
    let mut i = 1;
    while i < packed.len() {
        let mut j = i;
        while j > 0 && packed[j - 1] > packed[j] {
            let swap = packed[j];
            packed[j] = packed[j - 1];
            packed[j - 1] = swap;
            j -= 1;
        }
        i += 1;
    }
    packed
};

/// Whether a folded word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    word.len() <= 8
        && PACKED_STOP_WORDS
            .binary_search(&pack(word.as_bytes()))
            .is_ok()
}

/// Lowercase and accents off: steps 1 and 3 on a whole text.
pub fn fold(text: &str) -> String {
    let lower = lowercase(text);
    let mut out = String::with_capacity(lower.len());
    fold_into(&lower, &mut out);
    out
}

/// `str::to_lowercase`, faster on mostly-ASCII text. The only contextual
/// rule of Unicode lowercasing is the Greek final sigma: texts with a `Σ`
/// take the standard library's path.
fn lowercase(text: &str) -> String {
    if text.contains('Σ') {
        return text.to_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Appends `lower` (already lowercase) folded to `out` (step 3).
fn fold_into(lower: &str, out: &mut String) {
    if lower.is_ascii() {
        out.push_str(lower);
        return;
    }
    let start = out.len();
    for c in lower.chars() {
        push_folded(c, out, start);
    }
}

/// Appends a lowercase character folded; `start` is where the current part
/// began in `out` (a combining tilde only joins an `n` of the same part).
fn push_folded(c: char, out: &mut String, start: usize) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ç' => 'c',
        '\u{303}' if out.len() > start && out.ends_with('n') => {
            out.pop();
            'ñ'
        }
        '\u{300}'..='\u{36f}' => return,
        c => c,
    };
    out.push(folded);
}

/// Which bytes are ASCII letters or digits.
const ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_alphanumeric();
        byte += 1;
    }
    table
};

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// The search terms of a text, in order, repeated as often as they occur.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, |term, _| out.push(term.to_owned()));
    out
}

/// Calls `f` with every term of `text` (what [`terms`] returns, without
/// collecting them) and the word it comes from as written: the part
/// (`Cuentas`) or, for the joined form, the whole word (`Sub-Cuentas`).
pub fn for_each_term(text: &str, mut f: impl FnMut(&str, &str)) {
    if text.contains('Σ') {
        // The one contextual lowercasing rule (final sigma) needs the
        // whole text; the words are the same before and after lowercasing.
        let lower = text.to_lowercase();
        terms_of_words(&lower, &mut f);
    } else {
        terms_of_words(text, &mut f);
    }
}

/// Steps 1 to 5 in one pass over the text: words are split, lowercased and
/// folded as they are read (the words are the same before and after
/// lowercasing), then their candidates stemmed.
fn terms_of_words(text: &str, f: &mut impl FnMut(&str, &str)) {
    let bytes = text.as_bytes();
    // The character at a byte offset and its length; ASCII without decoding.
    let char_at = |at: usize| match bytes[at] {
        byte @ 0..0x80 => (char::from(byte), 1),
        _ => {
            let c = text[at..].chars().next().unwrap_or(' ');
            (c, c.len_utf8())
        }
    };
    // The current word: its parts lowercased and folded one after the
    // other, and for each kept part (start, end) in `folded` and in `text`.
    let mut folded = String::new();
    let mut spans: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut part: Option<(usize, usize)> = None;
    let mut emit = |candidate: &str, written: &str| {
        if candidate.len() >= 2 && candidate.chars().nth(1).is_some() && !is_stop_word(candidate) {
            f(stem(candidate), written);
        }
    };
    let mut at = 0;
    loop {
        // A run of ASCII letters and digits, the common case, at once.
        let run_start = at;
        while at < bytes.len() && ASCII_WORD[usize::from(bytes[at])] {
            at += 1;
        }
        if at > run_start {
            part.get_or_insert((run_start, folded.len()));
            word_start.get_or_insert(run_start);
            let from = folded.len();
            folded.push_str(&text[run_start..at]);
            if let Some(run) = folded.get_mut(from..) {
                run.make_ascii_lowercase();
            }
            continue;
        }
        let (c, width) = if at < bytes.len() {
            char_at(at)
        } else {
            (' ', 0)
        };
        if width > 0 && !c.is_ascii() && is_word_char(c) {
            let (_, fold_start) = *part.get_or_insert((at, folded.len()));
            word_start.get_or_insert(at);
            for lower in c.to_lowercase() {
                push_folded(lower, &mut folded, fold_start);
            }
            at += width;
            continue;
        }
        let ended_part = part.take().map(|(text_start, fold_start)| {
            // A part of only combining marks folds to nothing: dropped.
            if folded.len() > fold_start {
                spans.push((fold_start, folded.len(), text_start, at));
            }
        });
        let joins = width > 0
            && is_joiner(c)
            && ended_part.is_some()
            && at + width < bytes.len()
            && is_word_char(char_at(at + width).0);
        if !joins {
            if let Some(start) = word_start.take() {
                for &(from, to, text_from, text_to) in &spans {
                    emit(&folded[from..to], &text[text_from..text_to]);
                }
                if spans.len() > 1 {
                    // The folded parts one after the other: the joined form.
                    emit(&folded, &text[start..at]);
                }
                folded.clear();
                spans.clear();
            }
        }
        if width == 0 {
            break;
        }
        at += width;
    }
}

/// Length in characters.
fn len(word: &str) -> usize {
    if word.is_ascii() {
        word.len()
    } else {
        word.chars().count()
    }
}

/// `word` without its last `n` characters (all ASCII suffixes here).
fn cut(word: &str, n: usize) -> &str {
    &word[..word.len() - n]
}

/// Light Spanish stemming of a folded word, first matching rule wins:
///
/// - words of fewer than four characters are left alone;
/// - `-ciones`/`-siones` → `-cion`/`-sion`; a word ending in `-cion` or
///   `-sion` is already its root (`facturacion`);
/// - `-mente` is removed when four characters remain, and what remains is
///   stemmed (`completamente` → `complet`, like `completo`);
/// - plural: `-es` after a consonant when the word has five characters or
///   more (`ordenes` → `orden`, `fiscales` → `fiscal`), else a final `-s`
///   (`cuentas` → `cuenta`, `tickets` → `ticket`);
/// - then, when three characters remain: participles `-ado -ada -ido
///   -ida` (`recibidos` → `recib`), infinitives `-ar -er -ir` and
///   `-arse -erse -irse` (`registrarse` → `registr`);
/// - else a final `a`, `o` or `e` of a word of four characters or more
///   (`cuenta` → `cuent`, `física`/`físico` → `fisic`, `pago` → `pag`).
pub fn stem(word: &str) -> &str {
    let bytes = word.as_bytes();
    // Every rule below needs one of these last letters (a word ending in
    // -cion/-sion, or in any other letter, stays as it is).
    if !matches!(bytes.last(), Some(b's' | b'e' | b'o' | b'a' | b'r')) {
        return word;
    }
    let n = len(word);
    if n < 4 {
        return word;
    }
    if bytes.ends_with(b"ciones") || bytes.ends_with(b"siones") {
        return cut(word, 2);
    }
    if bytes.ends_with(b"mente") && n - 5 >= 4 {
        return stem(cut(word, 5));
    }
    // Plural. (The byte before `es` is an ASCII vowel only if the
    // character is: other characters end in bytes ≥ 0x80.)
    let plural = if n >= 5 && bytes.ends_with(b"es") && !is_vowel_byte(bytes[bytes.len() - 3]) {
        2
    } else {
        usize::from(bytes.ends_with(b"s"))
    };
    let word = cut(word, plural);
    // Suffixes are ASCII: characters left = n − bytes cut.
    let n = n - plural;
    let bytes = word.as_bytes();
    let before = |k: usize| bytes.len().checked_sub(k + 1).map(|i| bytes[i]);
    // -arse -erse -irse, -ado -ido, -ada -ida, -ar -er -ir: which one can
    // match depends on the last letter.
    let suffix = match bytes.last() {
        Some(b'e') if bytes.ends_with(b"rse") && matches!(before(3), Some(b'a' | b'e' | b'i')) => 4,
        Some(b'o' | b'a') if before(1) == Some(b'd') && matches!(before(2), Some(b'a' | b'i')) => 3,
        Some(b'r') if matches!(before(1), Some(b'a' | b'e' | b'i')) => 2,
        _ => 0,
    };
    if suffix > 0 && n - suffix >= 3 {
        return cut(word, suffix);
    }
    if matches!(bytes.last(), Some(b'a' | b'o' | b'e')) && n >= 4 {
        return cut(word, 1);
    }
    word
}

fn is_vowel_byte(byte: u8) -> bool {
    matches!(byte, b'a' | b'e' | b'i' | b'o' | b'u')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_folded_and_unique() {
        for pair in STOP_WORDS.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
        for word in STOP_WORDS {
            assert_eq!(fold(word), *word);
            assert!(is_stop_word(word), "{word}");
        }
        for word in ["", "ano", "año", "dos", "deposito", "nosotros", "sobres"] {
            assert!(!is_stop_word(word), "{word}");
        }
    }

    #[test]
    fn lowercasing_matches_the_standard_library() {
        for text in [
            "Área ÑANDÚ İstanbul",
            "ΣΊΣΥΦΟΣ ΟΔΟΣ",
            "ǅ Ǆ ﬁ ẞ",
            "MAYÚSCULAS y minúsculas 123",
        ] {
            assert_eq!(lowercase(text), text.to_lowercase(), "{text}");
        }
    }

    /// The shared table: `tests/normalize.test.mjs` checks the browser's
    /// normaliser against the same file.
    #[test]
    fn the_shared_table_holds() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/normalizacion.json"))
                .expect("valid JSON");
        let section = |name: &str| {
            table[name]
                .as_array()
                .unwrap_or_else(|| panic!("section {name}"))
                .clone()
        };
        let text = |v: &serde_json::Value| v.as_str().expect("string").to_owned();
        let stop_words: Vec<String> = section("paradas").iter().map(text).collect();
        assert_eq!(
            stop_words, STOP_WORDS,
            "the same stop words in both languages"
        );
        let mut failures = Vec::new();
        for row in section("plegar") {
            let (input, expected) = (text(&row[0]), text(&row[1]));
            if fold(&input) != expected {
                failures.push(format!(
                    "fold({input:?}) = {:?}, expected {expected:?}",
                    fold(&input)
                ));
            }
        }
        for row in section("raiz") {
            let (input, expected) = (text(&row[0]), text(&row[1]));
            if stem(&input) != expected {
                failures.push(format!(
                    "stem({input:?}) = {:?}, expected {expected:?}",
                    stem(&input)
                ));
            }
        }
        let mut rows = 0;
        for row in section("terminos") {
            let input = text(&row[0]);
            let expected: Vec<String> =
                row[1].as_array().expect("array").iter().map(text).collect();
            if terms(&input) != expected {
                failures.push(format!(
                    "terms({input:?}) = {:?}, expected {expected:?}",
                    terms(&input)
                ));
            }
            rows += 1;
        }
        assert!(rows >= 20, "the table should have rows");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn hyphenated_words_give_their_parts_and_the_joined_form() {
        assert_eq!(
            terms("Contactos/Sub-cuentas - otra -cosa- e-mail x-y-z"),
            [
                "contact", "sub", "cuent", "subcuent", "cos", "mail", "email", "xyz"
            ]
        );
        let mut written = Vec::new();
        for_each_term("Creación de Sub-Cuentas", |term, word| {
            written.push((term.to_owned(), word.to_owned()));
        });
        let pairs: Vec<(&str, &str)> = written
            .iter()
            .map(|(t, w)| (t.as_str(), w.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("creacion", "Creación"),
                ("sub", "Sub"),
                ("cuent", "Cuentas"),
                ("subcuent", "Sub-Cuentas")
            ]
        );
    }
}
