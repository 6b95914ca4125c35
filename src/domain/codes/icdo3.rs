//! ICD-O-3 topography (primary site) and morphology (histology + behavior), backed by the WHO/IACR
//! tables in `data/` (sources in `data/SOURCES.md`).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::LazyLock;

use crate::domain::validation::RuleError;

const TOPOGRAPHY_CSV: &str = include_str!("data/icdo3_topography.csv");
const MORPHOLOGY_CSV: &str = include_str!("data/icdo3_morphology.csv");
const LOOKUP_MORPHOLOGY_CSV: &str = include_str!("data/histologicTypeIcdO3_preferredTermsOnly.csv");

struct TopographyTable {
    labels: HashMap<[u8; 4], String>,
}

/// Histology/behavior terms: union of the ICD-O-3/3.1/3.2 table and the NAACCR lookup.
struct MorphologyTable {
    terms: HashMap<(u16, u8), String>,
    histologies: HashSet<u16>,
}

fn csv_reader(text: &'static str, headers: bool) -> csv::Reader<&'static [u8]> {
    csv::ReaderBuilder::new().has_headers(headers).from_reader(text.as_bytes())
}

static TOPOGRAPHY: LazyLock<TopographyTable> = LazyLock::new(|| {
    let mut labels = HashMap::new();
    for row in csv_reader(TOPOGRAPHY_CSV, true).records().flatten() {
        if row.get(2) != Some("subcategory") {
            continue;
        }
        if let (Some(code), Some(label)) = (row.get(1), row.get(5))
            && let Ok(key) = <[u8; 4]>::try_from(code.as_bytes())
        {
            labels.insert(key, label.to_string());
        }
    }
    TopographyTable { labels }
});

fn split_code(code: &str) -> Option<(u16, u8)> {
    let (h, b) = code.trim().split_once('/')?;
    Some((h.parse().ok()?, b.parse().ok()?))
}

static MORPHOLOGY: LazyLock<MorphologyTable> = LazyLock::new(|| {
    let mut terms = HashMap::new();
    for row in csv_reader(MORPHOLOGY_CSV, true).records().flatten() {
        if let (Some(key), Some(label)) = (row.get(0).and_then(split_code), row.get(4)) {
            terms.insert(key, label.to_string());
        }
    }
    for row in csv_reader(LOOKUP_MORPHOLOGY_CSV, false).records().flatten() {
        if let (Some(key), Some(label)) = (row.get(0).and_then(split_code), row.get(1)) {
            terms.entry(key).or_insert_with(|| label.to_string());
        }
    }
    let histologies = terms.keys().map(|(h, _)| *h).collect();
    MorphologyTable { terms, histologies }
});

/// An ICD-O-3 topography code, one of the 330 codable four-character codes (`C509`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topography([u8; 4]);

impl Topography {
    /// Accepts `C50.9`, `C509` and lower case; rejects categories (`C50`) and unused codes.
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let compact: String = raw.trim().chars().filter(|c| *c != '.').collect::<String>();
        let upper = compact.to_ascii_uppercase();
        let shape_ok = upper.len() == 4
            && upper.starts_with('C')
            && upper.bytes().skip(1).all(|b| b.is_ascii_digit());
        let with_dot = raw.trim().contains('.');
        let dot_ok =
            !with_dot || (raw.trim().len() == 5 && raw.trim().as_bytes().get(3) == Some(&b'.'));
        if !shape_ok || !dot_ok {
            return Err(RuleError::new(
                "code.format",
                "a primary site is an ICD-O-3 topography code such as C50.9 or C509",
            ));
        }
        let key = <[u8; 4]>::try_from(upper.as_bytes())
            .map_err(|_| RuleError::new("code.format", "a primary site has four characters"))?;
        if !TOPOGRAPHY.labels.contains_key(&key) {
            return Err(RuleError::new(
                "code.unknown",
                format!("{} is not an ICD-O-3 topography code", Self(key).dotted()),
            ));
        }
        Ok(Self(key))
    }

    /// The NAACCR form without a dot: `C509`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("C809")
    }

    /// The display form with a dot: `C50.9`.
    pub fn dotted(&self) -> String {
        let s = self.as_str();
        format!("{}.{}", &s[..3], &s[3..])
    }

    /// Two-digit category number: 50 for C50.9.
    pub fn category(&self) -> u8 {
        (self.0[1] - b'0') * 10 + (self.0[2] - b'0')
    }

    /// Sub-site digit: 9 for C50.9.
    pub fn subsite(&self) -> u8 {
        self.0[3] - b'0'
    }

    pub fn label(&self) -> &'static str {
        TOPOGRAPHY.labels.get(&self.0).map(String::as_str).unwrap_or("")
    }

    /// Numeric value for range comparisons (C509 → 509).
    pub fn number(&self) -> u16 {
        u16::from(self.category()) * 10 + u16::from(self.subsite())
    }
}

