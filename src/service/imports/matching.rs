//! Matching an imported tumor to the patient's stored tumors: on the hospital sequence number
//! (confirmed by the accession number where both have one), else the central sequence number, else
//! the tumor record number.

use std::collections::HashSet;

use crate::formats::mapping::ItemMap;
use crate::formats::records::IncomingTumor;
use crate::model::TumorData;
use crate::service::naaccr_load::StoredTumor;

/// The keys a tumor of a file matches a stored tumor of the same patient on, in this order.
pub(super) const MATCH_KEYS: [&str; 3] =
    ["sequenceNumberHospital", "sequenceNumberCentral", "tumorRecordNumber"];

/// A tumor's match keys: hospital sequence number, central sequence number, tumor record number.
fn keys(doc: &TumorData, items: &ItemMap) -> [Option<String>; 3] {
    let item = |id: &str| items.get(id).filter(|v| !v.is_empty()).cloned();
    [doc.sequence_number_hospital.clone(), item("sequenceNumberCentral"), item("tumorRecordNumber")]
}

/// How an incoming tumor relates to the patient's stored tumors.
pub(super) enum Match<'s> {
    New,
    /// The stored tumor and the key it matched on (index into [`MATCH_KEYS`]).
    Stored(&'s StoredTumor, usize),
    /// The same hospital sequence number under another accession number.
    AccessionMismatch,
}

/// Matches on the first key both have, in the order of [`MATCH_KEYS`]; a stored tumor whose value
/// of an earlier key differs is another tumor. The hospital sequence number matches only when the
/// accession numbers agree (or one is missing).
pub(super) fn match_tumor<'s>(
    stored: &'s [StoredTumor],
    used: &HashSet<&str>,
    t: &IncomingTumor,
) -> Match<'s> {
    let mine = keys(&t.tumor, &t.items);
    let accession = t.tumor.accession_number_hosp.as_deref();
    let candidates: Vec<(&StoredTumor, [Option<String>; 3])> = stored
        .iter()
        .filter(|s| !used.contains(s.row.id.as_str()))
        .map(|s| (s, keys(&s.doc, &s.items)))
        .collect();
    for k in 0..MATCH_KEYS.len() {
        let Some(value) = &mine[k] else { continue };
        let mut found = candidates.iter().filter(|(_, theirs)| {
            theirs[k].as_ref() == Some(value)
                && (0..k).all(|e| mine[e].is_none() || theirs[e].is_none() || mine[e] == theirs[e])
        });
        let hit = if k == 0 {
            found.find(|(s, _)| {
                accession.is_none()
                    || s.doc.accession_number_hosp.is_none()
                    || s.doc.accession_number_hosp.as_deref() == accession
            })
        } else {
            found.next()
        };
        if let Some((s, _)) = hit {
            return Match::Stored(s, k);
        }
        let same_sequence_other_accession = k == 0
            && accession.is_some()
            && stored.iter().any(|s| {
                s.doc.sequence_number_hospital.as_ref() == Some(value)
                    && s.doc.accession_number_hosp.is_some()
            });
        if same_sequence_other_accession {
            return Match::AccessionMismatch;
        }
    }
    Match::New
}
