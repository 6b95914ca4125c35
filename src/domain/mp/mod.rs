//! Multiple primaries: whether two tumors of one patient are one primary or two, by the SEER rules
//! in force for the later diagnosis (Solid Tumor Rules 2018+, with the 2023+ Other Sites module and
//! the 2021+ cutaneous melanoma module; the 2007 MP/H rules before them; the Hematopoietic rules with
//! the Heme DB tables), with the module, the step and the rule's text. Pure: no I/O, no clock.
//!
//! Written from SEER's manuals; checked against SEER's own answers for 5,000 pairs
//! (tests/data/mp_pairs.csv). A step that needs a manual's table not held here answers
//! `questionable` with the module to review the pair with: see docs/mp.md.
//! Registries that report by the IARC/IACR rules get those instead ([`Rules`]).

mod hemato;
mod iarc;
mod patient;
mod solid;

pub use patient::{Placement, Primaries, primaries};

use std::fmt;

/// A tumor as the rules read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MpTumor {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
    /// Topography without the dot: category 0–80 and subsite 0–9 (C50.4 → 50, 4).
    pub category: u8,
    pub subsite: u8,
    pub histology: u16,
    pub behavior: u8,
    /// NAACCR #410: 0 not paired, 1 right, 2 left, 3 one side unknown, 4 bilateral, 5 midline, 9 unknown.
    pub laterality: u8,
}

impl MpTumor {
    /// `C504` or `C50.4`, histology `8500`, behavior `3`, laterality `2`: `None` names what is wrong.
    pub fn parse(
        date: (i32, Option<u32>, Option<u32>),
        site: &str,
        histology: &str,
        behavior: &str,
        laterality: &str,
    ) -> Result<Self, &'static str> {
        let site: String = site.trim().chars().filter(|c| *c != '.').collect();
        let s = site.as_bytes();
        let site_ok = s.len() == 4
            && s[0].eq_ignore_ascii_case(&b'C')
            && s[1..].iter().all(u8::is_ascii_digit);
        if !site_ok {
            return Err("primarySite");
        }
        let histology: u16 = histology.trim().parse().map_err(|_| "histologicTypeIcdO3")?;
        if !(8000..=9999).contains(&histology) {
            return Err("histologicTypeIcdO3");
        }
        let behavior: u8 = behavior.trim().parse().map_err(|_| "behaviorCodeIcdO3")?;
        if behavior > 3 {
            return Err("behaviorCodeIcdO3");
        }
        let laterality: u8 = laterality.trim().parse().map_err(|_| "laterality")?;
        if !matches!(laterality, 0..=5 | 9) {
            return Err("laterality");
        }
        let (year, month, day) = date;
        if !(1900..=2100).contains(&year)
            || month.is_some_and(|m| !(1..=12).contains(&m))
            || day.is_some_and(|d| !(1..=31).contains(&d))
        {
            return Err("dateOfDiagnosis");
        }
        Ok(Self {
            year,
            month,
            day,
            category: (s[1] - b'0') * 10 + (s[2] - b'0'),
            subsite: s[3] - b'0',
            histology,
            behavior,
            laterality,
        })
    }

    /// The site as a number for ranges: C50.4 → 504.
    pub fn site(&self) -> u16 {
        u16::from(self.category) * 10 + u16::from(self.subsite)
    }

    pub fn site_code(&self) -> String {
        format!("C{:02}{}", self.category, self.subsite)
    }

    pub fn morphology(&self) -> String {
        format!("{}/{}", self.histology, self.behavior)
    }

    /// Whether this diagnosis comes first (or on the same days) as far as the dates known tell.
    pub fn diagnosed_before(&self, other: &Self) -> bool {
        self.span() <= other.span()
    }

    /// Earliest and latest day the diagnosis can be (a partial date spans its month or year).
    fn span(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
        use chrono::NaiveDate;
        let first = |m: u32, d: u32| NaiveDate::from_ymd_opt(self.year, m, d);
        let (m1, m2) = self.month.map_or((1, 12), |m| (m, m));
        let start = first(m1, self.day.unwrap_or(1)).or_else(|| first(m1, 1));
        let last_day = |m: u32| (28..=31).rev().find_map(|d| first(m, d));
        let end = match self.day {
            Some(d) => first(m2, d).or_else(|| last_day(m2)),
            None => last_day(m2),
        };
        let fallback = NaiveDate::from_ymd_opt(self.year, 1, 1).unwrap_or_default();
        (start.unwrap_or(fallback), end.unwrap_or(fallback))
    }
}

