//! Date order, last contact, treatment codes and dates, vital status and cause of death.

use super::super::catalogue::*;
use super::*;

fn breast_at(dx: &str) -> Scenario {
    Scenario::new(tumor("C50.9", "8500/3", dx))
}

#[test]
fn date_order() {
    check_table(
        DATE_ORDER.id,
        RuleSet::Both,
        vec![
            ("plain", breast_at("2019-03-04"), false),
            (
                "diagnosis before birth",
                breast_at("2019-03-04").with(|s| s.patient = patient("2", Some("2020-01-01"))),
                true,
            ),
            ("diagnosis in the future", breast_at("2025-07-01"), true),
            ("diagnosis this month", breast_at("2025-06"), false),
            (
                "treatment after diagnosis",
                breast_at("2019-03-04").with(|s| {
                    s.treatments.push(treatment(Modality::Surgery, "40", Some("2019-03-20")))
                }),
                false,
            ),
            (
                "treatment before diagnosis",
                breast_at("2019-03-04").with(|s| {
                    s.treatments.push(treatment(Modality::Surgery, "40", Some("2019-02-20")))
                }),
                true,
            ),
            (
                "treatment after death",
                breast_at("2019-03-04").with(|s| {
                    s.treatments.push(treatment(Modality::Chemotherapy, "03", Some("2020-05-01")));
                    s.contacts.push(contact("2020-01-10", true, Some("C509")));
                }),
                true,
            ),
            (
                "diagnosis after death",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2018-12-01", true, Some("C509")))),
                true,
            ),
            (
                "death after diagnosis",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2021-12-01", true, Some("C509")))),
                false,
            ),
            (
                "partial dates that may agree",
                breast_at("2019").with(|s| {
                    s.treatments.push(treatment(Modality::Surgery, "40", Some("2019-01-15")))
                }),
                false,
            ),
        ],
    );
    // The treatment conflict is reported once, on the treatment.
    let findings = breast_at("2019-03-04")
        .with(|s| s.treatments.push(treatment(Modality::Surgery, "40", Some("2019-02-20"))))
        .run(RuleSet::Naaccr);
    let order: Vec<_> = findings.iter().filter(|f| f.edit_id == DATE_ORDER.id).collect();
    assert_eq!(order.len(), 1, "{order:#?}");
    assert_eq!(order[0].fields, vec!["rxDateSurgery"]);
    assert_eq!(order[0].message, "The treatment start date is before the date of diagnosis");
}

#[test]
fn last_contact_and_diagnosis() {
    check_table(
        DLC_DX.id,
        RuleSet::Both,
        vec![
            ("no contacts", breast_at("2019-03-04"), false),
            (
                "contact after diagnosis",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2024-01-01", false, None))),
                false,
            ),
            (
                "all contacts before diagnosis",
                breast_at("2019-03-04").with(|s| {
                    s.contacts.push(contact("2018-01-01", false, None));
                    s.contacts.push(contact("2019-01-01", false, None));
                }),
                true,
            ),
            (
                "latest contact after diagnosis",
                breast_at("2019-03-04").with(|s| {
                    s.contacts.push(contact("2018-01-01", false, None));
                    s.contacts.push(contact("2023-01-01", false, None));
                }),
                false,
            ),
            (
                "contact in the future",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2026-01-01", false, None))),
                true,
            ),
        ],
    );
}

fn treated(dx: &str, modality: Modality, code: &str, start: Option<&str>) -> Scenario {
    breast_at(dx).with(|s| s.treatments.push(treatment(modality, code, start)))
}

#[test]
fn treatment_codes_and_dates() {
    check_table(
        TREATMENT_DATES.id,
        RuleSet::Naaccr,
        vec![
            (
                "chemo given with date",
                treated("2019-03-04", Modality::Chemotherapy, "03", Some("2019-04-01")),
                false,
            ),
            (
                "chemo given without date",
                treated("2019-03-04", Modality::Chemotherapy, "02", None),
                true,
            ),
            (
                "chemo refused without date",
                treated("2019-03-04", Modality::Chemotherapy, "87", None),
                false,
            ),
            (
                "chemo refused with date",
                treated("2019-03-04", Modality::Chemotherapy, "87", Some("2019-04-01")),
                true,
            ),
            (
                "radiation beam without date",
                treated("2019-03-04", Modality::Radiation, "1", None),
                true,
            ),
            ("no radiation", treated("2019-03-04", Modality::Radiation, "0", None), false),
            ("surgery without date", treated("2019-03-04", Modality::Surgery, "40", None), true),
            ("no surgery", treated("2019-03-04", Modality::Surgery, "00", None), false),
            (
                "hormone given",
                treated("2019-03-04", Modality::Hormone, "01", Some("2019-05-01")),
                false,
            ),
            (
                "transplant given without date",
                treated("2019-03-04", Modality::TransplantEndocrine, "20", None),
                true,
            ),
        ],
    );
}

#[test]
fn surgery_code_for_year_and_site() {
    check_table(
        SURGERY_CODE.id,
        RuleSet::Naaccr,
        vec![
            (
                "2-digit in 2019",
                treated("2019-03-04", Modality::Surgery, "40", Some("2019-03-20")),
                false,
            ),
            (
                "2-digit in 2023",
                treated("2023-03-04", Modality::Surgery, "40", Some("2023-03-20")),
                true,
            ),
            (
                "4-char in 2023",
                treated("2023-03-04", Modality::Surgery, "A400", Some("2023-03-20")),
                false,
            ),
            (
                "4-char in 2021",
                treated("2021-03-04", Modality::Surgery, "A400", Some("2021-03-20")),
                true,
            ),
            ("98 at breast", treated("2019-03-04", Modality::Surgery, "98", None), true),
            (
                "98 at unknown primary",
                Scenario::new(tumor("C80.9", "8000/3", "2019-01-01"))
                    .with(|s| s.treatments.push(treatment(Modality::Surgery, "98", None))),
                false,
            ),
            (
                "98 for leukemia",
                Scenario::new(tumor("C42.1", "9861/3", "2019-01-01"))
                    .with(|s| s.treatments.push(treatment(Modality::Surgery, "98", None))),
                false,
            ),
            (
                "chemo in 2023",
                treated("2023-03-04", Modality::Chemotherapy, "03", Some("2023-03-20")),
                false,
            ),
        ],
    );
}

#[test]
fn vital_status_and_cause_of_death() {
    check_table(
        VITAL_STATUS_COD.id,
        RuleSet::Both,
        vec![
            ("no contacts", breast_at("2019-03-04"), false),
            (
                "alive, no cause",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2024-01-01", false, None))),
                false,
            ),
            (
                "dead with cause",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2024-01-01", true, Some("C509")))),
                false,
            ),
            (
                "dead, no certificate",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2024-01-01", true, Some("7777")))),
                false,
            ),
            (
                "dead without cause",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2024-01-01", true, None))),
                true,
            ),
            (
                "alive with cause",
                breast_at("2019-03-04")
                    .with(|s| s.contacts.push(contact("2024-01-01", false, Some("I219")))),
                true,
            ),
        ],
    );
}
