//! The hotline's configuration and the end of a case's life: categories (with their
//! questions in every language), jurisdictions and the default one, retention rules,
//! legal holds, and the retention sweep that destroys expired cases.
//!
//! **Categories** are seeded on first use (an empty table) with [`default_categories`];
//! after that the table is the only source. A category is never deleted, only disabled,
//! so every stored case keeps a category it can be labelled with.
//!
//! **Retention.** When a case closes, [`Db::close_case_retention`] fixes its
//! `retain_until` from the rule that applies then ([`righttrack_core::speakup_config::applicable_rule`]);
//! later rule changes apply to cases closed later. [`Db::sweep_speakup_retention`] destroys
//! each case past that instant, unless it is under legal hold, in one transaction per case:
//! a content-free `speakup_stats` row is written and the case row deleted, which deletes
//! (by cascade) its fields, key wraps, messages, events, clocks, identity envelope and
//! attachments. Without any wrap the case key is gone, so any copy of the sealed text
//! elsewhere (a backup) can no longer be opened by anyone: crypto-shredding.

use crate::speakup::Jurisdiction;
use crate::{found, from_ms, ms, on_pool, Db, Result, StoreError};
use jiff::{SignedDuration, Timestamp};
use righttrack_core::speakup_config::{applicable_rule, RetentionRule, ANY};
use serde::{Deserialize, Serialize};

/// The retention used when no rule matches (only if someone deleted the `*`/`*` rule
/// outside the settings pages, which refuse to): the migration's default, two years.
pub const FALLBACK_RETENTION_DAYS: i64 = 730;
/// Cases destroyed within this many days are listed as a warning.
pub const RETENTION_WARNING_DAYS: i64 = 30;

/// One text per language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub en: String,
    pub es: String,
}

impl Texts {
    fn of(en: &str, es: &str) -> Self {
        Texts {
            en: en.into(),
            es: es.into(),
        }
    }

    /// The text in `lang` (`en`, `es`); English for anything else.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "es" => &self.es,
            _ => &self.en,
        }
    }
}

/// A list of texts per language (a category's questions, in order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextLists {
    pub en: Vec<String>,
    pub es: Vec<String>,
}

impl TextLists {
    pub fn get(&self, lang: &str) -> &[String] {
        match lang {
            "es" => &self.es,
            _ => &self.en,
        }
    }
}

/// A report category (`speakup_categories`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub key: String,
    /// Order on the reporter's form (smallest first, then by key).
    pub position: i64,
    pub labels: Texts,
    /// One line under the label on the reporter's form; may be empty.
    pub hints: Texts,
    /// The questions the form asks for this category, the same number in every
    /// language (answers are stored by position: `answer:1`, `answer:2`, ...).
    pub questions: TextLists,
    /// Offered to reporters; a disabled category is refused on new reports.
    pub enabled: bool,
    /// Routed to audit-committee members instead of ethics officers (SOX 301).
    pub audit_committee: bool,
}

fn cat(
    key: &str,
    position: i64,
    label: [&str; 2],
    hint: [&str; 2],
    questions: &[[&str; 2]],
    audit_committee: bool,
) -> Category {
    Category {
        key: key.into(),
        position,
        labels: Texts::of(label[0], label[1]),
        hints: Texts::of(hint[0], hint[1]),
        questions: TextLists {
            en: questions.iter().map(|q| q[0].to_owned()).collect(),
            es: questions.iter().map(|q| q[1].to_owned()).collect(),
        },
        enabled: true,
        audit_committee,
    }
}

