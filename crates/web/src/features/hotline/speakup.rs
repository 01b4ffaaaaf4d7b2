//! The speak-up hotline, reporter side (first slice): the public intake form and API,
//! and the reporter's access to their case with the receipt.
//!
//! * `GET /speakup` lists the enabled categories (configured at `/speakup/settings`,
//!   [`super::speakup_settings`]); `GET /speakup?category=..` shows the form with that
//!   category's questions; `POST /speakup` files the report (or, with
//!   `step=confirm`, takes the "I have saved it" confirmation). English and Spanish
//!   (`?lang=es`, the form's `lang` field, else `Accept-Language`).
//! * `GET/POST /speakup/access`: the receipt opens the case (status, dates, thread); the
//!   same form adds a message or raises the retaliation flag. The receipt travels in the
//!   form (no session, no cookie): every post derives again.
//! * `POST /api/v1/speakup/reports` and `POST /api/v1/speakup/access`: the same as JSON.
//! * Attachments: both forms are `multipart/form-data` and take up to three files with
//!   the report or with a message, the API takes them as base64
//!   ([`super::speakup_attachments`]; what is accepted and stripped is decided in
//!   [`righttrack_core::attachments`]). A report with a refused file is not filed at all.
//!
//! **Invariants.** Nothing identifying the reporter is read or kept: the guard does not
//! resolve cookies or credentials on these routes, they set no cookie, and requests are
//! not logged ([`crate::middleware::is_speakup`]). Every text field is sealed with a
//! fresh per-case key (field name as AAD); the key is wrapped for each active reader and
//! for the reporter under the receipt's key; the receipt is never stored. A wrong and a
//! malformed receipt get the same answer after the same argon2id work. CSRF on the form
//! is a sealed, time-limited token in a hidden field (`form_token`), not a cookie.

use super::speakup_attachments::{self as att, FormProblem, ReporterForm};
use crate::error::{AppError, AppResult, Code};
use crate::extract::Query;
use crate::limit::Kind as Bucket;
use crate::pages::{render, with_retry_after, FormData};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::Timestamp;
use righttrack_app::hotline::intake::{
    self, add_files, add_message, asked_questions, field_text, Opened, Report,
};
use righttrack_core::attachments::{AttachmentError, MAX_FILES, MAX_FILE_BYTES};
use righttrack_core::casekeys::Receipt;
use righttrack_core::clock::day;
use righttrack_store::speakup::StoredMessage;
use righttrack_store::speakup_config::Category;
use serde_json::{json, Value};

// ---------------------------------------------------------------- limits

type Peer = crate::client::Peer;

/// The client's bucket: behind a trusted proxy its forwarded address, else the peer
/// ([`crate::client`]). Only a salted hash of it lives, in memory.
fn peer_key(state: &AppState, peer: &Peer, headers: &HeaderMap) -> [u8; 16] {
    state.client_key(&state.speakup_limiter, peer, headers)
}

// ---------------------------------------------------------------- limits of input

pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_SHORT: usize = 2_000;
pub const MAX_NAME: usize = 200;
pub const MAX_MESSAGE: usize = 10_000;
/// How long a form token stays valid.
const FORM_TOKEN_HOURS: i64 = 12;

