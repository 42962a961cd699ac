//! The search index, `busqueda.json` (not fingerprinted, so an article edit changes no other page): built once per build, read by
//! `static/busqueda.js` in the browser (no server involved).
//!
//! Every article's title, headings, description, tags, category name and
//! body go through [`normalize`] (the browser normalises queries with the
//! same rules). The file is JSON with short keys:
//!
//! ```text
//! {
//!   "v": 1,                          format version
//!   "c": ["Facturación y pagos", …], category names
//!   "d": [[slug, title, category, description, [heading, …]], …],
//!   "t": ["abr", "acces", …],        terms, sorted by UTF-16 code units
//!   "f": ["abrir", "acceso", "", …], how t[i] is written ("" when as t[i])
//!   "p": [[65, 138, …], …]           postings of t[i]
//! }
//! ```
//!
//! A posting packs a document and the term's weight in it into one number,
//! `(doc − previous doc) × 64 + weight`, documents ascending (the first
//! counts from 0): small numbers, few bytes. The number of postings of a
//! term is its document frequency. The page URL is `/<slug>/`; titles,
//! descriptions and headings are kept (bodies are not) so the browser can
//! show and highlight snippets. For a word found only in a body, the
//! browser shows its written form from `f` («Menciona: depósito»): the
//! first spelling, lowercase, in the document where the term weighs most.
//!
//! Weight of a term in a document (at most 42, so it fits in 6 bits):
//! title 12; headings 6 for the first that has it, +2 for each other, up to
//! 10; description 4; tags 4; category name 2; body ⌊2√(occurrences)⌋ up to 10.

pub mod normalize;

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;
use serde::Serialize;

/// Name of the index before fingerprinting.
pub const INDEX_FILE: &str = "busqueda.json";

/// What the index needs from an article.
pub struct Document<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Index into the category names.
    pub category: usize,
    pub tags: &'a [String],
    pub headings: Vec<&'a str>,
    /// The body as plain text, without headings.
    pub body: &'a str,
}

const TITLE: u32 = 12;
const FIRST_HEADING: u32 = 6;
const OTHER_HEADING: u32 = 2;
const MAX_HEADINGS: u32 = 10;
const DESCRIPTION: u32 = 4;
const TAGS: u32 = 4;
const CATEGORY: u32 = 2;
const MAX_BODY: u32 = 10;
/// Weights take the low 6 bits of a posting.
const WEIGHT_BITS: u32 = 6;

#[derive(Default)]
struct Seen {
    title: bool,
    headings: u32,
    /// 1 + the last heading counted, so a heading counts once.
    last_heading: usize,
    description: bool,
    tags: bool,
    category: bool,
    body: u32,
}

impl Seen {
    fn weight(&self) -> u32 {
        let headings = match self.headings {
            0 => 0,
            n => (FIRST_HEADING + OTHER_HEADING * (n - 1)).min(MAX_HEADINGS),
        };
        let body = (4 * self.body).isqrt().min(MAX_BODY);
        u32::from(self.title) * TITLE
            + headings
            + u32::from(self.description) * DESCRIPTION
            + u32::from(self.tags) * TAGS
            + u32::from(self.category) * CATEGORY
            + body
    }
}

/// The Fx hash (rustc's): much faster than SipHash on short keys, and
/// the keys come from the site's own files, so no flooding to fear.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &byte in chunks.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Where a term was found in a document.
#[derive(Clone, Copy)]
enum Field {
    Title,
    Heading(usize),
    Description,
    Tag,
    Category,
    Body,
}

/// Calls `f` with every term of the document, field by field (title,
/// headings, description, tags, category name, body), with its spelling.
fn for_each_field_term(doc: &Document<'_>, category: &str, mut f: impl FnMut(Field, &str, &str)) {
    normalize::for_each_term(doc.title, |t, w| f(Field::Title, t, w));
    for (i, heading) in doc.headings.iter().enumerate() {
        normalize::for_each_term(heading, |t, w| f(Field::Heading(i), t, w));
    }
    normalize::for_each_term(doc.description, |t, w| f(Field::Description, t, w));
    for tag in doc.tags {
        normalize::for_each_term(tag, |t, w| f(Field::Tag, t, w));
    }
    normalize::for_each_term(category, |t, w| f(Field::Category, t, w));
    normalize::for_each_term(doc.body, |t, w| f(Field::Body, t, w));
}

