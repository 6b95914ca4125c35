//! List filters and cursor pagination.

use serde_json::json;

use crate::both_backends;
use crate::common::{TestApp, breast_tumor, patient_body};

both_backends!(filters_select_the_right_records, cursor_pages_are_stable_under_inserts);

fn ids(body: &serde_json::Value, field: &str) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i[field].as_str().map(str::to_string))
        .collect()
}

async fn filters_select_the_right_records(app: &TestApp) {
    let mut a = patient_body("1");
    a["nameLast"] = json!("Smithson");
    let pa = app.patient(&a).await;
    let mut b = patient_body("2");
    b["nameLast"] = json!("Jones");
    b["sexAssignedAtBirth"] = json!("1");
    let pb = app.patient(&b).await;

    app.tumor(&pa, &breast_tumor()).await;
    let lung = json!({"primarySite": "C34.1", "histologicTypeIcdO3": "8140", "behaviorCodeIcdO3": "3", "laterality": "1",
                      "dateOfDiagnosis": "2015-06", "sequenceNumberHospital": "00", "classOfCase": "22",
                      "reportingFacility": "0006100002"});
    app.tumor(&pb, &lung).await;
    app.post(
        &format!("/api/v1/patients/{pb}/contacts"),
        &json!({"contactDate": "2019-01-01", "vitalStatus": "0", "followUpSource": "7", "causeOfDeath": "C349"}),
    )
    .await;

    let cases = [
        ("siteFrom=C50.0&siteTo=C50.9", vec![pa.clone()]),
        ("siteFrom=C34.0&siteTo=C34.9", vec![pb.clone()]),
        ("histology=8140", vec![pb.clone()]),
        ("dxYearFrom=2020", vec![pa.clone()]),
        ("dxYearTo=2016", vec![pb.clone()]),
        ("classOfCase=22", vec![pb.clone()]),
        ("facility=0006100001", vec![pa.clone()]),
        ("vitalStatus=0", vec![pb.clone()]),
        ("vitalStatus=1", vec![pa.clone()]),
        ("name=smith", vec![pa.clone()]),
        ("name=JONES%20alp", vec![pb.clone()]),
        ("name=%25", vec![]),
        ("patientIdNumber=2", vec![pb.clone()]),
        ("histology=8140&vitalStatus=1", vec![]),
    ];
    for (query, expected) in cases {
        let r = app.get(&format!("/api/v1/patients?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        assert_eq!(ids(&r.body, "id"), expected, "patients?{query}");
    }
    let r = app.get("/api/v1/tumors?siteFrom=C34.0&siteTo=C34.9").await;
    assert_eq!(ids(&r.body, "patientId"), vec![pb.clone()]);
    let r = app.get("/api/v1/tumors?vitalStatus=1").await;
    assert_eq!(ids(&r.body, "patientId"), vec![pa.clone()]);
}

async fn cursor_pages_are_stable_under_inserts(app: &TestApp) {
    let mut created = Vec::new();
    for n in 0..5 {
        created.push(app.patient(&patient_body(&format!("{}", 1000 + n))).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/patients?limit=2&cursor={c}"),
            None => "/api/v1/patients?limit=2".to_string(),
        };
        let r = app.get(&q).await;
        assert_eq!(r.status, 200, "{}", r.body);
        seen.extend(ids(&r.body, "id"));
        pages += 1;
        if pages == 1 {
            // A patient registered while paging comes at the end, never shifting a page.
            created.push(app.patient(&patient_body("2000")).await);
        }
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, created, "every patient once, in order");
    assert_eq!(pages, 3);
}
