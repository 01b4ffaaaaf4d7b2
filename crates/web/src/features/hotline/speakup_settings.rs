//! Hotline configuration pages (`/speakup/settings`,
//! [`righttrack_core::authz::Action::HotlineConfigure`]:
//! ethics officers and admins): report categories with their labels, hints and questions
//! in every language, jurisdictions and the default one, retention rules, and the list
//! of cases about to be destroyed. Also the retention sweep `serve` runs.
//!
//! Nothing here touches case content: configuration is plain text the reporter's form
//! shows anyway, and the sweep sees references, categories and dates only. Every change
//! is audited (`speakup.category_*`, `speakup.jurisdiction_*`,
//! `speakup.default_jurisdiction_set`, `speakup.retention_*`); each destroyed case is
//! audited as `speakup.case_destroyed` with its reference only.
//!
//! Server-rendered forms, no JavaScript: a successful post redirects back with a notice
//! (POST/redirect/GET); a refused one renders the page again (422) with every problem
//! listed, each naming its field (`questions (es), line 3: too long ...`) and keeping
//! what was typed.

use crate::auth::Caller;
use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{layout, render, unprocessable_if, FormData, Layout};
use crate::params::DoneQuery;
use crate::state::AppState;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use righttrack_app::hotline::settings;
use righttrack_core::speakup_config::{
    self as rules, FieldError, RetentionRule, ACK_DAYS, ANY, FEEDBACK_MONTHS, MAX_HINT, MAX_LABEL,
    MAX_NAME, MAX_RETENTION_DAYS, WARN_DAYS,
};
use righttrack_store::speakup::Jurisdiction;
use righttrack_store::speakup_config::{Category, TextLists, Texts, RETENTION_WARNING_DAYS};

const HOME: &str = "/speakup/settings";

/// Statuses offered as suggestions for retention rules (any lowercase name is accepted:
/// case management owns the list of final statuses).
const KNOWN_STATUSES: [&str; 2] = ["substantiated", "unsubstantiated"];

// ---------------------------------------------------------------- views

/// A refused value: where it is on the page (an element id) and what is wrong.
struct Problem {
    anchor: String,
    message: String,
}

fn problem(anchor: &str, e: FieldError) -> Problem {
    Problem {
        anchor: anchor.to_owned(),
        message: e.to_string(),
    }
}

/// A value the use case refused, as a problem shown at `anchor`; other errors stay
/// errors.
fn refused(anchor: &str, r: righttrack_app::Result<()>) -> AppResult<Option<Vec<Problem>>> {
    match r {
        Ok(()) => Ok(None),
        Err(e) if e.kind == righttrack_app::Kind::Unprocessable && e.field.is_some() => {
            let field = e.field.unwrap_or_default();
            Ok(Some(vec![problem(
                anchor,
                FieldError::new(field, e.message),
            )]))
        }
        Err(e) => Err(e.into()),
    }
}

/// The category form as typed (or as stored).
struct CategoryForm {
    key: String,
    position: String,
    label_en: String,
    label_es: String,
    hint_en: String,
    hint_es: String,
    questions_en: String,
    questions_es: String,
    enabled: bool,
    audit_committee: bool,
}

impl CategoryForm {
    fn blank(position: i64) -> Self {
        CategoryForm {
            key: String::new(),
            position: position.to_string(),
            label_en: String::new(),
            label_es: String::new(),
            hint_en: String::new(),
            hint_es: String::new(),
            questions_en: String::new(),
            questions_es: String::new(),
            enabled: true,
            audit_committee: false,
        }
    }

    fn of(c: &Category) -> Self {
        CategoryForm {
            key: c.key.clone(),
            position: c.position.to_string(),
            label_en: c.labels.en.clone(),
            label_es: c.labels.es.clone(),
            hint_en: c.hints.en.clone(),
            hint_es: c.hints.es.clone(),
            questions_en: c.questions.en.join("\n"),
            questions_es: c.questions.es.join("\n"),
            enabled: c.enabled,
            audit_committee: c.audit_committee,
        }
    }