/// The weighted terms of one document, in no particular order.
fn weights(doc: &Document<'_>, category: &str) -> Vec<(String, u32)> {
    // Sized for a typical article (a few hundred distinct terms).
    let capacity = (doc.body.len() / 16).clamp(64, 1024);
    let mut map: FastMap<String, Seen> =
        FastMap::with_capacity_and_hasher(capacity, Default::default());
    for_each_field_term(doc, category, |field, term, _| {
        // One allocation per distinct term of the document, none per word.
        let seen = match map.get_mut(term) {
            Some(seen) => seen,
            None => map.entry(term.to_owned()).or_default(),
        };
        match field {
            Field::Title => seen.title = true,
            Field::Heading(i) => {
                if seen.last_heading != i + 1 {
                    seen.last_heading = i + 1;
                    seen.headings += 1;
                }
            }
            Field::Description => seen.description = true,
            Field::Tag => seen.tags = true,
            Field::Category => seen.category = true,
            Field::Body => seen.body += 1,
        }
    });
    map.into_iter()
        .map(|(term, seen)| {
            let weight = seen.weight();
            (term, weight)
        })
        .collect()
}

/// The first spelling, in `doc`, of each of `terms`.
fn spellings<'t>(doc: &Document<'_>, category: &str, terms: &[&'t str]) -> Vec<(&'t str, String)> {
    let mut wanted: FastMap<&str, Option<String>> = terms.iter().map(|t| (*t, None)).collect();
    for_each_field_term(doc, category, |_, term, written| {
        if let Some(slot @ None) = wanted.get_mut(term) {
            *slot = Some(written.to_lowercase());
        }
    });
    terms
        .iter()
        .filter_map(|t| Some((*t, wanted.get_mut(t)?.take()?)))
        .collect()
}

