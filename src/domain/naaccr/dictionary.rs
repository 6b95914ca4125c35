//! The NAACCR data dictionary: which items exist in a version, where they live and what they hold.
//!
//! Dictionaries are data (`data/*.xml`, from imsweb/naaccr-xml) keyed by their URI, so a new yearly
//! version is one more file in `data/` (`build.rs` lists them).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use quick_xml::Reader;
use quick_xml::events::Event;
use rustc_hash::FxHashMap;

/// The XML namespace of NAACCR data and dictionary files.
pub const NAACCR_NS: &str = "http://naaccr.org/naaccrxml";

/// The NAACCR XML specification version files are written in.
pub const SPECIFICATION_VERSION: &str = "1.8";

/// Errors loading a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DictionaryError {
    #[error("no dictionary is known for `{0}`")]
    Unknown(String),
    #[error("dictionary XML is malformed: {0}")]
    Xml(String),
    #[error("dictionary item `{id}`: {problem}")]
    BadItem { id: String, problem: String },
    #[error("dictionary root lacks `{0}`")]
    MissingRootAttribute(&'static str),
}

/// The element an item belongs under (`parentXmlElement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    NaaccrData,
    Patient,
    Tumor,
}

impl Level {
    /// The XML element name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::NaaccrData => "NaaccrData",
            Level::Patient => "Patient",
            Level::Tumor => "Tumor",
        }
    }
}

/// Item data types; `Text` is the default when a dictionary gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    Digits,
    Alpha,
    Mixed,
    Numeric,
    Text,
    Date,
    DateTime,
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DataType::Digits => "digits",
            DataType::Alpha => "alpha",
            DataType::Mixed => "mixed",
            DataType::Numeric => "numeric",
            DataType::Text => "text",
            DataType::Date => "date",
            DataType::DateTime => "dateTime",
        })
    }
}

/// How a short value is padded; `None` is the default (flat files: left-aligned, blank-filled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Padding {
    None,
    LeftZero,
    LeftBlank,
    RightZero,
}

/// A NAACCR record type: what a submission file may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordType {
    /// Full abstract.
    A,
    /// Modified record; same items as A.
    M,
    /// Confidential: incidence plus identifying items.
    C,
    /// Incidence only, never confidential items.
    I,
}

impl RecordType {
    /// Parses the one-letter code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "A" => Some(Self::A),
            "M" => Some(Self::M),
            "C" => Some(Self::C),
            "I" => Some(Self::I),
            _ => None,
        }
    }

    /// The one-letter code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::M => "M",
            Self::C => "C",
            Self::I => "I",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Self::A => 1,
            Self::M => 2,
            Self::C => 4,
            Self::I => 8,
        }
    }
}

/// A set of record types, as in the dictionary's `recordTypes="A,M,C,I"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RecordTypes(u8);

impl RecordTypes {
    /// Whether the set holds `rt`.
    pub fn contains(self, rt: RecordType) -> bool {
        self.0 & rt.bit() != 0
    }

    fn parse(s: &str) -> Option<Self> {
        let mut bits = 0;
        for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            bits |= RecordType::from_code(code)?.bit();
        }
        Some(Self(bits))
    }
}

/// One data item of a dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDef {
    /// XML id, e.g. `primarySite`.
    pub naaccr_id: String,
    /// Item number, e.g. 400.
    pub number: u32,
    /// Human-readable name.
    pub name: String,
    /// Element the item belongs under.
    pub level: Level,
    /// Maximum length in characters (alpha/digits/mixed must fill it).
    pub length: usize,
    /// Value format; `Text` when the dictionary gives none.
    pub data_type: DataType,
    /// Padding rule for short values.
    pub padding: Padding,
    /// Record types (files) the item may appear in.
    pub record_types: RecordTypes,
    /// 1-based column in the fixed-width layout (v18 and older only).
    pub start_column: Option<usize>,
    /// `trim="none"` in the dictionary: flat-file values keep their spaces.
    pub trim: bool,
    /// Older dictionaries let some text items exceed `length`.
    pub allow_unlimited_text: bool,
}

/// A parsed NAACCR dictionary (base or user-defined).
#[derive(Debug, Clone)]
pub struct Dictionary {
    /// `naaccrVersion`, e.g. `"260"`.
    pub version: String,
    /// `dictionaryUri`, e.g. `http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml`.
    pub uri: String,
    /// `specificationVersion` of the dictionary itself.
    pub specification_version: String,
    /// Items in dictionary order.
    pub items: Vec<ItemDef>,
    /// naaccrId → index into `items`. FxHash: every item written or read is looked up here, and
    /// the keys are the dictionary's own (lookups of untrusted ids insert nothing).
    pub by_id: FxHashMap<String, usize>,
    /// naaccrNum → index into `items`: item numbers outlive renames between versions.
    pub by_number: FxHashMap<u32, usize>,
}

