//! Attachments of speak-up cases at the HTTP edge: reading files from the reporter's
//! form (`multipart/form-data`, no JavaScript) or the JSON API (base64), sealing them
//! under the case key, listing them, and serving one to staff.
//!
//! What is accepted and what is kept of a file is decided in
//! [`righttrack_core::attachments`] (type from the bytes, size and count limits,
//! metadata stripped from images, sanitized names). Errors name the file by its position
//! (`attachment 2`, `attachments[1]`), never by its name or content.
//!
//! Body limits are raised for the four reporter routes only ([`FORM_BODY_LIMIT`],
//! [`API_BODY_LIMIT`] in `routes.rs`); every other route keeps its own, smaller limit.
//!
//! The staff side (`cases.rs`) serves a download the case use case opened (and audited)
//! through [`serve`].

use crate::error::{AppError, AppResult};
use crate::pages::FormData;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::Response;
use righttrack_core::attachments::{
    self as core_att, AttachmentError, Kind, Prepared, MAX_FILES, MAX_FILE_BYTES,
};
use righttrack_core::casekeys::CaseKey;
use serde_json::Value;

/// Body limit of the reporter's form routes: every file at its largest, plus the text.
pub const FORM_BODY_LIMIT: usize = MAX_FILES * MAX_FILE_BYTES + (1 << 20);
/// Body limit of the reporter's JSON routes: base64 makes 3 bytes 4.
pub const API_BODY_LIMIT: usize = MAX_FILES * MAX_FILE_BYTES / 3 * 4 + (1 << 20);

// The limits leave room for every file at its largest (checked when compiling).
const _: () = assert!(FORM_BODY_LIMIT > MAX_FILES * MAX_FILE_BYTES);
const _: () = assert!(API_BODY_LIMIT > MAX_FILES * MAX_FILE_BYTES.div_ceil(3) * 4);

/// The form field of the file input (repeated for several files).
pub const FILE_FIELD: &str = "attachment";

/// One file as the client sent it: the name it gave and the bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Upload({} bytes)", self.bytes.len())
    }
}

/// Why a reporter's form could not be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormProblem {
    /// The body is larger than [`FORM_BODY_LIMIT`].
    TooLarge,
    /// Not a well-formed form body.
    Unreadable,
}

/// A reporter's form: `application/x-www-form-urlencoded` (no files) or
/// `multipart/form-data` (fields and up to [`MAX_FILES`] files in [`FILE_FIELD`]).
/// A multipart body that cannot be read is not a rejection but a [`FormProblem`], so the
/// handler answers with its own page, in the reporter's language, without a trace.
pub struct ReporterForm {
    pub form: FormData,
    pub files: Vec<Upload>,
    pub problem: Option<FormProblem>,
}

impl<S: Send + Sync> FromRequest<S> for ReporterForm {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            return Ok(ReporterForm {
                form: FormData::from_request(req, state).await?,
                files: Vec::new(),
                problem: None,
            });
        }
        let mut out = ReporterForm {
            form: FormData(Vec::new()),
            files: Vec::new(),
            problem: None,
        };
        let Ok(mut parts) = Multipart::from_request(req, state).await else {
            out.problem = Some(FormProblem::Unreadable);
            return Ok(out);
        };
        loop {
            let field = match parts.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    out.problem = Some(problem(e.status()));
                    break;
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    out.problem = Some(problem(e.status()));
                    break;
                }
            };
            match file_name {
                Some(file_name) if name == FILE_FIELD => {
                    // A file input left empty still sends a part, without name or bytes.
                    if !(file_name.is_empty() && bytes.is_empty()) {
                        out.files.push(Upload {
                            name: file_name,
                            bytes: bytes.to_vec(),
                        });
                    }
                }
                Some(_) => {}
                None => match String::from_utf8(bytes.to_vec()) {
                    Ok(v) => out.form.0.push((name, v)),
                    Err(_) => {
                        out.problem = Some(FormProblem::Unreadable);
                        break;
                    }
                },
            }
        }
        Ok(out)
    }
}

fn problem(status: StatusCode) -> FormProblem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        FormProblem::TooLarge
    } else {
        FormProblem::Unreadable
    }
}

/// Checks and strips every file. Errors come with the file's 0-based position; a file
/// beyond [`MAX_FILES`] is [`AttachmentError::TooMany`].
pub fn prepare_all(files: &[Upload]) -> Result<Vec<Prepared>, Vec<(usize, AttachmentError)>> {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if i >= MAX_FILES {
            errors.push((i, AttachmentError::TooMany));
            continue;
        }
        match core_att::prepare(&f.name, &f.bytes) {
            Ok(p) => ok.push(p),
            Err(e) => errors.push((i, e)),
        }
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}