impl fmt::Debug for Topography {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Topography({})", self.as_str())
    }
}

impl fmt::Display for Topography {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A histologic type (NAACCR #522): four digits 8000–9993 present in an ICD-O-3 edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Histology(u16);

impl Histology {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let raw = raw.trim();
        if raw.len() != 4 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleError::new(
                "code.format",
                "a histologic type is four digits, e.g. 8500",
            ));
        }
        let code: u16 = raw.parse().map_err(|_| RuleError::new("code.format", "not a number"))?;
        if !(8000..=9993).contains(&code) || !MORPHOLOGY.histologies.contains(&code) {
            return Err(RuleError::new(
                "code.unknown",
                format!("{code} is not an ICD-O-3 histologic type"),
            ));
        }
        Ok(Self(code))
    }

    pub fn code(&self) -> u16 {
        self.0
    }

    /// Hematopoietic and lymphoid neoplasms (9590–9993).
    pub fn is_hematopoietic(&self) -> bool {
        (9590..=9993).contains(&self.0)
    }
}

impl fmt::Display for Histology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// ICD-O-3 behavior (NAACCR #523). Registries code the primary tumor, so only 0–3 are valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Behavior {
    Benign = 0,
    Uncertain = 1,
    InSitu = 2,
    Malignant = 3,
}

impl Behavior {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        match raw.trim() {
            "0" => Ok(Self::Benign),
            "1" => Ok(Self::Uncertain),
            "2" => Ok(Self::InSitu),
            "3" => Ok(Self::Malignant),
            "6" | "9" => Err(RuleError::new(
                "code.notAllowed",
                "behavior 6 and 9 describe metastatic sites; code the primary tumor (0–3)",
            )),
            _ => Err(RuleError::new("code.unknown", "behavior must be 0, 1, 2 or 3")),
        }
    }

    pub fn code(&self) -> u8 {
        *self as u8
    }

    /// In situ or malignant (the 00–59 sequence-number series).
    pub fn is_reportable_malignant(&self) -> bool {
        matches!(self, Self::InSitu | Self::Malignant)
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// A histology with its behavior, `8500/3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Morphology {
    pub histology: Histology,
    pub behavior: Behavior,
}

impl Morphology {
    pub fn new(histology: Histology, behavior: Behavior) -> Self {
        Self { histology, behavior }
    }

    /// Whether the pair is listed in an ICD-O-3 edition or the NAACCR lookup. An unlisted pair is
    /// still codable (ICD-O rule F) but needs review.
    pub fn is_listed(&self) -> bool {
        MORPHOLOGY.terms.contains_key(&(self.histology.0, self.behavior.code()))
    }

    pub fn label(&self) -> Option<&'static str> {
        MORPHOLOGY.terms.get(&(self.histology.0, self.behavior.code())).map(String::as_str)
    }
}

impl fmt::Display for Morphology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.histology, self.behavior)
    }
}

