//! v18 flat files.
