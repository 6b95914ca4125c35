//! Item values: cleaning them for writing and checking them after reading.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, NaiveDateTime};

use super::dictionary::{DataType, ItemDef, Padding};
use crate::domain::PartialDate;

/// A value that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("value of `{naaccr_id}` is {got} characters, at most {max} allowed")]
    TooLong { naaccr_id: String, max: usize, got: usize },
}

/// Something wrong with a value read from a file; the value is still usable as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    TooLong {
        max: usize,
        got: usize,
    },
    /// alpha/digits/mixed values must fill the item length.
    TooShort {
        expected: usize,
        got: usize,
    },
    BadDataType(DataType),
    LeadingSpace,
    TrailingSpace,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { max, got } => {
                write!(f, "value too long: at most {max} character(s), got {got}")
            }
            Self::TooShort { expected, got } => {
                write!(f, "value too short: exactly {expected} character(s), got {got}")
            }
            Self::BadDataType(t) => write!(f, "value invalid for data type '{t}'"),
            Self::LeadingSpace => f.write_str("value starts with a space"),
            Self::TrailingSpace => f.write_str("value ends with a space"),
        }
    }
}

/// Characters XML 1.0 cannot carry or that only corrupt registry data.
fn is_stripped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Cleans a value for writing: CR/CRLF → LF, control characters removed, surrounding whitespace
/// trimmed, all-digit `leftZero` values zero-padded. `Ok(None)` means "empty: do not write".
pub fn format_value<'a>(def: &ItemDef, raw: &'a str) -> Result<Option<Cow<'a, str>>, ValueError> {
    let cleaned: Cow<'a, str> = if raw.chars().any(|c| c == '\r' || is_stripped(c)) {
        let mut s = String::with_capacity(raw.len());
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' {
                // CRLF becomes one LF; a lone CR becomes LF.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                s.push('\n');
            } else if !is_stripped(c) {
                s.push(c);
            }
        }
        Cow::Owned(s)
    } else {
        Cow::Borrowed(raw)
    };
    let trimmed = match cleaned {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    };
    if trimmed.is_empty() {
        return Ok(None);
    }
    let value = pad_left_zero(def, trimmed);
    let got = char_len(&value);
    if got > def.length && !def.allow_unlimited_text {
        return Err(ValueError::TooLong { naaccr_id: def.naaccr_id.clone(), max: def.length, got });
    }
    Ok(Some(value))
}

/// Zero-pads an all-digit value of a `leftZero` item to the item length (`race1` `1` → `01`).
pub fn pad_left_zero<'a>(def: &ItemDef, value: Cow<'a, str>) -> Cow<'a, str> {
    let len = value.len(); // all-digit values are ASCII, so bytes = chars
    if def.padding == Padding::LeftZero
        && len < def.length
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
    {
        let mut s = String::with_capacity(def.length);
        s.extend(std::iter::repeat_n('0', def.length - len));
        s.push_str(&value);
        Cow::Owned(s)
    } else {
        value
    }
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().count() }
}

/// Checks a value as read (after [`pad_left_zero`]); empty means nothing wrong.
pub fn validate_value(def: &ItemDef, value: &str) -> Vec<ValueProblem> {
    let mut problems = Vec::new();
    if value.starts_with(char::is_whitespace) {
        problems.push(ValueProblem::LeadingSpace);
    }
    if value.ends_with(char::is_whitespace) {
        problems.push(ValueProblem::TrailingSpace);
    }
    let got = char_len(value);
    if got > def.length && !def.allow_unlimited_text {
        problems.push(ValueProblem::TooLong { max: def.length, got });
    } else if got < def.length
        && matches!(def.data_type, DataType::Alpha | DataType::Digits | DataType::Mixed)
    {
        problems.push(ValueProblem::TooShort { expected: def.length, got });
    }
    // Spaces are reported above; judge the type on what is between them.
    if !matches_data_type(def.data_type, value.trim()) {
        problems.push(ValueProblem::BadDataType(def.data_type));
    }
    problems
}

/// The first problem of a stored value that its item cannot hold (length, data type); surrounding
/// spaces are not one. Allocates nothing: run for every item of every record an edit reviews.
pub fn value_problem(def: &ItemDef, value: &str) -> Option<ValueProblem> {
    let got = char_len(value);
    if got > def.length && !def.allow_unlimited_text {
        return Some(ValueProblem::TooLong { max: def.length, got });
    }
    if got < def.length
        && matches!(def.data_type, DataType::Alpha | DataType::Digits | DataType::Mixed)
    {
        return Some(ValueProblem::TooShort { expected: def.length, got });
    }
    (!matches_data_type(def.data_type, value.trim()))
        .then_some(ValueProblem::BadDataType(def.data_type))
}

