//! The served binary's logs carry ids, never patient data, even at debug level and on errors.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

#[actix_web::test]
async fn logs_hold_no_patient_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("logs.db").display().to_string();
    let bin = env!("CARGO_BIN_EXE_oncoreg");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let token = Command::new(bin)
        .args(["token", "create", "--name", "logtest", "--role", "registrar"])
        .env("ONCOREG_DATABASE_URL", &db)
        .output()
        .expect("token");
    let token = String::from_utf8_lossy(&token.stdout).trim().to_string();
    let mut server = Command::new(bin)
        .arg("serve")
        .env("ONCOREG_DATABASE_URL", &db)
        .env("ONCOREG_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
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

    server.kill().expect("stop server");
    let mut logs = String::new();
    server.stderr.take().expect("stderr").read_to_string(&mut logs).expect("read logs");
    let _ = server.wait();
    assert!(
        logs.contains(&id) || logs.contains("/api/v1/patients"),
        "requests were logged:\n{logs}"
    );
    // Started with the placeholder letterhead, serve says what to set and where.
    assert!(
        logs.contains("phone and address") && logs.contains("PUT /api/v1/settings/registry"),
        "the placeholder letterhead is warned about:\n{logs}"
    );
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
