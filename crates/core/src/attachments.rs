//! Attachments to speak-up reports: which files are accepted, what of them is kept, and
//! how they are sealed.
//!
//! A reporter may attach up to [`MAX_FILES`] files of at most [`MAX_FILE_BYTES`] each.
//! The type is decided from the bytes alone ([`detect`]), never from the file name or the
//! content type the client claims, and only four are accepted: JPEG, PNG, PDF and plain
//! UTF-8 text. Anything else is refused with an [`AttachmentError`] that says what is
//! wrong, never what the file contains; callers name the file by its position.
//!
//! **Metadata.** A photo can say where and when it was taken and with which phone, which
//! may be enough to identify a reporter, so images are rewritten before they are sealed:
//!
//! * JPEG: the segments are walked and only what decoding needs is kept: frame, tables,
//!   scans, restart intervals, the JFIF header (with its thumbnail removed: a thumbnail
//!   can show what a crop hid) and Adobe's colour-transform segment. Every other
//!   application segment (EXIF and XMP in APP1, ICC and multi-picture data in APP2, IPTC
//!   in APP13, ...), comments and anything after the end-of-image marker (where phones
//!   append second images and vendor trailers) are dropped. Dropping EXIF also drops the
//!   orientation flag, so a photo may show rotated.
//! * PNG: the chunks are walked and only those that rendering uses are kept (header,
//!   palette, image data, transparency, colour space, physical size, background, APNG
//!   animation); text (`tEXt`, `zTXt`, `iTXt`), `eXIf`, `tIME` and private chunks are
//!   dropped, and so is anything after `IEND`. Checksums are verified.
//! * Plain text is kept as it is.
//! * PDF cannot be stripped reliably without a PDF library (document properties live in
//!   an info dictionary and in XMP streams, possibly compressed, possibly in incremental
//!   updates), so a PDF is kept unchanged and [`Kind::metadata_stripped`] says so: the
//!   form warns the reporter that its properties may carry their name.
//!
//! The walkers are small on purpose (no image library): they check the structure they
//! walk and refuse a malformed JPEG or PNG instead of guessing; they never decode pixels.
//!
//! **Sealing.** Name, type and size ([`Meta`], JSON) and the body are sealed separately
//! with the case key, fields `attachment:<id>:meta` and `attachment:<id>` ([`seal`]).
//!
//! Pure: no I/O; randomness comes in as a parameter.

use crate::casekeys::{CaseKey, CaseKeyError};
use rand::{CryptoRng, RngCore};
use std::fmt;

/// The largest file accepted, in bytes (5 MiB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Files per submission (a report, or one post of the reporter's access page).
pub const MAX_FILES: usize = 3;
/// Characters kept of a file name, extension included.
pub const MAX_NAME_CHARS: usize = 100;

/// The accepted file types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Pdf,
    Text,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Jpeg, Kind::Png, Kind::Pdf, Kind::Text];

    /// The media type, as stored in [`Meta`].
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Pdf => "application/pdf",
            Kind::Text => "text/plain",
        }
    }

    /// The `Content-Type` to serve it with.
    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Text => "text/plain; charset=utf-8",
            other => other.mime(),
        }
    }

    pub fn from_mime(mime: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.mime() == mime)
    }

    /// File name extensions of this type; the first is added when a name has none of them.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Kind::Jpeg => &["jpg", "jpeg"],
            Kind::Png => &["png"],
            Kind::Pdf => &["pdf"],
            Kind::Text => &["txt"],
        }
    }

    /// Whether identifying metadata is removed from files of this type (not for PDF).
    pub fn metadata_stripped(self) -> bool {
        self != Kind::Pdf
    }
}

/// Why a file is refused. The messages name the problem, never the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("the file is empty")]
    Empty,
    #[error("larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("more than {MAX_FILES} files")]
    TooMany,
    #[error("type not allowed (JPEG, PNG, PDF or plain UTF-8 text only)")]
    TypeNotAllowed,
    #[error("not a well-formed JPEG image ({0})")]
    MalformedJpeg(&'static str),
    #[error("not a well-formed PNG image ({0})")]
    MalformedPng(&'static str),
}

/// A file ready to be sealed: sanitized name, detected type, stripped body.
#[derive(Clone)]
pub struct Prepared {
    pub name: String,
    pub kind: Kind,
    pub body: Vec<u8>,
}

impl fmt::Debug for Prepared {
    // Never the name or the body: both came from the reporter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Prepared({}, {} bytes)",
            self.kind.mime(),
            self.body.len()
        )
    }
}

