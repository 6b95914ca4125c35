//! The rules of people's accounts: what a name and a password must be, and when failed sign-ins
//! lock an account. Pure: the caller passes the time.

use chrono::{Duration, NaiveDateTime};

use super::validation::Violation;

/// Failed sign-ins in a row that lock an account.
pub const MAX_FAILED_SIGN_INS: i32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// The shortest password accepted (NIST SP 800-63B asks for at least 8; registries hold PHI).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Minutes without a request after which a session ends (the default; a setting may change it).
pub const IDLE_MINUTES: i64 = 15;

/// Whether a session last seen at `last_seen` has been idle for `idle` or more at `now`.
pub fn is_idle(last_seen: NaiveDateTime, now: NaiveDateTime, idle: Duration) -> bool {
    now >= last_seen + idle
}

/// Checks a new account's name and password; each problem names its field.
pub fn check_new(name: &str, password: &str) -> Vec<Violation> {
    let mut problems = Vec::new();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._@-".contains(c);
    if name.is_empty() || name.len() > 100 || !name.chars().all(allowed) {
        problems.push(Violation {
            field: "name".into(),
            rule: "text.length",
            message: "a user name has 1 to 100 letters, digits or . _ @ -".into(),
        });
    }
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=1024).contains(&chars) {
        problems.push(Violation {
            field: "password".into(),
            rule: "password.length",
            message: format!("a password has {MIN_PASSWORD_CHARS} to 1024 characters"),
        });
    }
    problems
}

/// Whether an account locked until `locked_until` is still locked at `now`.
pub fn is_locked(locked_until: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    locked_until.is_some_and(|until| now < until)
}

/// The failure count and lock after one more failed sign-in: the count restarts once a lock has
/// run out, and the failure that reaches the limit locks the account.
pub fn after_failure(
    failed: i32,
    locked_until: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> (i32, Option<NaiveDateTime>) {
    let failed = if locked_until.is_some_and(|until| now >= until) { 0 } else { failed };
    let failed = failed.saturating_add(1);
    if failed >= MAX_FAILED_SIGN_INS {
        (failed, Some(now + Duration::minutes(LOCK_MINUTES)))
    } else {
        (failed, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 6, 30)
            .and_then(|d| d.and_hms_opt(9, minute, 0))
            .unwrap_or_default()
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let (mut failed, mut lock) = (0, None);
        for n in 1..MAX_FAILED_SIGN_INS {
            (failed, lock) = after_failure(failed, lock, at(0));
            assert_eq!((failed, lock), (n, None));
        }
        (failed, lock) = after_failure(failed, lock, at(1));
        assert_eq!(failed, MAX_FAILED_SIGN_INS);
        assert_eq!(lock, Some(at(16)));
        assert!(is_locked(lock, at(15)));
        assert!(!is_locked(lock, at(16)));
        // After the lock, a failure counts from one again.
        assert_eq!(after_failure(failed, lock, at(20)), (1, None));
    }

    #[test]
    fn a_session_ends_after_its_idle_time() {
        assert!(!is_idle(at(0), at(14), Duration::minutes(IDLE_MINUTES)));
        assert!(is_idle(at(0), at(15), Duration::minutes(IDLE_MINUTES)));
        assert!(!is_idle(at(0), at(15), Duration::minutes(30)));
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_new("jdoe", "correct horse battery").is_empty());
        let problems = check_new("j doe", "short");
        let fields: Vec<&str> = problems.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["name", "password"]);
    }
}
