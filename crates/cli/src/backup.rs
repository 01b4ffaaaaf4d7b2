//! `righttrack backup` and `righttrack restore`.
//!
//! A backup is a directory with two parts meant to be stored apart: `database/` (a
//! consistent SQLite copy made with `VACUUM INTO` while the server runs; for PostgreSQL,
//! `pg_dump`) and `keys/` (the master keyring and the audit signing key). Whoever holds
//! both holds everything the live system holds; the database part alone is sealed data
//! and a trail nobody can re-sign. `audit-heads.log` (the exported signed heads) is
//! copied beside them, before the database, so every head in it is in the copy.

use crate::data::{self, AUDIT_HEADS_FILE, KEYRING_FILE, SIGNING_FILE};
use anyhow::{bail, Context, Result};
use std::path::Path;

pub const DB_FILE: &str = "righttrack.db";

fn copy_private(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    data::write_private(to, &bytes)
}

fn empty_or_missing(dir: &Path) -> Result<bool> {
    Ok(!dir.exists()
        || std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none())
}

/// Writes the backup of an open installation to `dest` (which must be new or empty).
pub async fn backup(ctx: &righttrack_app::Ctx, data_dir: &Path, dest: &Path) -> Result<()> {
    if !empty_or_missing(dest)? {
        bail!(
            "the backup directory {} is not empty; name a new directory",
            dest.display()
        );
    }
    data::create_dir_private(dest)?;
    data::create_dir_private(&dest.join("keys"))?;
    data::create_dir_private(&dest.join("database"))?;
    copy_private(
        &data_dir.join(KEYRING_FILE),
        &dest.join("keys").join(KEYRING_FILE),
    )?;
    copy_private(
        &data_dir.join(SIGNING_FILE),
        &dest.join("keys").join(SIGNING_FILE),
    )?;
    let heads = data_dir.join(AUDIT_HEADS_FILE);
    if heads.exists() {
        copy_private(&heads, &dest.join(AUDIT_HEADS_FILE))?;
    }
    let db_copy = dest.join("database").join(DB_FILE);
    let copied = righttrack_app::jobs::admin::sqlite_backup(ctx, &db_copy)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    if copied {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&db_copy, std::fs::Permissions::from_mode(0o600))?;
        }
        let copy = righttrack_store::Db::open_sqlite(&db_copy).await?;
        let (seq, hash) = copy.audit_head().await?;
        copy.close().await;
        println!(
            "backup written to {}:\n  database/{DB_FILE}  (audit trail: {seq} entries, head {})\n  keys/{KEYRING_FILE}, keys/{SIGNING_FILE}\nStore keys/ apart from database/ (different media or custodians): together they open everything.",
            dest.display(),
            righttrack_core::audit::hex(&hash)
        );
    } else {
        println!(
            "keys written to {}/keys. The database is PostgreSQL: back it up with\n  pg_dump --format=custom --file {}/database/righttrack.dump DATABASE_URL\nStore keys/ apart from the dump: together they open everything.",
            dest.display(),
            dest.display()
        );
    }
    Ok(())
}

/// Copies a backup's files into an empty data directory (locked meanwhile). The caller
/// then opens and checks it.
pub fn restore_files(src: &Path, keys: &Path, data_dir: &Path, sqlite: bool) -> Result<()> {
    for f in [KEYRING_FILE, SIGNING_FILE] {
        if !keys.join(f).exists() {
            bail!(
                "the backup's key file {} is missing; pass --keys DIR where the keys were kept",
                keys.join(f).display()
            );
        }
    }
    let db_src = src.join("database").join(DB_FILE);
    if sqlite && !db_src.exists() {
        bail!("no database in the backup: {} is missing", db_src.display());
    }
    for f in [DB_FILE, KEYRING_FILE, SIGNING_FILE] {
        if data_dir.join(f).exists() {
            bail!(
                "the data directory {} already holds {f}; restore into a new, empty data directory (move the old one aside first)",
                data_dir.display()
            );
        }
    }
    if sqlite {
        copy_private(&db_src, &data_dir.join(DB_FILE))?;
    }
    copy_private(&keys.join(KEYRING_FILE), &data_dir.join(KEYRING_FILE))?;
    copy_private(&keys.join(SIGNING_FILE), &data_dir.join(SIGNING_FILE))?;
    let heads = src.join(AUDIT_HEADS_FILE);
    if heads.exists() {
        copy_private(&heads, &data_dir.join(AUDIT_HEADS_FILE))?;
    }
    Ok(())
}
