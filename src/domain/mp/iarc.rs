//! The IARC/IACR rules for multiple primary cancers (2004), for registries that report by them:
//! one tumour per organ or pair of organs (Table 1 joins some topography categories into one
//! organ), except that systemic cancers are counted once in a person (rule 4.1) and tumours of
//! different histological groups (Table 2) are separate primaries (rule 4.2). Time plays no part.
//!
//! Written from "International rules for multiple primary cancers (ICD-O third edition)",
//! IARC/IACR/ENCR working group, Lyon 2004 (IARC Internal Report 2004/02).

use super::{MpAnswer, MpResult, MpTumor, answer};

use MpResult::{Multiple, Questionable, Single};

pub const MODULE: &str = "iarc_iacr_2004";

/// Table 1: topography categories counted as one organ, keyed by the category that stands for
/// the group. Every other category is an organ of its own.
fn organ(category: u8) -> u8 {
    match category {
        1 | 2 => 2,
        0 | 3..=6 => 6,
        9 | 10 | 12..=14 => 14,
        19 | 20 => 20,
        23 | 24 => 24,
        33 | 34 => 34,
        40 | 41 => 41,
        65..=68 => 68,
        c => c,
    }
}

/// A Table 2 group: its number, its name and its histology ranges.
type Group = (u8, &'static str, &'static [(u16, u16)]);

/// Table 2: the histological groups, by their numbers in the table.
const GROUPS: &[Group] = &[
    (1, "squamous carcinomas", &[(8051, 8084), (8120, 8131)]),
    (2, "basal cell carcinomas", &[(8090, 8110)]),
    (
        3,
        "adenocarcinomas",
        &[
            (8140, 8149),
            (8160, 8162),
            (8190, 8221),
            (8260, 8337),
            (8350, 8551),
            (8570, 8576),
            (8940, 8941),
        ],
    ),
    (
        4,
        "other specific carcinomas",
        &[
            (8030, 8046),
            (8150, 8157),
            (8170, 8180),
            (8230, 8255),
            (8340, 8347),
            (8560, 8562),
            (8580, 8671),
        ],
    ),
    (5, "unspecified carcinomas", &[(8010, 8015), (8020, 8022), (8050, 8050)]),
    (
        6,
        "sarcomas and soft tissue tumours",
        &[
            (8680, 8713),
            (8800, 8921),
            (8990, 8991),
            (9040, 9044),
            (9120, 9125),
            (9130, 9136),
            (9141, 9252),
            (9370, 9373),
            (9540, 9582),
        ],
    ),
    (
        7,
        "other specified types of cancer",
        &[
            (8720, 8790),
            (8930, 8936),
            (8950, 8983),
            (9000, 9030),
            (9060, 9110),
            (9260, 9365),
            (9380, 9539),
        ],
    ),
    (
        8,
        "myeloid neoplasms",
        &[
            (9840, 9840),
            (9861, 9931),
            (9945, 9946),
            (9950, 9950),
            (9961, 9964),
            (9980, 9987),
            // ICD-O-3.1 and later myeloid codes the 2004 table predates.
            (9991, 9993),
        ],
    ),
    (
        9,
        "B-cell neoplasms",
        &[
            (9670, 9699),
            (9728, 9728),
            (9731, 9734),
            (9761, 9767),
            (9769, 9769),
            (9823, 9826),
            (9833, 9833),
            (9836, 9836),
            (9940, 9940),
        ],
    ),
    (
        10,
        "T-cell and NK-cell neoplasms",
        &[
            (9700, 9719),
            (9729, 9729),
            (9768, 9768),
            (9827, 9831),
            (9834, 9834),
            (9837, 9837),
            (9948, 9948),
        ],
    ),
    (11, "Hodgkin lymphomas", &[(9650, 9667)]),
    (12, "mast-cell tumours", &[(9740, 9742)]),
    (13, "neoplasms of histiocytes and accessory lymphoid cells", &[(9750, 9758)]),
    (
        14,
        "unspecified haematopoietic neoplasms",
        &[
            (9590, 9591),
            (9596, 9596),
            (9727, 9727),
            (9760, 9760),
            (9800, 9801),
            (9805, 9805),
            (9820, 9820),
            (9832, 9832),
            (9835, 9835),
            (9860, 9860),
            (9960, 9960),
            (9970, 9970),
            (9975, 9975),
            (9989, 9989),
        ],
    ),
    (15, "Kaposi sarcoma", &[(9140, 9140)]),
    (16, "mesotheliomas", &[(9050, 9055)]),
    (17, "unspecified types of cancer", &[(8000, 8005)]),
];

