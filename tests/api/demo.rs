//! The synthetic registry loads on both backends and every record passes the edits.

use chrono::NaiveDate;
use oncoreg::demo::{DemoConfig, generate};
use oncoreg::domain::edits::RuleSet;
use serde_json::json;

use crate::both_backends;
use crate::common::TestApp;

both_backends!(demo_registry_loads_and_passes_the_edits);

async fn demo_registry_loads_and_passes_the_edits(app: &TestApp) {
    let cfg = DemoConfig {
        patients: 300,
        seed: 11,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
        rule_set: RuleSet::Naaccr,
    };
    let mut conn = app.pool.get().expect("connection");
    let report = generate(&mut conn, &cfg).expect("demo");
    assert_eq!(report.patients, 300);
    assert!(report.tumors >= 300 && report.contacts > 300, "{report:?}");
    // A second call numbers its patients after the first.
    let again =
        generate(&mut conn, &DemoConfig { patients: 10, ..cfg.clone() }).expect("demo again");
    assert_eq!(again.patients, 10);
    drop(conn);

    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map_or("/api/v1/patients?limit=500".to_string(), |c| {
            format!("/api/v1/patients?limit=500&cursor={c}")
        });
        let page = app.get(&q).await;
        seen += page.body["items"].as_array().map_or(0, Vec::len);
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, 310);
    let r = app.get("/api/v1/patients?patientIdNumber=10000001").await;
    assert_eq!(r.body["items"][0]["nameLast"].as_str().map(|n| !n.is_empty()), Some(true));
    let run = app.post("/api/v1/edits/run", &json!({})).await;
    assert_eq!(run.status, 201, "{}", run.body);
    assert_eq!(run.body["tumorsChecked"], report.tumors + again.tumors);
    assert_eq!(run.body["tumorsFailing"], 0, "{}", run.body);
}
