//! Summary Stage 2018 and grade.

use super::super::catalogue::*;
use super::*;

fn staged(site: &str, morph: &str, dx: &str, stage: Option<&str>) -> Scenario {
    let mut t = tumor(site, morph, dx);
    t.summary_stage_2018 = stage.map(|s| SummaryStage2018::parse(s).expect("stage"));
    Scenario::new(t)
}

#[test]
fn summary_stage_2018() {
    check_table(
        SUMMARY_STAGE_2018.id,
        RuleSet::Naaccr,
        vec![
            ("invasive localized", staged("C50.9", "8500/3", "2019-01-01", Some("1")), false),
            ("invasive distant", staged("C50.9", "8500/3", "2019-01-01", Some("7")), false),
            ("in situ 0", staged("C50.9", "8500/2", "2019-01-01", Some("0")), false),
            ("in situ localized", staged("C50.9", "8500/2", "2019-01-01", Some("1")), true),
            ("invasive 0", staged("C50.9", "8500/3", "2019-01-01", Some("0")), true),
            ("benign meningioma 8", staged("C70.0", "9530/0", "2019-01-01", Some("8")), false),
            ("borderline pituitary 8", staged("C75.1", "8272/1", "2019-01-01", Some("8")), false),
            ("malignant glioma 8", staged("C71.0", "9440/3", "2019-01-01", Some("8")), true),
            ("breast 8", staged("C50.9", "8500/3", "2019-01-01", Some("8")), true),
            ("benign GIST 8 outside CNS", staged("C16.9", "8936/1", "2019-01-01", Some("8")), true),
            ("before 2018", staged("C50.9", "8500/3", "2017-12-31", Some("1")), true),
            ("before 2018, blank", staged("C50.9", "8500/3", "2017-12-31", None), false),
            ("2018, blank", staged("C50.9", "8500/3", "2018-01-01", None), false),
            ("unknown 9", staged("C80.9", "8000/3", "2019-01-01", Some("9")), false),
        ],
    );
}

fn graded(
    morph: &str,
    dx: &str,
    grade: Option<&str>,
    clinical: Option<&str>,
    pathological: Option<&str>,
) -> Scenario {
    let site = if morph.starts_with('9') { "C77.2" } else { "C50.9" };
    let mut t = tumor(site, morph, dx);
    t.grade = grade.map(|g| Grade::parse(g).expect("grade"));
    t.grade_clinical = clinical.map(|g| Grade2018::parse(g).expect("grade"));
    t.grade_pathological = pathological.map(|g| Grade2018::parse(g).expect("grade"));
    Scenario::new(t)
}

#[test]
fn grade_rules() {
    check_table(
        GRADE.id,
        RuleSet::Naaccr,
        vec![
            ("2015 grade 2", graded("8500/3", "2015-01-01", Some("2"), None, None), false),
            ("2015 no grade", graded("8500/3", "2015-01-01", None, None, None), false),
            (
                "2015 B-cell lymphoma 6",
                graded("9680/3", "2015-01-01", Some("6"), None, None),
                false,
            ),
            (
                "2015 carcinoma T-cell 5",
                graded("8500/3", "2015-01-01", Some("5"), None, None),
                true,
            ),
            ("2015 carcinoma NK 8", graded("8500/3", "2015-01-01", Some("8"), None, None), true),
            (
                "2019 old grade",
                graded("8500/3", "2019-01-01", Some("2"), Some("2"), Some("2")),
                true,
            ),
            (
                "2019 clinical and pathological",
                graded("8500/3", "2019-01-01", None, Some("2"), Some("3")),
                false,
            ),
            ("2019 letters", graded("8500/3", "2019-01-01", None, Some("L"), Some("H")), false),
            ("2019 no pathological", graded("8500/3", "2019-01-01", None, Some("2"), None), true),
            ("2019 no clinical", graded("8500/3", "2019-01-01", None, None, Some("9")), true),
            ("2016 with 2018 grades", graded("8500/3", "2016-01-01", None, Some("2"), None), true),
        ],
    );
}

#[test]
fn iarc_grade_and_histology() {
    let pre = |morph: &str, grade: &str| graded(morph, "2015-01-01", Some(grade), None, None);
    check_table(
        IARC_GRADE_HISTOLOGY.id,
        RuleSet::Iarc,
        vec![
            ("undifferentiated carcinoma 4", pre("8020/3", "4"), false),
            ("undifferentiated carcinoma 1", pre("8020/3", "1"), true),
            ("well-differentiated follicular 1", pre("8331/3", "1"), false),
            ("well-differentiated follicular 3", pre("8331/3", "3"), true),
            ("NET grade 2 coded 3", pre("8249/3", "3"), true),
            ("mycosis fungoides T-cell", pre("9700/3", "5"), false),
            ("mycosis fungoides B-cell", pre("9700/3", "6"), true),
            ("DLBCL B-cell", pre("9680/3", "6"), false),
            ("DLBCL grade 3", pre("9680/3", "3"), true),
            ("NK leukemia 8", pre("9948/3", "8"), false),
            ("adenocarcinoma T-cell", pre("8500/3", "5"), true),
            ("adenocarcinoma 2", pre("8500/3", "2"), false),
            ("benign tumor graded", pre("8140/0", "1"), true),
            ("benign tumor 9", pre("8140/0", "9"), false),
        ],
    );
    // The IARC check is not part of the NAACCR set.
    assert!(!pre("8020/3", "1").has(IARC_GRADE_HISTOLOGY.id, RuleSet::Naaccr));
}
