//! Letter texts: one minijinja template per letter of the sequence (`jobs/letters/*.txt`), embedded
//! in the binary and overridable one by one from a directory (`ONCOREG_LETTERS_DIR`).
//!
//! A template renders to a `Subject:` line, a blank line and the body. Whatever patient data a letter
//! carries is exactly what its template prints from [`LetterVars`].

use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// The templates of the letter sequence, by the names `domain::followup::letter_plan` gives.
pub const TEMPLATES: [(&str, &str); 4] = [
    ("physician", include_str!("../../jobs/letters/physician.txt")),
    ("other_physician", include_str!("../../jobs/letters/other_physician.txt")),
    ("patient", include_str!("../../jobs/letters/patient.txt")),
    ("patient_second", include_str!("../../jobs/letters/patient_second.txt")),
];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("letter template {name}: {message}")]
    Invalid { name: String, message: String },
    #[error("letter template directory: {0}")]
    Io(String),
}

/// The registry as it heads and signs its letters (stored in the database).
pub use crate::domain::followup::Letterhead as Registry;

/// Starts a new page in a printed letter (the reply form); e-mail shows a cut line instead.
pub const PAGE_BREAK: &str = "\u{c}";

/// Everything a template may print.
#[derive(Clone, Debug, Serialize)]
pub struct LetterVars {
    pub registry: Registry,
    /// `email` or `print`.
    pub channel: String,
    /// The letter's reference (quoted in replies) and date.
    pub reference: String,
    pub date: String,
    pub recipient_name: Option<String>,
    /// `Dear Dr. Synthetic`, `Dear Ms. Melano`, or the full name where no title is known.
    pub salutation: String,
    /// Where replies go: the return address, else the registry's street address.
    pub reply_address: Vec<String>,
    /// A line holding only this starts a new printed page (the reply form).
    pub page_break: &'static str,
    /// Postal address lines (printed letters only).
    pub recipient_address: Vec<String>,
    pub patient_name: String,
    pub patient_date_of_birth: Option<String>,
    pub patient_id_number: String,
    /// The date of last contact the registry has, e.g. `10 May 2025`, `May 2025` or `2025`.
    pub last_contact: String,
    /// False for in situ and benign cases: the wording then avoids the word "cancer".
    pub mentions_cancer: bool,
}

/// A rendered letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

impl Templates {
    /// The embedded templates, each replaced by `<dir>/<name>.txt` when that file exists.
    pub fn load(dir: Option<&Path>) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        let syntax =
            SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build().map_err(|e| {
                TemplateError::Invalid { name: "syntax".into(), message: e.to_string() }
            })?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // A directory that is not there is a typing mistake, not "no overrides".
        if let Some(d) = dir.filter(|d| !d.is_dir()) {
            return Err(TemplateError::Io(format!("{}: not a directory", d.display())));
        }
        for (name, embedded) in TEMPLATES {
            let source = match dir.map(|d| d.join(format!("{name}.txt"))) {
                Some(path) if path.is_file() => std::fs::read_to_string(&path)
                    .map_err(|e| TemplateError::Io(format!("{}: {e}", path.display())))?,
                _ => embedded.to_string(),
            };
            env.add_template_owned(name.to_string(), source).map_err(|e| {
                TemplateError::Invalid { name: name.into(), message: e.to_string() }
            })?;
        }
        let templates = Self { env };
        // Fail at boot, not at the first letter: every template must render from sample values.
        for (name, _) in TEMPLATES {
            for mentions_cancer in [true, false] {
                templates.render(name, &LetterVars::sample(mentions_cancer))?;
            }
        }
        Ok(templates)
    }

    /// Renders template `name`.
    pub fn render(&self, name: &str, vars: &LetterVars) -> Result<Rendered, TemplateError> {
        let invalid = |message: String| TemplateError::Invalid { name: name.into(), message };
        let text = self
            .env
            .get_template(name)
            .and_then(|t| t.render(Serde(vars)))
            .map_err(|e| invalid(e.to_string()))?;
        let text = text.trim_start();
        let (first, body) = text.split_once('\n').unwrap_or((text, ""));
        let subject = first
            .strip_prefix("Subject:")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("the first line must be `Subject: ...`".into()))?;
        Ok(Rendered { subject: subject.to_string(), body: wrap(body.trim(), WIDTH) + "\n" })
    }
}

