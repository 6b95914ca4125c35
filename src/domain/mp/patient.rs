//! A patient's tumors grouped into primaries: each tumor compared with every other, taken in order
//! of diagnosis, a tumor the rules call the same primary as an earlier one joins that primary, and
//! each primary takes the sequence number of its place in its series (00 or 60 when it is the
//! patient's only one).

use super::{MpAnswer, MpResult, MpTumor, Rules, compare_by};

/// Where one tumor stands among the patient's primaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The earlier tumor (input index) the rules call the same primary, with their answer.
    pub same_as: Option<(usize, MpAnswer)>,
    /// The sequence number its primary takes: 00 (60) for the patient's only in situ or malignant
    /// (non-malignant) primary, else 01, 02 … (61, 62 …) in order of diagnosis.
    pub suggested_sequence: u8,
    /// Primaries of its series diagnosed before it for certain and separate from it for certain:
    /// its sequence number cannot be lower than this plus one.
    pub earlier_primaries: usize,
}

/// Every pair's answer and every tumor's placement, in input order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Primaries {
    /// (i, j, answer) for each pair of input indexes, i < j.
    pub pairs: Vec<(usize, usize, MpAnswer)>,
    pub placements: Vec<Placement>,
}

/// In situ and malignant tumors are numbered 00–59, the others 60–88.
fn series_base(t: &MpTumor) -> u8 {
    if t.behavior >= 2 { 0 } else { 60 }
}

/// Groups a patient's tumors into primaries under `rules`.
pub fn primaries(tumors: &[MpTumor], rules: Rules) -> Primaries {
    let n = tumors.len();
    let mut pairs = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            pairs.push((i, j, compare_by(rules, &tumors[i], &tumors[j])));
        }
    }
    let answer = |i: usize, j: usize| -> &MpAnswer {
        let (lo, hi) = if i < j { (i, j) } else { (j, i) };
        // Pairs are stored row by row: row lo starts after lo rows of decreasing length.
        let at = lo * (2 * n - lo - 1) / 2 + (hi - lo - 1);
        &pairs[at].2
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (tumors[i].span(), i));
    let mut root: Vec<usize> = (0..n).collect();
    let mut same_as: Vec<Option<(usize, MpAnswer)>> = vec![None; n];
    for (pos, &i) in order.iter().enumerate() {
        if let Some(&j) = order[..pos].iter().find(|&&j| answer(i, j).result == MpResult::Single) {
            root[i] = root[j];
            same_as[i] = Some((j, answer(i, j).clone()));
        }
    }
    let roots: Vec<usize> = order.iter().copied().filter(|&i| root[i] == i).collect();
    let mut sequence = vec![0u8; n];
    for base in [0u8, 60] {
        let series: Vec<usize> =
            roots.iter().copied().filter(|&r| series_base(&tumors[r]) == base).collect();
        let cap = if base == 0 { 59 } else { 87 };
        for (rank, &r) in series.iter().enumerate() {
            sequence[r] =
                if series.len() == 1 { base } else { (base as usize + rank + 1).min(cap) as u8 };
        }
    }
    let placements = (0..n)
        .map(|i| {
            let t = &tumors[i];
            // A lower bound: earlier primaries the rules call separate from this tumor and from
            // each other (a questionable pair might be one primary, so it counts once).
            let mut counted: Vec<usize> = Vec::new();
            for &r in &roots {
                let certain = r != root[i]
                    && series_base(&tumors[r]) == series_base(t)
                    && tumors[r].span().1 < t.span().0
                    && answer(i, r).result == MpResult::Multiple
                    && counted.iter().all(|&c| answer(c, r).result == MpResult::Multiple);
                if certain {
                    counted.push(r);
                }
            }
            let earlier_primaries = counted.len();
            Placement {
                same_as: same_as[i].clone(),
                suggested_sequence: sequence[root[i]],
                earlier_primaries,
            }
        })
        .collect();
    Primaries { pairs, placements }
}

#[cfg(test)]
mod tests {
    use super::super::tests::t;
    use super::*;

    #[test]
    fn tumors_are_numbered_by_primary_in_order_of_diagnosis() {
        // Given out of order: a lung tumor, a breast tumor, and the breast tumor again.
        let tumors = [
            t("2021-06-01", "C341", "8140/3", "1"),
            t("2019-02-01", "C504", "8500/3", "2"),
            t("2019-03-01", "C504", "8500/3", "2"),
        ];
        let p = primaries(&tumors, Rules::Seer);
        assert_eq!(p.pairs.len(), 3);
        assert_eq!(p.placements[1].suggested_sequence, 1);
        assert_eq!(p.placements[1].same_as, None);
        let (same, why) = p.placements[2].same_as.clone().expect("same primary");
        assert_eq!((same, why.result), (1, MpResult::Single));
        assert_eq!(p.placements[2].suggested_sequence, 1, "the breast primary's number");
        assert_eq!(p.placements[0].suggested_sequence, 2);
        assert_eq!(p.placements[0].earlier_primaries, 1);
        assert_eq!(p.placements[1].earlier_primaries, 0);
    }

    #[test]
    fn an_only_primary_takes_00_and_a_benign_series_is_numbered_apart() {
        let one = [t("2020", "C504", "8500/3", "1")];
        assert_eq!(primaries(&one, Rules::Seer).placements[0].suggested_sequence, 0);
        let two = [t("2020-01-05", "C504", "8500/3", "1"), t("2021-04-02", "C700", "9530/0", "0")];
        let p = primaries(&two, Rules::Seer);
        assert_eq!(p.placements[0].suggested_sequence, 0);
        assert_eq!(p.placements[1].suggested_sequence, 60);
    }

    #[test]
    fn the_rule_set_decides() {
        // Two colon adenocarcinomas ten years apart: two primaries for SEER (timing), one for IARC.
        let tumors =
            [t("2008-01-10", "C182", "8140/3", "0"), t("2018-05-02", "C187", "8140/3", "0")];
        let seer = primaries(&tumors, Rules::Seer);
        assert_eq!(seer.placements[1].suggested_sequence, 2);
        let iarc = primaries(&tumors, Rules::Iarc);
        assert_eq!(iarc.placements[1].suggested_sequence, 0);
        assert!(iarc.placements[1].same_as.is_some());
    }
}
