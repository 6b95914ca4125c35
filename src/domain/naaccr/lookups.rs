//! The code lists of NAACCR items (`data/lookups/<naaccrId>.csv`, SEER's NAACCR v26 lookups): what
//! values an item without a typed field may take where a closed list exists. Parsed on first use.
//!
//! A line is `code,label`; a code `002-988` is a range of codes of that width. Lists that are
//! examples rather than the whole set (county codes, census tracts) are not bundled, nor items
//! with a typed field of their own (site, histology), whose types hold the rules.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

include!(concat!(env!("OUT_DIR"), "/lookups.rs"));

/// The codes of one item.
#[derive(Debug, Default)]
pub struct CodeList {
    /// The single codes, in file order (for messages) and as a set (for look-ups).
    codes: Vec<String>,
    set: FxHashSet<String>,
    /// Inclusive ranges of equal-width digit codes.
    ranges: Vec<(String, String)>,
}

impl CodeList {
    fn parse(csv: &str) -> Self {
        let mut list = Self::default();
        for row in csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(csv.as_bytes())
            .records()
            .flatten()
        {
            let Some(code) = row.get(0).map(str::trim).filter(|c| !c.is_empty()) else {
                continue;
            };
            match code.split_once('-') {
                Some((lo, hi))
                    if lo.len() == hi.len()
                        && !lo.is_empty()
                        && lo.bytes().chain(hi.bytes()).all(|b| b.is_ascii_digit()) =>
                {
                    list.ranges.push((lo.to_owned(), hi.to_owned()));
                }
                _ => list.codes.push(code.to_owned()),
            }
        }
        list.set = list.codes.iter().cloned().collect();
        list
    }

    /// Whether `value` is one of the codes.
    pub fn contains(&self, value: &str) -> bool {
        self.set.contains(value)
            || self.ranges.iter().any(|(lo, hi)| {
                value.len() == lo.len()
                    && value.bytes().all(|b| b.is_ascii_digit())
                    && lo.as_str() <= value
                    && value <= hi.as_str()
            })
    }

    /// The codes in words for a message: the first ones, and how many more.
    pub fn describe(&self) -> String {
        let mut shown: Vec<String> = self.codes.iter().take(12).cloned().collect();
        shown.extend(self.ranges.iter().map(|(lo, hi)| format!("{lo}–{hi}")));
        let more = self.codes.len().saturating_sub(12);
        if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
    }
}

// FxHash: looked up for every item of every record an edit reviews.
static LISTS: LazyLock<FxHashMap<&'static str, CodeList>> =
    LazyLock::new(|| LOOKUPS.iter().map(|(id, csv)| (*id, CodeList::parse(csv))).collect());

/// The code list of an item, when the bundled lookups have one.
pub fn code_list(naaccr_id: &str) -> Option<&'static CodeList> {
    LISTS.get(naaccr_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_codes_and_ranges() {
        let size = code_list("tumorSizeSummary").expect("a list");
        assert!(size.contains("000") && size.contains("002") && size.contains("988"));
        assert!(!size.contains("2") && !size.contains("ABC"));
        let t = code_list("tnmClinT").expect("TNM");
        assert!(t.contains("cX") && !t.contains("cQ"));
        assert!(code_list("countyAtDx").is_none(), "example lists are not bundled");
        assert!(code_list("noSuchItem").is_none());
        assert!(size.describe().contains("002–988"), "{}", size.describe());
    }
}
