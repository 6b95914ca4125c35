//! The registry as its letters present it: letterhead, return address and signer, and the
//! salutations letters open with. Stored once (the database) so every process renders the same.

use serde::{Deserialize, Serialize};

use crate::domain::records::{Patient, Physician};
use crate::domain::validation::Violation;

/// The placeholder telephone number of a registry that has not set its own.
pub const PLACEHOLDER_PHONE: &str = "(000) 000-0000";

/// What every letter is signed and headed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Letterhead {
    /// The registry's name, e.g. `Evergreen Cancer Registry`.
    pub name: String,
    /// Street address lines under the name.
    pub address: Vec<String>,
    /// The telephone number replies may call.
    pub phone: String,
    /// The fax number the reply form may be sent to.
    pub fax: Option<String>,
    /// Where replies go, when not the street address.
    pub return_address: Vec<String>,
    /// Who signs the letters, e.g. `Jordan Lee, CTR`.
    pub signer_name: Option<String>,
    /// The signer's title, e.g. `Cancer Registrar`.
    pub signer_title: Option<String>,
}

impl Letterhead {
    /// The address replies go to: the return address, else the street address.
    pub fn reply_address(&self) -> &[String] {
        if self.return_address.is_empty() { &self.address } else { &self.return_address }
    }

    /// What still reads as a placeholder (phone, address), for the start-up warning.
    pub fn placeholders(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.phone.trim().is_empty() || self.phone == PLACEHOLDER_PHONE {
            out.push("phone");
        }
        if self.address.is_empty() {
            out.push("address");
        }
        out
    }

    /// Checks a letterhead a registrar sends: a name and a phone, lines of printable text that fit
    /// a letter.
    pub fn validate(&self) -> Result<(), Vec<Violation>> {
        let mut errors = Vec::new();
        let line = |errors: &mut Vec<Violation>, field: &str, value: &str, required: bool| {
            let v = value.trim();
            if required && v.is_empty() {
                errors.push(Violation {
                    field: field.into(),
                    rule: "required",
                    message: format!("{field} is required on every letter"),
                });
            } else if v.chars().count() > 100 || v.chars().any(char::is_control) {
                errors.push(Violation {
                    field: field.into(),
                    rule: "text.format",
                    message: format!("{field} is one line of at most 100 printable characters"),
                });
            }
        };
        line(&mut errors, "name", &self.name, true);
        line(&mut errors, "phone", &self.phone, true);
        for (field, value) in [
            ("fax", &self.fax),
            ("signerName", &self.signer_name),
            ("signerTitle", &self.signer_title),
        ] {
            line(&mut errors, field, value.as_deref().unwrap_or(""), false);
        }
        for (field, lines) in [("address", &self.address), ("returnAddress", &self.return_address)]
        {
            if lines.len() > 5 {
                errors.push(Violation {
                    field: field.into(),
                    rule: "text.format",
                    message: format!("{field} has at most 5 lines"),
                });
            }
            for l in lines {
                line(&mut errors, field, l, false);
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// `Dear Dr. Synthetic`: the physician's family name after "Dr." (titles and degrees dropped),
/// `Dear Doctor` without a name.
pub fn salutation_for_physician(physician: Option<&Physician>) -> String {
    let name = physician.and_then(|p| p.name.as_deref()).unwrap_or("");
    let before_degree = name.split(',').next().unwrap_or("");
    // The last word that is a name: not a title or degree, not a number.
    let family = before_degree.split_whitespace().rfind(|w| {
        let w = w.trim_end_matches('.').to_ascii_lowercase();
        w.chars().any(char::is_alphabetic)
            && !matches!(w.as_str(), "dr" | "md" | "do" | "prof" | "mr" | "mrs" | "ms")
    });
    match family {
        Some(f) => format!("Dear Dr. {f}"),
        None => "Dear Doctor".into(),
    }
}

/// `Dear Mr. Melano` / `Dear Ms. Melano` from the sex assigned at birth, else the full name
/// (`Dear Alex Melano`), else `Dear Patient`.
pub fn salutation_for_patient(patient: &Patient) -> String {
    let last = patient.name_last.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let title = match patient.sex_assigned_at_birth {
        Some(s) if s.is_male() => Some("Mr."),
        Some(s) if s.is_female() => Some("Ms."),
        _ => None,
    };
    match (title, last) {
        (Some(t), Some(l)) => format!("Dear {t} {l}"),
        _ => {
            let full = [patient.name_first.as_deref(), last]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            if full.is_empty() { "Dear Patient".into() } else { format!("Dear {full}") }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doctor(name: &str) -> Physician {
        Physician { name: Some(name.into()), npi: None, address: Default::default(), email: None }
    }

    #[test]
    fn physician_salutations() {
        for (name, expected) in [
            ("Dr. Synthetic", "Dear Dr. Synthetic"),
            ("Jane Q. Synthetic, MD", "Dear Dr. Synthetic"),
            ("DR ANA DE LA CRUZ", "Dear Dr. CRUZ"),
            ("Synthetic MD", "Dear Dr. Synthetic"),
            ("Dr. Synthetic Physician 090", "Dear Dr. Physician"),
            ("", "Dear Doctor"),
        ] {
            assert_eq!(salutation_for_physician(Some(&doctor(name))), expected, "{name}");
        }
        assert_eq!(salutation_for_physician(None), "Dear Doctor");
    }

    #[test]
    fn patient_salutations() {
        let mut p = Patient {
            patient_id_number: crate::domain::identifiers::PatientIdNumber::parse("1")
                .expect("number"),
            name_last: Some("Melano".into()),
            name_first: Some("Alex".into()),
            name_middle: None,
            date_of_birth: None,
            sex_assigned_at_birth: crate::domain::codes::SexAssignedAtBirth::parse("2").ok(),
            race: Default::default(),
            spanish_hispanic_origin: None,
            ssn: None,
            current_address: Default::default(),
            phone: None,
            email: None,
            address_at_diagnosis: Default::default(),
            physician_managing: None,
            physician_follow_up: None,
            no_patient_contact_flag: None,
        };
        assert_eq!(salutation_for_patient(&p), "Dear Ms. Melano");
        p.sex_assigned_at_birth = crate::domain::codes::SexAssignedAtBirth::parse("1").ok();
        assert_eq!(salutation_for_patient(&p), "Dear Mr. Melano");
        p.sex_assigned_at_birth = crate::domain::codes::SexAssignedAtBirth::parse("9").ok();
        assert_eq!(salutation_for_patient(&p), "Dear Alex Melano");
        p.name_last = None;
        p.name_first = None;
        assert_eq!(salutation_for_patient(&p), "Dear Patient");
    }

    #[test]
    fn letterhead_checks_name_phone_and_lines() {
        let good = Letterhead {
            name: "Evergreen Cancer Registry".into(),
            address: vec!["400 Capitol Way".into()],
            phone: "206-555-0142".into(),
            fax: Some("206-555-0143".into()),
            return_address: vec![],
            signer_name: None,
            signer_title: None,
        };
        assert!(good.validate().is_ok());
        assert_eq!(good.reply_address(), &["400 Capitol Way".to_string()]);
        assert!(good.placeholders().is_empty());
        let bad = Letterhead {
            name: " ".into(),
            phone: PLACEHOLDER_PHONE.into(),
            address: vec!["a\nb".into()],
            ..good
        };
        let fields: Vec<String> =
            bad.validate().expect_err("invalid").into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["name", "address"]);
        assert_eq!(bad.placeholders(), ["phone"]);
    }
}
