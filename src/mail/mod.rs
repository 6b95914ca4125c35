//! Outgoing letters: `Mailer` delivers e-mail over SMTP (lettre), `templates` renders the letter
//! texts (minijinja), `pdf` lays a letter out for printing.

pub mod pdf;
pub mod templates;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{Message, SmtpTransport, Transport};

/// Why a message did not go out.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The server refused the message for good (5xx) or the address is malformed: retrying will not help.
    #[error("permanent: {0}")]
    Permanent(String),
    /// Connection refused, timeout, 4xx: retry later.
    #[error("transient: {0}")]
    Transient(String),
    /// The SMTP URL or the sender address in the settings is wrong.
    #[error("mail settings: {0}")]
    Config(String),
}

/// An SMTP endpoint parsed from `ONCOREG_SMTP_URL` (`smtp://HOST[:PORT]`, default port 25).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
}

impl SmtpUrl {
    pub fn parse(raw: &str) -> Result<Self, MailError> {
        let rest = raw.trim().strip_prefix("smtp://").ok_or_else(|| {
            MailError::Config("the SMTP URL must look like smtp://HOST[:PORT]".into())
        })?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| MailError::Config("the SMTP port must be a number".into()))?,
            ),
            None => (rest, 25),
        };
        if host.is_empty() || host.contains('@') || host.contains('/') {
            return Err(MailError::Config(
                "the SMTP URL must look like smtp://HOST[:PORT] (no credentials, no path)".into(),
            ));
        }
        Ok(Self { host: host.to_string(), port })
    }
}

/// One e-mail to send.
#[derive(Clone, Debug)]
pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Stable per letter, so a receiving system can recognize a message it already has.
    pub message_id: String,
}

/// Sends plain-text e-mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(url: &SmtpUrl, from: &str, timeout: Duration) -> Result<Self, MailError> {
        let from: Mailbox =
            from.parse().map_err(|e| MailError::Config(format!("sender address: {e}")))?;
        let transport = SmtpTransport::builder_dangerous(url.host.clone())
            .port(url.port)
            .timeout(Some(timeout))
            .build();
        Ok(Self { transport, from })
    }

    pub fn send(&self, mail: &Outgoing) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::Permanent("the recipient address is not valid".into()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(mail.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.to_string())
            .map_err(|e| MailError::Permanent(format!("message: {e}")))?;
        self.transport.send(&message).map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                MailError::Permanent(e.to_string())
            } else {
                MailError::Transient(e.to_string())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SmtpUrl;

    #[test]
    fn smtp_urls() {
        assert_eq!(
            SmtpUrl::parse("smtp://127.0.0.1:2525").ok(),
            Some(SmtpUrl { host: "127.0.0.1".into(), port: 2525 })
        );
        assert_eq!(SmtpUrl::parse("smtp://mail.local").map(|u| u.port).ok(), Some(25));
        assert!(SmtpUrl::parse("smtps://x:1").is_err());
        assert!(SmtpUrl::parse("smtp://user:pw@host:25").is_err());
        assert!(SmtpUrl::parse("smtp://host:port").is_err());
    }
}
