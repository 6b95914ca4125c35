//! Reference tables of the edits, parsed once from the embedded CSVs (`data/SOURCES.md`).
//! Lookups are hash probes on small keys; nothing here allocates per call.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::domain::codes::{Morphology, Topography};

const SEER_CSV: &str = include_str!("data/seer_site_histology_2022_expanded.csv");
const IARC_FAMILIES_CSV: &str = include_str!("data/iarc_morphology_families.csv");
const IARC_SITES_CSV: &str = include_str!("data/iarc_family_sites.csv");
const PAIRED_CSV: &str = include_str!("data/paired_sites_laterality.csv");
// Shared with the code tables rather than copied twice (see data/SOURCES.md).
const MORPHOLOGY_CSV: &str = include_str!("../codes/data/icdo3_morphology.csv");
const LOOKUP_CSV: &str = include_str!("../codes/data/histologicTypeIcdO3_preferredTermsOnly.csv");

/// Edition flags of a histology/behavior pair.
pub const IN_ICDO3_2000: u8 = 1;
pub const IN_ICDO3_1: u8 = 2;
pub const IN_ICDO3_2: u8 = 4;
pub const IN_SEER_2022: u8 = 8;
/// Only in the NAACCR lookup: ICD-O matrix variants such as 8000/2.
pub const IN_NAACCR_LOOKUP: u8 = 16;

fn reader(text: &'static str, headers: bool) -> csv::Reader<&'static [u8]> {
    csv::ReaderBuilder::new().has_headers(headers).from_reader(text.as_bytes())
}

/// `8500/3` → (8500, 3). Parsed by hand: this runs 52,000 times while the SEER list loads.
fn split_morphology(code: &[u8]) -> Option<(u16, u8)> {
    let code = code.trim_ascii();
    match code {
        [h @ .., b'/', b]
            if h.len() == 4 && h.iter().all(u8::is_ascii_digit) && b.is_ascii_digit() =>
        {
            let hist = h.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
            Some((hist, b - b'0'))
        }
        _ => None,
    }
}

fn site_key(code: &[u8]) -> Option<[u8; 4]> {
    <[u8; 4]>::try_from(code).ok()
}

/// Reads every row of a CSV with one reused buffer, so loading stays fast in debug builds too.
fn for_each_row(text: &'static str, headers: bool, mut f: impl FnMut(&csv::ByteRecord)) {
    let mut rdr = reader(text, headers);
    let mut row = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut row).unwrap_or(false) {
        f(&row);
    }
}

static MORPH_FLAGS: LazyLock<HashMap<(u16, u8), u8>> = LazyLock::new(|| {
    let mut flags = HashMap::new();
    for_each_row(MORPHOLOGY_CSV, true, |row| {
        let Some(key) = row.get(0).and_then(split_morphology) else {
            return;
        };
        let mut f = 0;
        for (col, bit) in [(5, IN_ICDO3_2000), (6, IN_ICDO3_1), (7, IN_ICDO3_2), (8, IN_SEER_2022)]
        {
            if row.get(col) == Some(b"Y") {
                f |= bit;
            }
        }
        flags.insert(key, f);
    });
    for_each_row(LOOKUP_CSV, false, |row| {
        if let Some(key) = row.get(0).and_then(split_morphology) {
            *flags.entry(key).or_insert(0) |= IN_NAACCR_LOOKUP;
        }
    });
    flags
});

/// The edition flags of a pair; 0 when no list has it.
pub fn morphology_flags(m: &Morphology) -> u8 {
    MORPH_FLAGS.get(&(m.histology.code(), m.behavior.code())).copied().unwrap_or(0)
}

/// Hasher for the packed integer keys of the SEER list: std's SipHash is needlessly slow for
/// building 52,000 entries (noticeable in debug builds); keys are not attacker-controlled.
#[derive(Default)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// (site, histology, behavior) packed into one integer: C509, 8500, 3 → 509_85003.
fn seer_key(site: [u8; 4], histology: u16, behavior: u8) -> u32 {
    let site_number =
        site[1..].iter().fold(0u32, |acc, d| acc * 10 + u32::from(d.wrapping_sub(b'0')));
    site_number * 100_000 + u32::from(histology) * 10 + u32::from(behavior)
}

/// Histology codes 8000–9993 as array indexes.
const HISTOLOGY_SLOTS: usize = 2000;

struct SeerList {
    pairs: HashSet<u32, BuildHasherDefault<IntHasher>>,
    /// Histologies SEER lists only at C42.x (systemic leukemias and the like), by `histology - 8000`.
    blood_only: Vec<bool>,
}

static SEER: LazyLock<SeerList> = LazyLock::new(|| {
    let mut pairs = HashSet::with_capacity_and_hasher(53_000, BuildHasherDefault::default());
    let mut listed = vec![false; HISTOLOGY_SLOTS];
    let mut outside_c42 = vec![false; HISTOLOGY_SLOTS];
    for_each_row(SEER_CSV, true, |row| {
        let (Some(site), Some((h, b))) =
            (row.get(0).and_then(site_key), row.get(1).and_then(split_morphology))
        else {
            return;
        };
        pairs.insert(seer_key(site, h, b));
        let slot = usize::from(h.saturating_sub(8000)).min(HISTOLOGY_SLOTS - 1);
        listed[slot] = true;
        if &site[..3] != b"C42" {
            outside_c42[slot] = true;
        }
    });
    let blood_only = listed.iter().zip(&outside_c42).map(|(l, o)| *l && !*o).collect();
    SeerList { pairs, blood_only }
});