impl Prepared {
    pub fn meta(&self) -> Meta {
        Meta {
            name: self.name.clone(),
            kind: self.kind,
            size: self.body.len() as u64,
        }
    }
}

/// Checks one file and keeps what may be kept of it: the size limit, the type from its
/// bytes, metadata stripped (JPEG, PNG), the name sanitized ([`sanitize_name`]).
pub fn prepare(file_name: &str, bytes: &[u8]) -> Result<Prepared, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    let kind = detect(bytes).ok_or(AttachmentError::TypeNotAllowed)?;
    let body = match kind {
        Kind::Jpeg => strip_jpeg(bytes)?,
        Kind::Png => strip_png(bytes)?,
        Kind::Pdf | Kind::Text => bytes.to_vec(),
    };
    Ok(Prepared {
        name: sanitize_name(file_name, kind),
        kind,
        body,
    })
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// The type of a file from its first bytes (text: valid UTF-8 without control
/// characters other than tab, line feed, carriage return and form feed).
pub fn detect(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(&PNG_SIGNATURE) {
        Some(Kind::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if is_plain_text(bytes) {
        Some(Kind::Text)
    } else {
        None
    }
}

fn is_plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{0C}'))
    })
}

/// Invisible characters that can make a name read differently from what it is
/// (right-to-left overrides turn `gpj.exe` around, zero-width characters hide).
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A file name safe to show and to offer for download: the last path component only,
/// no control or invisible formatting characters, none of `<>:"/\|?*`, no leading dots,
/// at most [`MAX_NAME_CHARS`] characters, and an extension that matches the detected
/// type (added when it does not, so `photo.exe` holding a JPEG becomes `photo.exe.jpg`).
pub fn sanitize_name(raw: &str, kind: Kind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_format_char(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext))
            if kind
                .extensions()
                .contains(&ext.to_ascii_lowercase().as_str()) =>
        {
            (stem.to_owned(), ext.to_owned())
        }
        _ => (cleaned.to_owned(), kind.extensions()[0].to_owned()),
    };
    let room = MAX_NAME_CHARS - ext.chars().count() - 1;
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    let stem = if stem.is_empty() { "attachment" } else { stem };
    format!("{stem}.{ext}")
}

// ---------------------------------------------------------------- JPEG

