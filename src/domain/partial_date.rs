//! Dates as cancer registries know them: a year, a year and month, or a full date.

use std::cmp::Ordering;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::validation::RuleError;

/// A calendar date known to year, month or day precision (NAACCR type `date`).
///
/// Only valid dates can be built: years 1800–2099, months 1–12, days that exist in that month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

impl PartialDate {
    pub fn new(year: u16, month: Option<u8>, day: Option<u8>) -> Result<Self, RuleError> {
        if !(1800..=2099).contains(&year) {
            return Err(RuleError::new("date.yearRange", "the year is outside 1800–2099"));
        }
        if day.is_some() && month.is_none() {
            return Err(RuleError::new("date.format", "a day needs a month"));
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(RuleError::new("date.invalid", "the month does not exist"));
            }
            if let Some(d) = day
                && NaiveDate::from_ymd_opt(i32::from(year), u32::from(m), u32::from(d)).is_none()
            {
                return Err(RuleError::new(
                    "date.invalid",
                    "that day does not exist in that month",
                ));
            }
        }
        Ok(Self { year, month, day })
    }

    /// ISO 8601 at the precision known: `2019`, `2019-07` or `2019-07-14`.
    pub fn parse_iso(s: &str) -> Result<Self, RuleError> {
        let bad = || {
            RuleError::new("date.format", "expected an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD")
        };
        let parts: Vec<&str> = s.split('-').collect();
        let widths_ok = match parts.as_slice() {
            [y] => y.len() == 4,
            [y, m] => y.len() == 4 && m.len() == 2,
            [y, m, d] => y.len() == 4 && m.len() == 2 && d.len() == 2,
            _ => false,
        };
        if !widths_ok || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(bad());
        }
        let num = |i: usize| parts.get(i).map(|p| p.parse::<u16>().map_err(|_| bad())).transpose();
        let year = num(0)?.ok_or_else(bad)?;
        let month = num(1)?.map(|m| m as u8);
        let day = num(2)?.map(|d| d as u8);
        Self::new(year, month, day)
    }

    /// NAACCR form: `YYYY`, `YYYYMM` or `YYYYMMDD`.
    pub fn parse_naaccr(s: &str) -> Result<Self, RuleError> {
        let bad =
            || RuleError::new("date.format", "expected a NAACCR date: YYYY, YYYYMM or YYYYMMDD");
        if !matches!(s.len(), 4 | 6 | 8) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let num = |a: usize, b: usize| s.get(a..b).and_then(|p| p.parse::<u16>().ok());
        let year = num(0, 4).ok_or_else(bad)?;
        let month = if s.len() >= 6 { Some(num(4, 6).ok_or_else(bad)? as u8) } else { None };
        let day = if s.len() == 8 { Some(num(6, 8).ok_or_else(bad)? as u8) } else { None };
        Self::new(year, month, day)
    }

    pub fn from_naive(date: NaiveDate) -> Self {
        Self {
            year: date.year().clamp(1800, 2099) as u16,
            month: Some(date.month() as u8),
            day: Some(date.day() as u8),
        }
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn month(&self) -> Option<u8> {
        self.month
    }

    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// The NAACCR export form without separators.
    pub fn to_naaccr(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}{m:02}{d:02}", self.year),
            (Some(m), None) => format!("{:04}{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// Compares the components known in both dates; `None` when those are equal but one date is
    /// less precise, so the order cannot be known.
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        match self.year.cmp(&other.year) {
            Ordering::Equal => {}
            o => return Some(o),
        }
        let (Some(m1), Some(m2)) = (self.month, other.month) else {
            return (self.month.is_none() && other.month.is_none()).then_some(Ordering::Equal);
        };
        match m1.cmp(&m2) {
            Ordering::Equal => {}
            o => return Some(o),
        }
        match (self.day, other.day) {
            (Some(d1), Some(d2)) => Some(d1.cmp(&d2)),
            (None, None) => Some(Ordering::Equal),
            _ => None,
        }
    }

    /// True only when `self` is certainly earlier than `other`.
    pub fn is_before(&self, other: &Self) -> bool {
        self.compare(other) == Some(Ordering::Less)
    }

    /// True only when `self` is certainly later than `other`.
    pub fn is_after(&self, other: &Self) -> bool {
        self.compare(other) == Some(Ordering::Greater)
    }

    /// The earliest day the date can stand for (first of month or year).
    pub fn earliest(&self) -> NaiveDate {
        let m = self.month.unwrap_or(1);
        let d = self.day.unwrap_or(1);
        NaiveDate::from_ymd_opt(i32::from(self.year), u32::from(m), u32::from(d))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The latest day the date can stand for (end of month or year).
    pub fn latest(&self) -> NaiveDate {
        let y = i32::from(self.year);
        match (self.month, self.day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(y, u32::from(m), u32::from(d)),
            (Some(m), None) => {
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, u32::from(m) + 1) };
                NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt())
            }
            _ => NaiveDate::from_ymd_opt(y, 12, 31),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// Whole years from `birth` to `self`, when both are precise enough to tell.
    pub fn years_since(&self, birth: &Self) -> Option<u16> {
        let mut years = i32::from(self.year) - i32::from(birth.year);
        match (self.month, birth.month) {
            (Some(m), Some(bm)) if m < bm => years -= 1,
            (Some(m), Some(bm)) if m == bm => match (self.day, birth.day) {
                (Some(d), Some(bd)) if d < bd => years -= 1,
                (Some(_), Some(_)) => {}
                _ => return None,
            },
            (Some(_), Some(_)) => {}
            _ => return None,
        }
        u16::try_from(years).ok()
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => write!(f, "{:04}-{m:02}", self.year),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

impl std::str::FromStr for PartialDate {
    type Err = RuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_iso(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        PartialDate::parse_iso(s).expect("valid test date")
    }

    #[test]
    fn parses_each_precision_and_round_trips() {
        for s in ["2019", "2019-07", "2019-07-14", "1800-01-01", "2099-12-31"] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(d("2019-07").to_naaccr(), "201907");
        assert_eq!(PartialDate::parse_naaccr("20190714").expect("ok"), d("2019-07-14"));
        assert_eq!(PartialDate::parse_naaccr("2019").expect("ok"), d("2019"));
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for (s, rule) in [
            ("2023-02-29", "date.invalid"),
            ("2023-02-31", "date.invalid"),
            ("2019-13", "date.invalid"),
            ("2019-00", "date.invalid"),
            ("1799", "date.yearRange"),
            ("2100-01-01", "date.yearRange"),
            ("19-07-14", "date.format"),
            ("2019-7-14", "date.format"),
            ("2019/07/14", "date.format"),
            ("", "date.format"),
            ("２０１９", "date.format"),
            ("2019-07-14T00:00", "date.format"),
        ] {
            let err = PartialDate::parse_iso(s).expect_err(s);
            assert_eq!(err.rule, rule, "{s}");
        }
        assert!(PartialDate::parse_iso("2024-02-29").is_ok(), "leap day");
        assert!(PartialDate::parse_naaccr("20230231").is_err());
        assert!(PartialDate::parse_naaccr("2019071").is_err());
    }

    #[test]
    fn compares_only_what_is_known() {
        assert!(d("2019").is_before(&d("2020-01-01")));
        assert!(d("2019-06").is_before(&d("2019-07-01")));
        assert_eq!(d("2019").compare(&d("2019-07")), None);
        assert_eq!(d("2019-07").compare(&d("2019-07-14")), None);
        assert!(!d("2019-07").is_before(&d("2019-07-14")));
        assert!(!d("2019-07").is_after(&d("2019-07-14")));
        assert_eq!(d("2019-07-14").compare(&d("2019-07-14")), Some(Ordering::Equal));
    }

    #[test]
    fn spans_and_ages() {
        assert_eq!(d("2024-02").latest(), NaiveDate::from_ymd_opt(2024, 2, 29).expect("date"));
        assert_eq!(d("2023-12").latest(), NaiveDate::from_ymd_opt(2023, 12, 31).expect("date"));
        assert_eq!(d("2019").earliest(), NaiveDate::from_ymd_opt(2019, 1, 1).expect("date"));
        assert_eq!(d("2020-03-01").years_since(&d("1950-03-02")), Some(69));
        assert_eq!(d("2020-03-02").years_since(&d("1950-03-02")), Some(70));
        assert_eq!(d("2020-04").years_since(&d("1950-03-02")), Some(70));
        assert_eq!(d("2020-03").years_since(&d("1950-03-02")), None);
        assert_eq!(d("2020").years_since(&d("1950-03-02")), None);
    }
}
