//! The auditor's evidence binder: stored generations of the figures, bound to the
//! question catalogue (`core::binder`) and the ethics office's narratives.
//!
//! A generation belongs to the person who made it, because the hotline figures depend on
//! what that person may read: [`own_generation`] answers anyone else's id, a malformed
//! one and an unknown one alike with "not found", so ids of others' generations cannot
//! be told from unknown ones. [`binder`] binds a stored generation to the catalogue and
//! the current narratives; that [`Binder`] is what every export represents. The
//! representations themselves (JSON, CSV, printable HTML, PDF) are the web shell's: they
//! are ways of answering a request, not use cases, and the PDF writer sits with them.
//!
//! Writing a narrative and exporting are audited here ([`save_narrative`],
//! [`audit_export`]), so every shell that offers them records them the same way.

use crate::{Caller, Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::binder::{self as rules, Figure, FigureDef, Figures, Question, Topic, Value};
use righttrack_core::ids::BinderGenerationId;
use righttrack_store::binder::{Generation, Narrative};
use serde_json::json;
use std::collections::BTreeMap;

/// What the hotline figures count.
pub const COUNTED: &str = "Hotline figures are counts and rates only, never case content. They count the cases the person generating the binder can read (a case they are excluded from by a conflict of interest is not counted) and destroyed cases' statistics.";

/// Why a generation is personal, said on the page.
pub const PERSONAL: &str = "You see and export only the generations you made yourself, because the hotline figures depend on who generates them: cases a person is excluded from by a conflict of interest are not counted for them.";

/// How many earlier generations the page lists.
pub const EARLIER: usize = 10;

/// One figure with its definition; `fig` is `None` when the generation lacks it.
#[derive(Debug, Clone)]
pub struct BoundFigure {
    pub def: &'static FigureDef,
    pub fig: Option<Figure>,
}

impl BoundFigure {
    /// The value as a reader sees it, or [`rules::NOT_COMPUTED`].
    pub fn shown(&self) -> String {
        self.fig.as_ref().map_or_else(
            || rules::NOT_COMPUTED.to_owned(),
            |f| f.value.shown(self.def.unit),
        )
    }

    pub fn value(&self) -> Option<Value> {
        self.fig.as_ref().map(|f| f.value)
    }

    pub fn period(&self) -> String {
        self.fig
            .as_ref()
            .map(|f| f.period.clone())
            .unwrap_or_default()
    }

    pub fn note(&self) -> String {
        self.fig
            .as_ref()
            .map(|f| f.note.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct BoundQuestion {
    pub q: &'static Question,
    pub figures: Vec<BoundFigure>,
    pub narrative: Option<Narrative>,
}

#[derive(Debug, Clone)]
pub struct BoundTopic {
    pub t: &'static Topic,
    pub questions: Vec<BoundQuestion>,
}

/// A stored generation with the catalogue and the current narratives: what is exported.
#[derive(Debug, Clone)]
pub struct Binder {
    pub id: BinderGenerationId,
    pub generated_at: Timestamp,
    pub generated_by: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub topics: Vec<BoundTopic>,
}

impl Binder {
    pub fn verify(&self) -> String {
        rules::verify_line(self.head_seq, &self.head_hash)
    }

    pub fn generated(&self) -> String {
        when(self.generated_at)
    }
}

/// An instant as the binder prints it, to the second, in UTC.
pub fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The generation `id` if `caller` made it; anything else (malformed, unknown, someone
/// else's) is a 404, so ids of others' generations cannot be told from unknown ones.
pub async fn own_generation(ctx: &Ctx, actor: &Caller, id: &str) -> Result<Generation> {
    let id = BinderGenerationId::parse(id).ok_or_else(Error::not_found)?;
    match ctx.db.binder_generation(id).await? {
        Some(g) if g.summary.generated_by == actor.user.username => Ok(g),
        _ => Err(Error::not_found()),
    }
}

/// The current narratives, by question key.
pub async fn narratives(ctx: &Ctx) -> Result<BTreeMap<String, Narrative>> {
    Ok(ctx
        .db
        .binder_narratives()
        .await?
        .into_iter()
        .map(|n| (n.question_key.clone(), n))
        .collect())
}

/// The catalogue with `figures` (none before the first generation) and the narratives.
pub fn topics(
    figures: Option<&Figures>,
    narratives: &BTreeMap<String, Narrative>,
) -> Vec<BoundTopic> {
    rules::TOPICS
        .iter()
        .map(|t| BoundTopic {
            t,
            questions: rules::questions_of(t.key)
                .map(|q| BoundQuestion {
                    q,
                    figures: q
                        .figures
                        .iter()
                        .filter_map(|key| rules::figure_def(key))
                        .map(|def| BoundFigure {
                            def,
                            fig: figures.and_then(|f| f.get(def.key)).cloned(),
                        })
                        .collect(),
                    narrative: narratives.get(q.key).cloned(),
                })
                .collect(),
        })
        .collect()
}

/// A stored generation bound to the catalogue and the current narratives.
pub async fn binder(ctx: &Ctx, g: Generation) -> Result<Binder> {
    let narratives = narratives(ctx).await?;
    let s = g.summary;
    Ok(Binder {
        id: s.id,
        generated_at: s.generated_at,
        generated_by: s.generated_by,
        head_seq: s.head_seq,
        head_hash: s.head_hash,
        topics: topics(Some(&g.figures), &narratives),
    })
}

/// Writes the narrative of question `key` (at most `core::binder`'s length) as `actor`,
/// audited (`binder.narrative_saved`, with its length only). Returns the question.
pub async fn save_narrative(
    ctx: &Ctx,
    actor: &Caller,
    key: &str,
    narrative: &str,
) -> Result<&'static Question> {
    let Some(q) = rules::question(key) else {
        return Err(Error::not_found());
    };
    let text = rules::narrative(narrative)
        .map_err(|e| Error::unprocessable(format!("field `narrative`: {e}")))?;
    ctx.db
        .put_binder_narrative(q.key, &text, &actor.user.username, ctx.now())
        .await?;
    ctx.audit(
        &actor.actor(),
        "binder.narrative_saved",
        q.key,
        json!({"chars": text.chars().count()}),
    )
    .await?;
    Ok(q)
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Html,
    Pdf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// Records an export in the audit trail, with the generation and the head it carries.
pub async fn audit_export(ctx: &Ctx, actor: &Caller, f: Format, b: &Binder) -> Result<()> {
    ctx.audit(
        &actor.actor(),
        "binder.exported",
        f.name(),
        json!({
            "format": f.name(),
            "generation": b.id,
            "head_seq": b.head_seq,
            "head_hash": b.head_hash,
        }),
    )
    .await?;
    Ok(())
}