/// Line width of a letter: short enough for plain-text e-mail (7-bit, no soft breaks) and print.
pub const WIDTH: usize = 76;

/// Wraps each line longer than `width` at spaces (textwrap, first fit, words never broken);
/// continuation lines keep the line's indentation.
pub fn wrap(text: &str, width: usize) -> String {
    use textwrap::{Options, WordSeparator, WrapAlgorithm};
    let mut out = Vec::new();
    for line in text.lines() {
        // Spaces only: a form feed is the page-break mark and must survive.
        let line = line.trim_end_matches([' ', '\t', '\r']);
        if line.chars().count() <= width {
            out.push(line.to_string());
            continue;
        }
        let indent = &line[..line.len() - line.trim_start_matches(' ').len()];
        let options = Options::new(width)
            .initial_indent(indent)
            .subsequent_indent(indent)
            .break_words(false)
            .word_separator(WordSeparator::AsciiSpace)
            .wrap_algorithm(WrapAlgorithm::FirstFit);
        let words = line.split_whitespace().collect::<Vec<_>>().join(" ");
        out.extend(textwrap::wrap(&words, options).into_iter().map(|l| l.into_owned()));
    }
    out.join("\n")
}

impl LetterVars {
    /// Placeholder values, for checking templates.
    pub fn sample(mentions_cancer: bool) -> Self {
        Self {
            registry: Registry {
                name: "Registry".into(),
                phone: "000".into(),
                address: vec!["Street 1".into()],
                fax: Some("001".into()),
                return_address: vec!["PO Box 1".into()],
                signer_name: Some("Signer".into()),
                signer_title: Some("Cancer Registrar".into()),
            },
            salutation: "Dear Recipient".into(),
            reply_address: vec!["PO Box 1".into()],
            page_break: PAGE_BREAK,
            channel: "print".into(),
            reference: "REF".into(),
            date: "1 January 2000".into(),
            recipient_name: Some("Recipient".into()),
            recipient_address: vec!["Street 2".into()],
            patient_name: "Patient".into(),
            patient_date_of_birth: Some("1 January 1950".into()),
            patient_id_number: "00000001".into(),
            last_contact: "1 January 1999".into(),
            mentions_cancer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_templates_render_with_and_without_the_word_cancer() {
        let t = Templates::load(None).expect("templates");
        for (name, _) in TEMPLATES {
            let with = t.render(name, &LetterVars::sample(true)).expect("render");
            let without = t.render(name, &LetterVars::sample(false)).expect("render");
            assert!(with.body.contains("cancer"), "{name}");
            let wording = without.body.replace("Cancer Registrar", "");
            assert!(!wording.to_lowercase().contains("cancer"), "{name}");
            assert!(!without.subject.to_lowercase().contains("cancer"), "{name}");
            assert!(with.body.lines().all(|l| l.chars().count() <= WIDTH), "{name}");
        }
    }

    #[test]
    fn patient_letters_carry_no_date_of_birth_or_registry_number() {
        let t = Templates::load(None).expect("templates");
        for name in ["patient", "patient_second"] {
            let r = t.render(name, &LetterVars::sample(true)).expect("render");
            assert!(!r.body.contains("1 January 1950") && !r.body.contains("00000001"));
        }
    }

    #[test]
    fn physician_letters_carry_the_reply_form_and_the_disclosure() {
        let t = Templates::load(None).expect("templates");
        for name in ["physician", "other_physician"] {
            let r = t.render(name, &LetterVars::sample(true)).expect("render");
            let (letter, form) = r.body.split_once(PAGE_BREAK).expect("a second page");
            assert!(letter.contains("45 CFR 164.512(b)"), "{name}");
            assert!(letter.contains("Signer\nCancer Registrar"), "{name}");
            for field in ["Date last seen", "Vital status", "Date of death", "Cancer status"] {
                assert!(form.contains(&format!("\n    {field}")), "{name}: {field} indented");
            }
            assert!(form.contains("Fax 001") && form.contains("PO Box 1"), "{name}");
        }
        for name in ["patient", "patient_second"] {
            let r = t.render(name, &LetterVars::sample(false)).expect("render");
            assert!(!r.body.contains(PAGE_BREAK) && r.body.contains("PO Box 1"), "{name}");
        }
    }

    #[test]
    fn wrap_keeps_indentation() {
        let w = wrap("    aaa bbb ccc", 9);
        assert_eq!(w, "    aaa\n    bbb\n    ccc");
    }
}