struct Builtin {
    uri: &'static str,
    base: bool,
    xml: &'static str,
    cell: OnceLock<Result<Dictionary, DictionaryError>>,
    /// Base dictionaries: with the version's default user dictionary, as files are read.
    reading: OnceLock<Result<Dictionary, DictionaryError>>,
}

macro_rules! builtin {
    ($file:literal, $base:expr) => {
        Builtin {
            uri: concat!("http://naaccr.org/naaccrxml/", $file),
            base: $base,
            xml: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/domain/naaccr/data/",
                $file
            )),
            cell: OnceLock::new(),
            reading: OnceLock::new(),
        }
    };
}

// Dictionaries shipped with the service, each parsed on first use only: every file in `data/`,
// listed by `build.rs` (base dictionaries newest first, then user dictionaries).
include!(concat!(env!("OUT_DIR"), "/dictionaries.rs"));

impl Builtin {
    /// Parsed on first use.
    fn dictionary(&'static self) -> Result<&'static Dictionary, DictionaryError> {
        self.cell.get_or_init(|| Dictionary::parse(self.xml)).as_ref().map_err(Clone::clone)
    }

    /// The base dictionary with its version's default user dictionary (v14–v21 have one: the
    /// reserved, state and NPCR fields), built on first use.
    fn for_reading(&'static self) -> Result<&'static Dictionary, DictionaryError> {
        self.reading
            .get_or_init(|| {
                let mut dict = self.dictionary()?.clone();
                if let Ok(user) = Dictionary::default_user(&dict.version) {
                    for item in &user.items {
                        if !dict.by_id.contains_key(&item.naaccr_id) {
                            dict.push(item.clone());
                        }
                    }
                }
                Ok(dict)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Dictionary {
    /// The built-in dictionary with this URI (base or user-defined).
    pub fn for_uri(uri: &str) -> Result<&'static Dictionary, DictionaryError> {
        let b = BUILTINS
            .iter()
            .find(|b| b.uri == uri.trim())
            .ok_or_else(|| DictionaryError::Unknown(uri.to_owned()))?;
        b.dictionary()
    }

    /// The built-in *base* dictionary for a NAACCR version code such as `"260"`.
    pub fn for_version(version: &str) -> Result<&'static Dictionary, DictionaryError> {
        let uri = Self::base_uri(version);
        if !Self::is_base_uri(&uri) {
            return Err(DictionaryError::Unknown(version.to_owned()));
        }
        Self::for_uri(&uri)
    }

    /// The base dictionary named by `uri` as files of its version are read: with the version's
    /// default user dictionary where one exists (v14–v21), as the reference reader does when a
    /// file names no user dictionary.
    pub fn for_reading(uri: &str) -> Result<&'static Dictionary, DictionaryError> {
        BUILTINS
            .iter()
            .find(|b| b.base && b.uri == uri.trim())
            .ok_or_else(|| DictionaryError::Unknown(uri.to_owned()))?
            .for_reading()
    }

    /// Base dictionary versions files can be read in, oldest first.
    pub fn read_versions() -> Vec<&'static str> {
        let mut v: Vec<&str> = BUILTINS
            .iter()
            .filter(|b| b.base)
            .filter_map(|b| b.dictionary().ok())
            .map(|d| d.version.as_str())
            .collect();
        v.reverse();
        v
    }

    /// Versions a batch can be written in: built-in base dictionaries of the NAACCR XML
    /// specification this release writes, newest first.
    pub fn export_versions() -> Vec<&'static str> {
        BUILTINS
            .iter()
            .filter(|b| b.base)
            .filter_map(|b| b.dictionary().ok())
            .filter(|d| d.specification_version == SPECIFICATION_VERSION)
            .map(|d| d.version.as_str())
            .collect()
    }

    /// The newest built-in base dictionary (the first in `BUILTINS`).
    pub fn newest() -> Result<&'static Dictionary, DictionaryError> {
        // Called once per item a record offers: no look-up by URI.
        BUILTINS[0].dictionary()
    }

    /// Whether `uri` names a built-in base dictionary (usable as `baseDictionaryUri`).
    pub fn is_base_uri(uri: &str) -> bool {
        BUILTINS.iter().any(|b| b.base && b.uri == uri.trim())
    }

    /// The conventional base dictionary URI of a version.
    pub fn base_uri(version: &str) -> String {
        format!("http://naaccr.org/naaccrxml/naaccr-dictionary-{version}.xml")
    }