/// A tumor's site and histology in words, as a worklist shows them: `C50.4 Upper-outer quadrant of
/// breast, 8500/3 Infiltrating duct carcinoma, NOS`. Codes that do not parse are shown as stored;
/// missing ones say so.
pub fn site_and_histology(
    site: Option<&str>,
    histology: Option<&str>,
    behavior: Option<&str>,
) -> String {
    let site = match site.map(str::trim).filter(|s| !s.is_empty()) {
        None => "site not coded".to_string(),
        Some(raw) => match Topography::parse(raw) {
            Ok(t) if !t.label().is_empty() => format!("{} {}", t.dotted(), t.label()),
            Ok(t) => t.dotted(),
            Err(_) => raw.to_string(),
        },
    };
    let code = |v: Option<&str>| v.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let morphology = match (code(histology), code(behavior)) {
        (None, _) => "histology not coded".to_string(),
        (Some(h), None) => h,
        (Some(h), Some(b)) => {
            let parsed = Histology::parse(&h).ok().zip(Behavior::parse(&b).ok());
            match parsed.map(|(h, b)| Morphology::new(h, b)) {
                Some(m) => match m.label() {
                    Some(label) => format!("{m} {label}"),
                    None => m.to_string(),
                },
                None => format!("{h}/{b}"),
            }
        }
    };
    format!("{site}, {morphology}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_and_histologies_in_words() {
        assert_eq!(
            site_and_histology(Some("C504"), Some("8500"), Some("3")),
            "C50.4 Upper-outer quadrant of breast, 8500/3 Infiltrating duct carcinoma, NOS"
        );
        assert_eq!(site_and_histology(None, Some("8500"), None), "site not coded, 8500");
        assert_eq!(site_and_histology(Some("X1"), None, None), "X1, histology not coded");
    }

    #[test]
    fn topography_accepts_both_forms_and_rejects_unknown() {
        let t = Topography::parse("C50.9").expect("valid");
        assert_eq!(t.as_str(), "C509");
        assert_eq!(t.dotted(), "C50.9");
        assert_eq!(Topography::parse("c509").expect("valid"), t);
        assert_eq!(t.label(), "Breast, NOS");
        assert_eq!(TOPOGRAPHY.labels.len(), 330);
        for bad in ["C43.9", "C76.6", "C80.0", "C50", "C5099", "D509", "C5.09", "", "C50.x"] {
            assert!(Topography::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Topography::parse("C43.9").expect_err("unused").rule, "code.unknown");
        assert_eq!(Topography::parse("50.9").expect_err("shape").rule, "code.format");
    }

    #[test]
    fn histology_and_behavior() {
        assert_eq!(Histology::parse("8500").expect("valid").code(), 8500);
        assert!(Histology::parse("8023").is_ok(), "ICD-O-3.2 NUT carcinoma");
        assert!(Histology::parse("9366").is_ok(), "NAACCR 2022 addition");
        for bad in ["7999", "9994", "850", "85000", "abcd", "8001x"] {
            assert!(Histology::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Behavior::parse("3").expect("valid"), Behavior::Malignant);
        assert_eq!(Behavior::parse("6").expect_err("metastatic").rule, "code.notAllowed");
        assert!(Behavior::parse("4").is_err());
    }

    #[test]
    fn morphology_pairs() {
        let m = Morphology::new(
            Histology::parse("8500").expect("valid"),
            Behavior::parse("3").expect("valid"),
        );
        assert!(m.is_listed());
        assert_eq!(m.to_string(), "8500/3");
        let matrix = Morphology::new(
            Histology::parse("8000").expect("valid"),
            Behavior::parse("2").expect("valid"),
        );
        assert!(matrix.is_listed(), "lookup carries matrix pair 8000/2");
        let odd = Morphology::new(
            Histology::parse("9823").expect("valid"),
            Behavior::parse("0").expect("valid"),
        );
        assert!(!odd.is_listed());
    }
}
