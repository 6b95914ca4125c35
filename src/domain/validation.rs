//! Field-level validation results shared by every domain type.

use std::fmt;

/// One failed rule on one field, in words a registrar understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The JSON field (NAACCR id where one exists), e.g. `primarySite` or `tumors[0].cancerStatus`.
    pub field: String,
    /// A stable rule name, e.g. `code.unknown` or `date.beforeBirth`.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.field, self.message, self.rule)
    }
}

/// Collects every violation of a record, so one answer names all that is wrong.
#[derive(Debug, Default)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(
        &mut self,
        field: impl Into<String>,
        rule: &'static str,
        message: impl Into<String>,
    ) {
        self.0.push(Violation { field: field.into(), rule, message: message.into() });
    }

    pub fn extend(&mut self, other: Vec<Violation>) {
        self.0.extend(other);
    }

    /// Parses an optional value; a failure is recorded under `field` and yields `None`.
    pub fn optional<T, E: Into<RuleError>>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = raw?;
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                let e = e.into();
                self.push(field, e.rule, e.message);
                None
            }
        }
    }

    /// Parses a required value; absence is itself a violation.
    pub fn required<T, E: Into<RuleError>>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        if raw.is_none_or(|r| r.trim().is_empty()) {
            self.push(field, "required", format!("{field} is required"));
            return None;
        }
        self.optional(field, raw, parse)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    /// `Ok(value)` when nothing failed, otherwise every violation.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<Violation>> {
        if self.0.is_empty() { Ok(value()) } else { Err(self.0) }
    }
}

/// A parse failure before it is tied to a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub rule: &'static str,
    pub message: String,
}

impl RuleError {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        Self { rule, message: message.into() }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleError {}
