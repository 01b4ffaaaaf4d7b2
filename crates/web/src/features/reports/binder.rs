//! The auditor's evidence binder: `GET /binder` (page with a narrative form per
//! question), `POST /binder/generate`, `POST /binder/narratives/{key}`, and the exports
//! `GET /binder/export.{json,csv,html,pdf}` (`GET /api/v1/binder` is the JSON one;
//! `POST /api/v1/binder/generate` generates and returns it).
//!
//! The questions are `core::binder`'s catalogue. Every figure is computed (in the app layer) by
//! calling the modules that own it (the attestation report's rows, the training
//! standings, the hotline's case counts and `core::dashboard`'s hotline arithmetic, the
//! dashboard's interaction indicators, discipline records, corrective actions), never by
//! SQL of its own, so the binder cannot disagree with the pages it summarises. Hotline
//! figures are counts only and count, as on the dashboard, only the cases the generator
//! holds a key to plus destroyed cases' statistics.
//!
//! Computing the figures reads every record they summarise (seconds with a million
//! interactions), so it happens only when someone asks for it:
//! [`generate`](righttrack_app::reports::binder::generate) computes
//! them, reads the audit-trail head last, stores the generation (`binder_generations`)
//! and audits it (`binder.generated`, with its id and head), so that entry directly
//! follows the head the generation names. The page and the exports read the viewer's
//! newest stored generation (or, for an export, an earlier one of theirs by
//! `?generation=`); they never compute, except that an export asked for by someone who
//! has never generated generates first. A generation belongs to the person who made it,
//! because the hotline figures depend on what that person may read: anyone else's id is
//! a 404.
//!
//! Every export carries the generation's instant, generator and audit-trail head with
//! the current narratives (each with its own last-edited time), and is itself audited
//! (`binder.exported`, with the generation's id and head).
//!
//! Layers: computing the figures, generating, binding a generation to the catalogue and
//! the narratives, a person's own generations, saving a narrative and auditing an
//! export are use cases in `righttrack_app::reports::binder`. The representations
//! (JSON, CSV, printable HTML, PDF) are here, in the shell, because they answer
//! requests.

