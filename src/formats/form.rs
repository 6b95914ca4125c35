//! A patient's export form: every NAACCR item its records offer, before a dictionary is chosen,
//! and per tumor what an export filters on and records (id, version, diagnosis date, facility,
//! error-level edit findings). Kept beside the patient so that an export reads one value per
//! patient instead of reading, parsing, validating and checking each of its documents.
//!
//! Encoded with postcard: compact, and decoding borrows the values from the stored bytes. A form
//! carries the release that wrote it; another release's form is recomputed, never trusted (the
//! mapping or the edits may have changed).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::records::{self, Item, PatientRecord};

/// The release and layout a stored form must carry to be used. Bump the layout number with any
/// change to these types, to [`Item`] or to what `records::collect` puts in a form.
pub const STAMP: &str = concat!("oncoreg ", env!("CARGO_PKG_VERSION"), " export form 2");

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportForm<'a> {
    #[serde(borrow)]
    pub stamp: Cow<'a, str>,
    #[serde(borrow)]
    pub patient: Vec<Item<'a>>,
    /// In tumor id order.
    #[serde(borrow)]
    pub tumors: Vec<TumorForm<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TumorForm<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    pub version: i32,
    /// ISO date of diagnosis; empty when unknown.
    #[serde(borrow)]
    pub date_of_diagnosis: Cow<'a, str>,
    /// Empty when none.
    #[serde(borrow)]
    pub reporting_facility: Cow<'a, str>,
    #[serde(borrow)]
    pub items: Vec<Item<'a>>,
    /// Error-level edit findings that keep the tumor out of a file.
    #[serde(borrow)]
    pub failing: Vec<Finding<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding<'a> {
    #[serde(borrow)]
    pub edit_id: Cow<'a, str>,
    #[serde(borrow)]
    pub message: Cow<'a, str>,
}

/// What a form needs of a stored tumor beside its record.
pub struct TumorKey<'a> {
    pub id: &'a str,
    pub version: i32,
    pub failing: Vec<Finding<'a>>,
}

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("the stored export form does not decode: {0}")]
    Decode(#[from] postcard::Error),
    #[error("the stored export form was written by another release")]
    Stale,
}

impl<'a> ExportForm<'a> {
    /// The form of `rec`, whose tumors are `keys` (same order).
    pub fn of(rec: &'a PatientRecord, keys: Vec<TumorKey<'a>>) -> Self {
        let items = records::collect(rec);
        let mut tumors: Vec<TumorForm<'a>> = rec
            .tumors
            .iter()
            .zip(items.tumors)
            .zip(keys)
            .map(|((t, items), key)| TumorForm {
                id: Cow::Borrowed(key.id),
                version: key.version,
                date_of_diagnosis: Cow::Borrowed(
                    t.tumor.date_of_diagnosis.as_deref().unwrap_or(""),
                ),
                reporting_facility: Cow::Borrowed(
                    t.tumor.reporting_facility.as_deref().unwrap_or(""),
                ),
                items,
                failing: key.failing,
            })
            .collect();
        tumors.sort_by(|a, b| a.id.cmp(&b.id));
        Self { stamp: Cow::Borrowed(STAMP), patient: items.patient, tumors }
    }

    /// Whether every tumor passes the error-level edits. A failure can clear with time (a date
    /// that was in the future), so a failing form is used only on the day it was checked.
    pub fn passes(&self) -> bool {
        self.tumors.iter().all(|t| t.failing.is_empty())
    }

    pub fn encode(&self) -> Vec<u8> {
        // Serializing into a Vec cannot fail; sized for a typical patient to avoid regrowing.
        postcard::to_extend(self, Vec::with_capacity(2048)).unwrap_or_default()
    }

    /// Decodes a stored form, borrowing its values.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, FormError> {
        let form: Self = postcard::from_bytes(bytes)?;
        if form.stamp != STAMP {
            return Err(FormError::Stale);
        }
        Ok(form)
    }
}

// `is_current` reads the stamp's length as a one-byte varint.
const _: () = assert!(STAMP.len() < 128);

/// Whether stored bytes were written by this release (checked without decoding the rest).
pub fn is_current(bytes: &[u8]) -> bool {
    // postcard writes a string as its length (a varint: one byte below 128) and its bytes.
    bytes.first() == Some(&(STAMP.len() as u8)) && bytes[1..].starts_with(STAMP.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::records::TumorRecord;
    use crate::model::{PatientData, TumorData};

    fn record() -> PatientRecord {
        let tumor = |site: &str, dx: &str| TumorRecord {
            tumor: TumorData {
                primary_site: Some(site.into()),
                date_of_diagnosis: Some(dx.into()),
                reporting_facility: Some("0006540000".into()),
                ..TumorData::default()
            },
            items: [("cs1".to_owned(), "quote \" back\\slash, tab\t and é".to_owned())]
                .into_iter()
                .collect(),
            ..TumorRecord::default()
        };
        PatientRecord {
            patient: PatientData {
                patient_id_number: Some("00000001".into()),
                ..PatientData::default()
            },
            tumors: vec![tumor("C509", "2021-04-02"), tumor("C187", "2022")],
            ..PatientRecord::default()
        }
    }

    #[test]
    fn a_form_survives_encoding_and_orders_its_tumors_by_id() {
        let rec = record();
        let keys = vec![
            TumorKey { id: "t2", version: 3, failing: vec![] },
            TumorKey {
                id: "t1",
                version: 1,
                failing: vec![Finding { edit_id: "E1".into(), message: "bad".into() }],
            },
        ];
        let form = ExportForm::of(&rec, keys);
        assert_eq!(form.tumors[0].id, "t1");
        assert_eq!(form.tumors[0].date_of_diagnosis, "2022");
        assert_eq!(form.tumors[1].version, 3);
        assert!(!form.passes());
        let bytes = form.encode();
        assert!(is_current(&bytes));
        let back = ExportForm::decode(&bytes).expect("decodes");
        assert_eq!(back, form);
        let cs1 = back.tumors[1].items.iter().find(|i| i.id.name() == "cs1").expect("item map");
        assert!(matches!(cs1.value, Cow::Borrowed(_)), "values are borrowed from the bytes");
    }

    #[test]
    fn another_release_or_damaged_bytes_are_not_used() {
        let rec = record();
        let mut form = ExportForm::of(&rec, vec![]);
        form.stamp = Cow::Borrowed("oncoreg 0.0.0 export form 1");
        let old = form.encode();
        assert!(!is_current(&old));
        assert!(matches!(ExportForm::decode(&old), Err(FormError::Stale)));
        let current = ExportForm::of(&rec, vec![]).encode();
        assert!(ExportForm::decode(&current[..current.len() / 2]).is_err());
        assert!(!is_current(&[]));
    }
}
