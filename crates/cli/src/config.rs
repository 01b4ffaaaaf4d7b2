//! Configuration: command-line flag, then `RIGHTTRACK_<NAME>` environment variable (both
//! handled by clap), then the optional TOML file, then the default. A bad value is
//! reported with where it came from.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub session_hours: Option<i64>,
    pub lockout_after: Option<i64>,
    pub lockout_minutes: Option<i64>,
    pub session_idle_minutes: Option<i64>,
    pub totp_lockout_after: Option<i64>,
    pub totp_lockout_minutes: Option<i64>,
    pub privacy_vault: Option<bool>,
    pub vault_retention_days: Option<i64>,
    pub nats_url: Option<String>,
    pub nats_stream: Option<String>,
    pub nats_subject: Option<String>,
    pub nats_consumer: Option<String>,
    pub nats_batch: Option<usize>,
    /// Days a customer feedback link stays open (default 14).
    pub feedback_link_days: Option<i64>,
    /// Reverse proxies (CIDR) whose X-Forwarded-For names the client for rate limits.
    pub trusted_proxies: Option<Vec<String>>,
    /// A file holding the bearer token `GET /metrics` requires.
    pub metrics_token_file: Option<PathBuf>,
    /// The SMTP server mail goes through; without it no mail is sent.
    pub mail_host: Option<String>,
    /// Default 587 with STARTTLS, 465 with TLS, 25 with none.
    pub mail_port: Option<u16>,
    /// `starttls` (default), `tls`, or `none` (a relay on this machine, no password).
    pub mail_security: Option<String>,
    pub mail_username: Option<String>,
    /// A file holding the SMTP password (never in this file).
    pub mail_password_file: Option<PathBuf>,
    /// The sender, e.g. `RightTrack <righttrack@example.com>`.
    pub mail_from: Option<String>,
}

impl FileConfig {
    /// Reads `path` if given (it must exist), else `DATA_DIR/righttrack.toml` if present.
    pub fn load(explicit: Option<&Path>, data_dir: &Path) -> Result<(FileConfig, Option<PathBuf>)> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = data_dir.join("righttrack.toml");
                if !p.exists() {
                    return Ok((FileConfig::default(), None));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let cfg: FileConfig = toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_owned();
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            match line {
                Some(l) => anyhow::anyhow!("config file {} line {l}: {msg}", path.display()),
                None => anyhow::anyhow!("config file {}: {msg}", path.display()),
            }
        })?;
        for (name, v) in [
            ("session_hours", cfg.session_hours),
            ("lockout_after", cfg.lockout_after),
            ("lockout_minutes", cfg.lockout_minutes),
            ("session_idle_minutes", cfg.session_idle_minutes),
            ("totp_lockout_after", cfg.totp_lockout_after),
            ("totp_lockout_minutes", cfg.totp_lockout_minutes),
            ("feedback_link_days", cfg.feedback_link_days),
        ] {
            if let Some(v) = v {
                if v <= 0 {
                    bail!(
                        "config file {}: `{name}` must be a positive number, got {v}",
                        path.display()
                    );
                }
            }
        }
        Ok((cfg, Some(path)))
    }
}

pub fn parse_listen(value: &str, source: &str) -> Result<SocketAddr> {
    value
        .parse()
        .map_err(|_| anyhow::anyhow!("{source}: {value:?} is not a listen address; expected HOST:PORT such as 127.0.0.1:8080"))
}

/// The JetStream consumer's settings (flag or environment, then the file, then the
/// default), checked before anything starts; `None` when no URL is configured.
pub fn nats(
    url: Option<String>,
    stream: Option<String>,
    subject: Option<String>,
    consumer: Option<String>,
    batch: Option<usize>,
    file: &FileConfig,
    path: Option<&Path>,
) -> Result<Option<(crate::nats::NatsConfig, Vec<async_nats::ServerAddr>)>> {
    let in_file = |key: &str| {
        format!(
            "config file {} `{key}`",
            path.map(|p| p.display().to_string()).unwrap_or_default()
        )
    };
    let (url, source) = match (url, &file.nats_url) {
        (Some(u), _) => (u, "--nats-url / RIGHTTRACK_NATS_URL".to_owned()),
        (None, Some(u)) => (u.clone(), in_file("nats_url")),
        (None, None) => return Ok(None),
    };
    let addrs = crate::nats::parse_urls(&url, &source)?;
    let name = |flag: Option<String>, key: &str, from_file: &Option<String>, default: &str| {
        let (v, source) = match (flag, from_file) {
            (Some(v), _) => (
                v,
                format!(
                    "--{} / RIGHTTRACK_{}",
                    key.replace('_', "-"),
                    key.to_uppercase()
                ),
            ),
            (None, Some(v)) => (v.clone(), in_file(key)),
            (None, None) => (default.to_owned(), "default".to_owned()),
        };
        if v.is_empty() || v.contains(char::is_whitespace) {
            bail!("{source}: {v:?} must be a non-empty name without spaces");
        }
        Ok(v)
    };
    let stream = name(
        stream,
        "nats_stream",
        &file.nats_stream,
        crate::nats::DEFAULT_STREAM,
    )?;
    let subject = name(
        subject,
        "nats_subject",
        &file.nats_subject,
        crate::nats::DEFAULT_SUBJECT,
    )?;
    let consumer = name(
        consumer,
        "nats_consumer",
        &file.nats_consumer,
        crate::nats::DEFAULT_CONSUMER,
    )?;
    if stream.contains(['.', '*', '>']) || consumer.contains(['.', '*', '>']) {
        bail!("--nats-stream and --nats-consumer: names may not contain '.', '*' or '>'");
    }
    let batch = batch
        .or(file.nats_batch)
        .unwrap_or(crate::nats::DEFAULT_BATCH);
    if !(1..=10_000).contains(&batch) {
        bail!("--nats-batch / RIGHTTRACK_NATS_BATCH / `nats_batch`: {batch} must be between 1 and 10000");
    }
    Ok(Some((
        crate::nats::NatsConfig {
            url,
            stream,
            subject,
            consumer,
            batch,
        },
        addrs,
    )))
}