    fn read(form: &FormData, key: &str) -> Self {
        CategoryForm {
            key: key.to_owned(),
            position: form.get("position"),
            label_en: form.get("label_en"),
            label_es: form.get("label_es"),
            hint_en: form.get("hint_en"),
            hint_es: form.get("hint_es"),
            questions_en: form.get("questions_en"),
            questions_es: form.get("questions_es"),
            enabled: form.get("enabled") == "yes",
            audit_committee: form.get("audit_committee") == "yes",
        }
    }

    /// The category this form describes, or every problem with it.
    fn parse(&self) -> Result<Category, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut check = |anchor: &str, r: Result<String, FieldError>| match r {
            Ok(v) => v,
            Err(e) => {
                problems.push(problem(anchor, e));
                String::new()
            }
        };
        let key = check("key", rules::category_key("key", &self.key));
        let label_en = check(
            "label_en",
            rules::line("label (en)", &self.label_en, true, MAX_LABEL),
        );
        let label_es = check(
            "label_es",
            rules::line("label (es)", &self.label_es, true, MAX_LABEL),
        );
        let hint_en = check(
            "hint_en",
            rules::line("hint (en)", &self.hint_en, false, MAX_HINT),
        );
        let hint_es = check(
            "hint_es",
            rules::line("hint (es)", &self.hint_es, false, MAX_HINT),
        );
        let position = match rules::whole_number("position", &self.position, 0..=999) {
            Ok(n) => n,
            Err(e) => {
                problems.push(problem("position", e));
                0
            }
        };
        let mut questions = |anchor: &str, field: &str, text: &str| {
            rules::questions(field, text).unwrap_or_else(|e| {
                problems.push(problem(anchor, e));
                Vec::new()
            })
        };
        let q_en = questions("questions_en", "questions (en)", &self.questions_en);
        let q_es = questions("questions_es", "questions (es)", &self.questions_es);
        if problems.is_empty() {
            if let Err(e) = rules::same_question_count(&q_en, &q_es) {
                problems.push(problem("questions_es", e));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Category {
            key,
            position,
            labels: Texts {
                en: label_en,
                es: label_es,
            },
            hints: Texts {
                en: hint_en,
                es: hint_es,
            },
            questions: TextLists { en: q_en, es: q_es },
            enabled: self.enabled,
            audit_committee: self.audit_committee,
        })
    }
}

struct CategoryRow {
    key: String,
    position: i64,
    label_en: String,
    label_es: String,
    questions: usize,
    enabled: bool,
    audit_committee: bool,
}

/// A jurisdiction row as stored or, after a refused edit, as typed.
struct JurisdictionRow {
    code: String,
    name: String,
    ack_days: String,
    feedback_months: String,
    warn_days: String,
}

impl JurisdictionRow {
    fn of(j: &Jurisdiction) -> Self {
        JurisdictionRow {
            code: j.code.clone(),
            name: j.name.clone(),
            ack_days: j.ack_days.to_string(),
            feedback_months: j.feedback_months.to_string(),
            warn_days: j.warn_days.to_string(),
        }
    }

    fn read(form: &FormData, code: &str) -> Self {
        JurisdictionRow {
            code: code.to_owned(),
            name: form.get("name"),
            ack_days: form.get("ack_days"),
            feedback_months: form.get("feedback_months"),
            warn_days: form.get("warn_days"),
        }
    }

    /// `suffix` tells rows apart in messages and anchors (` (de)`, `-de`); empty for the
    /// form that adds one.
    fn parse(&self, suffix: &str, anchor: &str) -> Result<Jurisdiction, Vec<Problem>> {
        let mut problems = Vec::new();
        let code = rules::jurisdiction_code(&format!("code{suffix}"), &self.code)
            .map_err(|e| problems.push(problem(&format!("code{anchor}"), e)))
            .unwrap_or_default();
        let name = rules::line(&format!("name{suffix}"), &self.name, true, MAX_NAME)
            .map_err(|e| problems.push(problem(&format!("name{anchor}"), e)))
            .unwrap_or_default();
        let mut number = |field: &str, id: &str, v: &str, range| {
            rules::whole_number(&format!("{field}{suffix}"), v, range)
                .map_err(|e| problems.push(problem(&format!("{id}{anchor}"), e)))
                .unwrap_or_default()
        };
        let ack_days = number(
            "acknowledge within (days)",
            "ack_days",
            &self.ack_days,
            ACK_DAYS,
        );
        let feedback_months = number(
            "feedback within (months)",
            "feedback_months",
            &self.feedback_months,
            FEEDBACK_MONTHS,
        );
        let warn_days = number(
            "warn before (days)",
            "warn_days",
            &self.warn_days,
            WARN_DAYS,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Jurisdiction {
            code,
            name,
            ack_days,
            feedback_months,
            warn_days,
        })
    }
}