/// The Table 2 group of a histology and its name; `None` for a code the table does not list.
fn group(histology: u16) -> Option<(u8, &'static str)> {
    GROUPS
        .iter()
        .find(|(_, _, ranges)| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&histology)))
        .map(|(n, name, _)| (*n, *name))
}

fn haematopoietic(group: u8) -> bool {
    (8..=14).contains(&group)
}

/// Whether one group is the unspecified form of the other (rule 4.2: the tumour with the specific
/// histology stands for both).
fn unspecified_of(unspecified: u8, specific: u8) -> bool {
    match unspecified {
        5 => (1..=4).contains(&specific),
        14 => (8..=13).contains(&specific),
        17 => specific != 17,
        _ => false,
    }
}

/// Compares two tumours of one person under the IARC/IACR rules.
pub fn compare(a: &MpTumor, b: &MpTumor) -> MpAnswer {
    if a.behavior != 3 || b.behavior != 3 {
        return answer(
            Questionable,
            MODULE,
            "",
            "The IARC/IACR rules count malignant (behaviour 3) neoplasms only; an in situ or \
             non-malignant tumour is counted by the registry's own rules: review the pair.",
        );
    }
    let (ga, gb) = (group(a.histology), group(b.histology));
    let same_group = match (ga, gb) {
        (Some((x, _)), Some((y, _))) => x == y,
        _ => a.histology == b.histology,
    };
    let group_words = |g: Option<(u8, &str)>, h: u16| match g {
        Some((n, name)) => format!("{name} (group {n})"),
        None => format!("histology {h}, which Table 2 does not group"),
    };
    let systemic = |g: Option<(u8, &str)>| g.is_some_and(|(n, _)| haematopoietic(n) || n == 15);
    if systemic(ga) && systemic(gb) {
        if same_group {
            return answer(
                Single,
                MODULE,
                "Rule 4.1",
                format!(
                    "Systemic cancers are counted once in a person, whatever their sites: both are \
                     {}.",
                    group_words(ga, a.histology)
                ),
            );
        }
        if let (Some((x, _)), Some((y, _))) = (ga, gb)
            && (unspecified_of(x, y) || unspecified_of(y, x))
        {
            return answer(
                Single,
                MODULE,
                "Rule 4.2",
                "An unspecified haematopoietic neoplasm (group 14) and a specific one are one \
                 primary, registered with the specific histology.",
            );
        }
        return answer(
            Multiple,
            MODULE,
            "Rule 4.2",
            format!(
                "Neoplasms of different histological groups are separate primaries: {} and {}.",
                group_words(ga, a.histology),
                group_words(gb, b.histology)
            ),
        );
    }
    if organ(a.category) != organ(b.category) {
        return answer(
            Multiple,
            MODULE,
            "Rule 3",
            format!(
                "Tumours of different organs are separate primaries: {} and {} are not one organ \
                 in Table 1.",
                a.site_code(),
                b.site_code()
            ),
        );
    }
    if same_group {
        return answer(
            Single,
            MODULE,
            "Rule 3",
            format!(
                "Only one tumour is counted in an organ or pair of organs, whatever the time between \
                 them: both are {} of {}.",
                group_words(ga, a.histology),
                if a.category == b.category {
                    format!("C{:02}", a.category)
                } else {
                    format!("the Table 1 organ of C{:02} and C{:02}", a.category, b.category)
                }
            ),
        );
    }
    if let (Some((x, _)), Some((y, _))) = (ga, gb)
        && (unspecified_of(x, y) || unspecified_of(y, x))
    {
        return answer(
            Single,
            MODULE,
            "Rule 4.2",
            format!(
                "An unspecified histology and a specific one in the same organ are one primary, \
                 registered with the specific histology: {} and {}.",
                group_words(ga, a.histology),
                group_words(gb, b.histology)
            ),
        );
    }
    answer(
        Multiple,
        MODULE,
        "Rule 4.2",
        format!(
            "Neoplasms of different histological groups are separate primaries, even in one organ: \
             {} and {}.",
            group_words(ga, a.histology),
            group_words(gb, b.histology)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::t;
    use super::*;

    fn result(a: MpTumor, b: MpTumor) -> (MpResult, &'static str) {
        let x = compare(&a, &b);
        let y = compare(&b, &a);
        assert_eq!(x.result, y.result, "order must not matter: {x} / {y}");
        (x.result, x.step)
    }

    #[test]
    fn one_tumour_per_organ_whatever_the_time() {
        // Two adenocarcinomas of the colon ten years apart: one primary.
        let a = t("2005-02-01", "C182", "8140/3", "0");
        let b = t("2015-06-01", "C187", "8140/3", "0");
        assert_eq!(result(a, b), (Single, "Rule 3"));
        // Left and right breast: a pair of organs.
        let l = t("2019-01-01", "C504", "8500/3", "2");
        let r = t("2021-01-01", "C502", "8520/3", "1");
        assert_eq!(result(l, r), (Single, "Rule 3"));
        // Rectosigmoid and rectum are one organ in Table 1; so are trachea and lung.
        let rs = t("2020", "C199", "8140/3", "0");
        assert_eq!(result(rs, t("2022", "C209", "8140/3", "0")), (Single, "Rule 3"));
        let trachea = t("2020", "C339", "8070/3", "0");
        assert_eq!(result(trachea, t("2020", "C341", "8071/3", "1")), (Single, "Rule 3"));
        // Bladder and renal pelvis: one urinary organ.
        let bladder = t("2020", "C679", "8120/3", "0");
        assert_eq!(result(bladder, t("2023", "C659", "8130/3", "1")), (Single, "Rule 3"));
    }

    #[test]
    fn different_organs_are_separate() {
        let lung = t("2020", "C341", "8140/3", "1");
        let stomach = t("2020", "C169", "8140/3", "0");
        assert_eq!(result(lung, stomach), (Multiple, "Rule 3"));
        // Kidney is not in the urinary group of Table 1.
        let kidney = t("2020", "C649", "8312/3", "1");
        assert_eq!(result(kidney, t("2020", "C679", "8120/3", "0")), (Multiple, "Rule 3"));
    }

    #[test]
    fn different_histological_groups_are_separate_even_in_one_organ() {
        let squamous = t("2020-03-01", "C341", "8070/3", "1");
        let adeno = t("2020-03-01", "C343", "8140/3", "1");
        assert_eq!(result(squamous, adeno), (Multiple, "Rule 4.2"));
        // Skin: a basal cell and a squamous carcinoma; a melanoma and a basal cell carcinoma.
        let basal = t("2020", "C443", "8090/3", "0");
        assert_eq!(result(basal, t("2021", "C445", "8070/3", "0")), (Multiple, "Rule 4.2"));
        assert_eq!(result(basal, t("2021", "C445", "8720/3", "0")), (Multiple, "Rule 4.2"));
        // Two basal cell carcinomas anywhere on the skin: the first one counts.
        assert_eq!(result(basal, t("2024", "C447", "8091/3", "0")), (Single, "Rule 3"));
    }

    #[test]
    fn unspecified_histology_joins_the_specific_one() {
        let nos = t("2020", "C504", "8010/3", "1");
        let duct = t("2020", "C504", "8500/3", "1");
        assert_eq!(result(nos, duct), (Single, "Rule 4.2"));
        let cancer_nos = t("2020", "C169", "8000/3", "0");
        assert_eq!(result(cancer_nos, t("2020", "C169", "8890/3", "0")), (Single, "Rule 4.2"));
        // A carcinoma NOS does not stand for a sarcoma.
        assert_eq!(result(nos, t("2020", "C504", "9120/3", "1")), (Multiple, "Rule 4.2"));
    }

    #[test]
    fn systemic_cancers_count_once_in_a_person() {
        let dlbcl_node = t("2015", "C772", "9680/3", "0");
        let follicular_stomach = t("2020", "C169", "9690/3", "0");
        assert_eq!(result(dlbcl_node, follicular_stomach), (Single, "Rule 4.1"));
        let hodgkin = t("2020", "C779", "9650/3", "0");
        assert_eq!(result(dlbcl_node, hodgkin), (Multiple, "Rule 4.2"));
        let lymphoma_nos = t("2021", "C779", "9590/3", "0");
        assert_eq!(result(hodgkin, lymphoma_nos), (Single, "Rule 4.2"));
        let kaposi_skin = t("2019", "C445", "9140/3", "0");
        assert_eq!(result(kaposi_skin, t("2020", "C160", "9140/3", "0")), (Single, "Rule 4.1"));
        // A lymphoma and a carcinoma of the same organ.
        let gastric = t("2020", "C169", "8140/3", "0");
        assert_eq!(result(follicular_stomach, gastric), (Multiple, "Rule 4.2"));
    }

    #[test]
    fn in_situ_tumours_are_outside_the_rules() {
        let insitu = t("2020", "C504", "8500/2", "1");
        assert_eq!(result(insitu, t("2021", "C504", "8500/3", "1")).0, Questionable);
    }
}
