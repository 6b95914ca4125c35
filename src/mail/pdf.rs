//! Printed letters: each letter on its own US Letter page(s) under the letterhead it was rendered
//! with, DejaVu Sans embedded as a subset of the characters the document uses. A line holding only
//! the page-break mark starts a new page (the physician's reply form).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile, subset};

use printpdf::{
    Color, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

use super::templates::{PAGE_BREAK, Registry, WIDTH, wrap};

const PAGE_W: f32 = 215.9;
const PAGE_H: f32 = 279.4;
const MARGIN: f32 = 22.0;
const BODY_PT: f32 = 10.5;
const LINE_PT: f32 = 14.0;

/// One letter to lay out: its body text (already rendered by the template) and the letterhead it
/// was rendered with, so the page and the text can never disagree.
pub struct PrintLetter<'a> {
    pub body: &'a str,
    pub letterhead: &'a Registry,
}

#[derive(Debug, thiserror::Error)]
#[error("PDF: {0}")]
pub struct PdfError(String);

/// The whole faces, parsed once: their character maps pick the glyphs a document needs.
fn fonts() -> Result<&'static (ParsedFont, ParsedFont), PdfError> {
    static FONTS: OnceLock<Option<(ParsedFont, ParsedFont)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            let regular = ParsedFont::from_bytes(dejavu::sans::regular(), 0, &mut warnings)?;
            let bold = ParsedFont::from_bytes(dejavu::sans::bold(), 0, &mut warnings)?;
            Some((regular, bold))
        })
        .as_ref()
        .ok_or_else(|| PdfError("the embedded font does not load".into()))
}

/// `face` cut down to the glyphs of `chars` (and `.notdef`), with its character map, so that a
/// PDF embeds tens of kilobytes of font rather than the whole face (about 700 KB).
fn subset_face(face: &ParsedFont, chars: &BTreeSet<char>) -> Result<ParsedFont, PdfError> {
    let err = |what: &str| PdfError(format!("font subset: {what}"));
    let mut glyphs: BTreeSet<u16> = BTreeSet::from([0]);
    glyphs.extend(chars.iter().filter_map(|c| face.codepoint_to_glyph.get(&u32::from(*c))));
    let glyphs: Vec<u16> = glyphs.into_iter().collect();
    let data = ReadScope::new(&face.original_bytes)
        .read::<FontData<'_>>()
        .map_err(|e| err(&e.to_string()))?;
    let provider = data.table_provider(0).map_err(|e| err(&e.to_string()))?;
    let bytes = subset(&provider, &glyphs, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| err(&e.to_string()))?;
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| err("the subset does not load"))
}

fn text_at(font: &PdfFontHandle, size: f32, x: f32, y: f32, text: &str) -> Vec<Op> {
    vec![
        Op::StartTextSection,
        Op::SetFont { font: font.clone(), size: Pt(size) },
        Op::SetTextCursor { pos: Point::new(Mm(x), Mm(y)) },
        Op::ShowText { items: vec![TextItem::Text(text.to_string())] },
        Op::EndTextSection,
    ]
}

fn letterhead(registry: &Registry, regular: &PdfFontHandle, bold: &PdfFontHandle) -> Vec<Op> {
    let top = PAGE_H - MARGIN;
    let mut ops = text_at(bold, 15.0, MARGIN, top, &registry.name);
    let mut contact: Vec<String> = registry.address.clone();
    contact.push(format!("Telephone {}", registry.phone));
    if let Some(fax) = &registry.fax {
        contact.push(format!("Fax {fax}"));
    }
    ops.extend(text_at(regular, 8.5, MARGIN, top - 6.0, &contact.join("  ·  ")));
    ops.push(Op::SetOutlineColor { col: Color::Rgb(Rgb::new(0.3, 0.3, 0.3, None)) });
    ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
    ops.push(Op::DrawLine {
        line: Line {
            points: vec![
                LinePoint { p: Point::new(Mm(MARGIN), Mm(top - 9.0)), bezier: false },
                LinePoint { p: Point::new(Mm(PAGE_W - MARGIN), Mm(top - 9.0)), bezier: false },
            ],
            is_closed: false,
        },
    });
    ops
}

/// The pages of one letter: lines split at page-break marks, then by what fits on a page.
fn pages_of(body: &str, lines_per_page: usize) -> Vec<Vec<String>> {
    let text = wrap(body, WIDTH + 8);
    let mut pages = Vec::new();
    for part in text.split(PAGE_BREAK) {
        let lines: Vec<String> = part.lines().map(str::to_string).collect();
        let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
        let lines = &lines[start..];
        if lines.is_empty() {
            continue;
        }
        pages.extend(lines.chunks(lines_per_page).map(<[String]>::to_vec));
    }
    if pages.is_empty() {
        pages.push(Vec::new());
    }
    pages
}

/// One PDF with every letter, each starting on a new page; `fallback` heads the page that says
/// there is nothing to print.
pub fn render(fallback: &Registry, letters: &[PrintLetter]) -> Result<Vec<u8>, PdfError> {
    let (regular_face, bold_face) = fonts()?;
    // Every character any page may show: the letterheads, the bodies, the page footers.
    let mut chars: BTreeSet<char> =
        "page of 0123456789No letters to print.Telephone Fax·".chars().collect();
    for head in letters.iter().map(|l| l.letterhead).chain([fallback]) {
        let lines = [&head.name, &head.phone].into_iter().chain(&head.address).chain(&head.fax);
        chars.extend(lines.flat_map(|l| l.chars()));
    }
    chars.extend(letters.iter().flat_map(|l| l.body.chars()));
    let faces = (subset_face(regular_face, &chars)?, subset_face(bold_face, &chars)?);
    Ok(document(fallback, letters, &faces))
}

