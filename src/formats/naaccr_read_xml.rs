//! The XML layer of the NAACCR reader: events classified into NAACCR elements, with the
//! structural (fatal) rules of the format applied.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::xml_source::{Bounded, Source, TOO_LARGE};
use crate::domain::naaccr::{Level, RecordType};
use quick_xml::name::ResolveResult;

/// Specification versions the reader understands.
pub const SPECIFICATION_VERSIONS: [&str; 9] =
    ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"];

/// Bounds that keep a hostile file from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes one XML event (tag, text node, comment) may span.
    pub max_event_bytes: usize,
    /// Bytes of one item value.
    pub max_value_bytes: usize,
    /// `<Item>`s in one NaaccrData/Patient/Tumor element.
    pub max_items_per_element: usize,
    /// Tumors in one patient.
    pub max_tumors_per_patient: usize,
    /// Element nesting, extension elements included.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_event_bytes: 1 << 20,
            max_value_bytes: 64 * 1024,
            max_items_per_element: 4_000,
            max_tumors_per_patient: 1_000,
            max_depth: 32,
        }
    }
}

/// Namespace of an element or attribute, reduced to what the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Naaccr,
    Other,
    None,
}

impl Ns {
    pub(super) fn of(r: &ResolveResult) -> Result<Self, FatalError> {
        match r {
            ResolveResult::Bound(ns)
                if ns.as_ref() == crate::domain::naaccr::NAACCR_NS.as_bytes() =>
            {
                Ok(Self::Naaccr)
            }
            ResolveResult::Bound(_) => Ok(Self::Other),
            ResolveResult::Unbound => Ok(Self::None),
            ResolveResult::Unknown(p) => Err(FatalError::Malformed(format!(
                "undeclared namespace prefix `{}`",
                String::from_utf8_lossy(p)
            ))),
        }
    }
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FatalError {
    #[error("cannot read the input: {0}")]
    Io(String),
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("DOCTYPE declarations are not accepted")]
    DocType,
    #[error("too many {0}")]
    TooLarge(&'static str),
    #[error("the document has no root element")]
    NoRoot,
    #[error("the root element is `{0}`, not NaaccrData")]
    WrongRoot(String),
    #[error("element `{0}` is not in the NAACCR namespace")]
    WrongNamespace(String),
    #[error("unknown element `{0}`")]
    UnknownElement(String),
    #[error("element `{element}` is not allowed here in `{parent}`")]
    UnexpectedElement { element: String, parent: String },
    #[error("text is not allowed directly in `{0}`")]
    UnexpectedText(&'static str),
    #[error("content after the root element")]
    TrailingContent,
    #[error("the root has no baseDictionaryUri")]
    MissingBaseDictionaryUri,
    #[error("unsupported base dictionary `{0}`")]
    UnsupportedVersion(String),
    #[error("the root has no recordType")]
    MissingRecordType,
    #[error("invalid recordType `{0}`")]
    InvalidRecordType(String),
    #[error("the root has no specificationVersion")]
    MissingSpecificationVersion,
    #[error("unsupported specificationVersion `{0}`")]
    UnsupportedSpecificationVersion(String),
    #[error("unexpected root attribute `{0}`")]
    UnexpectedRootAttribute(String),
    #[error("`{element}` takes no attribute `{attribute}`")]
    UnexpectedAttribute { element: &'static str, attribute: String },
    #[error("an Item has no naaccrId")]
    ItemWithoutNaaccrId,
    #[error("naaccrNum `{0}` is not an integer")]
    NonIntegerNaaccrNum(String),
    #[error("naaccrId `{naaccr_id}` appears twice in one {element}")]
    DuplicateItem { naaccr_id: String, element: &'static str },
}

/// The root's attributes.
pub(crate) struct Root {
    pub base_dictionary_uri: String,
    pub record_type: RecordType,
    pub specification_version: String,
    pub user_dictionary_uri: Option<String>,
    pub time_generated: Option<String>,
}

/// What [`XmlEvents::next_in`] found inside an element.
pub(crate) enum Tag {
    /// A complete `<Item>` (its end tag consumed).
    Item { id: String, num: Option<i64>, value: String },
    /// The start tag of the allowed child (Patient in NaaccrData, Tumor in Patient).
    Child,
}

/// Element and attribute names: the NAACCR ones are borrowed, so reading an `<Item>` allocates
/// only its id and value.
type Name = Cow<'static, str>;

fn name_of(raw: &[u8]) -> Name {
    match raw {
        b"Item" => Cow::Borrowed("Item"),
        b"Patient" => Cow::Borrowed("Patient"),
        b"Tumor" => Cow::Borrowed("Tumor"),
        b"NaaccrData" => Cow::Borrowed("NaaccrData"),
        b"naaccrId" => Cow::Borrowed("naaccrId"),
        b"naaccrNum" => Cow::Borrowed("naaccrNum"),
        other => Cow::Owned(String::from_utf8_lossy(other).into_owned()),
    }
}

/// An attribute: namespace, local name, value.
type Attribute = (Ns, Name, String);

/// An event; a start tag's attributes are in [`XmlEvents::attrs`] until the next event.
enum Raw {
    Start(Ns, Name),
    End,
    Text(String),
    Blank,
    Eof,
}

pub(crate) struct XmlEvents<R: BufRead> {
    ns: NsReader<Bounded<Source<R>>>,
    buf: Vec<u8>,
    /// The attributes of the last start tag (one buffer for the whole file, not one per element).
    attrs: Vec<Attribute>,
    limits: Limits,
    offset: u64,
    /// Bytes the item fast path consumed, which quick-xml's own position does not count.
    skipped: u64,
    /// The last event was an end tag, so quick-xml holds no part of the next markup and the fast
    /// path may read the input directly.
    after_end: bool,
    /// An unprefixed `<Item>` in the element being read is in the NAACCR namespace.
    items_are_naaccr: bool,
}

impl<R: BufRead> XmlEvents<R> {
    pub(crate) fn new(ns: NsReader<Bounded<Source<R>>>, limits: Limits) -> Self {
        Self {
            ns,
            buf: Vec::new(),
            attrs: Vec::new(),
            limits,
            offset: 0,
            skipped: 0,
            after_end: false,
            items_are_naaccr: false,
        }
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    fn raw(&mut self) -> Result<Raw, FatalError> {
        loop {
            self.buf.clear();
            self.ns.get_mut().reset();
            self.offset = self.ns.buffer_position() + self.skipped;
            let (res, ev) = self.ns.read_resolved_event_into(&mut self.buf).map_err(xml_error)?;
            self.after_end = matches!(ev, Event::End(_));
            let ns = Ns::of(&res)?;
            return match ev {
                Event::Start(e) => {
                    let name = name_of(e.local_name().as_ref());
                    attributes(&self.ns, &e, &mut self.attrs)?;
                    Ok(Raw::Start(ns, name))
                }
                Event::End(_) => Ok(Raw::End),
                Event::Text(t) if t.iter().all(u8::is_ascii_whitespace) => Ok(Raw::Blank),
                Event::Text(t) => {
                    Ok(Raw::Text(normalize_newlines(t.unescape().map_err(xml_error)?)))
                }
                Event::CData(c) => match std::str::from_utf8(&c) {
                    Ok(s) => Ok(Raw::Text(normalize_newlines(Cow::Borrowed(s)))),
                    Err(e) => Err(FatalError::Malformed(e.to_string())),
                },
                Event::DocType(_) => Err(FatalError::DocType),
                Event::Empty(_) => Err(FatalError::Malformed("unexpanded empty element".into())),
                Event::Eof => Ok(Raw::Eof),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
            };
        }
    }

    /// Reads the prolog and the root start tag and checks the root attributes.
    pub(crate) fn root(&mut self) -> Result<Root, FatalError> {
        let (ns, name) = loop {
            match self.raw()? {
                Raw::Blank => {}
                Raw::Start(ns, name) => break (ns, name),
                Raw::Eof => return Err(FatalError::NoRoot),
                Raw::Text(_) | Raw::End => {
                    return Err(FatalError::Malformed("text before the root".into()));
                }
            }
        };
        if name != "NaaccrData" {
            return Err(FatalError::WrongRoot(name.into_owned()));
        }
        if ns != Ns::Naaccr {
            return Err(FatalError::WrongNamespace(name.into_owned()));
        }
        let (mut base, mut rt, mut spec, mut user, mut time) = (None, None, None, None, None);
        for (ans, key, value) in std::mem::take(&mut self.attrs) {
            let slot = match (ans, &*key) {
                (Ns::Other, _) => continue,
                (Ns::None, "baseDictionaryUri") => &mut base,
                (Ns::None, "recordType") => &mut rt,
                (Ns::None, "specificationVersion") => &mut spec,
                (Ns::None, "userDictionaryUri") => &mut user,
                (Ns::None, "timeGenerated") => &mut time,
                _ => return Err(FatalError::UnexpectedRootAttribute(key.into_owned())),
            };
            *slot = Some(value);
        }
        let base =
            base.filter(|b| !b.trim().is_empty()).ok_or(FatalError::MissingBaseDictionaryUri)?;
        let rt = rt.ok_or(FatalError::MissingRecordType)?;
        let record_type =
            RecordType::from_code(rt.trim()).ok_or(FatalError::InvalidRecordType(rt))?;
        let spec = spec.ok_or(FatalError::MissingSpecificationVersion)?;
        if !SPECIFICATION_VERSIONS.contains(&spec.trim()) {
            return Err(FatalError::UnsupportedSpecificationVersion(spec));
        }
        Ok(Root {
            base_dictionary_uri: base.trim().to_owned(),
            record_type,
            specification_version: spec.trim().to_owned(),
            user_dictionary_uri: user,
            time_generated: time,
        })
    }

    /// Call right after the start tag of an element whose items are read next: notes whether an
    /// unprefixed `<Item>` there is a NAACCR item (the namespace scope is exact only now).
    pub(crate) fn enter_element(&mut self) {
        let (res, _) = self.ns.resolve_element(QName(b"Item"));
        self.items_are_naaccr = matches!(Ns::of(&res), Ok(Ns::Naaccr));
    }

    /// Next item or child of the element at `level`; `None` at its end tag. Foreign extension
    /// elements are skipped; an Item after one is out of the XSD's order and refused.
    pub(crate) fn next_in(&mut self, level: Level) -> Result<Option<Tag>, FatalError> {
        if let Some(item) = self.canonical_item() {
            return Ok(Some(item));
        }
        let mut after_extension = false;
        loop {
            match self.raw()? {
                Raw::Blank => {}
                Raw::End => return Ok(None),
                Raw::Eof => return Err(unexpected_eof()),
                Raw::Text(_) => return Err(FatalError::UnexpectedText(level.as_str())),
                Raw::Start(ns, name) => match (ns, &*name) {
                    (Ns::Other, _) => {
                        self.skip_extension(level)?;
                        after_extension = true;
                    }
                    (Ns::Naaccr, "Item") if !after_extension => return self.item().map(Some),
                    _ => {
                        self.check_child(level, ns, &name)?;
                        return Ok(Some(Tag::Child));
                    }
                },
            }
        }
    }

    /// After a child element ended: `true` if another child starts, `false` at the parent's end.
    pub(crate) fn next_sibling(&mut self, level: Level) -> Result<bool, FatalError> {
        loop {
            match self.raw()? {
                Raw::Blank => {}
                Raw::End => return Ok(false),
                Raw::Eof => return Err(unexpected_eof()),
                Raw::Text(_) => return Err(FatalError::UnexpectedText(level.as_str())),
                Raw::Start(ns, name) => {
                    self.check_child(level, ns, &name)?;
                    return Ok(true);
                }
            }
        }
    }

    /// After the root's end tag only whitespace, comments and PIs may follow.
    pub(crate) fn expect_eof(&mut self) -> Result<(), FatalError> {
        loop {
            match self.raw()? {
                Raw::Blank => {}
                Raw::Eof => return Ok(()),
                _ => return Err(FatalError::TrailingContent),
            }
        }
    }

    fn check_child(&self, level: Level, ns: Ns, name: &str) -> Result<(), FatalError> {
        let unexpected = || FatalError::UnexpectedElement {
            element: name.to_owned(),
            parent: level.as_str().to_owned(),
        };
        match ns {
            Ns::None => return Err(FatalError::WrongNamespace(name.to_owned())),
            Ns::Other => return Err(unexpected()),
            Ns::Naaccr => {}
        }
        let child = match name {
            "Patient" => "Patient",
            "Tumor" => "Tumor",
            "NaaccrData" | "Item" => return Err(unexpected()),
            _ => return Err(FatalError::UnknownElement(name.to_owned())),
        };
        let allowed =
            matches!((level, child), (Level::NaaccrData, "Patient") | (Level::Patient, "Tumor"));
        if !allowed {
            return Err(unexpected());
        }
        match self.attrs.first() {
            Some((_, key, _)) => {
                Err(FatalError::UnexpectedAttribute { element: child, attribute: key.to_string() })
            }
            None => Ok(()),
        }
    }

    /// Items written the way NAACCR writers write them (`<Item naaccrId="id">value</Item>`,
    /// optionally with `naaccrNum`, no entity or carriage return in the value, wholly in the input
    /// buffer) are taken straight from the buffer: through quick-xml an item is four events with
    /// namespace bookkeeping each, most of the reader's time. Anything else is left untouched for
    /// the general path, which applies every rule.
    fn canonical_item(&mut self) -> Option<Tag> {
        if !(self.after_end && self.items_are_naaccr) {
            return None;
        }
        let source = self.ns.get_mut();
        source.reset();
        let (tag, end_tag, used) =
            canonical_item(source.fill_buf().ok()?, self.limits.max_value_bytes)?;
        source.consume(used);
        self.offset = self.ns.buffer_position() + self.skipped + end_tag as u64;
        self.skipped += used as u64;
        Some(tag)
    }

    fn item(&mut self) -> Result<Tag, FatalError> {
        let (mut id, mut num) = (None, None);
        for (ns, key, value) in self.attrs.drain(..) {
            match (ns, &*key) {
                (Ns::Other, _) => {}
                (Ns::None, "naaccrId") => id = Some(value),
                (Ns::None, "naaccrNum") => {
                    let n = value.trim().parse::<i64>();
                    num = Some(n.map_err(|_| FatalError::NonIntegerNaaccrNum(value))?);
                }
                _ => {
                    return Err(FatalError::UnexpectedAttribute {
                        element: "Item",
                        attribute: key.into_owned(),
                    });
                }
            }
        }
        let id = id.filter(|i| !i.is_empty()).ok_or(FatalError::ItemWithoutNaaccrId)?;
        let mut value = String::new();
        loop {
            match self.raw()? {
                Raw::End => break,
                Raw::Eof => return Err(unexpected_eof()),
                Raw::Blank => {
                    // Whitespace-only content is still content (reported as spaces later).
                    let text = String::from_utf8_lossy(&self.buf);
                    value.push_str(&normalize_newlines(text));
                }
                Raw::Text(t) if value.is_empty() => value = t,
                Raw::Text(t) => value.push_str(&t),
                Raw::Start(_, name) => {
                    return Err(FatalError::UnexpectedElement {
                        element: name.into_owned(),
                        parent: "Item".into(),
                    });
                }
            }
            if value.len() > self.limits.max_value_bytes {
                return Err(FatalError::TooLarge("bytes in one item value"));
            }
        }
        Ok(Tag::Item { id, num, value })
    }

    fn skip_extension(&mut self, level: Level) -> Result<(), FatalError> {
        let base = match level {
            Level::NaaccrData => 2,
            Level::Patient => 3,
            Level::Tumor => 4,
        };
        let mut depth = 1usize;
        while depth > 0 {
            match self.raw()? {
                Raw::Start(..) => depth += 1,
                Raw::End => depth -= 1,
                Raw::Eof => return Err(unexpected_eof()),
                Raw::Text(_) | Raw::Blank => {}
            }
            if base + depth > self.limits.max_depth {
                return Err(FatalError::TooLarge("levels of element nesting"));
            }
        }
        Ok(())
    }
}

/// Parses whitespace and one canonical item at the start of `buf`: the item, the offset of its end
/// tag and the bytes used. `None` for anything else (the general path decides about it).
fn canonical_item(buf: &[u8], max_value: usize) -> Option<(Tag, usize, usize)> {
    let start = buf.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))?;
    let mut at = start + b"<Item naaccrId=\"".len();
    if !buf[start..].starts_with(b"<Item naaccrId=\"") {
        return None;
    }
    let id_len = buf.get(at..)?.iter().position(|b| !b.is_ascii_alphanumeric())?;
    let id = &buf[at..at + id_len];
    at += id_len;
    if id.is_empty() || buf.get(at) != Some(&b'"') {
        return None;
    }
    at += 1;
    let mut num = None;
    if buf[at..].starts_with(b" naaccrNum=\"") {
        at += b" naaccrNum=\"".len();
        let digits = buf.get(at..)?.iter().position(|b| !b.is_ascii_digit())?;
        if !(1..=9).contains(&digits) || buf.get(at + digits) != Some(&b'"') {
            return None;
        }
        num = std::str::from_utf8(&buf[at..at + digits]).ok()?.parse::<i64>().ok();
        at += digits + 1;
    }
    if buf.get(at) != Some(&b'>') {
        return None;
    }
    at += 1;
    let value_len = buf.get(at..)?.iter().position(|&b| matches!(b, b'<' | b'&' | b'\r'))?;
    let end_tag = at + value_len;
    if value_len > max_value || !buf[end_tag..].starts_with(b"</Item>") {
        return None;
    }
    let value = std::str::from_utf8(&buf[at..end_tag]).ok()?;
    let id = std::str::from_utf8(id).ok()?.to_owned();
    Some((Tag::Item { id, num, value: value.to_owned() }, end_tag, end_tag + b"</Item>".len()))
}

/// Reads a start tag's attributes into `out` (emptied first), namespace declarations left out.
fn attributes<R>(
    ns: &NsReader<R>,
    e: &BytesStart,
    out: &mut Vec<Attribute>,
) -> Result<(), FatalError> {
    out.clear();
    for a in e.attributes() {
        let a = a.map_err(|e| FatalError::Malformed(e.to_string()))?;
        if a.key.as_namespace_binding().is_some() {
            continue;
        }
        let (res, local) = ns.resolve_attribute(a.key);
        let ans = Ns::of(&res)?;
        let key = name_of(local.as_ref());
        let value = a.unescape_value().map_err(xml_error)?.into_owned();
        out.push((ans, key, value));
    }
    Ok(())
}

/// XML parsers turn CRLF and lone CR into LF; quick-xml leaves that to us.
fn normalize_newlines(s: Cow<'_, str>) -> String {
    if s.contains('\r') { s.replace("\r\n", "\n").replace('\r', "\n") } else { s.into_owned() }
}

fn unexpected_eof() -> FatalError {
    FatalError::Malformed("unexpected end of file".into())
}

fn xml_error(e: quick_xml::Error) -> FatalError {
    match e {
        quick_xml::Error::Io(io) if io.to_string() == TOO_LARGE => {
            FatalError::TooLarge("bytes in one XML event")
        }
        quick_xml::Error::Io(io) => FatalError::Io(io.to_string()),
        other => FatalError::Malformed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::{Tag, canonical_item};

    fn item(buf: &[u8]) -> Option<(String, Option<i64>, String, usize)> {
        canonical_item(buf, 10).map(|(tag, end, used)| match tag {
            Tag::Item { id, num, value } => {
                assert_eq!(&buf[end..used], b"</Item>");
                (id, num, value, used)
            }
            Tag::Child => unreachable!("canonical_item yields items"),
        })
    }

    #[test]
    fn takes_only_the_canonical_item_shape() {
        let ok = item(b"\n  <Item naaccrId=\"race1\" naaccrNum=\"160\">01</Item><Item");
        assert_eq!(ok, Some(("race1".into(), Some(160), "01".into(), 51)));
        assert_eq!(item(b"<Item naaccrId=\"a\"></Item>"), Some(("a".into(), None, "".into(), 26)));
        for declined in [
            &b"<Item naaccrId=\"a\">x &amp; y</Item>"[..],
            b"<Item naaccrId=\"a\">x\r\ny</Item>",
            b"<Item naaccrId='a'>x</Item>",
            b"<Item  naaccrId=\"a\">x</Item>",
            b"<Item naaccrId=\"a\" >x</Item>",
            b"<Item naaccrNum=\"1\" naaccrId=\"a\">x</Item>",
            b"<Item naaccrId=\"a-b\">x</Item>",
            b"<Item naaccrId=\"\">x</Item>",
            b"<Item naaccrId=\"a\" naaccrNum=\"1234567890\">x</Item>",
            b"<Item naaccrId=\"a\" naaccrNum=\"\">x</Item>",
            b"<Item naaccrId=\"a\">x</Item >",
            b"<Item naaccrId=\"a\">x</Ite",
            b"<Item naaccrId=\"a\">\xff</Item>",
            b"<Item naaccrId=\"a\">01234567890</Item>",
            b"<Item naaccrId=\"a\"><b/></Item>",
            b"<x:Item naaccrId=\"a\">x</x:Item>",
            b"\x0c<Item naaccrId=\"a\">x</Item>",
            b"   ",
        ] {
            assert_eq!(item(declined), None, "{}", String::from_utf8_lossy(declined));
        }
    }
}
