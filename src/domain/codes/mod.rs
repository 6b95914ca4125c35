//! ICD-O-3 and NAACCR code sets. Each type can only hold a valid code; parse once at the edge.

mod icdo3;
mod items;
mod pickers;

pub use icdo3::{Behavior, Histology, Morphology, Topography, site_and_histology};
pub use items::*;
pub use pickers::{CodeChoice, find_morphologies, find_sites};