/// Whether (site, histology/behavior) is on the SEER Site/Histology Validation List 2022.
pub fn on_seer_list(site: &Topography, m: &Morphology) -> bool {
    site_key(site.as_str().as_bytes())
        .is_some_and(|s| SEER.pairs.contains(&seer_key(s, m.histology.code(), m.behavior.code())))
}

/// Whether SEER lists the histology only at blood and bone marrow sites (C42.x).
pub fn seer_blood_only(histology: u16) -> bool {
    histology
        .checked_sub(8000)
        .and_then(|slot| SEER.blood_only.get(usize::from(slot)))
        .copied()
        .unwrap_or(false)
}

/// IARC CHECK rule for a histology.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyRule {
    AnySite,
    MustBeIn(u8),
    MustNotBeIn(u8),
}

/// A topography pattern: a whole category (`C07*`) or one code (`C762`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SitePattern {
    Category(u8),
    Code(u16),
}

struct IarcFamilies {
    rules: HashMap<u16, FamilyRule>,
    names: HashMap<(bool, u8), String>,
    sites: HashMap<(bool, u8), Vec<SitePattern>>,
}

static IARC: LazyLock<IarcFamilies> = LazyLock::new(|| {
    let mut rules = HashMap::new();
    let mut names = HashMap::new();
    let mut sites: HashMap<(bool, u8), Vec<SitePattern>> = HashMap::new();
    let family = |row: &csv::ByteRecord, col: usize| {
        row.get(col).and_then(|f| std::str::from_utf8(f).ok()).and_then(|f| f.parse::<u8>().ok())
    };
    for_each_row(IARC_FAMILIES_CSV, true, |row| {
        let Some(h) = row
            .get(0)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| h.parse::<u16>().ok())
        else {
            return;
        };
        let rule = match (row.get(1), family(row, 2)) {
            (Some(b"any_site"), _) => FamilyRule::AnySite,
            (Some(b"site_must_be_in"), Some(f)) => FamilyRule::MustBeIn(f),
            (Some(b"site_must_not_be_in"), Some(f)) => FamilyRule::MustNotBeIn(f),
            _ => return,
        };
        rules.insert(h, rule);
    });
    for_each_row(IARC_SITES_CSV, true, |row| {
        let must = row.get(0) == Some(b"site_must_be_in");
        let (Some(f), Some(pattern)) = (family(row, 1), row.get(3)) else {
            return;
        };
        let digits = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|d| d.parse::<u16>().ok());
        let parsed = match pattern {
            [b'C', rest @ .., b'*'] => {
                digits(rest).and_then(|c| u8::try_from(c).ok().map(SitePattern::Category))
            }
            [b'C', rest @ ..] => digits(rest).map(SitePattern::Code),
            _ => None,
        };
        if let Some(p) = parsed {
            sites.entry((must, f)).or_default().push(p);
        }
        if let Some(name) = row.get(2).and_then(|n| std::str::from_utf8(n).ok()) {
            names.insert((must, f), name.to_string());
        }
    });
    IarcFamilies { rules, names, sites }
});

/// The IARC CHECK rule for a histology; `None` when CHECK does not list it.
pub fn iarc_family(histology: u16) -> Option<FamilyRule> {
    IARC.rules.get(&histology).copied()
}

/// The name of an IARC family ("Liver tumours").
pub fn iarc_family_name(rule: FamilyRule) -> &'static str {
    let key = match rule {
        FamilyRule::AnySite => return "",
        FamilyRule::MustBeIn(f) => (true, f),
        FamilyRule::MustNotBeIn(f) => (false, f),
    };
    IARC.names.get(&key).map(String::as_str).unwrap_or("")
}

/// Whether the site is among the family's listed sites.
pub fn iarc_family_has_site(must: bool, family: u8, site: &Topography) -> bool {
    IARC.sites.get(&(must, family)).is_some_and(|patterns| {
        patterns.iter().any(|p| match p {
            SitePattern::Category(c) => *c == site.category(),
            SitePattern::Code(n) => *n == site.number(),
        })
    })
}

/// How a paired site takes laterality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paired {
    Always,
    /// C44.0/C44.4: later additions to the table; older abstracts may carry 0.
    LaterAddition,
    /// CNS sites: paired only for diagnoses from 2004.
    From2004,
}

static PAIRED: LazyLock<HashMap<[u8; 4], Paired>> = LazyLock::new(|| {
    let mut paired = HashMap::new();
    for_each_row(PAIRED_CSV, true, |row| {
        let Some(site) = row.get(0).and_then(site_key) else {
            return;
        };
        let note = row.get(3).unwrap_or(b"");
        let kind = if note.starts_with(b"newer addition") {
            Paired::LaterAddition
        } else if note.windows(4).any(|w| w == b"2004") {
            Paired::From2004
        } else {
            Paired::Always
        };
        paired.insert(site, kind);
    });
    paired
});

/// How the site takes laterality; `None` for sites that are not paired.
pub fn paired_site(site: &Topography) -> Option<Paired> {
    site_key(site.as_str().as_bytes()).and_then(|s| PAIRED.get(&s).copied())
}

#[cfg(test)]
pub fn table_sizes() -> [usize; 5] {
    [
        MORPH_FLAGS.len(),
        SEER.pairs.len(),
        IARC.rules.len(),
        IARC.sites.values().map(Vec::len).sum(),
        PAIRED.len(),
    ]
}