    /// The default user dictionary of a version (v14–v21): reserved and state fields that
    /// complete the flat layout.
    pub fn default_user(version: &str) -> Result<&'static Dictionary, DictionaryError> {
        Self::for_uri(&format!(
            "http://naaccr.org/naaccrxml/user-defined-naaccr-dictionary-{version}.xml"
        ))
    }

    /// The item with this number, whatever its id in this version.
    pub fn by_number(&self, number: u32) -> Option<&ItemDef> {
        self.by_number.get(&number).and_then(|&i| self.items.get(i))
    }

    fn push(&mut self, item: ItemDef) {
        self.by_id.insert(item.naaccr_id.clone(), self.items.len());
        self.by_number.entry(item.number).or_insert(self.items.len());
        self.items.push(item);
    }

    /// Looks an item up by naaccrId.
    pub fn get(&self, naaccr_id: &str) -> Option<&ItemDef> {
        self.by_id.get(naaccr_id).and_then(|&i| self.items.get(i))
    }

    /// Index of an item in `items`, for callers keeping per-item state in a flat array.
    pub fn index_of(&self, naaccr_id: &str) -> Option<usize> {
        self.by_id.get(naaccr_id).copied()
    }

    /// Parses dictionary XML (the `naaccr_dictionary_1.x.xsd` format).
    pub fn parse(xml: &str) -> Result<Dictionary, DictionaryError> {
        let mut reader = Reader::from_str(xml);
        let mut dict = Dictionary {
            version: String::new(),
            uri: String::new(),
            specification_version: String::new(),
            items: Vec::new(),
            by_id: FxHashMap::default(),
            by_number: FxHashMap::default(),
        };
        let xml_err = |e: &dyn fmt::Display| DictionaryError::Xml(e.to_string());
        loop {
            match reader.read_event().map_err(|e| xml_err(&e))? {
                Event::Start(e) | Event::Empty(e) => {
                    let mut attrs = HashMap::new();
                    for a in e.attributes() {
                        let a = a.map_err(|e| xml_err(&e))?;
                        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                        let value = a.unescape_value().map_err(|e| xml_err(&e))?.into_owned();
                        attrs.insert(key, value);
                    }
                    match e.local_name().as_ref() {
                        b"NaaccrDictionary" => {
                            let mut take = |k: &'static str| {
                                attrs.remove(k).ok_or(DictionaryError::MissingRootAttribute(k))
                            };
                            dict.uri = take("dictionaryUri")?;
                            dict.version = take("naaccrVersion")?;
                            dict.specification_version =
                                take("specificationVersion").unwrap_or_else(|_| "1.0".into());
                        }
                        b"ItemDef" => dict.push(item_def(attrs)?),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if dict.uri.is_empty() {
            return Err(DictionaryError::MissingRootAttribute("dictionaryUri"));
        }
        Ok(dict)
    }
}

fn item_def(mut a: HashMap<String, String>) -> Result<ItemDef, DictionaryError> {
    let id = a.remove("naaccrId").unwrap_or_default();
    let bad =
        |problem: &str| DictionaryError::BadItem { id: id.clone(), problem: problem.to_owned() };
    if id.is_empty() {
        return Err(bad("no naaccrId"));
    }
    let number = a.get("naaccrNum").and_then(|n| n.parse().ok()).ok_or_else(|| bad("naaccrNum"))?;
    let length = a
        .get("length")
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| bad("length"))?;
    let level = match a.get("parentXmlElement").map(String::as_str) {
        Some("NaaccrData") => Level::NaaccrData,
        Some("Patient") => Level::Patient,
        Some("Tumor") => Level::Tumor,
        _ => return Err(bad("parentXmlElement")),
    };
    let data_type = match a.get("dataType").map(String::as_str) {
        None | Some("text") => DataType::Text,
        Some("digits") => DataType::Digits,
        Some("alpha") => DataType::Alpha,
        Some("mixed") => DataType::Mixed,
        Some("numeric") => DataType::Numeric,
        Some("date") => DataType::Date,
        Some("dateTime") => DataType::DateTime,
        Some(_) => return Err(bad("dataType")),
    };
    let padding = match a.get("padding").map(String::as_str) {
        None | Some("none") | Some("rightBlank") => Padding::None,
        Some("leftZero") => Padding::LeftZero,
        Some("leftBlank") => Padding::LeftBlank,
        Some("rightZero") => Padding::RightZero,
        Some(_) => return Err(bad("padding")),
    };
    let record_types = RecordTypes::parse(a.get("recordTypes").map_or("", String::as_str))
        .ok_or_else(|| bad("recordTypes"))?;
    let start_column = match a.get("startColumn") {
        Some(s) => Some(s.parse().map_err(|_| bad("startColumn"))?),
        None => None,
    };
    Ok(ItemDef {
        number,
        name: a.remove("naaccrName").unwrap_or_default(),
        level,
        length,
        data_type,
        padding,
        record_types,
        start_column,
        trim: a.get("trim").map(String::as_str) != Some("none"),
        allow_unlimited_text: a.get("allowUnlimitedText").map(String::as_str) == Some("true"),
        naaccr_id: id,
    })
}

#[cfg(test)]
#[path = "dictionary_tests.rs"]
mod tests;