// ---------------------------------------------------------------- languages

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// An explicit `lang` value wins; else the first language of `Accept-Language`.
    fn pick(explicit: Option<&str>, headers: &HeaderMap) -> Lang {
        match explicit {
            Some("es") => return Lang::Es,
            Some("en") => return Lang::En,
            _ => {}
        }
        let first = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if first.starts_with("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }

    fn t(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// The attachment limits, from the constants that enforce them.
    fn limits(self) -> String {
        let mb = MAX_FILE_BYTES / (1024 * 1024);
        match self {
            Lang::En => format!("Up to {MAX_FILES} files, {mb} MB each."),
            Lang::Es => format!("Hasta {MAX_FILES} archivos de {mb} MB cada uno."),
        }
    }

    /// A refused file, named by its position (1-based), never by its name or content.
    fn file_error(self, i: usize, e: &AttachmentError) -> (String, String) {
        let why = match self {
            Lang::En => e.to_string(),
            Lang::Es => match e {
                AttachmentError::Empty => "el archivo está vacío".into(),
                AttachmentError::TooLarge => {
                    format!("supera los {} MB", MAX_FILE_BYTES / (1024 * 1024))
                }
                AttachmentError::TooMany => format!("más de {MAX_FILES} archivos"),
                AttachmentError::TypeNotAllowed => {
                    "tipo no permitido (solo JPEG, PNG, PDF o texto UTF-8)".into()
                }
                AttachmentError::MalformedJpeg(_) => "no es una imagen JPEG válida".into(),
                AttachmentError::MalformedPng(_) => "no es una imagen PNG válida".into(),
            },
        };
        (
            "attachments".into(),
            format!("{} {}: {why}", self.t().attachment, i + 1),
        )
    }

    /// A form whose body could not be read.
    fn problem(self, p: FormProblem) -> (String, String) {
        let t = self.t();
        let why = match p {
            FormProblem::TooLarge => t.err_files_too_large,
            FormProblem::Unreadable => t.err_unreadable,
        };
        ("attachments".into(), format!("{}: {why}", t.attachments))
    }
}

/// Every string of the reporter pages, in one language.
pub struct Text {
    pub title: &'static str,
    pub other_lang: &'static str,
    pub other_lang_name: &'static str,
    pub intro: &'static str,
    pub safety: &'static str,
    pub choose: &'static str,
    pub next: &'static str,
    pub have_receipt: &'static str,
    pub change_category: &'static str,
    pub category: &'static str,
    pub description: &'static str,
    pub description_hint: &'static str,
    pub when_where: &'static str,
    pub people: &'static str,
    pub people_hint: &'static str,
    pub exclude: &'static str,
    pub exclude_hint: &'static str,
    pub optional: &'static str,
    pub required: &'static str,
    pub anonymous_q: &'static str,
    pub anonymous_yes: &'static str,
    pub anonymous_no: &'static str,
    pub identity_hint: &'static str,
    pub name: &'static str,
    pub contact: &'static str,
    pub submit: &'static str,
    pub check: &'static str,
    pub sent: &'static str,
    pub case_ref: &'static str,
    pub receipt: &'static str,
    pub receipt_warning: &'static str,
    pub feedback_due: &'static str,
    pub ack_due: &'static str,
    pub saved_box: &'static str,
    pub saved_button: &'static str,
    pub saved_missing: &'static str,
    pub done_title: &'static str,
    pub done: &'static str,
    pub access_title: &'static str,
    pub access_intro: &'static str,
    pub open: &'static str,
    pub failed: &'static str,
    pub status: &'static str,
    pub submitted: &'static str,
    pub your_report: &'static str,
    pub anonymous_report: &'static str,
    pub named_report: &'static str,
    pub thread: &'static str,
    pub no_messages: &'static str,
    pub you: &'static str,
    pub staff: &'static str,
    pub add_message: &'static str,
    pub send: &'static str,
    pub retaliation_title: &'static str,
    pub retaliation_hint: &'static str,
    pub retaliation_button: &'static str,
    pub retaliation_marker: &'static str,
    pub retaliation_flagged: &'static str,
    pub retaliation_added: &'static str,
    pub message_added: &'static str,
    pub limited: &'static str,
    pub expired: &'static str,
    pub err_required: &'static str,
    pub err_too_long: &'static str,
    pub err_category: &'static str,
    pub err_anonymous: &'static str,
    pub err_identity: &'static str,
    pub status_received: &'static str,
    pub status_acknowledged: &'static str,
    pub status_investigating: &'static str,
    pub status_substantiated: &'static str,
    pub status_unsubstantiated: &'static str,
    pub status_closed: &'static str,
    pub attachments: &'static str,
    pub attach: &'static str,
    pub attach_hint: &'static str,
    pub pdf_warning: &'static str,
    pub reattach: &'static str,
    pub files_added: &'static str,
    pub pdf_kept: &'static str,
    /// The word that names a file by its position in errors ("attachment 2: ...").
    pub attachment: &'static str,
    pub err_files_too_large: &'static str,
    pub err_unreadable: &'static str,
}

const EN: Text = Text {
    title: "Speak up",
    other_lang: "es",
    other_lang_name: "Español",
    intro: "Report a concern about wrongdoing at work. You do not need an account, and you can stay anonymous.",
    safety: "We do not record your network address, browser or any cookie. What you write is encrypted so that only the ethics team can read it. For extra safety, use a personal device that is not connected to the company network.",
    choose: "What is your concern about?",
    next: "Continue",
    have_receipt: "Already reported? Follow up with your receipt",
    change_category: "Choose another category",
    category: "Category",
    description: "What happened?",
    description_hint: "Describe what you saw or experienced, as precisely as you can.",
    when_where: "When and where did it happen?",
    people: "Who is involved?",
    people_hint: "Names or roles of the people involved, if you know them.",
    exclude: "Is there anyone who must not see your report?",
    exclude_hint: "Names of people in the company you do not trust with this report. They, like the people you name above, will not be able to see it.",
    optional: "(optional)",
    required: "(required)",
    anonymous_q: "Do you want to stay anonymous?",
    anonymous_yes: "Yes, stay anonymous",
    anonymous_no: "No, I will give my name",
    identity_hint: "If you give your name, it is kept in its own encrypted envelope, apart from the report.",
    name: "Your name",
    contact: "How can we reach you? (e-mail or phone)",
    submit: "Send report",
    check: "Please check",
    sent: "Your report has been received",
    case_ref: "Case reference",
    receipt: "Receipt",
    receipt_warning: "Write down or save this receipt now. It is shown only once and is the only way back to your report: we cannot recover it.",
    feedback_due: "You will get feedback by",
    ack_due: "We will acknowledge your report by",
    saved_box: "I have saved my receipt",
    saved_button: "Continue",
    saved_missing: "Tick the box to confirm that you saved your receipt.",
    done_title: "Thank you",
    done: "Your report is with the ethics team. Come back with your receipt to read their questions and feedback, or to add information.",
    access_title: "Follow up on a report",
    access_intro: "Enter the receipt you were given when you reported.",
    open: "Open my report",
    failed: "We could not open a report with this receipt. Check the digits and try again.",
    status: "Status",
    submitted: "Submitted",
    your_report: "Your report",
    anonymous_report: "You reported anonymously.",
    named_report: "You gave your name and contact; they are kept in a separate encrypted envelope.",
    thread: "Messages",
    no_messages: "No messages yet.",
    you: "You",
    staff: "Ethics team",
    add_message: "Add a message or more information",
    send: "Send message",
    retaliation_title: "Is someone retaliating against you?",
    retaliation_hint: "If you are treated worse because you reported (for example threats, a worse schedule, being left out), tell us. The case is flagged for urgent attention.",
    retaliation_button: "I am experiencing retaliation",
    retaliation_marker: "Retaliation reported",
    retaliation_flagged: "Your case is flagged: you reported retaliation.",
    retaliation_added: "Thank you for telling us. The ethics team will treat your case as urgent. Add details in a message whenever you can.",
    message_added: "Your message has been added.",
    limited: "Too many attempts. Please wait a few minutes and try again.",
    expired: "This form has expired. Please send it again.",
    err_required: "is required",
    err_too_long: "is too long",
    err_category: "choose one of the categories",
    err_anonymous: "choose whether to stay anonymous",
    err_identity: "give your name or choose to stay anonymous",
    status_received: "Received",
    status_acknowledged: "Acknowledged: the ethics team is assessing your report",
    status_investigating: "Under investigation",
    status_substantiated: "Closed: the concern was substantiated",
    status_unsubstantiated: "Closed: the concern could not be substantiated",
    status_closed: "Closed",
    attachments: "Attachments",
    attach: "Attach files",
    attach_hint: "Photos (JPEG or PNG), PDF documents or plain text. We remove the location, the camera and other hidden details from photos before storing them.",
    pdf_warning: "A PDF keeps its document properties (such as the author's name) and we cannot remove them: check them before attaching it, or attach a photo or a text file instead.",
    reattach: "For your safety, files are not kept when the form is shown again: attach them again.",
    files_added: "Your files have been added.",
    pdf_kept: "document properties kept",
    attachment: "attachment",
    err_files_too_large: "the files together are too large; send fewer or smaller files",
    err_unreadable: "the form could not be read; please send it again",
};

const ES: Text = Text {
    title: "Alza la voz",
    other_lang: "en",
    other_lang_name: "English",
    intro: "Denuncia una conducta indebida en el trabajo. No necesitas una cuenta y puedes permanecer en el anonimato.",
    safety: "No registramos tu dirección de red, tu navegador ni ninguna cookie. Lo que escribes se cifra para que solo el equipo de ética pueda leerlo. Para más seguridad, usa un dispositivo personal que no esté conectado a la red de la empresa.",
    choose: "¿Sobre qué es tu denuncia?",
    next: "Continuar",
    have_receipt: "¿Ya denunciaste? Haz el seguimiento con tu recibo",
    change_category: "Elegir otra categoría",
    category: "Categoría",
    description: "¿Qué pasó?",
    description_hint: "Describe lo que viste o viviste, con la mayor precisión posible.",
    when_where: "¿Cuándo y dónde pasó?",
    people: "¿Quién está involucrado?",
    people_hint: "Nombres o cargos de las personas involucradas, si los conoces.",
    exclude: "¿Hay alguien que no deba ver tu denuncia?",
    exclude_hint: "Nombres de personas de la empresa en quienes no confías para esta denuncia. Ellas, como las personas que nombras arriba, no podrán verla.",
    optional: "(opcional)",
    required: "(obligatorio)",
    anonymous_q: "¿Quieres permanecer en el anonimato?",
    anonymous_yes: "Sí, quiero ser anónimo",
    anonymous_no: "No, daré mi nombre",
    identity_hint: "Si das tu nombre, se guarda en su propio sobre cifrado, aparte de la denuncia.",
    name: "Tu nombre",
    contact: "¿Cómo podemos contactarte? (correo o teléfono)",
    submit: "Enviar denuncia",
    check: "Revisa",
    sent: "Hemos recibido tu denuncia",
    case_ref: "Referencia del caso",
    receipt: "Recibo",
    receipt_warning: "Anota o guarda este recibo ahora. Solo se muestra una vez y es la única forma de volver a tu denuncia: no podemos recuperarlo.",
    feedback_due: "Recibirás una respuesta antes del",
    ack_due: "Confirmaremos la recepción antes del",
    saved_box: "He guardado mi recibo",
    saved_button: "Continuar",
    saved_missing: "Marca la casilla para confirmar que guardaste tu recibo.",
    done_title: "Gracias",
    done: "Tu denuncia está en manos del equipo de ética. Vuelve con tu recibo para leer sus preguntas y respuestas, o para añadir información.",
    access_title: "Seguimiento de una denuncia",
    access_intro: "Escribe el recibo que recibiste al denunciar.",
    open: "Abrir mi denuncia",
    failed: "No pudimos abrir una denuncia con este recibo. Revisa los dígitos e inténtalo de nuevo.",
    status: "Estado",
    submitted: "Enviada",
    your_report: "Tu denuncia",
    anonymous_report: "Denunciaste de forma anónima.",
    named_report: "Diste tu nombre y contacto; se guardan en un sobre cifrado aparte.",
    thread: "Mensajes",
    no_messages: "Aún no hay mensajes.",
    you: "Tú",
    staff: "Equipo de ética",
    add_message: "Añadir un mensaje o más información",
    send: "Enviar mensaje",
    retaliation_title: "¿Alguien está tomando represalias contra ti?",
    retaliation_hint: "Si te tratan peor por haber denunciado (por ejemplo amenazas, un horario peor, que te dejen de lado), cuéntanoslo. El caso se marcará como urgente.",
    retaliation_button: "Estoy sufriendo represalias",
    retaliation_marker: "Represalias denunciadas",
    retaliation_flagged: "Tu caso está marcado: denunciaste represalias.",
    retaliation_added: "Gracias por contárnoslo. El equipo de ética tratará tu caso como urgente. Añade detalles en un mensaje cuando puedas.",
    message_added: "Tu mensaje se ha añadido.",
    limited: "Demasiados intentos. Espera unos minutos e inténtalo de nuevo.",
    expired: "Este formulario ha caducado. Envíalo de nuevo.",
    err_required: "es obligatorio",
    err_too_long: "es demasiado largo",
    err_category: "elige una de las categorías",
    err_anonymous: "elige si quieres permanecer en el anonimato",
    err_identity: "da tu nombre o elige permanecer en el anonimato",
    status_received: "Recibida",
    status_acknowledged: "Confirmada: el equipo de ética está valorando tu denuncia",
    status_investigating: "En investigación",
    status_substantiated: "Cerrada: la denuncia se confirmó",
    status_unsubstantiated: "Cerrada: la denuncia no pudo confirmarse",
    status_closed: "Cerrada",
    attachments: "Archivos adjuntos",
    attach: "Adjuntar archivos",
    attach_hint: "Fotos (JPEG o PNG), documentos PDF o texto sin formato. Quitamos de las fotos la ubicación, la cámara y otros datos ocultos antes de guardarlas.",
    pdf_warning: "Un PDF conserva sus propiedades de documento (como el nombre del autor) y no podemos quitarlas: revísalas antes de adjuntarlo, o adjunta una foto o un archivo de texto.",
    reattach: "Por tu seguridad, los archivos no se conservan al volver a mostrar el formulario: adjúntalos de nuevo.",
    files_added: "Tus archivos se han añadido.",
    pdf_kept: "se conservan las propiedades del documento",
    attachment: "adjunto",
    err_files_too_large: "los archivos juntos son demasiado grandes; envía menos archivos o más pequeños",
    err_unreadable: "no se pudo leer el formulario; envíalo de nuevo",
};

// ---------------------------------------------------------------- form token (CSRF)

/// A form token: the issue time sealed under a key derived from the server keyring
/// (purpose `speakup-form`), base32. Proves the form was served by this server within
/// [`FORM_TOKEN_HOURS`]; carries no session and needs no cookie.
fn form_token(state: &AppState) -> String {
    state
        .seal("speakup-form", &state.now().as_millisecond().to_be_bytes())
        .map(|s| data_encoding::BASE32_NOPAD.encode(&s))
        .unwrap_or_default()
}

fn form_token_ok(state: &AppState, token: &str) -> bool {
    let Ok(raw) = data_encoding::BASE32_NOPAD.decode(token.as_bytes()) else {
        return false;
    };
    let Ok(plain) = state.open("speakup-form", &raw) else {
        return false;
    };
    let Ok(b) = <[u8; 8]>::try_from(plain.as_slice()) else {
        return false;
    };
    let issued = i64::from_be_bytes(b);
    let now = state.now().as_millisecond();
    issued <= now + 5 * 60_000 && now - issued <= FORM_TOKEN_HOURS * 3_600_000
}

/// Browsers say when a request comes from another site; such posts are refused.
fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
}

// ---------------------------------------------------------------- pages

struct CatView {
    key: String,
    label: String,
    hint: String,
    checked: bool,
}

struct Question {
    name: String,
    text: String,
    value: String,
}

struct Line {
    label: String,
    text: String,
}

struct MsgView {
    who: &'static str,
    retaliation: bool,
    at: String,
    body: String,
}

/// An attachment as the reporter sees it listed: name and size.
struct FileView {
    name: String,
    size: String,
    who: &'static str,
    at: String,
    /// A PDF: its document properties were kept.
    pdf: bool,
}

impl FileView {
    fn new(
        lang: Lang,
        name: String,
        size: u64,
        by_reporter: bool,
        at: Timestamp,
        pdf: bool,
    ) -> Self {
        let t = lang.t();
        FileView {
            name,
            size: att::size_label(size, lang == Lang::Es),
            who: if by_reporter { t.you } else { t.staff },
            at: day(at),
            pdf,
        }
    }
}

#[derive(Template)]
#[template(path = "speakup.html")]
struct Page {
    t: &'static Text,
    lang: &'static str,
    /// choose, form, receipt, done, access, case, failed, limited, expired.
    kind: &'static str,
    csrf: String,
    categories: Vec<CatView>,
    category: String,
    category_label: String,
    category_hint: String,
    questions: Vec<Question>,
    errors: Vec<(String, String)>,
    description: String,
    when_where: String,
    people: String,
    exclude: String,
    anonymous: String,
    name: String,
    contact: String,
    case_ref: String,
    receipt: String,
    ack_due: String,
    feedback_due: String,
    status: &'static str,
    submitted: String,
    report: Vec<Line>,
    named: bool,
    retaliation: bool,
    messages: Vec<MsgView>,
    attachments: Vec<FileView>,
    /// "Up to 3 files, 5 MB each."
    limits: String,
    /// Files were sent with a form shown again: the reporter must attach them again.
    reattach: bool,
    notice: String,
    max_description: usize,
    max_short: usize,
    max_name: usize,
    max_message: usize,
}

impl Page {
    fn new(state: &AppState, lang: Lang, kind: &'static str) -> Self {
        Page {
            t: lang.t(),
            lang: lang.code(),
            kind,
            csrf: form_token(state),
            categories: Vec::new(),
            category: String::new(),
            category_label: String::new(),
            category_hint: String::new(),
            questions: Vec::new(),
            errors: Vec::new(),
            description: String::new(),
            when_where: String::new(),
            people: String::new(),
            exclude: String::new(),
            anonymous: String::new(),
            name: String::new(),
            contact: String::new(),
            case_ref: String::new(),
            receipt: String::new(),
            ack_due: String::new(),
            feedback_due: String::new(),
            status: "",
            submitted: String::new(),
            report: Vec::new(),
            named: false,
            retaliation: false,
            messages: Vec::new(),
            attachments: Vec::new(),
            limits: lang.limits(),
            reattach: false,
            notice: String::new(),
            max_description: MAX_DESCRIPTION,
            max_short: MAX_SHORT,
            max_name: MAX_NAME,
            max_message: MAX_MESSAGE,
        }
    }

    fn respond(self, status: StatusCode) -> Response {
        let mut r = render(self);
        *r.status_mut() = status;
        let h = r.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(
            "x-robots-tag",
            HeaderValue::from_static("noindex, nofollow"),
        );
        r
    }
}

fn limited_page(state: &AppState, lang: Lang, wait: u64) -> Response {
    let r = Page::new(state, lang, "limited").respond(StatusCode::TOO_MANY_REQUESTS);
    with_retry_after(r, wait)
}

/// `categories` are the enabled ones, in form order.
fn choose_page(state: &AppState, lang: Lang, selected: &str, categories: &[Category]) -> Page {
    let mut p = Page::new(state, lang, "choose");
    p.categories = categories
        .iter()
        .map(|c| CatView {
            key: c.key.clone(),
            label: c.labels.get(lang.code()).to_owned(),
            hint: c.hints.get(lang.code()).to_owned(),
            checked: c.key == selected,
        })
        .collect();
    p
}

fn form_page(state: &AppState, lang: Lang, cat: &Category, input: &Report) -> Page {
    let mut p = Page::new(state, lang, "form");
    p.category = cat.key.clone();
    p.category_label = cat.labels.get(lang.code()).to_owned();
    p.category_hint = cat.hints.get(lang.code()).to_owned();
    p.questions = cat
        .questions
        .get(lang.code())
        .iter()
        .enumerate()
        .map(|(i, q)| Question {
            name: format!("q{}", i + 1),
            text: q.clone(),
            value: input.answers.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    p.description = input.description.clone();
    p.when_where = input.when_where.clone();
    p.people = input.people.clone();
    p.exclude = input.exclude.clone();
    p.anonymous = match input.anonymous {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    };
    p.name = input.name.clone();
    p.contact = input.contact.clone();
    p
}

#[derive(Debug, serde::Deserialize)]
pub struct IntakeQuery {
    lang: Option<String>,
    category: Option<String>,
}

/// The enabled category `key`, if there is one: only these are offered and accepted.
fn offered<'a>(categories: &'a [Category], key: &str) -> Option<&'a Category> {
    categories.iter().find(|c| c.key == key)
}

pub async fn intake_form(
    State(state): State<AppState>,
    Query(q): Query<IntakeQuery>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let lang = Lang::pick(q.lang.as_deref(), &headers);
    let categories = intake::categories(&state).await?;
    Ok(
        match q.category.as_deref().and_then(|k| offered(&categories, k)) {
            Some(cat) => form_page(&state, lang, cat, &Report::default()).respond(StatusCode::OK),
            None => choose_page(&state, lang, "", &categories).respond(StatusCode::OK),
        },
    )
}

// ---------------------------------------------------------------- filing a report

/// Field errors: `(field, message)`; messages name the field, never echo content.
/// `category` is the enabled category the report names, if any.
fn validate(r: &Report, category: Option<&Category>, lang: Lang) -> Vec<(String, String)> {
    let t = lang.t();
    let mut errors = Vec::new();
    let mut too_long = |field: &str, value: &str, max: usize| {
        if value.chars().count() > max {
            errors.push((
                field.to_owned(),
                format!("{field}: {} ({max})", t.err_too_long),
            ));
        }
    };
    too_long("description", &r.description, MAX_DESCRIPTION);
    too_long("when_where", &r.when_where, MAX_SHORT);
    too_long("people", &r.people, MAX_SHORT);
    too_long("exclude", &r.exclude, MAX_SHORT);
    too_long("name", &r.name, MAX_NAME);
    too_long("contact", &r.contact, MAX_NAME);
    for (i, a) in r.answers.iter().enumerate() {
        too_long(&format!("q{}", i + 1), a, MAX_SHORT);
    }
    if category.is_none() {
        errors.insert(
            0,
            ("category".into(), format!("category: {}", t.err_category)),
        );
    }
    if r.description.trim().is_empty() {
        errors.push((
            "description".into(),
            format!("description: {}", t.err_required),
        ));
    }
    match r.anonymous {
        None => errors.push((
            "anonymous".into(),
            format!("anonymous: {}", t.err_anonymous),
        )),
        Some(false) if r.name.trim().is_empty() => {
            errors.push(("name".into(), format!("name: {}", t.err_identity)))
        }
        _ => {}
    }
    errors
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal(&e)
}

fn report_from_form(form: &FormData, cat: Option<&Category>) -> Report {
    let n = cat.map_or(0, |c| c.questions.en.len());
    Report {
        category: form.get("category"),
        description: form.get("description"),
        when_where: form.get("when_where"),
        people: form.get("people"),
        exclude: form.get("exclude"),
        answers: (1..=n).map(|i| form.get(&format!("q{i}"))).collect(),
        anonymous: match form.get("anonymous").as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        name: form.get("name"),
        contact: form.get("contact"),
        attachments: Vec::new(),
    }
}

pub async fn intake_submit(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    ReporterForm {
        form,
        files,
        problem,
    }: ReporterForm,
) -> AppResult<Response> {
    let lang = Lang::pick(Some(form.get("lang").as_str()), &headers);
    if let Some(problem) = problem {
        // Nothing is filed; what was read of the form is shown again.
        let categories = intake::categories(&state).await?;
        let cat = offered(&categories, &form.get("category"));
        let report = report_from_form(&form, cat);
        let mut p = match cat {
            Some(cat) => form_page(&state, lang, cat, &report),
            None => choose_page(&state, lang, "", &categories),
        };
        p.errors = vec![lang.problem(problem)];
        p.reattach = true;
        return Ok(p.respond(att::problem_status(problem)));
    }
    if cross_site(&headers) || !form_token_ok(&state, &form.get("csrf")) {
        return Ok(Page::new(&state, lang, "expired").respond(StatusCode::FORBIDDEN));
    }
    let key = peer_key(&state, &peer, &headers);
    if let Err(wait) = state
        .speakup_limiter
        .take(&key, Bucket::Submission, state.now())
    {
        return Ok(limited_page(&state, lang, wait));
    }
    if form.get("step") == "confirm" {
        return Ok(confirm(&state, lang, &form));
    }
    let categories = intake::categories(&state).await?;
    let cat = offered(&categories, &form.get("category"));
    let mut report = report_from_form(&form, cat);
    let mut errors = validate(&report, cat, lang);
    match att::prepare_all(&files) {
        Ok(prepared) => report.attachments = prepared,
        Err(refused) => errors.extend(refused.iter().map(|(i, e)| lang.file_error(*i, e))),
    }
    let Some(cat) = cat.filter(|_| errors.is_empty()) else {
        let mut p = match cat {
            Some(cat) => form_page(&state, lang, cat, &report),
            None => choose_page(&state, lang, "", &categories),
        };
        p.errors = errors;
        p.reattach = !files.is_empty();
        return Ok(p.respond(StatusCode::UNPROCESSABLE_ENTITY));
    };
    let filed = intake::file(&state, &state.receipt_gate, &report, cat, lang.code()).await?;
    let mut p = Page::new(&state, lang, "receipt");
    p.attachments = report
        .attachments
        .iter()
        .map(|a| {
            let pdf = !a.kind.metadata_stripped();
            FileView::new(
                lang,
                a.name.clone(),
                a.body.len() as u64,
                true,
                state.now(),
                pdf,
            )
        })
        .collect();
    p.case_ref = filed.case;
    p.receipt = filed.receipt.display();
    p.ack_due = day(filed.ack_due);
    p.feedback_due = day(filed.feedback_due);
    Ok(p.respond(StatusCode::OK))
}

/// The "I have saved it" step. The receipt page posts the reference, receipt and dates
/// back (they are not stored anywhere else); unticked, the same page shows again.
fn confirm(state: &AppState, lang: Lang, form: &FormData) -> Response {
    let mut p = Page::new(state, lang, "done");
    p.case_ref = form.get("case_ref");
    p.feedback_due = form.get("feedback_due");
    if form.get("saved") != "yes" {
        p.kind = "receipt";
        p.receipt = Receipt::parse(&form.get("receipt"))
            .map(|r| r.display())
            .unwrap_or_default();
        p.ack_due = form.get("ack_due");
        p.errors = vec![("saved".into(), lang.t().saved_missing.into())];
        return p.respond(StatusCode::UNPROCESSABLE_ENTITY);
    }
    p.respond(StatusCode::OK)
}

// ---------------------------------------------------------------- the reporter's access

fn status_label(t: &Text, status: &str) -> &'static str {
    match status {
        "acknowledged" => t.status_acknowledged,
        "investigating" => t.status_investigating,
        "substantiated" => t.status_substantiated,
        "unsubstantiated" => t.status_unsubstantiated,
        "closed" => t.status_closed,
        _ => t.status_received,
    }
}

