//! Hematopoietic and lymphoid neoplasms (diagnoses from 2010): the steps of the Hematopoietic
//! manual that the items can decide, then the Heme DB's same-primary table (its calculator, M15).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{MpAnswer, MpResult, MpTumor, answer, days_apart, later_first};

const MODULE: &str = "hemato_2010_and_later";

/// morphology → [(related morphology, from year, to year)] of one Heme DB table.
type Table = HashMap<String, Vec<(String, Option<i32>, Option<i32>)>>;

fn load(text: &str) -> Table {
    let mut out: Table = HashMap::new();
    let mut rows = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    for row in rows.records().flatten() {
        let year = |i: usize| row.get(i).and_then(|v| v.trim().parse().ok());
        if let (Some(m), Some(other)) = (row.get(0), row.get(5)) {
            out.entry(m.to_string()).or_default().push((other.to_string(), year(3), year(4)));
        }
    }
    out
}

static SAME_PRIMARY: LazyLock<Table> =
    LazyLock::new(|| load(include_str!("data/Hematopoietic2010SamePrimaryPairs.csv")));
static TRANSFORM_TO: LazyLock<Table> =
    LazyLock::new(|| load(include_str!("data/Hematopoietic2010TransformToPairs.csv")));

/// Whether the table takes `from` to `to` for a diagnosis in `year`.
fn holds(table: &Table, from: &str, to: &str, year: i32) -> bool {
    table.get(from).is_some_and(|rows| {
        rows.iter().any(|(other, start, end)| {
            other == to && start.is_none_or(|s| s <= year) && end.is_none_or(|e| year <= e)
        })
    })
}

/// Whether the table relates `a` and `b` in either direction.
fn related(table: &Table, a: &str, b: &str, year: i32) -> bool {
    holds(table, a, b, year) || holds(table, b, a, year)
}

/// Hodgkin lymphoma (9650–9665; 9667, a grade of nodular sclerosis, is no longer coded).
fn hodgkin(t: &MpTumor) -> bool {
    (9650..=9665).contains(&t.histology)
}

/// Non-Hodgkin lymphoma, the leukemias (lymphoblastic, chronic lymphocytic) and myeloma left out.
fn non_hodgkin(t: &MpTumor) -> bool {
    matches!(t.histology, 9590..=9597 | 9670..=9729)
}

pub fn compare(a: &MpTumor, b: &MpTumor, year: i32) -> MpAnswer {
    let ok = |result, step, reason: &str| answer(result, MODULE, step, reason);
    if a.histology == b.histology && a.behavior == b.behavior {
        return ok(
            MpResult::Single,
            "M2",
            "Abstract a single primary when there is a single histology.",
        );
    }
    let elsewhere = a.site() != b.site();
    if elsewhere && ((hodgkin(a) && non_hodgkin(b)) || (hodgkin(b) && non_hodgkin(a))) {
        return ok(
            MpResult::Multiple,
            "M6",
            "Abstract as multiple primaries when Hodgkin lymphoma is diagnosed in one anatomic location and non-Hodgkin lymphoma is diagnosed in another anatomic location.",
        );
    }
    let (later, earlier) = later_first(a, b);
    let (lm, em) = (later.morphology(), earlier.morphology());
    // A chronic neoplasm transforming to an acute one: within 21 days the record needs review
    // (was the chronic one treated?), after it they are two primaries.
    if holds(&TRANSFORM_TO, &em, &lm, year) && days_apart(later, earlier, 21) == Some(true) {
        return ok(
            MpResult::Multiple,
            "M10",
            "Abstract as multiple primaries when a neoplasm is originally diagnosed as a chronic neoplasm AND there is a second diagnosis of an acute neoplasm more than 21 days after the chronic diagnosis.",
        );
    }
    // An acute neoplasm first, then the chronic one it can come from: was the acute one treated?
    if holds(&TRANSFORM_TO, &lm, &em, year) {
        return ok(
            MpResult::Questionable,
            "M12",
            "Manual review is required to check whether there is confirmation of treatment or not.",
        );
    }
    if related(&SAME_PRIMARY, &lm, &em, year) {
        return ok(
            MpResult::Single,
            "M15",
            "Use the Heme DB Multiple Primaries Calculator to determine the number of primaries for all cases that do not meet the criteria of M1-M14: the Heme DB calls these the same primary.",
        );
    }
    ok(
        MpResult::Multiple,
        "M15",
        "Use the Heme DB Multiple Primaries Calculator to determine the number of primaries for all cases that do not meet the criteria of M1-M14: the Heme DB calls these different primaries.",
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::t;
    use super::*;

    fn step(a: MpTumor, b: MpTumor) -> (MpResult, &'static str) {
        let x = super::super::compare(&a, &b);
        (x.result, x.step)
    }

    #[test]
    fn hematopoietic_steps() {
        let same =
            step(t("2021-01-05", "C421", "9732/3", "0"), t("2022-03-01", "C421", "9732/3", "0"));
        assert_eq!(same, (MpResult::Single, "M2"), "a single histology");
        let hl =
            step(t("2021-01-05", "C770", "9663/3", "0"), t("2022-03-01", "C172", "9680/3", "0"));
        assert_eq!(hl, (MpResult::Multiple, "M6"), "Hodgkin and non-Hodgkin lymphoma elsewhere");
        let richter =
            step(t("2022-04-01", "C421", "9823/3", "0"), t("2023-05-01", "C493", "9680/3", "0"));
        assert_eq!(
            richter,
            (MpResult::Multiple, "M10"),
            "chronic, then acute more than 21 days later"
        );
        let back =
            step(t("2020-09-01", "C772", "9680/3", "0"), t("2021-12-01", "C421", "9823/3", "0"));
        assert_eq!(back, (MpResult::Questionable, "M12"), "acute first, then chronic: review");
        let other =
            step(t("2019-03-01", "C421", "9732/3", "0"), t("2021-03-01", "C421", "9823/3", "0"));
        assert_eq!(other, (MpResult::Multiple, "M15"), "the Heme DB calls them different");
    }
}
