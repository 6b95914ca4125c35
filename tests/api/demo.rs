//! The synthetic registry loads on both backends and every record passes the edits; the batch
//! readers (edits run, export) cover registries larger than one read batch, in order.

use chrono::NaiveDate;
use oncoreg::demo::{DemoConfig, generate};
use oncoreg::domain::edits::RuleSet;
use oncoreg::formats::naaccr_read::NaaccrXmlReader;
use serde_json::json;

use crate::both_backends;
use crate::common::TestApp;

both_backends!(demo_registry_loads_and_passes_the_edits);

async fn demo_registry_loads_and_passes_the_edits(app: &TestApp) {
    let cfg = DemoConfig {
        patients: 2100,
        seed: 11,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).expect("date"),
        rule_set: RuleSet::Naaccr,
    };
    let mut conn = app.pool.get().expect("connection");
    let report = generate(&mut conn, &cfg).expect("demo");
    assert_eq!(report.patients, 2100);
    assert!(report.tumors >= 2100 && report.contacts > 2100, "{report:?}");
    // A second call numbers its patients after the first.
    let again =
        generate(&mut conn, &DemoConfig { patients: 10, ..cfg.clone() }).expect("demo again");
    assert_eq!(again.patients, 10);
    drop(conn);

    let mut numbers: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map_or("/api/v1/patients?limit=500".to_string(), |c| {
            format!("/api/v1/patients?limit=500&cursor={c}")
        });
        let page = app.get(&q).await;
        for p in page.body["items"].as_array().into_iter().flatten() {
            numbers.push(p["patientIdNumber"].as_str().unwrap_or_default().to_string());
        }
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(numbers.len(), 2110);
    let r = app.get("/api/v1/patients?patientIdNumber=10000001").await;
    assert_eq!(r.body["items"][0]["nameLast"].as_str().map(|n| !n.is_empty()), Some(true));
    let run = app.post("/api/v1/edits/run", &json!({})).await;
    assert_eq!(run.status, 201, "{}", run.body);
    assert_eq!(run.body["tumorsChecked"], report.tumors + again.tumors);
    assert_eq!(run.body["tumorsFailing"], 0, "{}", run.body);

    // The export spans three read batches and writes every patient once, in stored order.
    let batch = app
        .post(
            "/api/v1/submissions",
            &json!({"recordType": "I", "naaccrVersion": "260", "includeFailing": true}),
        )
        .await;
    assert_eq!(batch.status, 201, "{}", batch.body);
    assert_eq!(batch.body["tumorCount"], report.tumors + again.tumors);
    let id = batch.body["id"].as_str().expect("id");
    let file = app
        .client
        .get(app.url(&format!("/api/v1/submissions/{id}/file")))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("file");
    let reader = NaaccrXmlReader::new(std::io::Cursor::new(file.to_vec())).expect("readable");
    let exported: Vec<String> = reader
        .map(|p| {
            let p = p.expect("no fatal problem").into_items();
            let number = p.items.iter().find(|(k, _)| k == "patientIdNumber");
            number.map(|(_, v)| v.clone()).unwrap_or_default()
        })
        .collect();
    assert_eq!(exported, numbers);
}
