use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use super::{opt, opt_text, req, s};
use crate::domain::codes::{NoPatientContactFlag, Race, SexAssignedAtBirth, SpanishHispanicOrigin};
use crate::domain::identifiers::{self as ids, Npi, PatientIdNumber, Ssn};
use crate::domain::records::{Address, AddressAtDiagnosis, Patient, Physician};
use crate::domain::validation::{Violation, Violations};

/// A physician who manages or follows the patient; receives follow-up letters.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhysicianData {
    #[schema(example = "Dr. Ada Synthetic")]
    pub name: Option<String>,
    /// National Provider Identifier, 10 digits with check digit.
    #[schema(example = "1234567893")]
    #[schema(pattern = "^[0-9]{10}$")]
    pub npi: Option<String>,
    #[schema(max_length = 60)]
    pub street: Option<String>,
    #[schema(max_length = 50)]
    pub city: Option<String>,
    #[schema(pattern = "^[A-Z]{2}$")]
    pub state: Option<String>,
    #[schema(pattern = "^[A-Za-z0-9]{1,9}$")]
    pub postal_code: Option<String>,
    pub email: Option<String>,
}

/// A patient as written by a client and stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatientData {
    /// Record id (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Incremented on every update; send it back in `If-Match` (read-only).
    #[schema(read_only, value_type = i32)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[schema(read_only, value_type = String, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[schema(read_only, value_type = String, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// NAACCR #1750, derived from the contact history (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_last_contact: Option<String>,
    /// NAACCR #1760, derived from the contact history: 0 dead, 1 alive (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vital_status: Option<String>,
    /// The patient's own edit findings (read-only), refreshed on every write of its records.
    #[schema(read_only)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<super::EditFindingData>>,
    /// `clean`, `warnings` or `errors` over the patient's own findings and its tumors' (read-only).
    #[schema(read_only, pattern = "^(clean|warnings|errors)$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_status: Option<String>,
    /// NAACCR #20: up to 8 digits, stored zero-padded.
    #[schema(example = "00012345")]
    #[schema(value_type = String, required = true, pattern = "^[0-9]{1,8}$")]
    pub patient_id_number: Option<String>,
    /// NAACCR #2230.
    #[schema(max_length = 40)]
    pub name_last: Option<String>,
    /// NAACCR #2240.
    #[schema(max_length = 40)]
    pub name_first: Option<String>,
    /// NAACCR #2250.
    #[schema(max_length = 40)]
    pub name_middle: Option<String>,
    /// NAACCR #240, ISO 8601 at the precision known.
    #[schema(example = "1956-03")]
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub date_of_birth: Option<String>,
    /// NAACCR #225: 1 male, 2 female, 9 unknown.
    #[schema(example = "2")]
    #[schema(pattern = "^[129]$")]
    pub sex_assigned_at_birth: Option<String>,
    /// NAACCR #160–#164, two digits.
    #[schema(example = "01")]
    #[schema(pattern = "^(0[1-8]|1[0-7]|2[0-2]|2[5-8]|3[0-2]|88|9[6-9])$")]
    pub race1: Option<String>,
    #[schema(pattern = "^(0[1-8]|1[0-7]|2[0-2]|2[5-8]|3[0-2]|88|9[6-9])$")]
    pub race2: Option<String>,
    #[schema(pattern = "^(0[1-8]|1[0-7]|2[0-2]|2[5-8]|3[0-2]|88|9[6-9])$")]
    pub race3: Option<String>,
    #[schema(pattern = "^(0[1-8]|1[0-7]|2[0-2]|2[5-8]|3[0-2]|88|9[6-9])$")]
    pub race4: Option<String>,
    #[schema(pattern = "^(0[1-8]|1[0-7]|2[0-2]|2[5-8]|3[0-2]|88|9[6-9])$")]
    pub race5: Option<String>,
    /// NAACCR #190.
    #[schema(pattern = "^[0-9]$")]
    pub spanish_hispanic_origin: Option<String>,
    /// NAACCR #2320, nine digits. Answers show it masked (`***-**-6789`) unless a registrar asks
    /// for it (`?reveal=socialSecurityNumber`); sending the masked value back keeps the stored one.
    #[schema(pattern = "^([0-9]{3}|\\*{3})-?([0-9]{2}|\\*{2})-?[0-9]{4}$")]
    pub social_security_number: Option<String>,
    #[schema(max_length = 60)]
    pub addr_current_no_street: Option<String>,
    #[schema(max_length = 50)]
    pub addr_current_city: Option<String>,
    #[schema(pattern = "^[A-Z]{2}$")]
    pub addr_current_state: Option<String>,
    #[schema(pattern = "^[A-Za-z0-9]{1,9}$")]
    pub addr_current_postal_code: Option<String>,
    #[schema(max_length = 3)]
    pub addr_current_country: Option<String>,
    /// NAACCR #2360.
    #[schema(pattern = "^[0-9]{7,15}$")]
    pub telephone: Option<String>,
    pub email: Option<String>,
    #[schema(max_length = 50)]
    pub addr_at_dx_city: Option<String>,
    #[schema(pattern = "^[A-Z]{2}$")]
    pub addr_at_dx_state: Option<String>,
    #[schema(pattern = "^[A-Za-z0-9]{1,9}$")]
    pub addr_at_dx_postal_code: Option<String>,
    /// NAACCR #90, county FIPS code.
    #[schema(pattern = "^[0-9]{3}$")]
    pub county_at_dx: Option<String>,
    pub physician_managing: Option<PhysicianData>,
    pub physician_follow_up: Option<PhysicianData>,
    /// Every other NAACCR item the newest dictionary places on a patient, by NAACCR XML id
    /// (alias, birthplace, current county, text …); checked as the tumor's `items` are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<BTreeMap<String, String>>,
    /// NAACCR #1854: 0 may be contacted, 1 may NOT be contacted; left out when not known.
    #[schema(pattern = "^[01]$")]
    pub no_patient_contact_flag: Option<String>,
}