/// Whether a non-empty value fits a data type.
pub fn matches_data_type(data_type: DataType, v: &str) -> bool {
    let all = |f: fn(&u8) -> bool| !v.is_empty() && v.as_bytes().iter().all(f);
    match data_type {
        DataType::Text => true,
        DataType::Alpha => all(u8::is_ascii_uppercase),
        DataType::Digits => all(u8::is_ascii_digit),
        DataType::Mixed => all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        DataType::Numeric => match v.split_once('.') {
            Some((int, frac)) => is_digits(int) && is_digits(frac),
            None => is_digits(v),
        },
        DataType::Date => PartialDate::parse_naaccr(v).is_ok(),
        DataType::DateTime => is_naaccr_date_time(v),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// NAACCR `dateTime`: `YYYY[-MM[-DD[Thh:mm:ss]]][Z|±hh:mm]`.
pub fn is_naaccr_date_time(v: &str) -> bool {
    let core = if let Some(c) = v.strip_suffix('Z') {
        c
    } else if v.len() > 6 && v.is_char_boundary(v.len() - 6) {
        let (c, zone) = v.split_at(v.len() - 6);
        let z = zone.as_bytes();
        if matches!(z[0], b'+' | b'-') && z[3] == b':' && is_hh_mm(&zone[1..]) { c } else { v }
    } else {
        v
    };
    let (date, time) = match core.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (core, None),
    };
    let Ok(d) = PartialDate::parse_iso(date) else {
        return false;
    };
    match time {
        None => true,
        Some(t) => {
            d.day().is_some() && t.is_ascii() && t.len() == 8 && is_hh_mm(&t[..5]) && {
                let b = t.as_bytes();
                b[5] == b':' && is_digits(&t[6..]) && t[6..].parse::<u8>().is_ok_and(|s| s < 60)
            }
        }
    }
}

fn is_hh_mm(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 5
        && s.is_ascii()
        && b[2] == b':'
        && is_digits(&s[..2])
        && is_digits(&s[3..])
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// `xsd:dateTime` as used by `timeGenerated` (`2024-08-23T09:11:35.414-04:00`; zone optional).
pub fn is_xsd_date_time(v: &str) -> bool {
    DateTime::parse_from_rfc3339(v).is_ok()
        || (v.contains('T') && NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::naaccr::Dictionary;

    fn def(id: &str) -> &'static ItemDef {
        Dictionary::for_version("260").expect("valid in test").get(id).expect("valid in test")
    }

    #[test]
    fn format_pads_trims_and_cleans() {
        assert_eq!(
            format_value(def("race1"), " 1 ").expect("valid in test").expect("valid in test"),
            "01"
        );
        assert_eq!(
            format_value(def("primarySite"), "C509")
                .expect("valid in test")
                .expect("valid in test"),
            "C509"
        );
        assert_eq!(format_value(def("primarySite"), "   ").expect("valid in test"), None);
        let text = format_value(def("textRemarks"), "a\r\nb\rc\u{1}d\u{7f}")
            .expect("valid in test")
            .expect("valid in test");
        assert_eq!(text, "a\nb\ncd");
        // Non-digit values of leftZero items are left alone (and later fail validation).
        assert_eq!(
            format_value(def("race1"), "X").expect("valid in test").expect("valid in test"),
            "X"
        );
    }

    #[test]
    fn format_refuses_too_long() {
        let err = format_value(def("primarySite"), "C5099").expect_err("should fail");
        assert!(matches!(err, ValueError::TooLong { max: 4, got: 5, .. }));
        // Characters, not bytes.
        assert!(format_value(def("nameLast"), &"é".repeat(40)).is_ok());
    }

    #[test]
    fn validate_reports_each_problem() {
        assert!(validate_value(def("race1"), "01").is_empty());
        assert_eq!(
            validate_value(def("race1"), "1"),
            vec![ValueProblem::TooShort { expected: 2, got: 1 }]
        );
        assert_eq!(
            validate_value(def("primarySite"), "C50999"),
            vec![ValueProblem::TooLong { max: 4, got: 6 }]
        );
        assert_eq!(
            validate_value(def("race1"), "0A"),
            vec![ValueProblem::BadDataType(DataType::Digits)]
        );
        assert_eq!(
            validate_value(def("nameLast"), " X "),
            vec![ValueProblem::LeadingSpace, ValueProblem::TrailingSpace]
        );
    }

    #[test]
    fn data_types() {
        use DataType::*;
        assert!(matches_data_type(Alpha, "AB") && !matches_data_type(Alpha, "aB"));
        assert!(matches_data_type(Mixed, "A1") && !matches_data_type(Mixed, "A-1"));
        assert!(matches_data_type(Numeric, "12.5") && !matches_data_type(Numeric, "12."));
        assert!(matches_data_type(Date, "2019") && matches_data_type(Date, "201907"));
        assert!(!matches_data_type(Date, "20230231") && !matches_data_type(Date, "1799"));
        for ok in
            ["2024", "2024-02", "2024-02-29T10:11:12", "2024-02-29Z", "2024-02-29T10:11:12-04:00"]
        {
            assert!(is_naaccr_date_time(ok), "{ok}");
        }
        for bad in ["2024-02-30", "2024T10:11:12", "2024-02-29T25:00:00", "x", "2024-02-29T1:1:1"] {
            assert!(!is_naaccr_date_time(bad), "{bad}");
        }
        assert!(is_xsd_date_time("2024-08-23T09:11:35.414-04:00"));
        assert!(is_xsd_date_time("2024-08-23T09:11:35"));
        assert!(!is_xsd_date_time("yesterday"));
    }
}