/// Reads `attachments: [{"name", "content_base64"}]` of a JSON body (absent or null:
/// none). Errors name the field: ``field `attachments[1]`: type not allowed ...``.
pub fn from_json(m: &serde_json::Map<String, Value>) -> AppResult<Vec<Prepared>> {
    let list = match m.get("attachments") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(AppError::unprocessable(
                "field `attachments`: must be an array of {name, content_base64}",
            ))
        }
    };
    let mut files = Vec::with_capacity(list.len().min(MAX_FILES + 1));
    for (i, v) in list.iter().enumerate() {
        let bad = |why: &str| AppError::unprocessable(format!("field `attachments[{i}]`: {why}"));
        if i >= MAX_FILES {
            return Err(bad(&AttachmentError::TooMany.to_string()));
        }
        let Value::Object(o) = v else {
            return Err(bad("must be an object with name and content_base64"));
        };
        let name = match o.get("name") {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => return Err(bad("`name` must be a string")),
        };
        let Some(Value::String(b64)) = o.get("content_base64") else {
            return Err(bad("`content_base64` is required (a base64 string)"));
        };
        // Refuse before decoding what cannot fit once decoded.
        if b64.len() > MAX_FILE_BYTES.div_ceil(3) * 4 {
            return Err(bad(&AttachmentError::TooLarge.to_string()));
        }
        let bytes = data_encoding::BASE64
            .decode(b64.as_bytes())
            .map_err(|_| bad("`content_base64` is not valid base64"))?;
        files.push(Upload {
            name: name.to_owned(),
            bytes,
        });
    }
    prepare_all(&files).map_err(|errors| {
        let (i, e) = errors[0];
        AppError::unprocessable(format!("field `attachments[{i}]`: {e}"))
    })
}

pub use righttrack_app::hotline::attachments::{AttachmentView, Download};

/// `812 bytes`, `14 KB`, `1.4 MB` (`1,4 MB` with `spanish`).
pub fn size_label(size: u64, spanish: bool) -> String {
    const KB: u64 = 1024;
    if size < KB {
        format!("{size} bytes")
    } else if size < KB * KB {
        format!("{} KB", size.div_ceil(KB))
    } else {
        let tenths = (size * 10).div_ceil(KB * KB);
        let sep = if spanish { ',' } else { '.' };
        format!("{}{sep}{} MB", tenths / 10, tenths % 10)
    }
}

/// For staff pages: a case's attachments, opened with the case key the reader
/// unwrapped. The caller has checked that the reader may open the case.
pub async fn staff_list(
    state: &AppState,
    case_id: &str,
    key: &CaseKey,
) -> AppResult<Vec<AttachmentView>> {
    Ok(righttrack_app::hotline::attachments::list(state, case_id, key).await?)
}

/// For staff: one attachment as a download ([`serve`]); an id that is not this case's
/// is 404. The caller checks access and writes the audit entry.
pub async fn staff_download(
    state: &AppState,
    case_id: &str,
    attachment_id: &str,
    key: &CaseKey,
) -> AppResult<Response> {
    let file =
        righttrack_app::hotline::attachments::download(state, case_id, attachment_id, key).await?;
    serve(file)
}

/// One opened attachment as a download. `Content-Disposition: attachment` with the
/// sanitized name, `X-Content-Type-Options: nosniff`, `Cache-Control: no-store`, and a
/// content type from the allowed four, checked again against the bytes
/// (`application/octet-stream` if they disagree).
pub fn serve(file: Download) -> AppResult<Response> {
    let disposition = content_disposition(&file.name, file.kind)?;
    let content_type = file.content_type;
    let mut r = Response::new(Body::from(file.body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC
/// 6266): the ASCII form replaces anything outside printable ASCII, quotes and
/// backslashes with `_`.
fn content_disposition(name: &str, kind: Kind) -> AppResult<HeaderValue> {
    // Stored names are already sanitized; sanitizing again costs nothing and guards
    // against a meta written by an older rule.
    let name = core_att::sanitize_name(name, kind);
    let ascii: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .map_err(|e| AppError::internal(&e))
}

/// The 413 or 400 of a form that could not be read, for the reporter pages.
pub fn problem_status(p: FormProblem) -> StatusCode {
    match p {
        FormProblem::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        FormProblem::Unreadable => StatusCode::BAD_REQUEST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_would_say_them() {
        assert_eq!(size_label(812, false), "812 bytes");
        assert_eq!(size_label(1024, false), "1 KB");
        assert_eq!(size_label(14_000, false), "14 KB");
        assert_eq!(size_label(1_468_006, false), "1.4 MB");
        assert_eq!(size_label(1_468_006, true), "1,4 MB");
        assert_eq!(size_label(5 * 1024 * 1024, false), "5.0 MB");
    }

    #[test]
    fn the_download_name_is_quoted_safely() {
        let v = content_disposition("Año \"fiscal\" 2026.pdf", Kind::Pdf).unwrap();
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"A_o _fiscal_ 2026.pdf\"; filename*=UTF-8''A%C3%B1o%20_fiscal_%202026.pdf"
        );
    }
}
