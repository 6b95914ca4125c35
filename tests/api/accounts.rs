//! People's accounts: made by an administrator or the CLI, passwords kept as argon2id hashes,
//! sign-in locked after five failures in a row for fifteen minutes, every attempt audited without
//! the password.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use oncoreg::service::accounts::{
    Refusal, SignIn, create_user, session, sign_in, sign_out, start_session,
};
use oncoreg::service::{Actor, Role, ServiceError};

use crate::both_backends;
use crate::common::TestApp;

both_backends!(people_sign_in_and_are_locked_out_after_five_failures);
both_backends!(sessions_end_on_sign_out_or_when_idle);

fn at(minutes: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 6, 30).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("time")
        + Duration::minutes(minutes)
}

async fn people_sign_in_and_are_locked_out_after_five_failures(app: &TestApp) {
    let mut conn = app.pool.get().expect("connection");
    let admin = Actor::system("test");
    let password = "correct horse battery";
    let user =
        create_user(&mut conn, &admin, "jdoe", Role::Registrar, password, at(0)).expect("created");

    // Bad input names each field; a registrar cannot make accounts; a name is taken once.
    let Err(ServiceError::Invalid(v)) =
        create_user(&mut conn, &admin, "j doe", Role::Viewer, "short", at(0))
    else {
        panic!("a bad name and password are refused");
    };
    assert_eq!(v.iter().map(|v| v.field.as_str()).collect::<Vec<_>>(), ["name", "password"]);
    let registrar = Actor { role: Role::Registrar, ..Actor::system("someone") };
    assert!(matches!(
        create_user(&mut conn, &registrar, "other", Role::Viewer, password, at(0)),
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        create_user(&mut conn, &admin, "jdoe", Role::Viewer, password, at(0)),
        Err(ServiceError::Conflict { field: "name", .. })
    ));

    // The stored hash is argon2id, never the password.
    let stored = oncoreg::db::repo::find_user_by_name(&mut conn, "jdoe").expect("q").expect("row");
    assert!(stored.password_hash.starts_with("$argon2id$"), "{}", stored.password_hash);
    assert!(!stored.password_hash.contains(password));

    match sign_in(&mut conn, "jdoe", password, at(1)).expect("sign in") {
        SignIn::Signed { actor, user_id } => {
            assert_eq!((actor.name.as_str(), actor.role), ("jdoe", Role::Registrar));
            assert_eq!(user_id, user.id);
        }
        other => panic!("signed in: {other:?}"),
    }
    // An unknown name and a wrong password get the same answer.
    let wrong = SignIn::Refused(Refusal::WrongNameOrPassword);
    let refused = |s: SignIn| format!("{s:?}");
    assert_eq!(refused(sign_in(&mut conn, "nobody", password, at(2)).expect("q")), refused(wrong));
    for n in 1..5 {
        let s = sign_in(&mut conn, "jdoe", "wrong password!", at(2)).expect("q");
        assert!(matches!(s, SignIn::Refused(Refusal::WrongNameOrPassword)), "failure {n}: {s:?}");
    }
    let s = sign_in(&mut conn, "jdoe", "wrong password!", at(3)).expect("q");
    assert!(matches!(s, SignIn::Refused(Refusal::Locked { until }) if until == at(18)), "{s:?}");
    // Locked: the right password does not open it until the lock runs out.
    let s = sign_in(&mut conn, "jdoe", password, at(10)).expect("q");
    assert!(matches!(s, SignIn::Refused(Refusal::Locked { .. })), "{s:?}");
    let s = sign_in(&mut conn, "jdoe", password, at(18)).expect("q");
    assert!(matches!(s, SignIn::Signed { .. }), "{s:?}");

    // Every attempt is an audit event with its outcome; none holds the password.
    let page = oncoreg::service::PageRequest { cursor: None, limit: Some(500) };
    let events =
        oncoreg::service::admin::list_audit(&mut conn, &admin, None, None, &page).expect("audit");
    let text = serde_json::to_string(&events).expect("json");
    assert!(!text.contains(password) && !text.contains("wrong password!"));
    let sign_ins: Vec<(i64, String)> = events
        .items
        .iter()
        .filter(|e| e.operation == "sign-in")
        .map(|e| (e.status.map_or(0, i64::from), e.actor_name.clone()))
        .collect();
    assert_eq!(sign_ins.len(), 9, "{sign_ins:?}");
    for status in [200, 401, 423] {
        assert!(sign_ins.iter().any(|(s, _)| *s == status), "a {status} event: {sign_ins:?}");
    }
    assert!(text.contains(&user.id), "the events name the account");
}