/// Trusted proxies and the metrics token (flag or environment, then the file), checked
/// before anything starts.
pub fn edge(
    proxies: &[String],
    token_file: Option<&Path>,
    file: &FileConfig,
    path: Option<&Path>,
) -> Result<(
    Vec<righttrack_core::net::Cidr>,
    Option<righttrack_core::Secret<String>>,
)> {
    let in_file = |key: &str| {
        format!(
            "config file {} `{key}`",
            path.map(|p| p.display().to_string()).unwrap_or_default()
        )
    };
    let (list, source) = if proxies.is_empty() {
        (
            file.trusted_proxies.clone().unwrap_or_default(),
            in_file("trusted_proxies"),
        )
    } else {
        (
            proxies.to_vec(),
            "--trusted-proxy / RIGHTTRACK_TRUSTED_PROXY".to_owned(),
        )
    };
    let trusted = righttrack_core::net::parse_list(&list.join(","))
        .map_err(|e| anyhow::anyhow!("{source}: {e}"))?;
    let (token_path, source) = match (token_file, &file.metrics_token_file) {
        (Some(p), _) => (
            Some(p.to_path_buf()),
            "--metrics-token-file / RIGHTTRACK_METRICS_TOKEN_FILE".to_owned(),
        ),
        (None, Some(p)) => (Some(p.clone()), in_file("metrics_token_file")),
        (None, None) => (None, String::new()),
    };
    let token = match token_path {
        None => None,
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .with_context(|| format!("{source}: cannot read {}", p.display()))?;
            let token = text.trim();
            if token.chars().count() < 16 || token.contains(char::is_whitespace) {
                bail!(
                    "{source}: the metrics token in {} must be at least 16 characters without spaces",
                    p.display()
                );
            }
            Some(righttrack_core::Secret::new(token.to_owned()))
        }
    };
    Ok((trusted, token))
}

/// The SMTP settings of the file, checked before anything starts; `None` without
/// `mail_host` (no mail). The password is read from `mail_password_file`.
pub fn mail(
    file: &FileConfig,
    path: Option<&Path>,
) -> Result<Option<righttrack_app::jobs::mail::MailConfig>> {
    use righttrack_app::jobs::mail::{MailConfig, Security};
    let where_ = format!(
        "config file {}",
        path.map(|p| p.display().to_string()).unwrap_or_default()
    );
    let Some(host) = &file.mail_host else {
        if file.mail_from.is_some() || file.mail_username.is_some() {
            bail!("{where_}: the mail settings need `mail_host`");
        }
        return Ok(None);
    };
    let security = match file.mail_security.as_deref() {
        None => Security::StartTls,
        Some(s) => Security::parse(s).ok_or_else(|| {
            anyhow::anyhow!(
                "{where_} `mail_security`: {s:?} is not one of \"starttls\", \"tls\", \"none\""
            )
        })?,
    };
    let Some(from) = file.mail_from.clone() else {
        bail!("{where_}: `mail_host` needs `mail_from`, the sender's address");
    };
    let password = match &file.mail_password_file {
        None => None,
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| {
                format!("{where_} `mail_password_file`: cannot read {}", p.display())
            })?;
            let pw = text.trim_end_matches(['\n', '\r']);
            if pw.is_empty() {
                bail!("{where_} `mail_password_file`: {} is empty", p.display());
            }
            Some(righttrack_core::Secret::new(pw.to_owned()))
        }
    };
    let cfg = MailConfig {
        host: host.clone(),
        port: file.mail_port.unwrap_or(security.default_port()),
        security,
        username: file.mail_username.clone(),
        password,
        from,
    };
    cfg.check().map_err(|e| anyhow::anyhow!("{where_}: {e}"))?;
    Ok(Some(cfg))
}
