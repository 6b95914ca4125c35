//! The NAACCR items of a patient or tumor that have no typed field (tumor size, nodes, AJCC TNM,
//! site-specific data items, EOD, treatment details, text …), as a client writes them: checked
//! against the newest dictionary and the item's code list, stored in the record's item map.

use std::collections::BTreeMap;

use super::{Result, ServiceError};
use crate::domain::naaccr::lookups::code_list;
use crate::domain::naaccr::{Dictionary, Level, value_problem};
use crate::domain::validation::Violation;
use crate::formats::mapping::{self, ItemMap};

fn violation(id: &str, rule: &'static str, message: String) -> Violation {
    Violation { field: format!("items.{id}"), rule, message }
}

/// Checks one value a client gives for item `id` at `level`; the message names the item and what
/// it takes, never the value.
fn check(level: Level, id: &str, value: &str) -> Option<Violation> {
    let dict = Dictionary::newest().ok()?;
    let Some(def) = dict.get(id) else {
        return Some(violation(
            id,
            "item.unknown",
            format!("{id} is not a NAACCR v{} item", dict.version),
        ));
    };
    let what = format!("{} (#{})", def.name, def.number);
    if def.level != level {
        let on = if def.level == Level::Tumor { "a tumor" } else { "the patient" };
        return Some(violation(id, "item.level", format!("{what} is recorded on {on}")));
    }
    if mapping::holds_field(level, id) {
        let message =
            match mapping::patient_field(id).map(|_| ()).or(mapping::tumor_field(id).map(|_| ())) {
                Some(()) => format!("{what} has a field of its own: set {id} there"),
                None => format!(
                    "{what} is derived from the treatments and follow-up contacts: record those"
                ),
            };
        return Some(violation(id, "item.typed", message));
    }
    if let Some(p) = value_problem(def, value) {
        return Some(violation(id, "item.value", format!("{what}: {p}")));
    }
    match code_list(id) {
        Some(list) if !list.contains(value) => Some(violation(
            id,
            "code.unknown",
            format!("not a code of {what}; allowed: {}", list.describe()),
        )),
        _ => None,
    }
}

/// The item map a write stores: `given` replaces `stored`. Values equal to the stored ones pass
/// as they are (values kept from a file, items of older versions); every other value must be one
/// its item can hold. Blank values are left out.
pub(super) fn accept(
    level: Level,
    given: &BTreeMap<String, String>,
    stored: &ItemMap,
) -> Result<ItemMap> {
    let mut out = ItemMap::new();
    let mut errors = Vec::new();
    for (id, value) in given {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if stored.get(id).map(String::as_str) != Some(value)
            && let Some(v) = check(level, id, value)
        {
            errors.push(v);
            continue;
        }
        out.insert(id.clone(), value.to_owned());
    }
    if errors.is_empty() { Ok(out) } else { Err(ServiceError::Invalid(errors)) }
}

/// The item map a write stores: the given map checked against the stored one, or the stored one
/// when the client sent none. A value kept as read for a typed field goes once the field is set.
pub(super) fn for_write(
    level: Level,
    given: Option<&BTreeMap<String, String>>,
    stored: &ItemMap,
    typed_set: impl Fn(&str) -> bool,
) -> Result<ItemMap> {
    let mut items = match given {
        Some(g) => accept(level, g, stored)?,
        None => stored.clone(),
    };
    items.retain(|id, _| !(mapping::holds_field(level, id) && typed_set(id)));
    Ok(items)
}

/// An item map as stored: `None` when empty.
pub(super) fn doc(items: &ItemMap) -> Result<Option<String>> {
    if items.is_empty() { Ok(None) } else { super::to_doc(items).map(Some) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn rules(r: Result<ItemMap>) -> Vec<(String, &'static str)> {
        match r {
            Err(ServiceError::Invalid(v)) => v.into_iter().map(|v| (v.field, v.rule)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn items_are_checked_against_the_dictionary_and_code_lists() {
        let ok = accept(
            Level::Tumor,
            &given(&[
                ("tumorSizeSummary", "015"),
                ("tnmClinT", "c2"),
                ("regionalNodesPositive", ""),
            ]),
            &ItemMap::new(),
        )
        .expect("valid");
        assert_eq!(ok.len(), 2, "blank values are left out");
        let bad = accept(
            Level::Tumor,
            &given(&[
                ("tumorSizeSummary", "15"),
                ("tnmClinT", "cQ"),
                ("primarySite", "C504"),
                ("nameLast", "Roe"),
                ("noSuchItem", "1"),
                ("rxSummChemo", "01"),
            ]),
            &ItemMap::new(),
        );
        let got = rules(bad);
        for want in [
            ("items.tumorSizeSummary", "item.value"),
            ("items.tnmClinT", "code.unknown"),
            ("items.primarySite", "item.typed"),
            ("items.nameLast", "item.level"),
            ("items.noSuchItem", "item.unknown"),
            ("items.rxSummChemo", "item.typed"),
        ] {
            assert!(got.iter().any(|(f, r)| f == want.0 && *r == want.1), "{want:?} in {got:?}");
        }
    }

    #[test]
    fn stored_values_pass_unchanged() {
        let stored: ItemMap =
            [("primarySite".to_string(), "C999".to_string()), ("nameMaiden".into(), "Roe".into())]
                .into_iter()
                .collect();
        let kept = accept(
            Level::Tumor,
            &given(&[("primarySite", "C999"), ("nameMaiden", "Roe")]),
            &stored,
        )
        .expect("what the registry holds goes back as it is");
        assert_eq!(kept, stored);
        assert!(accept(Level::Tumor, &given(&[("primarySite", "C998")]), &stored).is_err());
    }
}
