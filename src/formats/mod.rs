//! The NAACCR file formats: XML (write and read, v14–v26 dictionaries) and flat files (read, v14–v18),
//! with the mapping between the record model and NAACCR items. Submissions write them, imports read them.
//! Pure streaming code over `std::io`; no web or database access.

pub mod batch_file;
pub mod flat_file;
pub mod form;
pub mod mapping;
pub mod naaccr_read;
mod naaccr_read_xml;
pub mod naaccr_xml;
pub mod records;
mod xml_source;

#[cfg(test)]
mod roundtrip_tests;
