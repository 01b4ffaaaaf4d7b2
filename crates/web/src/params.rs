//! Query-string and form values as handlers read them: blank means absent, and a date
//! that does not parse is an error naming its field (never its content).

use crate::error::{AppError, AppResult};
use jiff::civil::Date;

/// The query of a page a change redirects back to: `?done=` names what was done, for
/// the page's notice.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

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

/// A period of whole UTC days from the query's `from` and `to` (`YYYY-MM-DD`, both
/// included): `to` defaults to `today`, `from` to `default_days` days ending at `to`.
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    /// The instant `from` starts.
    pub start: jiff::Timestamp,
    /// The instant after `to` ends.
    pub end: jiff::Timestamp,
}

pub fn period(
    from: &Option<String>,
    to: &Option<String>,
    today: Date,
    default_days: i64,
) -> AppResult<Period> {
    let to = date(to, "to")?.unwrap_or(today);
    let from = match date(from, "from")? {
        Some(d) => d,
        None => to
            .checked_sub(jiff::Span::new().days(default_days - 1))
            .map_err(|e| AppError::internal(&e))?,
    };
    if from > to {
        return Err(AppError::bad_request(
            "query `from`: must not be after `to`",
        ));
    }
    let end = to.tomorrow().map_err(|e| AppError::internal(&e))?;
    Ok(Period {
        from,
        to,
        start: start_of(from)?,
        end: start_of(end)?,
    })
}