/// The case as the reporter sees it: what they sent (never the identity, which stays in
/// its envelope) and the thread, with labels in `lang`.
async fn case_view(
    state: &AppState,
    o: &Opened,
    lang: Lang,
) -> AppResult<(
    Vec<Line>,
    Vec<(StoredMessage, String)>,
    Vec<att::AttachmentView>,
)> {
    let t = lang.t();
    let mut labels = vec![
        ("description".to_owned(), t.description.to_owned()),
        ("when_where".to_owned(), t.when_where.to_owned()),
        ("people".to_owned(), t.people.to_owned()),
    ];
    for (i, q) in asked_questions(state, o)
        .await?
        .get(lang.code())
        .iter()
        .enumerate()
    {
        labels.push((format!("answer:{}", i + 1), q.clone()));
    }
    let mut lines = Vec::new();
    for (field, label) in labels {
        if let Some(text) = field_text(o, &field)? {
            lines.push(Line { label, text });
        }
    }
    let messages = intake::thread(state, o).await?;
    let files = righttrack_app::hotline::attachments::list(state, &o.case.id, &o.key).await?;
    Ok((lines, messages, files))
}

#[derive(Debug, serde::Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn access_form(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::pick(q.lang.as_deref(), &headers);
    Page::new(&state, lang, "access").respond(StatusCode::OK)
}