struct RuleRow {
    category: String,
    category_label: String,
    status: String,
    days: i64,
    years: String,
    fallback: bool,
}

struct ExpiringRow {
    case: String,
    category: String,
    status: String,
    date: String,
}

#[derive(Template)]
#[template(path = "speakup_settings.html")]
struct SettingsPage {
    l: Layout,
    notice: &'static str,
    problems: Vec<Problem>,
    categories: Vec<CategoryRow>,
    /// The add-a-category form (open when it was refused).
    form: CategoryForm,
    form_is_new: bool,
    new_category_open: bool,
    jurisdictions: Vec<JurisdictionRow>,
    default_jurisdiction: String,
    new_jurisdiction: JurisdictionRow,
    new_jurisdiction_open: bool,
    rules: Vec<RuleRow>,
    /// `(key, label)` of every category, for the retention form.
    category_keys: Vec<(String, String)>,
    statuses: Vec<String>,
    rule_form: (String, String, String),
    expiring: Vec<ExpiringRow>,
    warning_days: i64,
    max_label: usize,
    max_hint: usize,
    max_name: usize,
    max_retention_days: i64,
}

#[derive(Template)]
#[template(path = "speakup_category.html")]
struct CategoryPage {
    l: Layout,
    problems: Vec<Problem>,
    form: CategoryForm,
    form_is_new: bool,
    max_label: usize,
    max_hint: usize,
}

fn years(days: i64) -> String {
    if days >= 365 {
        format!("about {:.1} years", days as f64 / 365.25)
    } else {
        String::new()
    }
}

/// What a successful post reports: a fixed text per outcome, never what was typed.
fn notice(done: &str) -> &'static str {
    match done {
        "category_added" => "Category added.",
        "category_saved" => "Category saved.",
        "category_enabled" => "Category offered to reporters again.",
        "category_disabled" => "Category disabled: reporters no longer see it. Its cases keep it.",
        "jurisdiction_added" => "Jurisdiction added.",
        "jurisdiction_saved" => "Jurisdiction saved. New reports get the new deadlines.",
        "default_set" => "Default jurisdiction chosen for new reports.",
        "retention_saved" => "Retention rule saved. It applies to cases closed from now on.",
        "retention_removed" => "Retention rule removed.",
        _ => "",
    }
}

/// What a refused post keeps for the page it renders again.
#[derive(Default)]
struct Draft {
    new_category: Option<CategoryForm>,
    new_jurisdiction: Option<JurisdictionRow>,
    jurisdiction: Option<JurisdictionRow>,
    rule: Option<(String, String, String)>,
}

