//! Code pickers: ICD-O-3 topography and morphology found by code or by words, as a registrar types
//! them (`C50.4`, `c504`, `upper outer breast`, `8500/3`, `duct carcinoma`). Pure and in memory.

use std::sync::LazyLock;

/// One code a picker offers: the code as shown (`C50.4`, `8500/3`) and its term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChoice {
    pub code: String,
    pub label: String,
}

const TOPOGRAPHY_CSV: &str = include_str!("data/icdo3_topography.csv");
const MORPHOLOGY_CSV: &str = include_str!("data/icdo3_morphology.csv");

/// Each choice with the lower-case text its words are matched in.
struct Catalogue(Vec<(CodeChoice, String)>);

fn reader(text: &'static str) -> csv::Reader<&'static [u8]> {
    csv::ReaderBuilder::new().from_reader(text.as_bytes())
}

static SITES: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut out = Vec::new();
    for row in reader(TOPOGRAPHY_CSV).records().flatten() {
        if row.get(2) != Some("subcategory") {
            continue;
        }
        let (Some(code), Some(label)) = (row.get(1), row.get(5)) else { continue };
        if code.len() != 4 {
            continue;
        }
        let dotted = format!("{}.{}", &code[..3], &code[3..]);
        // Words of the category and the inclusion terms count too ("breast" finds C50.4).
        let words = format!(
            "{dotted} {code} {label} {} {}",
            row.get(4).unwrap_or(""),
            row.get(6).unwrap_or("")
        )
        .to_lowercase();
        out.push((CodeChoice { code: dotted, label: label.to_string() }, words));
    }
    Catalogue(out)
});

static MORPHOLOGIES: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut out = Vec::new();
    for row in reader(MORPHOLOGY_CSV).records().flatten() {
        let (Some(code), Some(label)) = (row.get(0), row.get(4)) else { continue };
        let words = format!("{code} {label}").to_lowercase();
        out.push((CodeChoice { code: code.to_string(), label: label.to_string() }, words));
    }
    Catalogue(out)
});

impl Catalogue {
    fn search(
        &self,
        query: &str,
        limit: usize,
        code_like: fn(&str) -> Option<String>,
    ) -> Vec<CodeChoice> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return Vec::new();
        }
        if let Some(prefix) = code_like(&query) {
            return self
                .0
                .iter()
                .filter(|(c, _)| normalized(&c.code).starts_with(&prefix))
                .take(limit)
                .map(|(c, _)| c.clone())
                .collect();
        }
        let words: Vec<&str> =
            query.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let phrase = words.join(" ");
        // Terms holding the words as typed, in order, come first ("infiltrating duct" finds
        // 8500/3 before the 8500/2 that holds "noninfiltrating" and "intraductal").
        let mut found: Vec<(bool, &CodeChoice)> = self
            .0
            .iter()
            .filter(|(_, text)| words.iter().all(|w| text.contains(w)))
            .map(|(c, text)| (!flat(text).contains(&phrase), c))
            .collect();
        found.sort_by_key(|(later, _)| *later);
        found.into_iter().take(limit).map(|(_, c)| c.clone()).collect()
    }
}

/// Text with every run of non-alphanumerics as one space, for phrase matching.
fn flat(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A code without its dot or slash, lower case: `c504`, `85003`.
fn normalized(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase()
}

fn site_code_like(q: &str) -> Option<String> {
    let n = normalized(q);
    let digits = n.strip_prefix('c')?;
    (digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

fn morphology_code_like(q: &str) -> Option<String> {
    let n = normalized(q);
    (!n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

/// Topography codes whose code starts with the query, or whose words contain every word of it.
pub fn find_sites(query: &str, limit: usize) -> Vec<CodeChoice> {
    SITES.search(query, limit, site_code_like)
}

/// Morphology codes (histology/behavior) found the same way.
pub fn find_morphologies(query: &str, limit: usize) -> Vec<CodeChoice> {
    MORPHOLOGIES.search(query, limit, morphology_code_like)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_found_by_code_or_words() {
        let by_code = find_sites("C50.4", 10);
        assert_eq!(by_code[0].code, "C50.4");
        assert_eq!(by_code[0].label, "Upper-outer quadrant of breast");
        assert_eq!(find_sites("c504", 10), by_code);
        assert_eq!(find_sites("C50", 20).len(), 9, "C50.0–C50.6, C50.8 and C50.9");
        let by_words = find_sites("upper outer breast", 10);
        assert_eq!(by_words[0].code, "C50.4", "{by_words:?}");
        assert!(find_sites("", 10).is_empty());
        assert!(find_sites("no such organ", 10).is_empty());
    }

    #[test]
    fn morphologies_are_found_by_code_or_words() {
        let by_code = find_morphologies("8500/3", 10);
        assert_eq!(by_code[0].code, "8500/3");
        assert_eq!(by_code[0].label, "Infiltrating duct carcinoma, NOS");
        assert!(find_morphologies("8500", 10).iter().all(|c| c.code.starts_with("8500/")));
        let by_words = find_morphologies("infiltrating duct", 50);
        assert_eq!(by_words[0].code, "8500/3", "the term holding the words as typed comes first");
        assert!(by_words.iter().any(|c| c.code == "8500/2"), "the other terms follow");
        assert_eq!(find_morphologies("duct", 3).len(), 3, "the limit holds");
    }
}