/// One generic failure for a wrong, malformed or unknown receipt.
fn failed_page(state: &AppState, lang: Lang) -> Response {
    let mut p = Page::new(state, lang, "access");
    p.errors = vec![("receipt".into(), lang.t().failed.into())];
    p.respond(StatusCode::NOT_FOUND)
}

pub async fn access_submit(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    sent: ReporterForm,
) -> AppResult<Response> {
    let lang = Lang::pick(Some(sent.form.get("lang").as_str()), &headers);
    let ReporterForm {
        form,
        files,
        problem,
    } = sent;
    if cross_site(&headers) || !form_token_ok(&state, &form.get("csrf")) {
        return Ok(Page::new(&state, lang, "expired").respond(StatusCode::FORBIDDEN));
    }
    let key = peer_key(&state, &peer, &headers);
    let now = state.now();
    if let Some(wait) = state.speakup_limiter.blocked(&key, Bucket::Miss, now) {
        return Ok(limited_page(&state, lang, wait));
    }
    if let Err(wait) = state.speakup_limiter.take(&key, Bucket::Submission, now) {
        return Ok(limited_page(&state, lang, wait));
    }
    let Some(opened) = intake::open_case(&state, &state.receipt_gate, &form.get("receipt")).await?
    else {
        let _ = state.speakup_limiter.take(&key, Bucket::Miss, now);
        return Ok(failed_page(&state, lang));
    };
    let t = lang.t();
    let mut notice = String::new();
    let mut errors = Vec::new();
    let mut status = StatusCode::OK;
    let action = form.get("action");
    if let Some(problem) = problem {
        // The case opens, but nothing of an unreadable post is stored.
        errors.push(lang.problem(problem));
        status = att::problem_status(problem);
    } else if action == "message" || action == "retaliation" {
        // A message, a retaliation report (text optional), files with either; all
        // checked before anything is stored.
        let text = form.get("message");
        if text.chars().count() > MAX_MESSAGE {
            errors.push((
                "message".into(),
                format!("message: {} ({MAX_MESSAGE})", t.err_too_long),
            ));
        } else if action == "message" && text.trim().is_empty() && files.is_empty() {
            errors.push(("message".into(), format!("message: {}", t.err_required)));
        }
        let prepared = att::prepare_all(&files).unwrap_or_else(|refused| {
            errors.extend(refused.iter().map(|(i, e)| lang.file_error(*i, e)));
            Vec::new()
        });
        if errors.is_empty() {
            add_files(&state, &opened, &prepared).await?;
            if action == "retaliation" {
                add_message(&state, &opened, "retaliation", text.trim()).await?;
                notice = t.retaliation_added.into();
            } else if !text.trim().is_empty() {
                add_message(&state, &opened, "message", &text).await?;
                notice = t.message_added.into();
            } else {
                notice = t.files_added.into();
            }
        } else {
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
    }
    let retaliation = opened.case.retaliation_flag || notice == t.retaliation_added;
    let (report, messages, files_stored) = case_view(&state, &opened, lang).await?;
    let mut p = Page::new(&state, lang, "case");
    p.case_ref = opened.case.id.clone();
    p.category_label = intake::category_label(&state, &opened.case.category, lang.code()).await?;
    p.receipt = form.get("receipt");
    p.status = status_label(t, &opened.case.status);
    p.submitted = day(opened.case.submitted_at);
    p.ack_due = day(opened.case.ack_due_at);
    p.feedback_due = day(opened.case.feedback_due_at);
    p.report = report;
    p.named = !opened.case.anonymous;
    p.retaliation = retaliation;
    p.messages = messages
        .into_iter()
        .map(|(m, body)| MsgView {
            who: if m.author == "reporter" {
                t.you
            } else {
                t.staff
            },
            retaliation: m.kind == "retaliation",
            at: day(m.created_at),
            body,
        })
        .collect();
    p.attachments = files_stored
        .into_iter()
        .map(|a| {
            let by_reporter = a.author == "reporter";
            FileView::new(
                lang,
                a.name,
                a.size,
                by_reporter,
                a.created_at,
                !a.metadata_stripped,
            )
        })
        .collect();
    p.notice = notice;
    if !errors.is_empty() {
        p.description = form.get("message");
        p.reattach = !files.is_empty();
    }
    p.errors = errors;
    Ok(p.respond(status))
}

// ---------------------------------------------------------------- JSON API

fn json_no_store(status: StatusCode, body: Value) -> Response {
    let mut r = (status, Json(body)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Parses a JSON object body; requires `Content-Type: application/json` (so a
/// cross-site form cannot post here without a CORS preflight, which is never granted).
fn json_body(headers: &HeaderMap, body: &[u8]) -> AppResult<serde_json::Map<String, Value>> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Err(AppError::bad_request(
            "header `Content-Type`: must be application/json",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(AppError::bad_request("body: must be a JSON object")),
    }
}

fn string_field(m: &serde_json::Map<String, Value>, field: &str) -> AppResult<String> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(AppError::new(
            Code::Unprocessable,
            format!("field `{field}`: must be a string"),
        )),
    }
}

fn limited_json(wait: u64) -> Response {
    let r = AppError::new(Code::RateLimited, "Too many attempts; try again later.").into_response();
    with_retry_after(r, wait)
}

pub async fn api_report(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let key = peer_key(&state, &peer, &headers);
    if let Err(wait) = state
        .speakup_limiter
        .take(&key, Bucket::Submission, state.now())
    {
        return Ok(limited_json(wait));
    }
    let m = json_body(&headers, &body)?;
    let anonymous = match m.get("anonymous") {
        Some(Value::Bool(b)) => Some(*b),
        None | Some(Value::Null) => None,
        Some(_) => {
            return Err(AppError::new(
                Code::Unprocessable,
                "field `anonymous`: must be true or false",
            ))
        }
    };
    let answers = match m.get("answers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(AppError::new(
                    Code::Unprocessable,
                    format!("field `answers[{i}]`: must be a string"),
                )),
            })
            .collect::<AppResult<Vec<_>>>()?,
        Some(_) => {
            return Err(AppError::new(
                Code::Unprocessable,
                "field `answers`: must be an array of strings",
            ))
        }
    };
    let mut report = Report {
        category: string_field(&m, "category")?,
        description: string_field(&m, "description")?,
        when_where: string_field(&m, "when_where")?,
        people: string_field(&m, "people")?,
        exclude: string_field(&m, "exclude")?,
        answers,
        anonymous,
        name: string_field(&m, "name")?,
        contact: string_field(&m, "contact")?,
        attachments: Vec::new(),
    };
    let categories = intake::categories(&state).await?;
    let cat = offered(&categories, &report.category);
    if let Some(c) = cat {
        if report.answers.len() > c.questions.en.len() {
            return Err(AppError::new(
                Code::Unprocessable,
                format!(
                    "field `answers`: this category has {} questions",
                    c.questions.en.len()
                ),
            ));
        }
    }
    let errors = validate(&report, cat, Lang::En);
    if let Some((field, _)) = errors.first() {
        let why = match field.as_str() {
            "category" => format!(
                "one of {}",
                categories
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "description" if report.description.trim().is_empty() => "required".into(),
            "anonymous" => "required: true or false".into(),
            "name" => "required when `anonymous` is false".into(),
            _ => "too long".into(),
        };
        let field = match field.strip_prefix('q') {
            Some(n) => format!("answers[{}]", n.parse::<usize>().unwrap_or(1) - 1),
            None => field.clone(),
        };
        return Err(AppError::new(
            Code::Unprocessable,
            format!("field `{field}`: {why}"),
        ));
    }
    report.attachments = att::from_json(&m)?;
    let lang = match m.get("lang").and_then(Value::as_str) {
        Some("es") => Lang::Es,
        _ => Lang::En,
    };
    let Some(cat) = cat else {
        return Err(internal("a report passed validation without a category"));
    };
    let filed = intake::file(&state, &state.receipt_gate, &report, cat, lang.code()).await?;
    Ok(json_no_store(
        StatusCode::CREATED,
        json!({
            "case": filed.case,
            "receipt": filed.receipt.display(),
            "acknowledgement_due": filed.ack_due.to_string(),
            "feedback_due": filed.feedback_due.to_string(),
            "attachments": report.attachments.iter().map(|a| json!({
                "name": a.name,
                "type": a.kind.mime(),
                "size": a.body.len(),
                "metadata_stripped": a.kind.metadata_stripped(),
            })).collect::<Vec<_>>(),
        }),
    ))
}

