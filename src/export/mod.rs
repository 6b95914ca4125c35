//! File formats for submissions and imports: NAACCR XML (write and read) and v18 flat files.
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