async fn settings_page(
    state: &AppState,
    caller: &Caller,
    done: &str,
    problems: Vec<Problem>,
    draft: Draft,
) -> AppResult<Response> {
    let settings::Settings {
        categories,
        rules,
        expiring,
        jurisdictions,
        default_jurisdiction,
    } = settings::settings(state).await?;
    let next_position = categories.iter().map(|c| c.position).max().unwrap_or(0) + 1;
    let label_of = |key: &str| {
        if key == ANY {
            return "any category".to_owned();
        }
        categories
            .iter()
            .find(|c| c.key == key)
            .map_or_else(|| key.to_owned(), |c| c.labels.en.clone())
    };
    let mut statuses: Vec<String> = KNOWN_STATUSES.iter().map(|s| (*s).to_owned()).collect();
    for r in &rules {
        if r.status != ANY && !statuses.contains(&r.status) {
            statuses.push(r.status.clone());
        }
    }
    let expiring = expiring
        .into_iter()
        .map(|c| ExpiringRow {
            category: label_of(&c.category),
            case: c.id,
            status: c.status,
            date: righttrack_core::clock::day(c.retain_until),
        })
        .collect();
    let mut jurisdictions: Vec<JurisdictionRow> =
        jurisdictions.iter().map(JurisdictionRow::of).collect();
    if let Some(typed) = draft.jurisdiction {
        if let Some(row) = jurisdictions.iter_mut().find(|j| j.code == typed.code) {
            *row = typed;
        }
    }
    let page = SettingsPage {
        l: layout(Some(caller), "Hotline settings", HOME),
        notice: notice(done),
        categories: categories
            .iter()
            .map(|c| CategoryRow {
                key: c.key.clone(),
                position: c.position,
                label_en: c.labels.en.clone(),
                label_es: c.labels.es.clone(),
                questions: c.questions.en.len(),
                enabled: c.enabled,
                audit_committee: c.audit_committee,
            })
            .collect(),
        new_category_open: draft.new_category.is_some(),
        form: draft
            .new_category
            .unwrap_or_else(|| CategoryForm::blank(next_position)),
        form_is_new: true,
        default_jurisdiction,
        jurisdictions,
        new_jurisdiction_open: draft.new_jurisdiction.is_some(),
        new_jurisdiction: draft.new_jurisdiction.unwrap_or(JurisdictionRow {
            code: String::new(),
            name: String::new(),
            ack_days: "7".into(),
            feedback_months: "3".into(),
            warn_days: "7".into(),
        }),
        rules: rules
            .iter()
            .map(|r| RuleRow {
                category_label: label_of(&r.category),
                category: r.category.clone(),
                status: r.status.clone(),
                days: r.days,
                years: years(r.days),
                fallback: r.category == ANY && r.status == ANY,
            })
            .collect(),
        category_keys: categories
            .iter()
            .map(|c| (c.key.clone(), c.labels.en.clone()))
            .collect(),
        statuses,
        rule_form: draft
            .rule
            .unwrap_or_else(|| (ANY.to_owned(), ANY.to_owned(), String::new())),
        expiring,
        warning_days: RETENTION_WARNING_DAYS,
        max_label: MAX_LABEL,
        max_hint: MAX_HINT,
        max_name: MAX_NAME,
        max_retention_days: MAX_RETENTION_DAYS,
        problems,
    };
    let invalid = !page.problems.is_empty();
    Ok(unprocessable_if(invalid, render(page)))
}

fn back(done: &str, section: &str) -> Response {
    Redirect::to(&format!("{HOME}?done={done}#{section}")).into_response()
}

// ---------------------------------------------------------------- handlers

pub async fn show(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    settings_page(
        &state,
        &caller,
        q.done.as_deref().unwrap_or(""),
        Vec::new(),
        Draft::default(),
    )
    .await
}

pub async fn create_category(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let typed = CategoryForm::read(&form, &form.get("key"));
    let draft = |typed| Draft {
        new_category: Some(typed),
        ..Draft::default()
    };
    let c = match typed.parse() {
        Ok(c) => c,
        Err(problems) => return settings_page(&state, &caller, "", problems, draft(typed)).await,
    };
    if let Some(problems) = refused("key", settings::create_category(&state, &caller, &c).await)? {
        return settings_page(&state, &caller, "", problems, draft(typed)).await;
    }
    Ok(back("category_added", "categories"))
}

fn category_page(caller: &Caller, form: CategoryForm, problems: Vec<Problem>) -> Response {
    let invalid = !problems.is_empty();
    let page = CategoryPage {
        l: layout(Some(caller), "Edit a hotline category", HOME),
        problems,
        form,
        form_is_new: false,
        max_label: MAX_LABEL,
        max_hint: MAX_HINT,
    };
    unprocessable_if(invalid, render(page))
}

pub async fn edit_category(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
) -> AppResult<Response> {
    let c = settings::category(&state, &key).await?;
    Ok(category_page(&caller, CategoryForm::of(&c), Vec::new()))
}

pub async fn save_category(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let before = settings::category(&state, &key).await?;
    let typed = CategoryForm::read(&form, &before.key);
    let c = match typed.parse() {
        Ok(c) => c,
        Err(problems) => return Ok(category_page(&caller, typed, problems)),
    };
    settings::save_category(&state, &caller, &before, &c).await?;
    Ok(back("category_saved", "categories"))
}