impl PhysicianData {
    fn to_domain(&self, v: &mut Violations, field: &str) -> Physician {
        let f = |name: &str| format!("{field}.{name}");
        Physician {
            name: opt_text(v, &f("name"), &self.name, 60),
            npi: opt(v, &f("npi"), &self.npi, Npi::parse),
            address: Address {
                street: opt_text(v, &f("street"), &self.street, 60),
                city: opt_text(v, &f("city"), &self.city, 50),
                state: opt(v, &f("state"), &self.state, ids::state),
                postal_code: opt(v, &f("postalCode"), &self.postal_code, ids::postal_code),
                country: None,
            },
            email: opt(v, &f("email"), &self.email, ids::email),
        }
    }

    fn from_domain(p: &Physician) -> Self {
        Self {
            name: p.name.clone(),
            npi: p.npi.as_ref().map(|n| n.as_str().to_string()),
            street: p.address.street.clone(),
            city: p.address.city.clone(),
            state: p.address.state.clone(),
            postal_code: p.address.postal_code.clone(),
            email: p.email.clone(),
        }
    }
}

impl PatientData {
    pub fn to_domain(&self) -> Result<Patient, Vec<Violation>> {
        let mut v = Violations::new();
        let id = req(&mut v, "patientIdNumber", &self.patient_id_number, PatientIdNumber::parse);
        let name_last = opt_text(&mut v, "nameLast", &self.name_last, 40);
        let name_first = opt_text(&mut v, "nameFirst", &self.name_first, 40);
        let name_middle = opt_text(&mut v, "nameMiddle", &self.name_middle, 40);
        let dob = opt(&mut v, "dateOfBirth", &self.date_of_birth, super::date);
        let sex = opt(
            &mut v,
            "sexAssignedAtBirth",
            &self.sex_assigned_at_birth,
            SexAssignedAtBirth::parse,
        );
        let race = [
            opt(&mut v, "race1", &self.race1, Race::parse),
            opt(&mut v, "race2", &self.race2, Race::parse),
            opt(&mut v, "race3", &self.race3, Race::parse),
            opt(&mut v, "race4", &self.race4, Race::parse),
            opt(&mut v, "race5", &self.race5, Race::parse),
        ];
        let origin = opt(
            &mut v,
            "spanishHispanicOrigin",
            &self.spanish_hispanic_origin,
            SpanishHispanicOrigin::parse,
        );
        let ssn = opt(&mut v, "socialSecurityNumber", &self.social_security_number, Ssn::parse);
        let current_address = Address {
            street: opt_text(&mut v, "addrCurrentNoStreet", &self.addr_current_no_street, 60),
            city: opt_text(&mut v, "addrCurrentCity", &self.addr_current_city, 50),
            state: opt(&mut v, "addrCurrentState", &self.addr_current_state, ids::state),
            postal_code: opt(
                &mut v,
                "addrCurrentPostalCode",
                &self.addr_current_postal_code,
                ids::postal_code,
            ),
            country: opt_text(&mut v, "addrCurrentCountry", &self.addr_current_country, 3),
        };
        let phone = opt(&mut v, "telephone", &self.telephone, ids::phone);
        let email = opt(&mut v, "email", &self.email, ids::email);
        let address_at_diagnosis = AddressAtDiagnosis {
            city: opt_text(&mut v, "addrAtDxCity", &self.addr_at_dx_city, 50),
            state: opt(&mut v, "addrAtDxState", &self.addr_at_dx_state, ids::state),
            postal_code: opt(
                &mut v,
                "addrAtDxPostalCode",
                &self.addr_at_dx_postal_code,
                ids::postal_code,
            ),
            county: opt(&mut v, "countyAtDx", &self.county_at_dx, |r| ids::digits(r, 3, 3)),
        };
        let physician_managing =
            self.physician_managing.as_ref().map(|p| p.to_domain(&mut v, "physicianManaging"));
        let physician_follow_up =
            self.physician_follow_up.as_ref().map(|p| p.to_domain(&mut v, "physicianFollowUp"));
        let no_contact = opt(
            &mut v,
            "noPatientContactFlag",
            &self.no_patient_contact_flag,
            NoPatientContactFlag::parse,
        );
        let errors = v.into_vec();
        match id {
            Some(patient_id_number) if errors.is_empty() => Ok(Patient {
                patient_id_number,
                name_last,
                name_first,
                name_middle,
                date_of_birth: dob,
                sex_assigned_at_birth: sex,
                race,
                spanish_hispanic_origin: origin,
                ssn,
                current_address,
                phone,
                email,
                address_at_diagnosis,
                physician_managing,
                physician_follow_up,
                no_patient_contact_flag: no_contact,
            }),
            _ => Err(errors),
        }
    }

