//! Identifiers and free-text items with NAACCR shapes: patient id number, SSN, NPI, facility, postal items.

use std::fmt;

use super::validation::RuleError;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Patient ID Number (#20): up to eight digits, stored zero-padded to eight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatientIdNumber(String);

impl PatientIdNumber {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let raw = raw.trim();
        if !all_digits(raw) || raw.len() > 8 {
            return Err(RuleError::new("code.format", "a patient id number is 1 to 8 digits"));
        }
        Ok(Self(format!("{raw:0>8}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PatientIdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Social Security Number (#2320): nine digits; 999999999 means unknown.
#[derive(Clone, PartialEq, Eq)]
pub struct Ssn(String);

impl Ssn {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let digits: String = raw.trim().chars().filter(|c| *c != '-').collect();
        if digits.len() != 9 || !all_digits(&digits) {
            // Never echo the value: an SSN must not appear in an error message.
            return Err(RuleError::new("code.format", "a social security number is nine digits"));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, what a search may ask for; none for 999999999 (unknown).
    pub fn last_four(&self) -> Option<&str> {
        (self.0 != "999999999").then(|| &self.0[5..])
    }
}

/// An SSN as lists and ordinary reads show it: the last four digits only (`***-**-6789`), what a
/// registrar needs to tell patients apart. Also for a stored value that is not nine digits.
pub fn mask_ssn(stored: &str) -> String {
    let digits: Vec<char> = stored.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        n if n >= 4 => format!("***-**-{}", digits[n - 4..].iter().collect::<String>()),
        _ => "***-**-****".to_string(),
    }
}

/// The last four digits of a masked SSN as [`mask_ssn`] writes it (dashes optional), if `raw` is
/// one: a client that sends back what it read keeps the stored number.
pub fn masked_ssn_last_four(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    let last = raw.get(raw.len().checked_sub(4)?..)?;
    let head: String = raw[..raw.len() - 4].chars().filter(|c| *c != '-').collect();
    (head == "*****" && all_digits(last)).then_some(last)
}

impl fmt::Debug for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ssn(***)")
    }
}

/// National Provider Identifier: ten digits with the Luhn check digit over the `80840` prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Npi(String);

impl Npi {
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        let raw = raw.trim();
        if raw.len() != 10 || !all_digits(raw) {
            return Err(RuleError::new("code.format", "an NPI is ten digits"));
        }
        let digits: Vec<u32> = format!("80840{raw}").bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 1 {
                    let x = d * 2;
                    if x > 9 { x - 9 } else { x }
                } else {
                    *d
                }
            })
            .sum();
        if !sum.is_multiple_of(10) {
            return Err(RuleError::new("code.checkDigit", "the NPI check digit does not match"));
        }
        Ok(Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text with a NAACCR length limit; blank becomes absent, control characters are refused.
pub fn text(raw: &str, max: usize) -> Result<String, RuleError> {
    let t = raw.trim();
    // The limit holds for the text as sent: the contract's maxLength counts it whole.
    if raw.chars().count() > max {
        return Err(RuleError::new("text.tooLong", format!("at most {max} characters")));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(RuleError::new("text.control", "control characters are not allowed"));
    }
    Ok(t.to_string())
}

/// Digits of an exact length (county FIPS code, accession number, NAACCR digit items).
pub fn digits(raw: &str, min: usize, max: usize) -> Result<String, RuleError> {
    let t = raw.trim();
    if !all_digits(t) || t.len() < min || t.len() > max {
        let n = if min == max { format!("{min}") } else { format!("{min} to {max}") };
        return Err(RuleError::new("code.format", format!("expected {n} digits")));
    }
    Ok(t.to_string())
}

/// A two-letter state or province code (upper case).
pub fn state(raw: &str) -> Result<String, RuleError> {
    let t = raw.trim();
    if t.len() != 2 || !t.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(RuleError::new("code.format", "a state is two upper-case letters, e.g. WA"));
    }
    Ok(t.to_string())
}

/// A US ZIP code (5 or 9 digits) or a Canadian/foreign postal code of up to 9 letters and digits.
pub fn postal_code(raw: &str) -> Result<String, RuleError> {
    let t: String = raw.trim().chars().filter(|c| *c != '-' && *c != ' ').collect();
    if t.is_empty() || t.len() > 9 || !t.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(RuleError::new("code.format", "a postal code is up to 9 letters and digits"));
    }
    Ok(t.to_ascii_uppercase())
}

/// An e-mail address: one `@`, a dot in the domain, no spaces.
pub fn email(raw: &str) -> Result<String, RuleError> {
    let t = raw.trim();
    let ok = t.len() <= 254
        && !t.contains(char::is_whitespace)
        && t.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if ok {
        Ok(t.to_string())
    } else {
        Err(RuleError::new("email.format", "not an e-mail address"))
    }
}

/// A phone number: digits with optional `+ - ( ) .` and spaces, 7 to 15 digits.
pub fn phone(raw: &str) -> Result<String, RuleError> {
    let t = raw.trim();
    let n = t.bytes().filter(u8::is_ascii_digit).count();
    let chars_ok = t.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if chars_ok && (7..=15).contains(&n) {
        Ok(t.to_string())
    } else {
        Err(RuleError::new("phone.format", "a phone number has 7 to 15 digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patient_id_number_is_zero_padded() {
        assert_eq!(PatientIdNumber::parse("123").expect("valid").as_str(), "00000123");
        assert!(PatientIdNumber::parse("123456789").is_err());
        assert!(PatientIdNumber::parse("12a").is_err());
        assert!(PatientIdNumber::parse("").is_err());
    }

    #[test]
    fn text_counts_its_limit_on_the_text_as_sent() {
        assert_eq!(text("Smith ", 6).expect("fits"), "Smith");
        assert_eq!(text(" Smith", 5).expect_err("six as sent").rule, "text.tooLong");
    }

    #[test]
    fn npi_check_digit() {
        assert!(Npi::parse("1234567893").is_ok());
        assert_eq!(Npi::parse("1234567890").expect_err("bad check").rule, "code.checkDigit");
        assert!(Npi::parse("123456789").is_err());
    }

    #[test]
    fn ssn_never_echoed() {
        let err = Ssn::parse("12345").expect_err("short");
        assert!(!err.message.contains("12345"));
        assert_eq!(Ssn::parse("123-45-6789").expect("valid").as_str(), "123456789");
        assert_eq!(format!("{:?}", Ssn::parse("123456789").expect("valid")), "Ssn(***)");
        assert_eq!(mask_ssn("123456789"), "***-**-6789");
        assert_eq!(mask_ssn("12"), "***-**-****");
        assert_eq!(masked_ssn_last_four("***-**-6789"), Some("6789"));
        assert_eq!(masked_ssn_last_four("*****6789"), Some("6789"));
        assert_eq!(masked_ssn_last_four("123-45-6789"), None);
        assert_eq!(masked_ssn_last_four("6789"), None);
    }

    #[test]
    fn small_formats() {
        assert!(email("a@b.org").is_ok());
        for bad in ["a@b", "@b.org", "a b@c.org", "a@b.org.", "a@@b.org"] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(phone("(206) 555-0100").is_ok());
        assert!(phone("555").is_err());
        assert_eq!(postal_code("98101-1234").expect("valid"), "981011234");
        assert!(state("wa").is_err());
        assert!(text("abc", 2).is_err());
        assert!(text("a\u{0}b", 10).is_err());
        assert_eq!(digits("001", 3, 3).expect("valid"), "001");
        assert!(digits("01", 3, 3).is_err());
    }
}
