//! The committed OpenAPI document is the one the code generates.
//! `UPDATE_OPENAPI=1 cargo test --test api openapi` rewrites it.

use std::path::PathBuf;

#[test]
fn committed_spec_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let generated = format!("{}\n", oncoreg::server::openapi_json());
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code; run UPDATE_OPENAPI=1 cargo test --test api openapi and commit it"
    );
}

#[test]
fn every_operation_is_documented_and_secured() {
    let spec: serde_json::Value =
        serde_json::from_str(&oncoreg::server::openapi_json()).expect("json");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 12);
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(!id.is_empty(), "{method} {path} has an operation id");
            assert!(
                op["responses"].as_object().is_some_and(|r| r.keys().any(|k| k.starts_with('4')))
                    || path == "/health"
            );
            if path != "/health" {
                assert!(op["security"].is_array(), "{id} requires a token");
            }
        }
    }
}
