//! Outgoing letters: `Mailer` delivers e-mail over SMTP (lettre), `templates` renders the letter
//! texts (minijinja), `pdf` lays a letter out for printing.

pub mod pdf;
pub mod templates;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
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

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS: only to a relay on this machine unless allowed.
    Plain,
    /// STARTTLS, required (`smtp://…?tls=required`).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
}

/// An SMTP endpoint parsed from `ONCOREG_SMTP_URL`: `smtps://HOST[:PORT]` (default port 465),
/// `smtp://HOST[:PORT]?tls=required` or `smtp://HOST[:PORT]` (default port 25).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

const URL_FORMS: &str = "the SMTP URL must look like smtps://HOST[:PORT], smtp://HOST[:PORT]?tls=required or smtp://HOST[:PORT]";

impl SmtpUrl {
    pub fn parse(raw: &str) -> Result<Self, MailError> {
        let raw = raw.trim();
        let (rest, mut security, default_port) = if let Some(r) = raw.strip_prefix("smtps://") {
            (r, SmtpSecurity::Tls, 465)
        } else if let Some(r) = raw.strip_prefix("smtp://") {
            (r, SmtpSecurity::Plain, 25)
        } else {
            return Err(MailError::Config(URL_FORMS.into()));
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        match query {
            None => {}
            Some("tls=required") if security == SmtpSecurity::Plain => {
                security = SmtpSecurity::StartTls;
            }
            Some(_) => {
                return Err(MailError::Config(format!(
                    "{URL_FORMS}: the only option is ?tls=required, on smtp://"
                )));
            }
        }
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') => (
                h,
                p.parse::<u16>()
                    .map_err(|_| MailError::Config("the SMTP port must be a number".into()))?,
            ),
            _ => (rest, default_port),
        };
        if host.is_empty() || host.contains('@') || host.contains('/') {
            return Err(MailError::Config(format!("{URL_FORMS} (no credentials, no path)")));
        }
        Ok(Self { host: host.to_string(), port, security })
    }

    /// Whether the server is this machine (plain SMTP never leaves it).
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// TLS and policy options of the mail connection.
#[derive(Clone, Debug, Default)]
pub struct SmtpOptions {
    /// PEM CA certificates trusted besides the system's.
    pub ca_file: Option<std::path::PathBuf>,
    /// Plain SMTP to another machine.
    pub allow_plain: bool,
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
    pub fn new(
        url: &SmtpUrl,
        from: &str,
        timeout: Duration,
        options: &SmtpOptions,
    ) -> Result<Self, MailError> {
        let from: Mailbox =
            from.parse().map_err(|e| MailError::Config(format!("sender address: {e}")))?;
        let builder = SmtpTransport::builder_dangerous(url.host.clone())
            .port(url.port)
            .timeout(Some(timeout));
        let builder = match url.security {
            SmtpSecurity::Plain if !url.is_loopback() && !options.allow_plain => {
                return Err(MailError::Config(format!(
                    "plain SMTP to {} would send patient data unencrypted: use smtps://{0} or \
                     smtp://{0}?tls=required (or allow plain SMTP explicitly)",
                    url.host
                )));
            }
            SmtpSecurity::Plain => builder,
            SmtpSecurity::StartTls => builder.tls(Tls::Required(tls_parameters(url, options)?)),
            SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls_parameters(url, options)?)),
        };
        Ok(Self { transport: builder.build(), from })
    }

    /// Connects and says hello, to check the settings (TLS, certificate) before letters wait on them.
    pub fn check(&self) -> Result<(), MailError> {
        match self.transport.test_connection() {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::Transient("the SMTP server did not answer".into())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
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

/// Certificate verification against the system's CAs and the optional CA file; the server's name
/// must match its certificate.
fn tls_parameters(url: &SmtpUrl, options: &SmtpOptions) -> Result<TlsParameters, MailError> {
    let mut params = TlsParameters::builder(url.host.clone());
    if let Some(path) = &options.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| MailError::Config(format!("SMTP CA file {}: {e}", path.display())))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| MailError::Config(format!("SMTP CA file {}: {e}", path.display())))?;
        params = params.add_root_certificate(cert);
    }
    params.build_rustls().map_err(|e| MailError::Config(format!("TLS: {e}")))
}

#[cfg(test)]
mod tests {
    use super::{SmtpSecurity, SmtpUrl};

    #[test]
    fn smtp_urls() {
        assert_eq!(
            SmtpUrl::parse("smtp://127.0.0.1:2525").ok(),
            Some(SmtpUrl { host: "127.0.0.1".into(), port: 2525, security: SmtpSecurity::Plain })
        );
        assert_eq!(SmtpUrl::parse("smtp://mail.local").map(|u| u.port).ok(), Some(25));
        let tls = SmtpUrl::parse("smtps://mail.example.org").expect("smtps");
        assert_eq!((tls.port, tls.security), (465, SmtpSecurity::Tls));
        let starttls =
            SmtpUrl::parse("smtp://mail.example.org:587?tls=required").expect("starttls");
        assert_eq!((starttls.port, starttls.security), (587, SmtpSecurity::StartTls));
        assert!(SmtpUrl::parse("smtp://x?tls=maybe").is_err());
        assert!(SmtpUrl::parse("smtps://x?tls=required").is_err());
        assert!(SmtpUrl::parse("smtp://localhost").expect("url").is_loopback());
        assert!(SmtpUrl::parse("smtp://127.0.0.2").expect("url").is_loopback());
        assert!(!SmtpUrl::parse("smtp://10.0.0.1").expect("url").is_loopback());
        assert!(SmtpUrl::parse("ftp://x:1").is_err());
        assert!(SmtpUrl::parse("smtp://user:pw@host:25").is_err());
        assert!(SmtpUrl::parse("smtp://host:port").is_err());
    }
}