/// What the rules say about a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MpResult {
    Single,
    Multiple,
    /// The items given cannot decide: the registrar reviews the record.
    Questionable,
    /// An input cannot be used.
    Invalid,
}

impl MpResult {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Multiple => "multiple",
            Self::Questionable => "questionable",
            Self::Invalid => "invalid",
        }
    }
}

/// The answer: the result, the rule module and step that decided, and the rule in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MpAnswer {
    pub result: MpResult,
    pub module: &'static str,
    pub step: &'static str,
    pub reason: String,
}

impl fmt::Display for MpAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {}): {}", self.result.as_str(), self.module, self.step, self.reason)
    }
}

pub(crate) fn answer(
    result: MpResult,
    module: &'static str,
    step: &'static str,
    reason: impl Into<String>,
) -> MpAnswer {
    MpAnswer { result, module, step, reason: reason.into() }
}

/// Whether the later diagnosis is more than `years` years after the earlier one: `None` when the
/// dates known cannot tell.
pub(crate) fn years_apart(a: &MpTumor, b: &MpTumor, years: i32) -> Option<bool> {
    let (a0, a1) = a.span();
    let (b0, b1) = b.span();
    let (earlier, later) = if a0 <= b0 { ((a0, a1), (b0, b1)) } else { ((b0, b1), (a0, a1)) };
    let add = |d: chrono::NaiveDate| {
        d.checked_add_months(chrono::Months::new(12 * years as u32)).unwrap_or(d)
    };
    // The rules count a full year as "more than one year": the anniversary itself is past it.
    if later.0 >= add(earlier.1) {
        Some(true)
    } else if later.1 < add(earlier.0) {
        Some(false)
    } else {
        None
    }
}

/// Whether the two diagnoses are more than `days` days apart (either order).
pub(crate) fn days_apart(a: &MpTumor, b: &MpTumor, days: i64) -> Option<bool> {
    let (a0, a1) = a.span();
    let (b0, b1) = b.span();
    let max_gap = (b1 - a0).num_days().abs().max((a1 - b0).num_days().abs());
    let min_gap = if a1 < b0 {
        (b0 - a1).num_days()
    } else if b1 < a0 {
        (a0 - b1).num_days()
    } else {
        0
    };
    if min_gap > days {
        Some(true)
    } else if max_gap <= days {
        Some(false)
    } else {
        None
    }
}

/// The tumor diagnosed later (the first one when the dates cannot tell), then the other.
pub(crate) fn later_first<'a>(a: &'a MpTumor, b: &'a MpTumor) -> (&'a MpTumor, &'a MpTumor) {
    if b.span().0 > a.span().0 { (b, a) } else { (a, b) }
}

/// The rules a registry counts primaries by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rules {
    /// SEER's Solid Tumor, MP/H and Hematopoietic rules (North American registries).
    Seer,
    /// The IARC/IACR 2004 rules for international reporting.
    Iarc,
}

impl Rules {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Seer => "seer",
            Self::Iarc => "iarc",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "seer" => Some(Self::Seer),
            "iarc" => Some(Self::Iarc),
            _ => None,
        }
    }
}

/// Compares two tumors of one patient under the chosen rules.
pub fn compare_by(rules: Rules, a: &MpTumor, b: &MpTumor) -> MpAnswer {
    match rules {
        Rules::Seer => compare(a, b),
        Rules::Iarc => iarc::compare(a, b),
    }
}

/// Compares two tumors of one patient under the SEER rules.
pub fn compare(a: &MpTumor, b: &MpTumor) -> MpAnswer {
    let year = a.year.max(b.year);
    let heme = |t: &MpTumor| (9590..=9993).contains(&t.histology);
    if heme(a) || heme(b) {
        if heme(a) && heme(b) {
            let found = hemato::compare(a, b, year);
            return if year < 2010 {
                before_the_rules(found, year, "the 2001 hematopoietic")
            } else {
                found
            };
        }
        let solid_one = if heme(a) { b } else { a };
        if heme(a) != heme(b) && solid::module(solid_one, year).is_some() {
            return answer(
                MpResult::Multiple,
                "",
                "",
                "A hematopoietic or lymphoid neoplasm and a solid tumor are multiple primaries.",
            );
        }
    }
    let found = solid::compare(a, b, year);
    if year < 2007 { before_the_rules(found, year, "SEER's 2004 multiple primary") } else { found }
}

