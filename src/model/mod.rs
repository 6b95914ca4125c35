//! The record model: patients, tumors, treatments, contacts and the reports about them, as the
//! services store them, the NAACCR formats map them and the API serves them (as JSON, unchanged).
//!
//! Field names are NAACCR XML ids wherever an item exists. Bodies hold raw strings; `to_domain`
//! parses them once into domain types and names every field that fails, and `from_domain` writes the
//! canonical form that is stored and returned (e.g. `C50.9` becomes `C509`).

mod admin;
mod contact;
mod edits;
mod followup;
mod mp;
mod patient;
mod submission;
mod treatment;
mod tumor;

pub use admin::*;
pub use contact::*;
pub use edits::*;
pub use followup::*;
pub use mp::*;
pub use patient::*;
pub use submission::*;
pub use treatment::*;
pub use tumor::*;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::PartialDate;
use crate::domain::validation::{RuleError, Violations};

/// A present, non-blank value.
fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An optional code or date: absent or null is fine, an empty string is not a code.
fn opt<T, E: Into<RuleError>>(
    v: &mut Violations,
    field: &str,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    if raw.as_deref().is_some_and(|s| s.trim().is_empty()) {
        v.push(field, "blank", "leave the field out (or null) instead of sending an empty value");
        return None;
    }
    v.optional(field, raw.as_deref(), parse)
}

/// Optional free text: blank means absent.
fn opt_text(v: &mut Violations, field: &str, raw: &Option<String>, max: usize) -> Option<String> {
    v.optional(field, present(raw), text(max))
}

fn req<T, E: Into<RuleError>>(
    v: &mut Violations,
    field: &str,
    raw: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    v.required(field, present(raw), parse)
}

fn date(raw: &str) -> Result<PartialDate, RuleError> {
    PartialDate::parse_iso(raw)
}

fn text(max: usize) -> impl FnOnce(&str) -> Result<String, RuleError> {
    move |raw| crate::domain::identifiers::text(raw, max)
}

fn s<T: ToString>(v: &Option<T>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

/// A page of a list; `nextCursor` is absent on the last page.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The read-only record metadata every resource carries.
pub trait Stamped {
    /// Sets id, version and timestamps from storage.
    fn stamp(
        &mut self,
        id: &str,
        version: i32,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    );
    fn record_id(&self) -> &str;
    fn record_version(&self) -> i32;
}

macro_rules! stamped {
    ($($t:ty),*) => {$(
        impl Stamped for $t {
            fn stamp(&mut self, id: &str, version: i32, created_at: DateTime<Utc>, updated_at: DateTime<Utc>) {
                self.id = Some(id.to_string());
                self.version = Some(version);
                self.created_at = Some(created_at);
                self.updated_at = Some(updated_at);
            }
            fn record_id(&self) -> &str {
                self.id.as_deref().unwrap_or_default()
            }
            fn record_version(&self) -> i32 {
                self.version.unwrap_or_default()
            }
        }
    )*};
}

stamped!(PatientData, TumorData, TreatmentData, ContactData);