    pub fn from_domain(p: &Patient) -> Self {
        Self {
            patient_id_number: Some(p.patient_id_number.to_string()),
            name_last: p.name_last.clone(),
            name_first: p.name_first.clone(),
            name_middle: p.name_middle.clone(),
            date_of_birth: s(&p.date_of_birth),
            sex_assigned_at_birth: s(&p.sex_assigned_at_birth),
            race1: s(&p.race[0]),
            race2: s(&p.race[1]),
            race3: s(&p.race[2]),
            race4: s(&p.race[3]),
            race5: s(&p.race[4]),
            spanish_hispanic_origin: s(&p.spanish_hispanic_origin),
            social_security_number: p.ssn.as_ref().map(|x| x.as_str().to_string()),
            addr_current_no_street: p.current_address.street.clone(),
            addr_current_city: p.current_address.city.clone(),
            addr_current_state: p.current_address.state.clone(),
            addr_current_postal_code: p.current_address.postal_code.clone(),
            addr_current_country: p.current_address.country.clone(),
            telephone: p.phone.clone(),
            email: p.email.clone(),
            addr_at_dx_city: p.address_at_diagnosis.city.clone(),
            addr_at_dx_state: p.address_at_diagnosis.state.clone(),
            addr_at_dx_postal_code: p.address_at_diagnosis.postal_code.clone(),
            county_at_dx: p.address_at_diagnosis.county.clone(),
            physician_managing: p.physician_managing.as_ref().map(PhysicianData::from_domain),
            physician_follow_up: p.physician_follow_up.as_ref().map(PhysicianData::from_domain),
            no_patient_contact_flag: s(&p.no_patient_contact_flag),
            ..Self::default()
        }
    }
}

/// Finds patients by name, birth date, patient id number or the last four digits of the SSN; every
/// criterion given must match. Sent in the body, so none of it lands in a URL or an access log.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatientSearchRequest {
    /// The start of the name, `Last` or `Last, First` (any case).
    #[schema(max_length = 80)]
    pub name: Option<String>,
    /// A birth date or its start: `1956-03-14`, `1956-03` or `1956`.
    #[schema(pattern = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
    pub date_of_birth: Option<String>,
    #[schema(max_length = 20)]
    pub patient_id_number: Option<String>,
    /// The last four digits of the social security number.
    #[schema(pattern = "^[0-9]{4}$")]
    pub ssn_last_four: Option<String>,
    /// `nextCursor` of the previous page.
    #[schema(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[schema(minimum = 1, maximum = 500)]
    #[serde(default, deserialize_with = "whole_number")]
    pub limit: Option<u32>,
}

/// A page size as JSON may write a whole number (`50` or `50.0`, as JSON Schema's `integer` allows).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX))
            .map(|f| f as u64)
    });
    whole
        .and_then(|w| u32::try_from(w).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom("limit is a whole number from 1 to 500"))
}

/// A patient a search found, in words (never the SSN).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatientMatch {
    pub id: String,
    /// `0` dead, `1` alive.
    pub vital_status: String,
    pub patient: super::WorklistPatient,
    /// The patient resource.
    pub href: String,
}