/// A pair diagnosed before the earliest rules oncoreg holds is counted by those rules (its Heme DB
/// tables carry their own years), and the answer says so: the rules then in force may differ.
fn before_the_rules(mut found: MpAnswer, year: i32, then_in_force: &str) -> MpAnswer {
    found.reason = format!(
        "{} (Both tumors were diagnosed by {year}, before these rules; oncoreg holds no earlier ones, \
         and {then_in_force} rules were in force then.)",
        found.reason
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pair's answer as (result, module, step), what the step tests compare.
    pub(crate) fn step(a: MpTumor, b: MpTumor) -> (MpResult, &'static str, &'static str) {
        let x = compare(&a, &b);
        (x.result, x.module, x.step)
    }

    pub(crate) fn t(date: &str, site: &str, morph: &str, lat: &str) -> MpTumor {
        let mut d = date.split('-').map(|p| p.parse::<u32>().expect("date part"));
        let year = d.next().expect("year") as i32;
        let (h, b) = morph.split_once('/').expect("morphology");
        MpTumor::parse((year, d.next(), d.next()), site, h, b, lat).expect("tumor")
    }

    #[test]
    fn diagnoses_before_the_rules_say_so() {
        let solid = compare(
            &t("2005-03-01", "C509", "8500/3", "1"),
            &t("2006-02-01", "C509", "8500/3", "2"),
        );
        assert_eq!((solid.result, solid.step), (MpResult::Multiple, "M7"), "the 2007 rules");
        assert!(
            solid.reason.contains("2004 multiple primary rules were in force"),
            "{}",
            solid.reason
        );
        let heme = compare(
            &t("2008-03-01", "C421", "9863/3", "0"),
            &t("2009-02-01", "C421", "9861/3", "0"),
        );
        assert_eq!(heme.module, "hemato_2010_and_later", "never the solid tumor rules");
        assert!(heme.reason.contains("2001 hematopoietic rules"), "{}", heme.reason);
        let mixed = compare(
            &t("2005-03-01", "C421", "9863/3", "0"),
            &t("2006-02-01", "C509", "8500/3", "2"),
        );
        assert_eq!(mixed.result, MpResult::Multiple, "a hematopoietic and a solid tumor");
        let from_2007 = compare(
            &t("2006-03-01", "C509", "8500/3", "1"),
            &t("2007-02-01", "C509", "8500/3", "2"),
        );
        assert_eq!(from_2007.step, "M7", "the later diagnosis in 2007 picks the 2007 rules");
    }

    #[test]
    fn timing_with_partial_dates() {
        let a = t("2019-03-01", "C509", "8500/3", "1");
        assert_eq!(years_apart(&a, &t("2020-02-29", "C509", "8500/3", "1"), 1), Some(false));
        assert_eq!(years_apart(&a, &t("2020-03-01", "C509", "8500/3", "1"), 1), Some(true));
        assert_eq!(
            years_apart(&t("2020", "C509", "8500/3", "1"), &a, 1),
            None,
            "2020 may be either"
        );
        assert_eq!(years_apart(&a, &t("2022", "C509", "8500/3", "1"), 1), Some(true));
        assert_eq!(days_apart(&a, &t("2019-04-30", "C509", "8500/3", "1"), 60), Some(false));
        assert_eq!(days_apart(&a, &t("2019-05-01", "C509", "8500/3", "1"), 60), Some(true));
    }

    #[test]
    fn inputs_that_cannot_be_used_are_named() {
        let bad = |site, h, b, lat| MpTumor::parse((2020, None, None), site, h, b, lat).err();
        assert_eq!(bad("C5X4", "8500", "3", "1"), Some("primarySite"));
        assert_eq!(bad("C504", "850", "3", "1"), Some("histologicTypeIcdO3"));
        assert_eq!(bad("C504", "8500", "6", "1"), Some("behaviorCodeIcdO3"));
        assert_eq!(bad("C504", "8500", "3", "7"), Some("laterality"));
        assert_eq!(bad("C50.4", "8500", "3", "1"), None);
    }
}