#[derive(Serialize)]
struct Index<'a> {
    v: u32,
    c: &'a [&'a str],
    d: Vec<(&'a str, &'a str, usize, &'a str, &'a [&'a str])>,
    t: Vec<&'a str>,
    f: Vec<&'a str>,
    p: Vec<Vec<u64>>,
}

/// A term's postings, and the document where it weighs most.
#[derive(Default)]
struct Postings {
    docs: Vec<(usize, u32)>,
    best_doc: usize,
    best: u32,
}

/// The index of `docs` (in the order given, which is their number in the
/// postings) as JSON.
pub fn build_index(categories: &[&str], docs: &[Document<'_>]) -> String {
    let category_of = |doc: &Document<'_>| categories.get(doc.category).copied().unwrap_or("");
    let per_doc: Vec<Vec<(String, u32)>> = docs
        .par_iter()
        .map(|doc| weights(doc, category_of(doc)))
        .collect();
    let mut postings: FastMap<&str, Postings> = FastMap::default();
    for (number, terms) in per_doc.iter().enumerate() {
        for (term, weight) in terms {
            let entry = postings.entry(term.as_str()).or_default();
            entry.docs.push((number, *weight));
            if *weight > entry.best {
                entry.best = *weight;
                entry.best_doc = number;
            }
        }
    }
    // Spellings: read again only the documents where some term weighs most.
    let mut wanted: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (term, entry) in &postings {
        wanted.entry(entry.best_doc).or_default().push(term);
    }
    let wanted: Vec<(usize, Vec<&str>)> = wanted.into_iter().collect();
    let written: FastMap<&str, String> = wanted
        .par_iter()
        .flat_map_iter(|(number, terms)| {
            let doc = &docs[*number];
            spellings(doc, category_of(doc), terms)
        })
        .collect();
    let mut terms: Vec<&str> = postings.keys().copied().collect();
    // JavaScript compares strings by UTF-16 code units: sort the same way
    // so that the browser can binary-search the terms.
    terms.sort_unstable_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    let f = terms
        .iter()
        .map(|term| match written.get(term) {
            Some(written) if written != term => written.as_str(),
            _ => "",
        })
        .collect();
    let p = terms
        .iter()
        .map(|term| {
            let mut previous = 0;
            postings[term]
                .docs
                .iter()
                .map(|&(doc, weight)| {
                    let delta = (doc - previous) as u64;
                    previous = doc;
                    (delta << WEIGHT_BITS) | u64::from(weight)
                })
                .collect()
        })
        .collect();
    let index = Index {
        v: 1,
        c: categories,
        d: docs
            .iter()
            .map(|doc| {
                (
                    doc.slug,
                    doc.title,
                    doc.category,
                    doc.description,
                    doc.headings.as_slice(),
                )
            })
            .collect(),
        t: terms,
        f,
        p,
    };
    serde_json::to_string(&index).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(slug: &'a str, title: &'a str, body: &'a str) -> Document<'a> {
        Document {
            slug,
            title,
            description: "Resumen.",
            category: 0,
            tags: &[],
            headings: vec![],
            body,
        }
    }

    #[test]
    fn weights_favour_titles_then_headings_description_and_body() {
        let tags = ["pagos".to_owned()];
        let document = Document {
            slug: "x",
            title: "Cómo hacer un reporte de pago",
            description: "Reporte el depósito.",
            category: 0,
            tags: &tags,
            headings: vec!["Factura fiscal", "Reportar el pago", "Otra factura"],
            body: "depósito depósito depósito depósito factura",
        };
        let weights: HashMap<String, u32> = weights(&document, "Facturación y pagos")
            .into_iter()
            .collect();
        // reporte: title, heading «Reportar» (reportar → report), description.
        assert_eq!(weights["report"], TITLE + FIRST_HEADING + DESCRIPTION);
        // pago: title, a heading, tag «pagos», category «pagos».
        assert_eq!(weights["pag"], TITLE + FIRST_HEADING + TAGS + CATEGORY);
        // factura: two headings and once in the body.
        assert_eq!(weights["factur"], FIRST_HEADING + OTHER_HEADING + 2);
        // depósito: description and four times in the body.
        assert_eq!(weights["deposit"], DESCRIPTION + 4);
        assert_eq!(weights["facturacion"], CATEGORY);
        assert!(weights.values().all(|&w| w < 1 << WEIGHT_BITS));
    }

    #[test]
    fn the_index_has_sorted_terms_and_delta_packed_postings() {
        let docs = [
            doc("a", "Depósito", "pago"),
            doc("b", "Otro", "nada"),
            doc("c", "Pago", "depósito"),
        ];
        let json = build_index(&["Pagos"], &docs);
        let index: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(index["v"], 1);
        assert_eq!(index["c"], serde_json::json!(["Pagos"]));
        assert_eq!(
            index["d"][2],
            serde_json::json!(["c", "Pago", 0, "Resumen.", []])
        );
        let terms = terms(&index);
        let mut sorted = terms.clone();
        sorted.sort_unstable();
        assert_eq!(terms, sorted);
        let at = terms.iter().position(|t| *t == "deposit").expect("term");
        // doc 0 (title 12), doc 2 (body 2): deltas 0 and 2.
        assert_eq!(index["p"][at], serde_json::json!([12, (2 << 6) | 2]));
        // «pagos» is the category of all three.
        let pag = terms.iter().position(|t| *t == "pag").expect("term");
        assert_eq!(
            index["p"][pag],
            serde_json::json!([2 + 2, (1 << 6) | 2, (1 << 6) | (12 + 2)])
        );
        // Spellings: from the document where the term weighs most, "" when
        // the same as the term.
        assert_eq!(index["f"][at], "depósito");
        assert_eq!(index["f"][pag], "pago");
        let otro = terms.iter().position(|t| *t == "nad").expect("term");
        assert_eq!(index["f"][otro], "nada");
        let resumen = terms.iter().position(|t| *t == "resumen").expect("term");
        assert_eq!(index["f"][resumen], "");
    }

    /// The index's terms, in their order in the file.
    fn terms(index: &serde_json::Value) -> Vec<&str> {
        index["t"]
            .as_array()
            .expect("terms")
            .iter()
            .filter_map(|t| t.as_str())
            .collect()
    }

    #[test]
    fn utf16_order_is_what_javascript_sees() {
        let docs = [doc("a", "zzz \u{1d400}x \u{fb01}x", "")];
        let json = build_index(&[""], &docs);
        let index: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        let terms = terms(&index);
        // U+1D400 is a surrogate pair (D835 DC00), before U+FB01 in UTF-16.
        assert_eq!(terms, ["resumen", "zzz", "\u{1d400}x", "\u{fb01}x"]);
    }
}
