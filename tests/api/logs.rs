//! The served binary's logs carry ids, never patient data, even at debug level and on errors.

use std::process::Command;

use serde_json::json;

#[actix_web::test]
async fn logs_hold_no_patient_data() {
    let mut served = crate::served::Served::new();
    let token = served.token("registrar");
    served.serve(&[], &[("RUST_LOG", "debug")]).await;
    let base = served.base.clone();
    let client = reqwest::Client::new();
    let patient = json!({"patientIdNumber": "777", "nameLast": "Zyxwvutsname", "nameFirst": "Qwertyfirst",
                         "dateOfBirth": "1949-11-27", "sexAssignedAtBirth": "1", "socialSecurityNumber": "987654321"});
    let created = client
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .json(&patient)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Errors: a duplicate, an impossible date, a malformed body quoting a name.
    client
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .json(&patient)
        .send()
        .await
        .expect("sent");
    let mut bad = patient.clone();
    bad["dateOfBirth"] = json!("1949-02-30");
    bad["patientIdNumber"] = json!("778");
    client
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .expect("sent");
    client
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{"nameLast": ["Zyxwvutsname"]}"#)
        .send()
        .await
        .expect("sent");
    client
        .get(format!("{base}/api/v1/patients?name=zyxwvutsname"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    client
        .get(format!("{base}/api/v1/patients/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");

    let logs = served.stop();
    assert!(
        logs.contains(&id) || logs.contains("/api/v1/patients"),
        "requests were logged:\n{logs}"
    );
    // Started with the placeholder letterhead, serve says what to set and where.
    assert!(
        logs.contains("phone and address") && logs.contains("PUT /api/v1/settings/registry"),
        "the placeholder letterhead is warned about:\n{logs}"
    );
    assert!(!logs.contains('\u{1b}'), "no colour codes when the log is not a terminal:\n{logs}");
    for phi in [
        "Zyxwvutsname",
        "zyxwvutsname",
        "Qwertyfirst",
        "1949-11-27",
        "19491127",
        "1949-02-30",
        "987654321",
    ] {
        assert!(!logs.contains(phi), "log holds patient data ({phi}):\n{logs}");
    }
}

/// A log format the service does not write is refused at start, naming the setting and the choices.
#[test]
fn an_unknown_log_format_is_refused_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_oncoreg"))
        .args(["--log-format", "xml", "migrate"])
        .env("ONCOREG_DATABASE_URL", "/nonexistent/never-opened.db")
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--log-format") && err.contains("pretty") && err.contains("json"),
        "{err}"
    );
}

/// With `--log-format json` each request is one JSON line with its own fields: the route template
/// (not the path), status, duration, request id (the client's when it sends one, returned in the
/// answer) and token id; never a name.
#[actix_web::test]
async fn json_access_lines_carry_the_request_and_token_ids() {
    let mut served = crate::served::Served::new();
    let token = served.token("registrar");
    served.serve(&["--log-format", "json"], &[]).await;
    let base = served.base.clone();
    let client = reqwest::Client::new();
    let rid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    let created = client
        .post(format!("{base}/api/v1/patients"))
        .bearer_auth(&token)
        .header("X-Request-Id", rid)
        .json(&json!({"patientIdNumber": "31", "nameLast": "Jsonlogname"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some(rid));
    let id = created.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // A request id that is not one (free text could be a name) is replaced.
    let other = client
        .get(format!("{base}/api/v1/patients/{id}"))
        .bearer_auth(&token)
        .header("X-Request-Id", "Jsonlogname")
        .send()
        .await
        .expect("sent");
    let made = other.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(made.len() == 32 && made != "Jsonlogname", "{made}");
    let logs = served.stop();
    let lines: Vec<serde_json::Value> =
        logs.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(lines.len() == logs.lines().count(), "every line is JSON:\n{logs}");
    let line = lines
        .iter()
        .find(|l| l["fields"]["request_id"] == rid)
        .unwrap_or_else(|| panic!("the request's line:\n{logs}"));
    let f = &line["fields"];
    assert_eq!(
        (f["method"].as_str(), f["route"].as_str()),
        (Some("POST"), Some("/api/v1/patients"))
    );
    assert_eq!(f["status"], 201);
    assert!(f["duration_ms"].is_number());
    assert!(f["token"].as_str().is_some_and(|t| t.len() > 10 && t != "-"), "{line}");
    let read = lines.iter().find(|l| l["fields"]["request_id"] == made).expect("the read's line");
    assert_eq!(read["fields"]["route"], "/api/v1/patients/{id}", "the template, not the path");
    assert!(!logs.contains("Jsonlogname"), "{logs}");
}
