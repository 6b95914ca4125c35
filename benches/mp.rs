//! Benchmark (not a timed test): multiple-primary pair comparisons per second in the domain, on one
//! core, over the 5,000 reference pairs (tests/data/mp_pairs.csv) compared again and again.
//!
//!     cargo bench --bench mp
//!     BENCH_ROUNDS=400 cargo bench --bench mp

use std::hint::black_box;
use std::time::Instant;

use oncoreg::domain::mp::{MpTumor, compare};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn tumor(r: &csv::StringRecord, k: usize) -> MpTumor {
    let n = |i: usize| r.get(k + i).unwrap_or("").trim().to_string();
    let part = |i: usize| n(i).parse::<u32>().ok();
    let year = n(0).parse().expect("year");
    MpTumor::parse((year, part(1), part(2)), &n(3), &n(4), &n(5), &n(6)).expect("tumor")
}

fn main() {
    let rounds: usize =
        std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mp_pairs.csv");
    let mut reader = csv::Reader::from_path(path).expect("pairs");
    let pairs: Vec<(MpTumor, MpTumor)> =
        reader.records().map(|r| r.expect("row")).map(|r| (tumor(&r, 0), tumor(&r, 7))).collect();
    // Warm the lazily loaded tables.
    for (a, b) in &pairs {
        black_box(compare(a, b));
    }
    let started = Instant::now();
    let mut multiple = 0usize;
    for _ in 0..rounds {
        for (a, b) in &pairs {
            if black_box(compare(black_box(a), black_box(b))).result
                == oncoreg::domain::mp::MpResult::Multiple
            {
                multiple += 1;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let n = rounds * pairs.len();
    println!(
        "{n} comparisons in {secs:.2} s: {:.0} pairs/s on one core ({multiple} multiple)",
        n as f64 / secs
    );
}