use super::binder_pdf::{self, Block};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{attachment, csv_download, layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::reports::binder::{when, Binder, BoundTopic, Format, COUNTED, PERSONAL};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::binder::{self as rules, Value, MIN_GROUP, PARAPHRASE, SOURCE};
use serde::Deserialize;
use serde_json::{json, Value as JsonValue};

// ---------------------------------------------------------------- page

struct FigureView {
    key: &'static str,
    label: &'static str,
    shown: String,
    /// Withheld or not computed: shown as a tag, not as a number.
    muted: bool,
    period: String,
    formula: &'static str,
    note: String,
}

struct QuestionView {
    key: &'static str,
    text: &'static str,
    figures: Vec<FigureView>,
    narrative: String,
    updated: String,
}

struct TopicView {
    key: &'static str,
    title: &'static str,
    questions: Vec<QuestionView>,
}

/// The topics for a template; a figure the generation lacks shows `absent`.
fn views(topics: &[BoundTopic], absent: &str) -> Vec<TopicView> {
    topics
        .iter()
        .map(|t| TopicView {
            key: t.t.key,
            title: t.t.title,
            questions: t
                .questions
                .iter()
                .map(|q| QuestionView {
                    key: q.q.key,
                    text: q.q.text,
                    figures: q
                        .figures
                        .iter()
                        .map(|f| FigureView {
                            key: f.def.key,
                            label: f.def.label,
                            shown: if f.fig.is_some() {
                                f.shown()
                            } else {
                                absent.to_owned()
                            },
                            muted: f.value().is_none_or(|v| v == Value::Withheld),
                            period: f.period(),
                            formula: f.def.formula,
                            note: f.note(),
                        })
                        .collect(),
                    narrative: q
                        .narrative
                        .as_ref()
                        .map(|n| n.narrative.clone())
                        .unwrap_or_default(),
                    updated: q
                        .narrative
                        .as_ref()
                        .map(|n| {
                            format!(
                                "Last written by {} on {} UTC",
                                n.updated_by,
                                n.updated_at.strftime("%Y-%m-%d %H:%M")
                            )
                        })
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect()
}

/// The viewer's newest generation, as the page shows it.
struct GenerationView {
    id: String,
    generated: String,
    generated_by: String,
    head_seq: i64,
    head_hash: String,
    /// Audit entries appended since the head it names (the first is its own record).
    since: i64,
    /// Figures of the catalogue this generation lacks (made by an earlier version).
    missing: usize,
}

/// An earlier generation of the viewer's, listed with links to its exports.
struct EarlierView {
    id: String,
    generated: String,
    head_seq: i64,
}

#[derive(Template)]
#[template(path = "binder.html")]
struct Page {
    l: crate::pages::Layout,
    source: &'static str,
    paraphrase: &'static str,
    counted: &'static str,
    personal: &'static str,
    generation: Option<GenerationView>,
    earlier: Vec<EarlierView>,
    topics: Vec<TopicView>,
    may_write: bool,
    max: usize,
    min_group: usize,
}

/// `GET /binder`: the viewer's newest stored generation, never computed here, with the
/// current narratives. Before the viewer's first generation the figures read "not
/// generated yet". Reads no more than one generation, a short list, the narratives and
/// the audit head, whatever the size of the organisation.
pub async fn page(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let p = righttrack_app::reports::binder::page(&state, &caller).await?;
    let absent = if p.latest.is_some() {
        rules::NOT_COMPUTED
    } else {
        rules::NOT_GENERATED
    };
    let earlier = p
        .earlier
        .iter()
        .map(|s| EarlierView {
            id: s.id.to_string(),
            generated: when(s.generated_at),
            head_seq: s.head_seq,
        })
        .collect();
    let generation = p.latest.map(|s| GenerationView {
        id: s.id.to_string(),
        generated: when(s.generated_at),
        generated_by: s.generated_by,
        head_seq: s.head_seq,
        since: p.head_seq - s.head_seq,
        missing: p.missing,
        head_hash: s.head_hash,
    });
    Ok(render(Page {
        l: layout(Some(&caller), "Evidence binder", "/binder"),
        source: SOURCE,
        paraphrase: PARAPHRASE,
        counted: COUNTED,
        personal: PERSONAL,
        generation,
        earlier,
        topics: views(&p.topics, absent),
        may_write: allowed(&caller.user.roles, Action::BinderWrite),
        max: rules::MAX_NARRATIVE_CHARS,
        min_group: MIN_GROUP,
    }))
}

/// `POST /binder/generate`: generates the binder for the caller (see
/// [`righttrack_app::reports::binder::generate`]) and
/// returns to the page.
pub async fn generate_form(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    righttrack_app::reports::binder::generate(&state, &caller).await?;
    Ok(Redirect::to("/binder").into_response())
}

/// `POST /api/v1/binder/generate`: generates the binder for the caller and returns it as
/// the JSON export (201; audited as generated and as exported).
pub async fn generate_api(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let b =
        righttrack_app::reports::binder::generate_and_export(&state, &caller, Format::Json).await?;
    Ok((axum::http::StatusCode::CREATED, Json(to_json(&b))).into_response())
}

/// `POST /binder/narratives/{key}`: writes a question's narrative (form field
/// `narrative`).
pub async fn save_narrative(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let q = righttrack_app::reports::binder::save_narrative(
        &state,
        &caller,
        &key,
        &form.get("narrative"),
    )
    .await?;
    Ok(Redirect::to(&format!("/binder#q-{}", q.key)).into_response())
}

// ---------------------------------------------------------------- exports

/// The JSON export.
pub fn to_json(b: &Binder) -> JsonValue {
    json!({
        "title": "Evidence binder",
        "source": SOURCE,
        "paraphrase": PARAPHRASE,
        "generation": b.id,
        "generated_at": b.generated_at,
        "generated_by": b.generated_by,
        "audit_head": {"seq": b.head_seq, "hash": b.head_hash},
        "verify": b.verify(),
        "counted": COUNTED,
        "min_group": MIN_GROUP,
        "topics": b.topics.iter().map(|t| json!({
            "key": t.t.key,
            "title": t.t.title,
            "questions": t.questions.iter().map(|q| json!({
                "key": q.q.key,
                "question": q.q.text,
                "figures": q.figures.iter().map(|f| json!({
                    "key": f.def.key,
                    "label": f.def.label,
                    "value": f.value().and_then(Value::number),
                    "withheld": f.value() == Some(Value::Withheld),
                    "shown": f.shown(),
                    "unit": f.def.unit.name(),
                    "period": f.period(),
                    "formula": f.def.formula,
                    "note": f.note(),
                })).collect::<Vec<_>>(),
                "narrative": q.narrative.as_ref().map(|n| json!({
                    "text": n.narrative,
                    "updated_by": n.updated_by,
                    "updated_at": n.updated_at,
                })),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The CSV export: a header, the seven generation rows (topic `binder`), then per
/// question one row per figure and a `narrative` row.
pub fn to_csv(b: &Binder) -> String {
    use righttrack_scan::csv::cell as csv_cell;
    let mut out =
        String::from("topic,question_key,question,figure_key,label,value,unit,period,note\n");
    let mut row = |cells: [&str; 9]| {
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    };
    let generated = b.generated();
    let id = b.id.to_string();
    let seq = b.head_seq.to_string();
    let verify = b.verify();
    for (key, label, value) in [
        ("generation", "Generation", id.as_str()),
        ("generated_at", "Generated at", generated.as_str()),
        ("generated_by", "Generated by", b.generated_by.as_str()),
        ("audit_head_seq", "Audit-trail head: entry", seq.as_str()),
        (
            "audit_head_hash",
            "Audit-trail head: hash",
            b.head_hash.as_str(),
        ),
        ("verify", "How to verify", verify.as_str()),
        ("source", "Questions after", SOURCE),
    ] {
        row(["binder", "", "", key, label, value, "", "", ""]);
    }
    for t in &b.topics {
        for q in &t.questions {
            for f in &q.figures {
                row([
                    t.t.title,
                    q.q.key,
                    q.q.text,
                    f.def.key,
                    f.def.label,
                    &f.value().map_or_else(|| f.shown(), Value::cell),
                    f.def.unit.name(),
                    &f.period(),
                    &f.note(),
                ]);
            }
            let (text, note) = q
                .narrative
                .as_ref()
                .map_or((String::new(), String::new()), |n| {
                    (
                        n.narrative.clone(),
                        format!(
                            "written by {} at {}",
                            n.updated_by,
                            n.updated_at.strftime("%Y-%m-%d %H:%M UTC")
                        ),
                    )
                });
            row([
                t.t.title,
                q.q.key,
                q.q.text,
                "narrative",
                "Narrative",
                &text,
                "",
                "",
                &note,
            ]);
        }
    }
    out
}

/// The printable export's style sheet, inline so the file stands alone.
const EXPORT_CSS: &str = "body{font:11pt/1.45 Helvetica,Arial,sans-serif;color:#111;max-width:52rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:20pt;margin:0 0 .3rem}h2{font-size:15pt;border-bottom:2px solid #333;padding-bottom:.2rem;margin-top:2rem}\
h3{font-size:11.5pt;margin:1.2rem 0 .4rem}table{border-collapse:collapse;width:100%}\
th,td{text-align:left;vertical-align:top;padding:.25rem .4rem;border-bottom:1px solid #ccc}\
thead th{font-size:9pt;text-transform:uppercase;color:#555}td.v{font-weight:700;white-space:nowrap}\
.formula,.src,.none,.by{color:#555;font-size:9pt;font-weight:400}.meta{width:auto}.meta th{padding-right:1rem}\
code{font-family:Courier,monospace;word-break:break-all}.verify{background:#f3f3f3;padding:.5rem .7rem;border-left:3px solid #333}\
.narrative p{white-space:pre-wrap;margin:.3rem 0}.narrative{border-left:3px solid #999;padding-left:.7rem}\
article{break-inside:avoid-page}\
@page{size:A4;margin:18mm}@media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}h3{break-after:avoid}a{color:inherit;text-decoration:none}}";

/// The export's content security policy: nothing loads, only its own style sheet applies.
fn export_csp() -> String {
    use sha2::Digest;
    let hash = data_encoding::BASE64.encode(&sha2::Sha256::digest(EXPORT_CSS.as_bytes()));
    format!("default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
}

#[derive(Template)]
#[template(path = "binder_export.html")]
struct ExportPage {
    css: &'static str,
    source: &'static str,
    paraphrase: &'static str,
    counted: &'static str,
    id: String,
    generated: String,
    generated_by: String,
    head_seq: i64,
    head_hash: String,
    verify: String,
    topics: Vec<TopicView>,
}

/// The printable HTML export (self-contained).
pub fn to_html(b: &Binder) -> AppResult<String> {
    ExportPage {
        css: EXPORT_CSS,
        source: SOURCE,
        paraphrase: PARAPHRASE,
        counted: COUNTED,
        id: b.id.to_string(),
        generated: b.generated(),
        generated_by: b.generated_by.clone(),
        head_seq: b.head_seq,
        head_hash: b.head_hash.clone(),
        verify: b.verify(),
        topics: views(&b.topics, rules::NOT_COMPUTED),
    }
    .render()
    .map_err(|e| AppError::internal(&e))
}

/// The blocks the PDF lays out.
pub fn to_blocks(b: &Binder) -> Vec<Block> {
    let mut out = vec![
        Block::Title("RightTrack evidence binder".into()),
        Block::Small(format!("Questions after: {SOURCE}. {PARAPHRASE}")),
        Block::Row("Generated at".into(), b.generated()),
        Block::Row("Generated by".into(), b.generated_by.clone()),
        Block::Small(format!("Generation {}", b.id)),
        Block::Row("Audit-trail head: entry".into(), b.head_seq.to_string()),
        Block::Small(format!("Audit-trail head hash: {}", b.head_hash)),
        Block::Row("Verify with".into(), "righttrack audit verify".into()),
        Block::Small(b.verify()),
        Block::Small(COUNTED.into()),
    ];
    for t in &b.topics {
        out.push(Block::Heading(t.t.title.into()));
        for q in &t.questions {
            out.push(Block::Question(q.q.text.into()));
            for f in &q.figures {
                out.push(Block::Row(f.def.label.into(), f.shown()));
                let mut small = f.def.formula.to_owned();
                if let Some(fig) = &f.fig {
                    small.push_str(&format!(" Period: {}.", fig.period));
                    if !fig.note.is_empty() {
                        small.push(' ');
                        small.push_str(&fig.note);
                    }
                }
                out.push(Block::Small(small));
            }
            match &q.narrative {
                Some(n) if !n.narrative.is_empty() => {
                    out.push(Block::Label(format!(
                        "Narrative (written by {} on {} UTC)",
                        n.updated_by,
                        n.updated_at.strftime("%Y-%m-%d %H:%M")
                    )));
                    for para in n.narrative.split("\n\n") {
                        out.push(Block::Para(para.to_owned()));
                    }
                }
                _ => out.push(Block::Small("No narrative written yet.".into())),
            }
        }
    }
    out
}

/// `?generation=ID`: export an earlier generation of the caller's instead of the newest.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    generation: Option<String>,
}

/// The generation `q` asks for (see `righttrack_app::reports::binder::export`).
async fn exported(
    state: &AppState,
    caller: &Caller,
    f: Format,
    q: &ExportQuery,
) -> AppResult<Binder> {
    Ok(righttrack_app::reports::binder::export(state, caller, f, q.generation.as_deref()).await?)
}

fn file_name(b: &Binder, ext: &str) -> String {
    format!(
        "righttrack-binder-{}.{ext}",
        righttrack_core::clock::day(b.generated_at)
    )
}

/// `GET /binder/export.json` and `GET /api/v1/binder`.
pub async fn export_json(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ExportQuery>,
) -> AppResult<Json<JsonValue>> {
    let b = exported(&state, &caller, Format::Json, &q).await?;
    Ok(Json(to_json(&b)))
}

/// `GET /binder/export.csv`.
pub async fn export_csv(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let b = exported(&state, &caller, Format::Csv, &q).await?;
    Ok(csv_download(&file_name(&b, "csv"), to_csv(&b)))
}

/// `GET /binder/export.html`: printable, with no external resources.
pub async fn export_html(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let b = exported(&state, &caller, Format::Html, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_SECURITY_POLICY, export_csp()),
        ],
        to_html(&b)?,
    )
        .into_response())
}

/// `GET /binder/export.pdf`.
pub async fn export_pdf(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    let b = exported(&state, &caller, Format::Pdf, &q).await?;
    let bytes = binder_pdf::render(&to_blocks(&b), "RightTrack evidence binder");
    Ok(attachment("application/pdf", &file_name(&b, "pdf"), bytes))
}