pub async fn api_access(
    State(state): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let key = peer_key(&state, &peer, &headers);
    let now = state.now();
    if let Some(wait) = state.speakup_limiter.blocked(&key, Bucket::Miss, now) {
        return Ok(limited_json(wait));
    }
    if let Err(wait) = state.speakup_limiter.take(&key, Bucket::Submission, now) {
        return Ok(limited_json(wait));
    }
    let m = json_body(&headers, &body)?;
    // Anything but a string is a malformed receipt: the same generic failure below.
    let receipt = m
        .get("receipt")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let message = string_field(&m, "message")?;
    let retaliation = match m.get("retaliation") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(AppError::new(
                Code::Unprocessable,
                "field `retaliation`: must be true or false",
            ))
        }
    };
    if message.chars().count() > MAX_MESSAGE {
        return Err(AppError::new(
            Code::Unprocessable,
            format!("field `message`: at most {MAX_MESSAGE} characters"),
        ));
    }
    let files = att::from_json(&m)?;
    let Some(opened) = intake::open_case(&state, &state.receipt_gate, &receipt).await? else {
        let _ = state.speakup_limiter.take(&key, Bucket::Miss, now);
        return Err(AppError::new(
            Code::NotFound,
            "field `receipt`: no report opens with this receipt",
        ));
    };
    add_files(&state, &opened, &files).await?;
    if retaliation {
        add_message(&state, &opened, "retaliation", message.trim()).await?;
    } else if !message.trim().is_empty() {
        add_message(&state, &opened, "message", &message).await?;
    }
    let flagged = opened.case.retaliation_flag || retaliation;
    let (_, messages, files) = case_view(&state, &opened, Lang::En).await?;
    let description = field_text(&opened, "description")?.unwrap_or_default();
    Ok(json_no_store(
        StatusCode::OK,
        json!({
            "case": opened.case.id,
            "category": opened.case.category,
            "status": opened.case.status,
            "anonymous": opened.case.anonymous,
            "retaliation_flag": flagged,
            "submitted_at": opened.case.submitted_at.to_string(),
            "acknowledgement_due": opened.case.ack_due_at.to_string(),
            "feedback_due": opened.case.feedback_due_at.to_string(),
            "description": description,
            "messages": messages.iter().map(|(m, body)| json!({
                "author": m.author,
                "kind": m.kind,
                "at": day(m.created_at),
                "body": body,
            })).collect::<Vec<_>>(),
            "attachments": files,
        }),
    ))
}
