//! The multiple-primary calculator over HTTP: answers with the rule path, names each bad item.

use serde_json::json;

use crate::common::TestApp;

fn tumor(date: &str, site: &str, hist: &str, beh: &str, lat: &str) -> serde_json::Value {
    json!({"dateOfDiagnosis": date, "primarySite": site, "histologicTypeIcdO3": hist,
           "behaviorCodeIcdO3": beh, "laterality": lat})
}

async fn the_calculator_answers_with_the_rule_path(app: &TestApp) {
    let both_breasts = json!({
        "tumor1": tumor("2021-03-15", "C50.4", "8500", "3", "1"),
        "tumor2": tumor("2021-06", "C504", "8500", "3", "2"),
    });
    let r = app.post("/api/v1/mp/compare", &both_breasts).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["result"], "multiple");
    assert_eq!(r.body["module"], "str_2018_and_later_breast");
    assert_eq!(r.body["step"], "M7");
    assert!(r.body["reason"].as_str().unwrap_or("").contains("both sides"), "{}", r.body);

    let prostate = json!({
        "tumor1": tumor("2023-03-18", "C619", "8140", "3", "0"),
        "tumor2": tumor("2015", "C61.9", "8140", "3", "0"),
    });
    let r = app.post("/api/v1/mp/compare", &prostate).await;
    assert_eq!(
        (r.body["result"].as_str(), r.body["step"].as_str()),
        (Some("single"), Some("M3")),
        "{}",
        r.body
    );
    assert_eq!(
        r.body["module"], "str_2023_and_later_other_sites",
        "the later diagnosis picks the rules"
    );

    let unknown_side = json!({
        "tumor1": tumor("2021-03-15", "C504", "8500", "3", "9"),
        "tumor2": tumor("2021-06-01", "C504", "8500", "3", "1"),
    });
    let r = app.post("/api/v1/mp/compare", &unknown_side).await;
    assert_eq!(r.body["result"], "questionable", "{}", r.body);

    // Every bad or missing item is named, nothing else happens.
    let bad = json!({
        "tumor1": {"dateOfDiagnosis": "2021-02-30", "primarySite": "C99.9", "histologicTypeIcdO3": "85",
                   "behaviorCodeIcdO3": "3", "laterality": "1"},
    });
    let r = app.post("/api/v1/mp/compare", &bad).await;
    let fields: Vec<String> = r.problem(422).into_iter().map(|(f, _)| f).collect();
    for f in
        ["tumor1.dateOfDiagnosis", "tumor1.primarySite", "tumor1.histologicTypeIcdO3", "tumor2"]
    {
        assert!(fields.contains(&f.to_string()), "{f} is named: {fields:?}");
    }
    let r = app
        .post(
            "/api/v1/mp/compare",
            &json!({"tumor1": {"primarySite": "C504"}, "tumor2": {}, "extra": 1}),
        )
        .await;
    r.problem(400);
    let r = app.send(reqwest::Method::POST, "/api/v1/mp/compare", None, Some(&both_breasts)).await;
    assert_eq!(r.status, 401, "a token is needed");
    let r = app
        .send(reqwest::Method::POST, "/api/v1/mp/compare", Some(&app.viewer), Some(&both_breasts))
        .await;
    assert_eq!(r.status, 200, "a viewer may ask");
}

crate::both_backends!(the_calculator_answers_with_the_rule_path);
