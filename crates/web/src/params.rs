//! Query-string and form values as handlers read them: blank means absent, and a date
//! that does not parse is an error naming its field (never its content).

use crate::error::{AppError, AppResult};
use jiff::civil::Date;

/// The trimmed value, or `None` when missing or blank.
pub fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
}

/// A `YYYY-MM-DD` value of `field`; `None` when blank.
pub fn date(v: &Option<String>, field: &str) -> AppResult<Option<Date>> {
    match nonempty(v) {
        None => Ok(None),
        Some(s) => s.parse::<Date>().map(Some).map_err(|_| {
            AppError::bad_request(format!("query `{field}`: expected a date as YYYY-MM-DD"))
        }),
    }
}

/// The instant a UTC day starts.
pub fn start_of(d: Date) -> AppResult<jiff::Timestamp> {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| AppError::internal(&e))
}
