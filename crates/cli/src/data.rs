//! The data directory: the SQLite database (unless PostgreSQL is used) and the keys.
//!
//! Opening checks everything before writing anything: the database answers and is not
//! newer than this binary, the key files are present when the database already holds
//! data, parse, and are readable by their owner only. Only a brand-new installation
//! (no database content, no keys) creates files.

use anyhow::{bail, Context, Result};
use ed25519_dalek::SigningKey;
use righttrack_core::crypto::Keyring;
use righttrack_store::Db;
use std::path::{Path, PathBuf};

pub const KEYRING_FILE: &str = "master.keys";
pub const SIGNING_FILE: &str = "signing.key";
/// Signed audit heads, appended at every checkpoint, for an auditor to copy elsewhere.
pub const AUDIT_HEADS_FILE: &str = "audit-heads.log";

pub struct Opened {
    pub db: Db,
    pub keys: Keyring,
    pub signer: SigningKey,
    pub keyring_path: PathBuf,
    pub created: bool,
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "key file {} is readable by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Writes a file readable by the owner only, atomically (temp file, fsync, rename).
pub fn write_private(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(contents)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn read_keyring(path: &Path) -> Result<Keyring> {
    check_private(path)?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    Keyring::parse(&text).map_err(|e| anyhow::anyhow!("key file {}: {e}", path.display()))
}

fn read_signer(path: &Path) -> Result<SigningKey> {
    check_private(path)?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    let bytes = data_encoding::BASE64
        .decode(text.trim().as_bytes())
        .map_err(|_| anyhow::anyhow!("key file {}: not valid base64", path.display()))?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| {
        anyhow::anyhow!(
            "key file {}: an Ed25519 seed must be 32 bytes",
            path.display()
        )
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Opens the database and keys for `data_dir` (and `database_url`, when PostgreSQL).
pub async fn open(
    data_dir: &Path,
    database_url: Option<&str>,
    allow_create: bool,
) -> Result<Opened> {
    let keyring_path = data_dir.join(KEYRING_FILE);
    let signing_path = data_dir.join(SIGNING_FILE);
    let have_keys = keyring_path.exists() || signing_path.exists();

    // 1. The database, without creating anything yet.
    let (db, db_is_new) = match database_url {
        Some(url) if !url.starts_with("sqlite:") => {
            let db = Db::connect(url).await?;
            let is_new = db.holds_no_data().await?;
            (db, is_new)
        }
        other => {
            let path = match other.and_then(|u| {
                u.strip_prefix("sqlite://")
                    .or_else(|| u.strip_prefix("sqlite:"))
            }) {
                Some(p) => PathBuf::from(p),
                None => data_dir.join("righttrack.db"),
            };
            let exists = path.exists();
            if !exists && !allow_create {
                bail!("no RightTrack database at {}; run `righttrack serve` once to create it, or pass --data-dir", path.display());
            }
            if !exists && have_keys {
                bail!(
                    "the data directory {} holds keys but no database {}; restore the database from backup, or point --data-dir at the right directory",
                    data_dir.display(),
                    path.display()
                );
            }
            if !exists {
                create_dir_private(data_dir)?;
            }
            let db = Db::open_sqlite(&path).await?;
            // A damaged file is refused before anything reads or writes it further.
            if exists {
                refuse_damaged(&db, false).await?;
            }
            let is_new = !exists || db.holds_no_data().await?;
            (db, is_new)
        }
    };
    let found = db.schema_version().await?;
    if found > db.known_schema_version() {
        bail!(righttrack_store::StoreError::SchemaTooNew {
            location: db.location().to_owned(),
            found,
            known: db.known_schema_version()
        });
    }

    // 2. The keys: required once the database holds data.
    let created;
    let (keys, signer) = if keyring_path.exists() && signing_path.exists() {
        created = false;
        (read_keyring(&keyring_path)?, read_signer(&signing_path)?)
    } else if !db_is_new || have_keys {
        let missing = if keyring_path.exists() {
            &signing_path
        } else {
            &keyring_path
        };
        bail!(
            "key file {} is missing but the database already holds data; restore it from your backup (without it, encrypted data and the audit signatures cannot be checked)",
            missing.display()
        );
    } else if !allow_create {
        bail!(
            "no keys in {}; run `righttrack serve` once to initialise it",
            data_dir.display()
        );
    } else {
        create_dir_private(data_dir)?;
        let keys = Keyring::generate(&mut rand::rngs::OsRng);
        let signer = SigningKey::generate(&mut rand::rngs::OsRng);
        write_private(&keyring_path, keys.to_file_text().as_bytes())?;
        write_private(
            &signing_path,
            format!("{}\n", data_encoding::BASE64.encode(signer.as_bytes())).as_bytes(),
        )?;
        created = true;
        (keys, signer)
    };

    // 3. Only now change the database.
    db.migrate().await?;
    if found > 0 && found < db.known_schema_version() {
        tracing::info!(
            from = found,
            to = db.known_schema_version(),
            "migrated the database schema"
        );
    }
    if found < righttrack_store::audit::HEAD_SIGNED_SINCE
        && db.audit_sign_legacy_head(&signer).await?
    {
        tracing::info!("signed the audit head of a database made by an older version");
    }
    Ok(Opened {
        db,
        keys,
        signer,
        keyring_path,
        created,
    })
}

/// Fails with one clear line when the database's consistency check finds damage.
pub async fn refuse_damaged(db: &Db, thorough: bool) -> Result<()> {
    let problems = db
        .integrity_problems(thorough)
        .await
        .with_context(|| format!("cannot check the database {}", db.location()))?;
    if let Some(first) = problems.first() {
        bail!(
            "the database {} is damaged ({first}{}); stop here and restore it from a backup with `righttrack restore` (see \"Backup and restore\" in the README)",
            db.location(),
            if problems.len() > 1 { "; and more" } else { "" }
        );
    }
    Ok(())
}

/// The lock file that keeps a second `serve` off a SQLite data directory.
pub const LOCK_FILE: &str = "righttrack.lock";

/// Takes the data directory's exclusive lock, held as long as the returned file is
/// open; refuses when another process holds it.
pub fn lock(data_dir: &Path) -> Result<std::fs::File> {
    use std::io::Write;
    create_dir_private(data_dir)?;
    let path = data_dir.join(LOCK_FILE);
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            bail!(
                "the data directory {} is in use by another righttrack process{}; stop it first (one server per SQLite data directory; use PostgreSQL to run several)",
                data_dir.display(),
                if holder.is_empty() { String::new() } else { format!(" (process {holder})") }
            );
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    f.set_len(0)?;
    writeln!(f, "{}", std::process::id())?;
    Ok(f)
}

pub fn create_dir_private(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}
