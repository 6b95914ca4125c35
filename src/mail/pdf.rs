//! Printed letters: each letter on its own US Letter page(s) under the registry's letterhead,
//! DejaVu Sans embedded and subset by printpdf.

use std::sync::OnceLock;

use printpdf::{
    Color, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

use super::templates::{Registry, WIDTH, wrap};

const PAGE_W: f32 = 215.9;
const PAGE_H: f32 = 279.4;
const MARGIN: f32 = 22.0;
const BODY_PT: f32 = 10.5;
const LINE_PT: f32 = 14.0;

/// One letter to lay out: its body text (already rendered by the template).
pub struct PrintLetter<'a> {
    pub body: &'a str,
}

#[derive(Debug, thiserror::Error)]
#[error("PDF: {0}")]
pub struct PdfError(String);

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

/// One PDF with every letter, each starting on a new page.
pub fn render(registry: &Registry, letters: &[PrintLetter]) -> Result<Vec<u8>, PdfError> {
    let (regular_font, bold_font) = fonts()?;
    let mut doc = PdfDocument::new(&format!("{} follow-up letters", registry.name));
    let regular = PdfFontHandle::External(doc.add_font(regular_font));
    let bold = PdfFontHandle::External(doc.add_font(bold_font));
    let line_mm = LINE_PT * 25.4 / 72.0;
    let first_line = PAGE_H - MARGIN - 20.0;
    let lines_per_page = ((first_line - MARGIN) / line_mm).floor().max(1.0) as usize;
    let mut pages = Vec::new();
    for letter in letters {
        let text = wrap(letter.body, WIDTH + 8);
        let lines: Vec<&str> = text.lines().collect();
        let chunks: Vec<&[&str]> =
            if lines.is_empty() { vec![&[][..]] } else { lines.chunks(lines_per_page).collect() };
        let count = chunks.len();
        for (n, chunk) in chunks.into_iter().enumerate() {
            let mut ops = letterhead(registry, &regular, &bold);
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont { font: regular.clone(), size: Pt(BODY_PT) });
            ops.push(Op::SetLineHeight { lh: Pt(LINE_PT) });
            ops.push(Op::SetTextCursor { pos: Point::new(Mm(MARGIN), Mm(first_line)) });
            for line in chunk {
                ops.push(Op::ShowText { items: vec![TextItem::Text((*line).to_string())] });
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
        let mut ops = letterhead(registry, &regular, &bold);
        ops.extend(text_at(&regular, BODY_PT, MARGIN, first_line, "No letters to print."));
        pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops));
    }
    let mut warnings = Vec::new();
    Ok(doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings))
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
        };
        let body = "Dear Doctor,\n\n".to_string() + &"A line of text. ".repeat(400);
        let pdf = render(&registry, &[PrintLetter { body: &body }, PrintLetter { body: "Hi" }])
            .expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000, "font subset: {} bytes", pdf.len());
    }
}