pub async fn set_category_enabled(
    SignedIn { state, caller }: SignedIn,
    Path(key): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let enabled =
        settings::set_category_enabled(&state, &caller, &key, &form.get("enabled")).await?;
    Ok(back(
        if enabled {
            "category_enabled"
        } else {
            "category_disabled"
        },
        "categories",
    ))
}

pub async fn create_jurisdiction(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let typed = JurisdictionRow::read(&form, &form.get("code"));
    let draft = |typed| Draft {
        new_jurisdiction: Some(typed),
        ..Draft::default()
    };
    let j = match typed.parse("", "") {
        Ok(j) => j,
        Err(problems) => return settings_page(&state, &caller, "", problems, draft(typed)).await,
    };
    let created = settings::create_jurisdiction(&state, &caller, &j).await;
    if let Some(problems) = refused("code", created)? {
        return settings_page(&state, &caller, "", problems, draft(typed)).await;
    }
    Ok(back("jurisdiction_added", "jurisdictions"))
}

pub async fn save_jurisdiction(
    SignedIn { state, caller }: SignedIn,
    Path(code): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let before = settings::jurisdiction(&state, &code).await?;
    let typed = JurisdictionRow::read(&form, &before.code);
    let j = match typed.parse(&format!(" ({})", before.code), &format!("-{}", before.code)) {
        Ok(j) => j,
        Err(problems) => {
            let draft = Draft {
                jurisdiction: Some(typed),
                ..Draft::default()
            };
            return settings_page(&state, &caller, "", problems, draft).await;
        }
    };
    settings::save_jurisdiction(&state, &caller, &before, &j).await?;
    Ok(back("jurisdiction_saved", "jurisdictions"))
}

pub async fn set_default_jurisdiction(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let set = settings::set_default_jurisdiction(&state, &caller, &form.get("code")).await;
    if let Some(problems) = refused("default", set)? {
        return settings_page(&state, &caller, "", problems, Draft::default()).await;
    }
    Ok(back("default_set", "jurisdictions"))
}

/// The retention rule a form describes, or every problem with it. The category must be
/// `*` or a configured category (enabled or not).
async fn parse_rule(
    state: &AppState,
    form: &FormData,
    with_days: bool,
) -> AppResult<Result<RetentionRule, Vec<Problem>>> {
    let mut problems = Vec::new();
    let category = match rules::retention_selector("category", &form.get("category")) {
        Ok(c) if c == ANY || settings::is_category(state, &c).await? => c,
        Ok(_) => {
            problems.push(problem(
                "rule_category",
                FieldError::new("category", "not a category; choose one from the list"),
            ));
            String::new()
        }
        Err(e) => {
            problems.push(problem("rule_category", e));
            String::new()
        }
    };
    let status = rules::retention_selector("status", &form.get("status"))
        .map_err(|e| problems.push(problem("rule_status", e)))
        .unwrap_or_default();
    let days = if with_days {
        rules::whole_number("days", &form.get("days"), 1..=MAX_RETENTION_DAYS)
            .map_err(|e| problems.push(problem("rule_days", e)))
            .unwrap_or_default()
    } else {
        0
    };
    Ok(if problems.is_empty() {
        Ok(RetentionRule {
            category,
            status,
            days,
        })
    } else {
        Err(problems)
    })
}

pub async fn set_retention(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let rule = match parse_rule(&state, &form, true).await? {
        Ok(r) => r,
        Err(problems) => {
            let draft = Draft {
                rule: Some((form.get("category"), form.get("status"), form.get("days"))),
                ..Draft::default()
            };
            return settings_page(&state, &caller, "", problems, draft).await;
        }
    };
    settings::set_retention(&state, &caller, &rule).await?;
    Ok(back("retention_saved", "retention"))
}

pub async fn delete_retention(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let rule = match parse_rule(&state, &form, false).await? {
        Ok(r) => r,
        Err(problems) => {
            return settings_page(&state, &caller, "", problems, Draft::default()).await
        }
    };
    let deleted = settings::delete_retention(&state, &caller, &rule).await;
    if let Some(problems) = refused("retention", deleted)? {
        return settings_page(&state, &caller, "", problems, Draft::default()).await;
    }
    Ok(back("retention_removed", "retention"))
}