/// The document with the faces given (subsets, or in a test the whole faces).
fn document(
    fallback: &Registry,
    letters: &[PrintLetter],
    (regular_face, bold_face): &(ParsedFont, ParsedFont),
) -> Vec<u8> {
    let mut doc = PdfDocument::new(&format!("{} follow-up letters", fallback.name));
    let regular = PdfFontHandle::External(doc.add_font(regular_face));
    let bold = PdfFontHandle::External(doc.add_font(bold_face));
    let line_mm = LINE_PT * 25.4 / 72.0;
    let first_line = PAGE_H - MARGIN - 20.0;
    let lines_per_page = ((first_line - MARGIN) / line_mm).floor().max(1.0) as usize;
    let mut pages = Vec::new();
    for letter in letters {
        let chunks = pages_of(letter.body, lines_per_page);
        let count = chunks.len();
        for (n, chunk) in chunks.into_iter().enumerate() {
            let mut ops = letterhead(letter.letterhead, &regular, &bold);
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont { font: regular.clone(), size: Pt(BODY_PT) });
            ops.push(Op::SetLineHeight { lh: Pt(LINE_PT) });
            ops.push(Op::SetTextCursor { pos: Point::new(Mm(MARGIN), Mm(first_line)) });
            for line in chunk {
                ops.push(Op::ShowText { items: vec![TextItem::Text(line)] });
                ops.push(Op::AddLineBreak);
            }
            ops.push(Op::EndTextSection);
            if count > 1 {
                let footer = format!("page {} of {count}", n + 1);
                ops.extend(text_at(&regular, 8.0, PAGE_W - MARGIN - 20.0, MARGIN - 8.0, &footer));
            }
            pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops));
        }
    }
    if pages.is_empty() {
        let mut ops = letterhead(fallback, &regular, &bold);
        ops.extend(text_at(&regular, BODY_PT, MARGIN, first_line, "No letters to print."));
        pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops));
    }
    let mut warnings = Vec::new();
    doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_render_to_a_small_pdf() {
        let registry = Registry {
            name: "Test Registry".into(),
            phone: "555-0100".into(),
            address: vec!["1 Main St".into(), "Springfield".into()],
            fax: None,
            return_address: vec![],
            signer_name: None,
            signer_title: None,
        };
        let body = "Dear Doctor,\n\n".to_string() + &"A line of text. ".repeat(400);
        let letters = [
            PrintLetter { body: &body, letterhead: &registry },
            PrintLetter { body: "Hi", letterhead: &registry },
        ];
        let pdf = render(&registry, &letters).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000, "font subset: {} bytes", pdf.len());
    }

    /// Pages rasterized by poppler's pdftoppm (installed by scripts/test), one PNG each.
    fn pages_as_png(pdf: &[u8]) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("letters.pdf");
        std::fs::write(&file, pdf).expect("written");
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "100", "-png"])
            .arg(&file)
            .arg(dir.path().join("page"))
            .status()
            .expect("pdftoppm runs (poppler-utils; scripts/test installs it)");
        assert!(status.success());
        let mut pages: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        pages.sort();
        pages.iter().map(|p| std::fs::read(p).expect("png")).collect()
    }

    #[test]
    fn the_font_subset_prints_what_the_whole_font_prints() {
        let registry = Registry {
            name: "Évergreen Cancer Registry".into(),
            phone: "206-555-0142".into(),
            address: vec!["1 Main St".into(), "Seattle, WA 98101".into()],
            fax: Some("206-555-0143".into()),
            return_address: vec![],
            signer_name: None,
            signer_title: None,
        };
        let body =
            "Dear Dr. Łukasiewicz,\n\nRe: Zoë O'Brien-Núñez, born 03/14/1951 — C50.4 «breast».\n"
                .to_string()
                + &"The registry asks for the date of last contact. ".repeat(120)
                + &format!("\n{PAGE_BREAK}\nReply form: ☐ alive ☐ dead");
        let letters = [PrintLetter { body: &body, letterhead: &registry }];
        let subset = render(&registry, &letters).expect("pdf");
        let whole = document(&registry, &letters, fonts().expect("fonts"));
        assert!(subset.len() * 5 < whole.len(), "{} vs {} bytes", subset.len(), whole.len());
        let (a, b) = (pages_as_png(&subset), pages_as_png(&whole));
        assert!(a.len() >= 2, "{} pages", a.len());
        assert!(a == b, "the pages differ between the subset and the whole font");
    }

    #[test]
    fn a_page_break_starts_a_new_page() {
        let body = format!("Letter\n{PAGE_BREAK}\nForm\nline");
        let pages = pages_of(&body, 40);
        assert_eq!(pages, vec![vec!["Letter".to_string()], vec!["Form".into(), "line".into()]]);
        assert_eq!(pages_of("", 40), vec![Vec::<String>::new()]);
    }
}