/// One piece of a JPEG file, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JpegPart<'a> {
    /// A marker without a payload: start of image, restart, `TEM`, end of image.
    Marker(u8),
    /// A marker segment: its code and its payload (after the length).
    Segment { code: u8, payload: &'a [u8] },
    /// Entropy-coded image data after a start-of-scan segment.
    Data(&'a [u8]),
}

/// Walks a JPEG file up to its end-of-image marker (what follows is not visited),
/// checking the structure: start of image first, segment lengths within the file, a
/// frame header before the first scan, at least one scan, an end-of-image marker.
pub fn walk_jpeg<'a>(
    b: &'a [u8],
    mut visit: impl FnMut(JpegPart<'a>),
) -> Result<(), AttachmentError> {
    use AttachmentError::MalformedJpeg as Bad;
    if b.get(..2) != Some(&[0xFF, 0xD8]) {
        return Err(Bad("no start-of-image marker"));
    }
    visit(JpegPart::Marker(0xD8));
    let mut i = 2;
    let (mut frame, mut scanned) = (false, false);
    loop {
        if b.get(i) != Some(&0xFF) {
            return Err(Bad(if i >= b.len() {
                "truncated"
            } else {
                "expected a marker"
            }));
        }
        // Any number of 0xFF fill bytes may precede a marker code.
        while b.get(i) == Some(&0xFF) {
            i += 1;
        }
        let code = *b.get(i).ok_or(Bad("truncated"))?;
        i += 1;
        match code {
            0xD9 => {
                if !scanned {
                    return Err(Bad("no image data"));
                }
                visit(JpegPart::Marker(code));
                return Ok(());
            }
            0x01 | 0xD0..=0xD7 => {
                visit(JpegPart::Marker(code));
                continue;
            }
            0x00 | 0xD8 => return Err(Bad("unexpected marker")),
            _ => {}
        }
        let len = match b.get(i..i + 2) {
            Some(&[hi, lo]) => usize::from(u16::from_be_bytes([hi, lo])),
            _ => return Err(Bad("truncated")),
        };
        if len < 2 {
            return Err(Bad("bad segment length"));
        }
        let payload = b.get(i + 2..i + len).ok_or(Bad("truncated"))?;
        i += len;
        match code {
            // Start of frame, every coding process (not DHT C4, JPG C8, DAC CC).
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => frame = true,
            0xDA if !frame => return Err(Bad("scan before frame header")),
            _ => {}
        }
        visit(JpegPart::Segment { code, payload });
        if code == 0xDA {
            scanned = true;
            let start = i;
            // Entropy-coded data runs to the next marker: 0xFF followed by anything but
            // a stuffed zero or a restart marker.
            loop {
                match (b.get(i), b.get(i + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => i += 2,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => i += 1,
                    (None, _) => return Err(Bad("truncated image data")),
                }
            }
            visit(JpegPart::Data(&b[start..i]));
        }
    }
}

/// The marker codes of a JPEG file in order (segments and standalone markers).
pub fn jpeg_markers(b: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut codes = Vec::new();
    walk_jpeg(b, |part| match part {
        JpegPart::Marker(code) | JpegPart::Segment { code, .. } => codes.push(code),
        JpegPart::Data(_) => {}
    })?;
    Ok(codes)
}

/// Appends one marker segment (marker, length, payload).
fn put_segment(out: &mut Vec<u8>, code: u8, payload: &[u8]) {
    out.extend_from_slice(&[0xFF, code]);
    // Payloads come from segments whose length fitted in 16 bits, or are shorter.
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
}

/// A JPEG without metadata (see the module documentation for what is kept).
pub fn strip_jpeg(b: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut out = Vec::with_capacity(b.len());
    walk_jpeg(b, |part| match part {
        JpegPart::Marker(code) => out.extend_from_slice(&[0xFF, code]),
        JpegPart::Data(d) => out.extend_from_slice(d),
        // JFIF, with its thumbnail dimensions zeroed and the thumbnail dropped.
        JpegPart::Segment {
            code: 0xE0,
            payload,
        } => {
            if let Some(head) = payload.get(..14).filter(|h| h.starts_with(b"JFIF\0")) {
                let mut jfif = head.to_vec();
                jfif[12] = 0;
                jfif[13] = 0;
                put_segment(&mut out, 0xE0, &jfif);
            }
        }
        // Adobe's colour transform flag (needed to decode CMYK and YCCK), at its fixed
        // size.
        JpegPart::Segment {
            code: 0xEE,
            payload,
        } => {
            if let Some(adobe) = payload.get(..12).filter(|h| h.starts_with(b"Adobe")) {
                put_segment(&mut out, 0xEE, adobe);
            }
        }
        // Every other application segment, and comments.
        JpegPart::Segment {
            code: 0xE1..=0xEF | 0xFE,
            ..
        } => {}
        JpegPart::Segment { code, payload } => put_segment(&mut out, code, payload),
    })?;
    Ok(out)
}

// ---------------------------------------------------------------- PNG

/// Ancillary chunks kept: what renders the image (colour, transparency, size, animation).
const PNG_KEEP: [&[u8; 4]; 13] = [
    b"PLTE", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"sBIT", b"pHYs", b"bKGD",
    b"acTL", b"fcTL", b"fdAT",
];

/// Walks a PNG file's chunks up to `IEND` (what follows is not visited), handing each
/// chunk's type and its whole bytes (length, type, data, checksum). Checks the
/// signature, the lengths, the checksums, `IHDR` first and at least one `IDAT`.
pub fn walk_png<'a>(
    b: &'a [u8],
    mut visit: impl FnMut(&'a [u8; 4], &'a [u8]),
) -> Result<(), AttachmentError> {
    use AttachmentError::MalformedPng as Bad;
    if !b.starts_with(&PNG_SIGNATURE) {
        return Err(Bad("no PNG signature"));
    }
    let mut i = PNG_SIGNATURE.len();
    let (mut first, mut data) = (true, false);
    loop {
        let (len, ty) = match b.get(i..i + 8) {
            Some(h) => (
                u32::from_be_bytes([h[0], h[1], h[2], h[3]]),
                <&[u8; 4]>::try_from(&h[4..8]).map_err(|_| Bad("truncated"))?,
            ),
            None => return Err(Bad("truncated")),
        };
        if len > 0x7FFF_FFFF {
            return Err(Bad("chunk too long"));
        }
        if !ty.iter().all(u8::is_ascii_alphabetic) {
            return Err(Bad("bad chunk type"));
        }
        let end = (i + 12)
            .checked_add(len as usize)
            .ok_or(Bad("chunk too long"))?;
        let chunk = b.get(i..end).ok_or(Bad("truncated"))?;
        let (body, crc) = chunk[4..].split_at(chunk.len() - 8);
        if crc32(body).to_be_bytes() != crc {
            return Err(Bad("chunk checksum mismatch"));
        }
        if first && (ty != b"IHDR" || len != 13) {
            return Err(Bad("no header chunk"));
        }
        first = false;
        match ty {
            b"IDAT" => data = true,
            b"IEND" if !data => return Err(Bad("no image data")),
            _ => {}
        }
        visit(ty, chunk);
        if ty == b"IEND" {
            return Ok(());
        }
        i = end;
    }
}

/// The chunk types of a PNG file in order.
pub fn png_chunks(b: &[u8]) -> Result<Vec<[u8; 4]>, AttachmentError> {
    let mut types = Vec::new();
    walk_png(b, |ty, _| types.push(*ty))?;
    Ok(types)
}

/// A PNG without metadata (see the module documentation for what is kept). An unknown
/// critical chunk (upper-case first letter) cannot be dropped safely and is refused.
pub fn strip_png(b: &[u8]) -> Result<Vec<u8>, AttachmentError> {
    let mut out = PNG_SIGNATURE.to_vec();
    let mut unknown_critical = false;
    walk_png(b, |ty, chunk| {
        if matches!(ty, b"IHDR" | b"IDAT" | b"IEND") || PNG_KEEP.contains(&ty) {
            out.extend_from_slice(chunk);
        } else if ty[0].is_ascii_uppercase() {
            unknown_critical = true;
        }
    })?;
    if unknown_critical {
        return Err(AttachmentError::MalformedPng("unknown critical chunk"));
    }
    Ok(out)
}

const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[n] = c;
        n += 1;
    }
    t
};