/// The six categories a new installation starts with.
pub fn default_categories() -> Vec<Category> {
    vec![
        cat(
            "fraud",
            1,
            ["Fraud or theft", "Fraude o robo"],
            [
                "Stealing, false expenses or refunds, payroll or billing tricks.",
                "Robos, gastos o reembolsos falsos, trampas en nóminas o facturación.",
            ],
            &[
                [
                    "What kind of fraud is it (for example expenses, refunds, payroll)?",
                    "¿Qué tipo de fraude es (por ejemplo gastos, reembolsos, nómina)?",
                ],
                [
                    "Roughly how much money is involved, if you know?",
                    "¿Cuánto dinero está en juego, aproximadamente, si lo sabes?",
                ],
            ],
            false,
        ),
        cat(
            "data_misuse",
            2,
            [
                "Misuse of customer data",
                "Uso indebido de datos de clientes",
            ],
            [
                "Customer records or recordings looked at, copied or shared without a reason.",
                "Fichas o grabaciones de clientes consultadas, copiadas o compartidas sin motivo.",
            ],
            &[
                [
                    "What data was misused (for example customer records, call recordings)?",
                    "¿Qué datos se usaron indebidamente (por ejemplo fichas de clientes, grabaciones)?",
                ],
                [
                    "Was the data shared outside the company?",
                    "¿Se compartieron los datos fuera de la empresa?",
                ],
            ],
            false,
        ),
        cat(
            "harassment",
            3,
            ["Harassment or discrimination", "Acoso o discriminación"],
            [
                "Bullying, sexual harassment, or unfair treatment because of who someone is.",
                "Acoso laboral o sexual, o trato injusto por quién es una persona.",
            ],
            &[
                ["Is it still happening?", "¿Sigue ocurriendo?"],
                [
                    "Did anyone else see or hear it?",
                    "¿Alguien más lo vio o lo oyó?",
                ],
            ],
            false,
        ),
        cat(
            "retaliation",
            4,
            [
                "Retaliation for speaking up",
                "Represalias por haber denunciado",
            ],
            [
                "Being treated worse because you or someone else raised a concern.",
                "Recibir peor trato porque tú u otra persona planteasteis una denuncia.",
            ],
            &[
                [
                    "What did you report or take part in before this happened?",
                    "¿Qué denunciaste o en qué participaste antes de que esto pasara?",
                ],
                [
                    "What was done to you, and when?",
                    "¿Qué te hicieron y cuándo?",
                ],
            ],
            false,
        ),
        cat(
            "conflict_of_interest",
            5,
            ["Conflict of interest", "Conflicto de intereses"],
            [
                "A personal relationship or interest that sways a work decision.",
                "Una relación o un interés personal que influye en una decisión de trabajo.",
            ],
            &[[
                "What relationship or interest was not disclosed?",
                "¿Qué relación o interés no se declaró?",
            ]],
            false,
        ),
        cat(
            "accounting",
            6,
            [
                "Accounting or auditing irregularities",
                "Irregularidades contables o de auditoría",
            ],
            [
                "False entries, misstated reports, or concerns about how the books are audited.",
                "Asientos falsos, informes alterados o dudas sobre cómo se auditan las cuentas.",
            ],
            &[
                [
                    "Which records, accounts or reports are affected?",
                    "¿Qué registros, cuentas o informes están afectados?",
                ],
                [
                    "Which period does it concern?",
                    "¿A qué periodo se refiere?",
                ],
            ],
            true,
        ),
    ]
}

type CategoryRow = (String, i64, String, String, String, bool, bool);

fn json_of<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("encoding a category: {e}")))
}

fn from_row(r: CategoryRow) -> Result<Category> {
    let (key, position, labels, hints, questions, enabled, audit_committee) = r;
    let bad = |col: &str| StoreError::Corrupt(format!("speakup_categories.{col} of {key:?}"));
    Ok(Category {
        labels: serde_json::from_str(&labels).map_err(|_| bad("labels"))?,
        hints: serde_json::from_str(&hints).map_err(|_| bad("hints"))?,
        questions: serde_json::from_str(&questions).map_err(|_| bad("questions"))?,
        key,
        position,
        enabled,
        audit_committee,
    })
}

/// A case whose retention ends soon (the warning list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiringCase {
    pub id: String,
    pub category: String,
    pub status: String,
    pub retain_until: Timestamp,
}

/// What one retention sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// References of the cases destroyed (for the audit trail; nothing else keeps them).
    pub destroyed: Vec<String>,
    /// Cases past their retention but kept because of a legal hold.
    pub held: i64,
    /// Cases whose retention ends within [`RETENTION_WARNING_DAYS`].
    pub expiring: Vec<ExpiringCase>,
}

type ExpiredRow = (String, String, bool, String, bool, i64, Option<i64>);

