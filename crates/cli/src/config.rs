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
    /// Days a customer feedback link stays open (default 14).
    pub feedback_link_days: Option<i64>,
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