/// CRC-32 (ISO 3309) as PNG uses it.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8)
    })
}

// ---------------------------------------------------------------- sealing

/// What is known about an attachment besides its body: sealed as JSON
/// `{"name", "type", "size"}` under `attachment:<id>:meta`.
#[derive(Clone, PartialEq, Eq)]
pub struct Meta {
    pub name: String,
    pub kind: Kind,
    /// Bytes of the stored (stripped) body.
    pub size: u64,
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Meta({}, {} bytes)", self.kind.mime(), self.size)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct MetaJson {
    name: String,
    #[serde(rename = "type")]
    mime: String,
    size: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error(transparent)]
    Key(#[from] CaseKeyError),
    #[error("attachment metadata is not valid")]
    Meta,
}

/// The case-key field of an attachment's metadata.
pub fn meta_field(id: &str) -> String {
    format!("attachment:{id}:meta")
}

/// The case-key field of an attachment's body.
pub fn body_field(id: &str) -> String {
    format!("attachment:{id}")
}

/// `(meta_sealed, body_sealed)` of attachment `id` of a case.
pub fn seal(
    key: &CaseKey,
    case_id: &str,
    id: &str,
    file: &Prepared,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<(Vec<u8>, Vec<u8>), CaseKeyError> {
    let meta = file.meta();
    let json = serde_json::to_vec(&MetaJson {
        name: meta.name,
        mime: meta.kind.mime().to_owned(),
        size: meta.size,
    })
    .map_err(|_| CaseKeyError::Malformed)?;
    Ok((
        key.seal(case_id, &meta_field(id), &json, rng)?,
        key.seal(case_id, &body_field(id), &file.body, rng)?,
    ))
}

pub fn open_meta(key: &CaseKey, case_id: &str, id: &str, sealed: &[u8]) -> Result<Meta, OpenError> {
    let raw = key.open(case_id, &meta_field(id), sealed)?;
    let m: MetaJson = serde_json::from_slice(&raw).map_err(|_| OpenError::Meta)?;
    Ok(Meta {
        name: m.name,
        kind: Kind::from_mime(&m.mime).ok_or(OpenError::Meta)?,
        size: m.size,
    })
}

pub fn open_body(
    key: &CaseKey,
    case_id: &str,
    id: &str,
    sealed: &[u8],
) -> Result<Vec<u8>, CaseKeyError> {
    key.open(case_id, &body_field(id), sealed)
}

// ---------------------------------------------------------------- samples

/// Small well-formed files carrying identifying metadata, for tests here and in the
/// crates above: each hides `marker` in every place metadata can hide.
pub mod samples {
    use super::{crc32, put_segment as segment, PNG_SIGNATURE};

    /// A big-endian TIFF structure as EXIF carries it: IFD0 with `Artist` (`marker`)
    /// and a pointer to a GPS IFD with latitude 40°25'12.34"N, longitude 3°42'N.
    pub fn exif_tiff(marker: &str) -> Vec<u8> {
        let artist = format!("{marker}\0");
        // Layout: header (8) | IFD0: count, 2 entries, next (2 + 24 + 4 = 30) |
        // GPS IFD: count, 4 entries, next (2 + 48 + 4 = 54) | 6 rationals (48) | artist.
        let ifd0 = 8u32;
        let gps = ifd0 + 30;
        let rationals = gps + 54;
        let artist_at = rationals + 48;
        let mut t = b"MM\0*".to_vec();
        t.extend_from_slice(&ifd0.to_be_bytes());
        let entry = |t: &mut Vec<u8>, tag: u16, ty: u16, count: u32, value: [u8; 4]| {
            t.extend_from_slice(&tag.to_be_bytes());
            t.extend_from_slice(&ty.to_be_bytes());
            t.extend_from_slice(&count.to_be_bytes());
            t.extend_from_slice(&value);
        };
        t.extend_from_slice(&2u16.to_be_bytes());
        entry(
            &mut t,
            0x013B,
            2,
            artist.len() as u32,
            artist_at.to_be_bytes(),
        );
        entry(&mut t, 0x8825, 4, 1, gps.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        t.extend_from_slice(&4u16.to_be_bytes());
        entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, 5, 3, rationals.to_be_bytes());
        entry(&mut t, 0x0003, 2, 2, *b"W\0\0\0");
        entry(&mut t, 0x0004, 5, 3, (rationals + 24).to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        for (n, d) in [(40u32, 1u32), (25, 1), (1234, 100), (3, 1), (42, 1), (0, 1)] {
            t.extend_from_slice(&n.to_be_bytes());
            t.extend_from_slice(&d.to_be_bytes());
        }
        t.extend_from_slice(artist.as_bytes());
        t
    }

    /// A 1×1 grey baseline JPEG with `marker` in a JFIF thumbnail's neighbourhood, EXIF
    /// (artist and GPS), XMP, an ICC profile, IPTC, a comment and a trailer after the
    /// end-of-image marker, plus an Adobe segment (kept by the stripper).
    pub fn jpeg(marker: &str) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        // JFIF 1.01 with a 1×1 RGB thumbnail.
        let mut jfif = b"JFIF\0\x01\x01\0\0\x01\0\x01\x01\x01".to_vec();
        jfif.extend_from_slice(&[0x12, 0x34, 0x56]);
        segment(&mut j, 0xE0, &jfif);
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&exif_tiff(marker));
        segment(&mut j, 0xE1, &exif);
        let xmp = format!(
            "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><dc:creator>{marker}</dc:creator></x:xmpmeta>"
        );
        segment(&mut j, 0xE1, xmp.as_bytes());
        segment(
            &mut j,
            0xE2,
            format!("ICC_PROFILE\0\x01\x01{marker}").as_bytes(),
        );
        segment(
            &mut j,
            0xED,
            format!("Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x10\x1c\x02\x50\0\x0c{marker}")
                .as_bytes(),
        );
        segment(&mut j, 0xEE, b"Adobe\0\x64\0\0\0\0\0");
        segment(&mut j, 0xFE, format!("taken by {marker}").as_bytes());
        // One quantisation table of ones.
        let mut dqt = vec![0u8];
        dqt.extend_from_slice(&[1u8; 64]);
        segment(&mut j, 0xDB, &dqt);
        // Baseline frame: 8 bits, 1×1, one component (id 1, 1×1 sampling, table 0).
        segment(&mut j, 0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        // DC and AC tables with one code each, `0`: DC difference 0, end of block.
        let mut dht = |class: u8| {
            let mut t = vec![class];
            t.push(1);
            t.extend_from_slice(&[0u8; 15]);
            t.push(0);
            segment(&mut j, 0xC4, &t);
        };
        dht(0x00);
        dht(0x10);
        segment(&mut j, 0xDA, &[1, 1, 0x00, 0, 63, 0]);
        // Bits `00` (DC 0, EOB) padded with ones.
        j.push(0x3F);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j.extend_from_slice(format!("TRAILER {marker}").as_bytes());
        j
    }

    /// Appends one PNG chunk (length, type, data, checksum).
    pub(super) fn chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(ty);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }

    /// `data` as a zlib stream of one stored (uncompressed) block.
    fn zlib_stored(data: &[u8]) -> Vec<u8> {
        let mut z = vec![0x78, 0x01, 0x01];
        let len = data.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(data);
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in data {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        z.extend_from_slice(&((b << 16) | a).to_be_bytes());
        z
    }

    /// A 1×1 grey PNG with `marker` in `tEXt` (Author), `zTXt`, `iTXt`, `eXIf` (artist
    /// and GPS), `tIME`, a private chunk and a trailer after `IEND`, plus `pHYs` (kept).
    pub fn png(marker: &str) -> Vec<u8> {
        let mut p = PNG_SIGNATURE.to_vec();
        chunk(&mut p, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
        chunk(&mut p, b"tEXt", format!("Author\0{marker}").as_bytes());
        let mut z = b"Comment\0\0".to_vec();
        z.extend_from_slice(&zlib_stored(marker.as_bytes()));
        chunk(&mut p, b"zTXt", &z);
        chunk(
            &mut p,
            b"iTXt",
            format!("Description\0\0\0en\0\0{marker}").as_bytes(),
        );
        chunk(&mut p, b"eXIf", &exif_tiff(marker));
        chunk(&mut p, b"tIME", &[0x07, 0xEA, 11, 20, 9, 0, 0]);
        chunk(&mut p, b"prVt", marker.as_bytes());
        chunk(&mut p, b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]);
        // Filter byte 0, then one grey pixel.
        chunk(&mut p, b"IDAT", &zlib_stored(&[0, 0x80]));
        chunk(&mut p, b"IEND", &[]);
        p.extend_from_slice(format!("TRAILER {marker}").as_bytes());
        p
    }

    /// The start of a PDF with `marker` as its author (shaped like a PDF, not renderable:
    /// PDFs are kept as they are).
    pub fn pdf(marker: &str) -> Vec<u8> {
        format!("%PDF-1.4\n1 0 obj\n<< /Author ({marker}) >>\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF\n")
            .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::OsRng;

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        let jpeg = samples::jpeg("x");
        assert_eq!(detect(&jpeg), Some(Kind::Jpeg));
        assert_eq!(detect(&samples::png("x")), Some(Kind::Png));
        assert_eq!(detect(&samples::pdf("x")), Some(Kind::Pdf));
        assert_eq!(detect("línea uno\r\n\tdos\n".as_bytes()), Some(Kind::Text));
        // A JPEG called .txt is a JPEG (and gets a .jpg extension).
        let p = prepare("notes.txt", &jpeg).unwrap();
        assert_eq!(p.kind, Kind::Jpeg);
        assert_eq!(p.name, "notes.txt.jpg");
        // Not allowed: executables, archives, HTML-looking binary, GIF, UTF-16 text,
        // text with escape sequences or NUL bytes.
        for bad in [
            &b"MZ\x90\0\x03\0\0\0"[..],
            b"PK\x03\x04\x14\0",
            b"GIF89a\x01\0\x01\0",
            b"\xFF\xFEh\0i\0",
            b"red \x1b[31mtext",
            b"nul\0byte",
            b"\xC3\x28 invalid utf-8",
        ] {
            assert_eq!(
                prepare("evidence.jpg", bad).unwrap_err(),
                AttachmentError::TypeNotAllowed
            );
        }
        assert_eq!(prepare("a.txt", b"").unwrap_err(), AttachmentError::Empty);
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(
            prepare("a.txt", &big).unwrap_err(),
            AttachmentError::TooLarge
        );
        assert!(prepare("a.txt", &big[..MAX_FILE_BYTES]).is_ok());
        // Error messages say what is wrong, never what the file holds.
        assert_eq!(
            AttachmentError::TypeNotAllowed.to_string(),
            "type not allowed (JPEG, PNG, PDF or plain UTF-8 text only)"
        );
        assert_eq!(AttachmentError::TooLarge.to_string(), "larger than 5 MiB");
    }

    #[test]
    fn exif_xmp_iptc_icc_comments_thumbnails_and_trailers_leave_a_jpeg() {
        let marker = "Zebulon Featherstonehaugh";
        let jpeg = samples::jpeg(marker);
        assert_eq!(
            jpeg_markers(&jpeg).unwrap(),
            [0xD8, 0xE0, 0xE1, 0xE1, 0xE2, 0xED, 0xEE, 0xFE, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0xD9]
        );
        let p = prepare("IMG_2041.JPG", &jpeg).unwrap();
        assert_eq!(p.name, "IMG_2041.JPG");
        assert!(contains(&jpeg, marker.as_bytes()));
        assert!(!contains(&p.body, marker.as_bytes()));
        assert!(!contains(&p.body, b"Exif"));
        assert!(!contains(&p.body, &[0x12, 0x34, 0x56]), "thumbnail");
        assert_eq!(
            jpeg_markers(&p.body).unwrap(),
            [0xD8, 0xE0, 0xEE, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA, 0xD9]
        );
        // The JFIF header stays, announcing no thumbnail; the image data is untouched.
        assert_eq!(
            &p.body[2..20],
            b"\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
        );
        assert!(p.body.ends_with(&[0x3F, 0xFF, 0xD9]));
        assert_eq!(
            strip_jpeg(&p.body).unwrap(),
            p.body,
            "stripping is idempotent"
        );
    }

    #[test]
    fn text_exif_time_private_chunks_and_trailers_leave_a_png() {
        let marker = "Zebulon Featherstonehaugh";
        let png = samples::png(marker);
        let names = |b: &[u8]| {
            png_chunks(b)
                .unwrap()
                .iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&png),
            ["IHDR", "tEXt", "zTXt", "iTXt", "eXIf", "tIME", "prVt", "pHYs", "IDAT", "IEND"]
        );
        let p = prepare("screenshot.png", &png).unwrap();
        assert!(!contains(&p.body, marker.as_bytes()));
        assert!(!contains(&p.body, b"Author"));
        assert_eq!(names(&p.body), ["IHDR", "pHYs", "IDAT", "IEND"]);
        assert_eq!(strip_png(&p.body).unwrap(), p.body);
    }

    #[test]
    fn malformed_images_are_refused_with_what_is_wrong() {
        let jpeg = samples::jpeg("m");
        let cases: Vec<(Vec<u8>, AttachmentError)> = vec![
            (
                jpeg[..jpeg.len() / 2].to_vec(),
                AttachmentError::MalformedJpeg("truncated"),
            ),
            (
                // Scan data cut before the end-of-image marker.
                {
                    let end = jpeg.windows(2).position(|w| w == [0xFF, 0xD9]).unwrap();
                    jpeg[..end].to_vec()
                },
                AttachmentError::MalformedJpeg("truncated image data"),
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0xD9],
                AttachmentError::MalformedJpeg("no image data"),
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01],
                AttachmentError::MalformedJpeg("bad segment length"),
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9],
                AttachmentError::MalformedJpeg("scan before frame header"),
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0x00],
                AttachmentError::MalformedJpeg("unexpected marker"),
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(prepare("x.jpg", &bytes).unwrap_err(), want);
        }
        let png = samples::png("m");
        let mut flipped = png.clone();
        flipped[20] ^= 1;
        assert_eq!(
            prepare("x.png", &flipped).unwrap_err(),
            AttachmentError::MalformedPng("chunk checksum mismatch")
        );
        assert_eq!(
            prepare("x.png", &png[..40]).unwrap_err(),
            AttachmentError::MalformedPng("truncated")
        );
        // An unknown critical chunk (Apple's CgBI) cannot be dropped safely.
        let mut cgbi = PNG_SIGNATURE.to_vec();
        samples::chunk(&mut cgbi, b"CgBI", &[0, 0, 0, 0]);
        let mut rest = png[8..].to_vec();
        cgbi.append(&mut rest);
        assert_eq!(
            prepare("x.png", &cgbi).unwrap_err(),
            AttachmentError::MalformedPng("no header chunk")
        );
        let mut late = png[..33].to_vec();
        samples::chunk(&mut late, b"CgBI", &[0, 0, 0, 0]);
        late.extend_from_slice(&png[33..]);
        assert_eq!(
            prepare("x.png", &late).unwrap_err(),
            AttachmentError::MalformedPng("unknown critical chunk")
        );
    }

    #[test]
    fn pdfs_and_text_are_kept_as_they_are() {
        let pdf = samples::pdf("Philippa Ondaatje");
        let p = prepare("statement.pdf", &pdf).unwrap();
        assert_eq!(p.body, pdf);
        assert!(!p.kind.metadata_stripped());
        assert!(Kind::Jpeg.metadata_stripped() && Kind::Text.metadata_stripped());
        let p = prepare("notes", b"the ledger is in drawer 3\n").unwrap();
        assert_eq!((p.kind, p.name.as_str()), (Kind::Text, "notes.txt"));
        assert_eq!(p.kind.content_type(), "text/plain; charset=utf-8");
    }

    #[test]
    fn file_names_are_sanitized() {
        for (raw, want) in [
            ("C:\\Users\\pondaatje\\Desktop\\refunds.pdf", "refunds.pdf"),
            ("../../etc/passwd", "passwd.pdf"),
            ("report\u{202E}fdp.exe", "reportfdp.exe.pdf"),
            ("a\r\nb\0c.pdf", "abc.pdf"),
            ("\"quoted\";name=x.pdf", "_quoted_;name=x.pdf"),
            ("   .hidden.pdf", "hidden.pdf"),
            ("", "attachment.pdf"),
            ("...", "attachment.pdf"),
            ("REPORT.PDF", "REPORT.PDF"),
            ("zero\u{200B}width.pdf", "zerowidth.pdf"),
        ] {
            assert_eq!(sanitize_name(raw, Kind::Pdf), want, "{raw:?}");
        }
        let long = format!("{}.pdf", "é".repeat(300));
        let name = sanitize_name(&long, Kind::Pdf);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with(".pdf"));
        assert_eq!(sanitize_name("photo.exe", Kind::Jpeg), "photo.exe.jpg");
        assert_eq!(sanitize_name("photo.jpeg", Kind::Jpeg), "photo.jpeg");
    }

    #[test]
    fn sealed_attachments_open_only_as_their_own_field() {
        let key = CaseKey::generate(&mut OsRng);
        let p = prepare("IMG_1.jpg", &samples::jpeg("m")).unwrap();
        let (meta, body) = seal(&key, "RT-1", "a1", &p, &mut OsRng).unwrap();
        let m = open_meta(&key, "RT-1", "a1", &meta).unwrap();
        assert_eq!(m, p.meta());
        assert_eq!(m.size, p.body.len() as u64);
        assert_eq!(open_body(&key, "RT-1", "a1", &body).unwrap(), p.body);
        // Not as another attachment, field or case.
        assert!(open_body(&key, "RT-1", "a2", &body).is_err());
        assert!(open_meta(&key, "RT-1", "a1", &body).is_err());
        assert!(open_body(&key, "RT-2", "a1", &body).is_err());
        assert!(!contains(&meta, b"IMG_1"));
        assert_eq!(
            format!("{p:?}"),
            format!("Prepared(image/jpeg, {} bytes)", p.body.len())
        );
    }

    /// Mutations of a real sample: truncated, or with a few bytes overwritten.
    fn mutated(sample: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
        let n = sample.len();
        (0..=n, prop::collection::vec((0..n, any::<u8>()), 0..4)).prop_map(move |(cut, edits)| {
            let mut b = sample.clone();
            for (at, v) in edits {
                b[at] = v;
            }
            b.truncate(cut.max(1));
            b
        })
    }

    fn check_never_panics(bytes: &[u8]) {
        match prepare("f", bytes) {
            Ok(p) => {
                assert!(p.body.len() <= MAX_FILE_BYTES);
                assert_eq!(detect(&p.body), Some(p.kind));
                // Whatever is kept walks cleanly and strips to itself.
                match p.kind {
                    Kind::Jpeg => assert_eq!(strip_jpeg(&p.body).unwrap(), p.body),
                    Kind::Png => assert_eq!(strip_png(&p.body).unwrap(), p.body),
                    Kind::Pdf | Kind::Text => assert_eq!(p.body, bytes),
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }

    proptest! {
        #[test]
        fn the_stripper_never_panics_on_arbitrary_bytes(
            bytes in prop::collection::vec(any::<u8>(), 0..2048),
            prefix in 0usize..3,
        ) {
            let mut b: Vec<u8> = match prefix {
                0 => vec![],
                1 => vec![0xFF, 0xD8, 0xFF],
                _ => PNG_SIGNATURE.to_vec(),
            };
            b.extend_from_slice(&bytes);
            check_never_panics(&b);
        }

        #[test]
        fn the_stripper_never_panics_on_damaged_images(
            jpeg in mutated(samples::jpeg("Zebulon")),
            png in mutated(samples::png("Zebulon")),
        ) {
            check_never_panics(&jpeg);
            check_never_panics(&png);
        }

        #[test]
        fn gps_and_author_are_gone_and_the_image_still_parses(
            marker in "[A-Za-z][A-Za-z0-9 ]{5,40}",
        ) {
            let p = prepare("a.jpg", &samples::jpeg(&marker)).unwrap();
            prop_assert!(!contains(&p.body, marker.as_bytes()));
            let markers = jpeg_markers(&p.body).unwrap();
            prop_assert!(!markers.iter().any(|m| (0xE1..=0xED).contains(m) || *m == 0xFE));
            prop_assert!(markers.contains(&0xC0) && markers.contains(&0xDA));
            // GPS rationals (40/1, 25/1, 1234/100) are gone with the EXIF block.
            prop_assert!(!contains(&p.body, &[0, 0, 0x04, 0xD2, 0, 0, 0, 0x64]));

            let p = prepare("a.png", &samples::png(&marker)).unwrap();
            prop_assert!(!contains(&p.body, marker.as_bytes()));
            let chunks = png_chunks(&p.body).unwrap();
            for gone in [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"] {
                prop_assert!(!chunks.contains(gone));
            }
            prop_assert!(chunks.contains(b"IDAT") && chunks.last() == Some(b"IEND"));
        }
    }
}
