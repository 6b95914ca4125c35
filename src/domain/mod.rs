//! The registry's rules as plain Rust: code sets, dates, records and the checks between them.
//! No web, database or clock: everything here is a pure function of its inputs.

pub mod accounts;
pub mod chronology;
pub mod codes;
pub mod edits;
pub mod followup;
pub mod identifiers;
pub mod mp;
pub mod naaccr;
pub mod partial_date;
pub mod records;
pub mod validation;

pub use partial_date::PartialDate;
pub use validation::{RuleError, Violation, Violations};