impl Db {
    /// Seeds the default categories when the table is empty. Concurrent first uses are
    /// harmless: each insert skips a key that is already there.
    async fn ensure_speakup_categories(&self) -> Result<()> {
        let n: i64 = scalar!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM speakup_categories",
        );
        if n == 0 {
            for c in default_categories() {
                self.insert_category(&c, true).await?;
            }
        }
        Ok(())
    }

    /// Inserts one category row; with `skip_existing` a key already there is left as it
    /// is, without it that is a [`StoreError::Conflict`].
    async fn insert_category(&self, c: &Category, skip_existing: bool) -> Result<()> {
        let (labels, hints, questions) = (
            json_of(&c.labels)?,
            json_of(&c.hints)?,
            json_of(&c.questions)?,
        );
        let sql = if skip_existing {
            "INSERT INTO speakup_categories (key, position, labels, hints, questions, enabled, audit_committee) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING"
        } else {
            "INSERT INTO speakup_categories (key, position, labels, hints, questions, enabled, audit_committee) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        };
        let r: Result<u64> = on_pool!(self, |p| {
            sqlx::query(sql)
                .bind(&c.key)
                .bind(c.position)
                .bind(&labels)
                .bind(&hints)
                .bind(&questions)
                .bind(c.enabled)
                .bind(c.audit_committee)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
                .map_err(StoreError::from)
        });
        r.map(|_| ())
            .map_err(|e| e.naming(|| format!("category {:?}", c.key)))
    }

    /// Every category, enabled or not, in form order.
    pub async fn speakup_categories(&self) -> Result<Vec<Category>> {
        self.ensure_speakup_categories().await?;
        let rows: Vec<CategoryRow> = fetch!(
            self,
            fetch_all,
            "SELECT key, position, labels, hints, questions, enabled, audit_committee FROM speakup_categories ORDER BY position, key",
        );
        rows.into_iter().map(from_row).collect()
    }

    /// The categories offered to reporters, in form order.
    pub async fn enabled_speakup_categories(&self) -> Result<Vec<Category>> {
        let mut all = self.speakup_categories().await?;
        all.retain(|c| c.enabled);
        Ok(all)
    }

    /// One category, enabled or not (stored cases keep a category that was disabled).
    pub async fn speakup_category(&self, key: &str) -> Result<Option<Category>> {
        Ok(self
            .speakup_categories()
            .await?
            .into_iter()
            .find(|c| c.key == key))
    }

    /// Adds a category; an existing key is a [`StoreError::Conflict`] naming it.
    pub async fn create_speakup_category(&self, c: &Category) -> Result<()> {
        self.ensure_speakup_categories().await?;
        self.insert_category(c, false).await
    }

    /// Replaces everything but the key of an existing category ([`StoreError::NotFound`]
    /// if there is none).
    pub async fn update_speakup_category(&self, c: &Category) -> Result<()> {
        let (labels, hints, questions) = (
            json_of(&c.labels)?,
            json_of(&c.hints)?,
            json_of(&c.questions)?,
        );
        let n = execute!(
            self,
            "UPDATE speakup_categories SET position = $2, labels = $3, hints = $4, questions = $5, enabled = $6, audit_committee = $7 WHERE key = $1",
            &c.key,
            c.position,
            &labels,
            &hints,
            &questions,
            c.enabled,
            c.audit_committee,
        );
        found(n)
    }

    /// Offers a category to reporters again, or stops offering it.
    pub async fn set_speakup_category_enabled(&self, key: &str, enabled: bool) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE speakup_categories SET enabled = $2 WHERE key = $1",
            key,
            enabled,
        );
        found(n)
    }

    /// Does a case of this category go to the audit committee rather than the ethics
    /// officers? `false` for a key that is not a category.
    pub async fn category_routes_to_audit_committee(&self, key: &str) -> Result<bool> {
        Ok(self
            .speakup_category(key)
            .await?
            .is_some_and(|c| c.audit_committee))
    }

    // ------------------------------------------------------------ jurisdictions

    /// Every jurisdiction, by code.
    pub async fn speakup_jurisdictions(&self) -> Result<Vec<Jurisdiction>> {
        let rows: Vec<(String, String, i64, i64, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT code, name, ack_days, feedback_months, warn_days FROM speakup_jurisdictions ORDER BY code",
        );
        Ok(rows.into_iter().map(Jurisdiction::from_row).collect())
    }

    /// Adds a jurisdiction; an existing code is a [`StoreError::Conflict`] naming it.
    pub async fn create_speakup_jurisdiction(&self, j: &Jurisdiction) -> Result<()> {
        let r: Result<u64> = on_pool!(self, |p| {
            sqlx::query(
            "INSERT INTO speakup_jurisdictions (code, name, ack_days, feedback_months, warn_days) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(&j.code)
        .bind(&j.name)
        .bind(j.ack_days)
        .bind(j.feedback_months)
        .bind(j.warn_days)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        .map_err(StoreError::from)
        });
        r.map(|_| ())
            .map_err(|e| e.naming(|| format!("jurisdiction {:?}", j.code)))
    }

    /// Changes a jurisdiction's name and deadlines. Cases already filed keep the
    /// deadlines computed when they arrived (their clocks are stored).
    pub async fn update_speakup_jurisdiction(&self, j: &Jurisdiction) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE speakup_jurisdictions SET name = $2, ack_days = $3, feedback_months = $4, warn_days = $5 WHERE code = $1",
            &j.code,
            &j.name,
            j.ack_days,
            j.feedback_months,
            j.warn_days,
        );
        found(n)
    }

    /// The code of the jurisdiction new reports get.
    pub async fn default_jurisdiction_code(&self) -> Result<String> {
        Ok(self.default_jurisdiction().await?.code)
    }

    /// Chooses the jurisdiction new reports get ([`StoreError::NotFound`] for an unknown
    /// code). Creates the settings row (and so the install salt) if it is missing.
    pub async fn set_default_jurisdiction(
        &self,
        code: &str,
        rng: &mut impl rand::RngCore,
    ) -> Result<()> {
        if self.jurisdiction(code).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        self.speakup_install_salt(rng).await?;
        execute!(
            self,
            "UPDATE speakup_settings SET default_jurisdiction = $1 WHERE id = 1",
            code
        );
        Ok(())
    }

    // ------------------------------------------------------------ retention rules

    /// Every retention rule, wildcards last.
    pub async fn retention_rules(&self) -> Result<Vec<RetentionRule>> {
        let rows: Vec<(String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT category, status, days FROM speakup_retention ORDER BY CASE WHEN category = '*' THEN 1 ELSE 0 END, category, CASE WHEN status = '*' THEN 1 ELSE 0 END, status",
        );
        Ok(rows
            .into_iter()
            .map(|(category, status, days)| RetentionRule {
                category,
                status,
                days,
            })
            .collect())
    }

    /// Adds a rule or changes its days; returns the days it had before, if any.
    pub async fn set_retention_rule(&self, r: &RetentionRule) -> Result<Option<i64>> {
        let before: Option<i64> = on_pool!(self, |p| {
            async {
                let mut tx = p.begin().await?;
                let before: Option<i64> = scalar!(
                    &mut *tx,
                    fetch_optional,
                    "SELECT days FROM speakup_retention WHERE category = $1 AND status = $2",
                    &r.category,
                    &r.status,
                );
                execute!(
                    &mut *tx,
                    "INSERT INTO speakup_retention (category, status, days) VALUES ($1, $2, $3) ON CONFLICT (category, status) DO UPDATE SET days = excluded.days",
                    &r.category,
                    &r.status,
                    r.days,
                );
                tx.commit().await?;
                Ok::<_, StoreError>(before)
            }
            .await?
        });
        Ok(before)
    }

    /// Removes a rule; returns whether there was one.
    pub async fn delete_retention_rule(&self, category: &str, status: &str) -> Result<bool> {
        let n = execute!(
            self,
            "DELETE FROM speakup_retention WHERE category = $1 AND status = $2",
            category,
            status,
        );
        Ok(n > 0)
    }

    /// How many days a case of `category` closed as `final_status` is kept: the most
    /// specific matching rule (category and status, category and `*`, `*` and status,
    /// `*` and `*`).
    pub async fn retention_days(&self, category: &str, final_status: &str) -> Result<i64> {
        let rows: Vec<(String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT category, status, days FROM speakup_retention WHERE category IN ($1, $3) AND status IN ($2, $3)",
            category,
            final_status,
            ANY,
        );
        let rules: Vec<RetentionRule> = rows
            .into_iter()
            .map(|(category, status, days)| RetentionRule {
                category,
                status,
                days,
            })
            .collect();
        Ok(applicable_rule(&rules, category, final_status)
            .map_or(FALLBACK_RETENTION_DAYS, |r| r.days))
    }

    // ------------------------------------------------------------ a case's end

    /// Records that a case closed at `closed_at` (with the status it has now as its final
    /// status) and fixes when it is destroyed. Returns that instant.
    pub async fn close_case_retention(
        &self,
        case_id: &str,
        closed_at: Timestamp,
    ) -> Result<Timestamp> {
        let row: Option<(String, String)> = fetch!(
            self,
            fetch_optional,
            "SELECT category, status FROM speakup_cases WHERE id = $1",
            case_id,
        );
        let (category, status) = row.ok_or(StoreError::NotFound)?;
        let days = self.retention_days(&category, &status).await?;
        let until = closed_at
            .checked_add(SignedDuration::from_hours(days.saturating_mul(24)))
            .map_err(|_| StoreError::Corrupt(format!("retention of {days} days overflows")))?;
        execute!(
            self,
            "UPDATE speakup_cases SET closed_at = $2, retain_until = $3 WHERE id = $1",
            case_id,
            ms(closed_at),
            ms(until),
        );
        Ok(until)
    }

    /// Places or lifts a legal hold: a held case is never destroyed by the sweep, even
    /// past its retention. Lifting it lets the next sweep destroy an expired case.
    pub async fn set_legal_hold(&self, case_id: &str, on: bool) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE speakup_cases SET legal_hold = $2 WHERE id = $1",
            case_id,
            on,
        );
        found(n)
    }

    /// Cases not under hold whose retention ends after `now` and within `within`,
    /// soonest first.
    pub async fn expiring_cases(
        &self,
        now: Timestamp,
        within: SignedDuration,
    ) -> Result<Vec<ExpiringCase>> {
        let until = now.checked_add(within).unwrap_or(now);
        let rows: Vec<(String, String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT id, category, status, retain_until FROM speakup_cases WHERE retain_until IS NOT NULL AND retain_until > $1 AND retain_until <= $2 AND legal_hold = $3 ORDER BY retain_until, id",
            ms(now),
            ms(until),
            false,
        );
        Ok(rows
            .into_iter()
            .map(|(id, category, status, at)| ExpiringCase {
                id,
                category,
                status,
                retain_until: from_ms(at),
            })
            .collect())
    }

    /// Destroys every case whose retention ended by `now` and that is not under legal
    /// hold: per case, one transaction writes its `speakup_stats` row (a random id, no
    /// reference, no text) and deletes it with everything that hangs off it. Then lists
    /// the cases that will go within [`RETENTION_WARNING_DAYS`].
    pub async fn sweep_speakup_retention(
        &self,
        now: Timestamp,
        rng: &mut (impl rand::RngCore + Send),
    ) -> Result<SweepReport> {
        let expired: Vec<ExpiredRow> = fetch!(
            self,
            fetch_all,
            "SELECT id, category, anonymous, status, reporter_returned, submitted_at, closed_at FROM speakup_cases WHERE retain_until IS NOT NULL AND retain_until <= $1 AND legal_hold = $2 ORDER BY retain_until, id",
            ms(now),
            false,
        );
        let mut report = SweepReport::default();
        for (id, category, anonymous, status, returned, submitted_at, closed_at) in expired {
            let mut stat_id = [0u8; 16];
            rng.fill_bytes(&mut stat_id);
            let stat_id = data_encoding::HEXLOWER.encode(&stat_id);
            let gone: bool = on_pool!(self, |p| {
                async {
                    let mut tx = p.begin().await?;
                    // The conditions again: a hold placed since the select wins.
                    let n = execute!(
                        &mut *tx,
                        "DELETE FROM speakup_cases WHERE id = $1 AND legal_hold = $2 AND retain_until IS NOT NULL AND retain_until <= $3",
                        &id,
                        false,
                        ms(now),
                    );
                    if n == 0 {
                        tx.rollback().await?;
                        return Ok::<_, StoreError>(false);
                    }
                    execute!(
                        &mut *tx,
                        "INSERT INTO speakup_stats (id, category, anonymous, final_status, reporter_returned, submitted_at, closed_at, deleted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        &stat_id,
                        &category,
                        anonymous,
                        &status,
                        returned,
                        submitted_at,
                        closed_at,
                        ms(now),
                    );
                    tx.commit().await?;
                    Ok(true)
                }
                .await?
            });
            if gone {
                report.destroyed.push(id);
            }
        }
        report.held = scalar!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM speakup_cases WHERE retain_until IS NOT NULL AND retain_until <= $1 AND legal_hold = $2",
            ms(now),
            true,
        );
        report.expiring = self
            .expiring_cases(now, SignedDuration::from_hours(RETENTION_WARNING_DAYS * 24))
            .await?;
        Ok(report)
    }
}