#[test]
fn the_cli_creates_an_account_from_a_password_on_standard_input() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("accounts.db");
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oncoreg"))
            .args(args)
            .env("ONCOREG_DATABASE_URL", &db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("written");
        child.wait_with_output().expect("output")
    };
    let made = run(
        &["user", "create", "--name", "jdoe", "--role", "admin", "--password-stdin"],
        "correct horse battery\n",
    );
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    assert!(String::from_utf8_lossy(&made.stdout).starts_with("user jdoe (admin) created: "));
    let short = run(
        &["user", "create", "--name", "ann", "--role", "viewer", "--password-stdin"],
        "short\n",
    );
    let err = String::from_utf8_lossy(&short.stderr);
    assert!(
        !short.status.success() && err.contains("password") && !err.contains("short\n"),
        "{err}"
    );
    // Without --password-stdin there is no way to give a password: refused.
    let bare = run(&["user", "create", "--name", "ann", "--role", "viewer"], "");
    assert!(!bare.status.success());
}

async fn sessions_end_on_sign_out_or_when_idle(app: &TestApp) {
    let mut conn = app.pool.get().expect("connection");
    let admin = Actor::system("test");
    let user = create_user(&mut conn, &admin, "viewer1", Role::Viewer, "a long passphrase", at(0))
        .expect("created");
    let (secret, started) = start_session(&mut conn, &user.id, at(0)).expect("session");
    assert_eq!(started.actor.role, Role::Viewer);
    assert_eq!(started.csrf_token.len(), 64);
    // Only the secret's hash is stored.
    let stored: Vec<String> = {
        use diesel::prelude::*;
        use oncoreg::db::schema::sessions;
        sessions::table.select(sessions::id).load(&mut *conn).expect("ids")
    };
    assert!(!stored.contains(&secret));

    // Each request within the idle time keeps it open and moves the idle clock on.
    let seen = session(&mut conn, &secret, at(10), chrono::Duration::minutes(15))
        .expect("q")
        .expect("open");
    assert_eq!(
        (seen.user_id.as_str(), seen.csrf_token.as_str()),
        (user.id.as_str(), started.csrf_token.as_str())
    );
    assert!(
        session(&mut conn, &secret, at(24), chrono::Duration::minutes(15)).expect("q").is_some()
    );
    assert!(
        session(&mut conn, "not a secret", at(24), chrono::Duration::minutes(15))
            .expect("q")
            .is_none()
    );
    // Fifteen minutes without a request: ended, and stays ended.
    assert!(
        session(&mut conn, &secret, at(39), chrono::Duration::minutes(15)).expect("q").is_none()
    );
    assert!(
        session(&mut conn, &secret, at(40), chrono::Duration::minutes(15)).expect("q").is_none()
    );

    // Sign-out ends a session at once.
    let (other, _) = start_session(&mut conn, &user.id, at(50)).expect("session");
    sign_out(&mut conn, &other, at(51)).expect("signed out");
    assert!(
        session(&mut conn, &other, at(52), chrono::Duration::minutes(15)).expect("q").is_none()
    );
    sign_out(&mut conn, &other, at(53)).expect("again: nothing to do");

    let page = oncoreg::service::PageRequest { cursor: None, limit: Some(500) };
    let events =
        oncoreg::service::admin::list_audit(&mut conn, &admin, None, None, &page).expect("audit");
    let ops: Vec<&str> = events.items.iter().map(|e| e.operation.as_str()).collect();
    assert!(ops.contains(&"sign-out (idle)") && ops.contains(&"sign-out"), "{ops:?}");
}
