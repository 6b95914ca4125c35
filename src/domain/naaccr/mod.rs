//! NAACCR data items driven by the data dictionaries: what exists in each version, at which level,
//! for which record types, and how values are written and checked. Pure code, no I/O beyond the
//! dictionaries embedded at build time.

pub mod dictionary;
pub mod lookups;
pub mod value;

pub use dictionary::{
    DataType, Dictionary, DictionaryError, ItemDef, Level, NAACCR_NS, Padding, RecordType,
    RecordTypes, SPECIFICATION_VERSION,
};
pub use value::{ValueError, ValueProblem, format_value, validate_value, value_problem};
