//! Pay data exported by an HR system, as CSV: one line per person and period.
//!
//! The first line names the columns, in any order: `person`, `period`, `basic_pay`,
//! `hours`, `category` (the category of workers doing work of equal value) and
//! optionally `variable_pay` (bonuses and incentives; empty for none), `grade`,
//! `hire_date` (`YYYY-MM-DD`), `sex`, and for opportunity equity `promoted` and
//! `considered` (for promotion: `yes` or `no`, empty when unknown) and `training_hours`.
//! A period is a year (`2026`), a quarter
//! (`2026-Q3`), a half (`2026-H1`) or a month (`2026-07`); years of service are counted
//! at its last day.
//!
//! `sex` is read only where the organisation has enabled collecting it; otherwise a
//! file that carries the column is refused as a whole, so the data is never taken in by
//! accident. Like every import, each line is checked on its own: good lines are kept,
//! and each bad one is reported by its line number and column, never by its content.

use super::{Record, Sex};
use crate::training::import::cells;
pub use crate::training::import::LineError;
use jiff::civil::Date;
use std::collections::BTreeSet;

/// The columns of a pay file, for the page that explains the format.
pub const COLUMNS: &str =
    "person,period,basic_pay,variable_pay,hours,category,grade,hire_date,sex,\
                           promoted,considered,training_hours";

/// The last day of a period, or `None` when it is not one of the accepted forms.
pub fn period_end(p: &str) -> Option<Date> {
    let (year, rest) = p.split_once('-').map_or((p, ""), |(y, r)| (y, r));
    let year: i16 = year.parse().ok().filter(|y| (1900..=2200).contains(y))?;
    let last_month: i8 = match rest.to_ascii_uppercase().as_str() {
        "" => 12,
        "H1" => 6,
        "H2" => 12,
        q if q.starts_with('Q') => 3 * q[1..].parse::<i8>().ok().filter(|q| (1..=4).contains(q))?,
        m if m.len() == 2 => m.parse::<i8>().ok().filter(|m| (1..=12).contains(m))?,
        _ => return None,
    };
    Date::new(year, last_month, 1).ok()?.last_of_month().into()
}

/// The form of a period: year, half, quarter or month.
fn form(p: &str) -> Option<char> {
    let rest = p.split_once('-').map_or("", |(_, r)| r);
    Some(match rest.chars().next().map(|c| c.to_ascii_uppercase()) {
        None => 'Y',
        Some('H') => 'H',
        Some('Q') => 'Q',
        Some(c) if c.is_ascii_digit() => 'M',
        Some(_) => return None,
    })
}

/// The period of the same form (year, half, quarter or month) that ends last before
/// `period` does, among `on_file`: what a pay rise is measured against.
pub fn previous_period<'a>(
    period: &str,
    on_file: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let (end, kind) = (period_end(period)?, form(period)?);
    on_file
        .into_iter()
        .filter(|p| form(p) == Some(kind))
        .filter_map(|p| Some((period_end(p)?, p)))
        .filter(|(e, _)| *e < end)
        .max()
        .map(|(_, p)| p)
}

fn sex(s: &str) -> Option<Option<Sex>> {
    Some(match s.to_ascii_lowercase().as_str() {
        "" => None,
        "f" | "female" | "woman" | "w" => Some(Sex::Female),
        "m" | "male" | "man" => Some(Sex::Male),
        "x" | "other" | "diverse" | "non-binary" | "nonbinary" => Some(Sex::Other),
        _ => return None,
    })
}

fn yes_no(s: &str) -> Option<Option<bool>> {
    Some(match s.to_ascii_lowercase().as_str() {
        "" => None,
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => return None,
    })
}

fn amount(s: &str) -> Option<f64> {
    let v: f64 = s.replace([' ', '_'], "").parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// Parses a whole file: the good records and the errors, both in file order. A missing
/// required column, or a `sex` column where collecting it is not enabled, is one error
/// on line 1 and no records.
pub fn parse(text: &str, sex_enabled: bool) -> (Vec<Record>, Vec<LineError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let header_error = |message: String| (Vec::new(), vec![LineError { line: 1, message }]);
    let Some((_, header)) = lines.next() else {
        return header_error(format!("the file is empty; expected a header: {COLUMNS}"));
    };
    let names: Vec<String> = match cells(header) {
        Ok(c) => c.into_iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(e) => return header_error(e),
    };
    let col = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    let (Some(person_c), Some(period_c), Some(basic_c), Some(hours_c), Some(cat_c)) = (
        col(&["person", "employee", "employee_id"]),
        col(&["period"]),
        col(&["basic_pay", "basic"]),
        col(&["hours"]),
        col(&["category", "job_category"]),
    ) else {
        return header_error(
            "header: the columns person, period, basic_pay, hours and category are required".into(),
        );
    };
    let sex_c = col(&["sex", "gender"]);
    if sex_c.is_some() && !sex_enabled {
        return header_error(
            "header: the file has a sex column, but collecting sex is not enabled; remove \
             the column or enable it in the pay settings first"
                .into(),
        );
    }
    let optional = [
        col(&["variable_pay", "variable", "bonus"]),
        col(&["grade"]),
        col(&["hire_date", "hired"]),
        sex_c,
        col(&["promoted"]),
        col(&["considered", "considered_for_promotion"]),
        col(&["training_hours", "training"]),
    ];
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, raw) in lines {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        match record(raw, [person_c, period_c, basic_c, hours_c, cat_c], optional) {
            Ok(r) if !seen.insert((r.person.clone(), r.period.clone())) => errors.push(LineError {
                line,
                message: "this person already has a line for this period".into(),
            }),
            Ok(r) => good.push(r),
            Err(message) => errors.push(LineError { line, message }),
        }
    }
    (good, errors)
}

fn record(
    raw: &str,
    [person_c, period_c, basic_c, hours_c, cat_c]: [usize; 5],
    [variable_c, grade_c, hire_c, sex_c, promoted_c, considered_c, training_c]: [Option<usize>; 7],
) -> Result<Record, String> {
    let row = cells(raw)?;
    let get = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
    let opt = |c: Option<usize>| c.map(get).unwrap_or("");
    let required = |c: usize, name: &str| match get(c) {
        "" => Err(format!("field `{name}` is empty")),
        v => Ok(v.to_owned()),
    };
    let person = required(person_c, "person")?;
    let period = required(period_c, "period")?;
    let end = period_end(&period).ok_or(
        "field `period`: expected a year (2026), a quarter (2026-Q3), a half (2026-H1) or a month (2026-07)",
    )?;
    let basic = amount(get(basic_c)).ok_or("field `basic_pay`: expected an amount of 0 or more")?;
    let variable = match opt(variable_c) {
        "" => 0.0,
        v => amount(v).ok_or("field `variable_pay`: expected an amount of 0 or more")?,
    };
    let hours = amount(get(hours_c))
        .filter(|h| *h > 0.0)
        .ok_or("field `hours`: expected a number of hours above 0")?;
    let category = required(cat_c, "category")?;
    let grade = Some(opt(grade_c).to_owned()).filter(|g| !g.is_empty());
    let tenure_years = match opt(hire_c) {
        "" => None,
        d => {
            let hired: Date = d
                .parse()
                .map_err(|_| "field `hire_date`: expected a date (YYYY-MM-DD)")?;
            if hired > end {
                return Err("field `hire_date` is after the end of the period".into());
            }
            let span = hired
                .until((jiff::Unit::Year, end))
                .map_err(|_| "field `hire_date`: expected a date (YYYY-MM-DD)")?;
            Some(f64::from(span.get_years()))
        }
    };
    let sex = sex(opt(sex_c)).ok_or("field `sex`: expected female, male, other or empty")?;
    let promoted = yes_no(opt(promoted_c)).ok_or("field `promoted`: expected yes, no or empty")?;
    let considered =
        yes_no(opt(considered_c)).ok_or("field `considered`: expected yes, no or empty")?;
    if considered == Some(false) && promoted == Some(true) {
        return Err("field `considered` is no, but `promoted` is yes".into());
    }
    let training_hours = match opt(training_c) {
        "" => None,
        v => Some(
            amount(v).ok_or("field `training_hours`: expected a number of hours of 0 or more")?,
        ),
    };
    Ok(Record {
        person,
        period,
        basic,
        variable,
        hours,
        category,
        grade,
        tenure_years,
        sex,
        promoted,
        considered,
        training_hours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_end_on_their_last_day() {
        let d = |s: &str| period_end(s).map(|d| d.to_string());
        assert_eq!(d("2026").as_deref(), Some("2026-12-31"));
        assert_eq!(d("2026-Q1").as_deref(), Some("2026-03-31"));
        assert_eq!(d("2024-02").as_deref(), Some("2024-02-29"));
        assert_eq!(d("2026-h1").as_deref(), Some("2026-06-30"));
        for bad in ["", "26", "2026-Q5", "2026-13", "2026-7", "last year"] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_previous_period_has_the_same_form_and_ends_last_before() {
        let on_file = [
            "2026", "2025", "2024", "2026-Q1", "2025-Q4", "2025-Q2", "2025-12",
        ];
        let prev = |p: &str| previous_period(p, on_file);
        assert_eq!(prev("2026"), Some("2025"));
        assert_eq!(prev("2024"), None);
        assert_eq!(prev("2026-Q1"), Some("2025-Q4"));
        assert_eq!(prev("2025-Q4"), Some("2025-Q2"));
        assert_eq!(prev("2026-01"), Some("2025-12"));
        assert_eq!(prev("2026-H1"), None);
        assert_eq!(prev("nonsense"), None);
    }

    #[test]
    fn good_lines_survive_bad_ones_and_errors_name_line_and_field() {
        let csv = "Person,Period,Basic_Pay,Variable_Pay,Hours,Category,Grade,Hire_Date,Sex\n\
                   e1,2026,30000,1200,1600,Agent,A1,2020-03-01,F\n\
                   e2,2026,abc,,1600,Agent,A1,,M\n\
                   e3,2026,31000,,0,Agent,A1,,M\n\
                   e4,2026,31000,,1600,Agent,A1,2027-01-01,M\n\
                   e5,2026,31000,,1600,Agent,A1,,unknown\n\
                   \"Doe, Jo\",2026-H2,15000,,800,Agent,,,\n\
                   e1,2026,30000,,1600,Agent,A1,,F\n\
                   e6,2026,32000,,1600,,A1,,M\n";
        let (good, errors) = parse(csv, true);
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].tenure_years, Some(6.0));
        assert_eq!(good[0].sex, Some(Sex::Female));
        assert_eq!(good[0].variable, 1200.0);
        assert_eq!(good[1].person, "Doe, Jo");
        assert_eq!(good[1].sex, None);
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "line 3: field `basic_pay`: expected an amount of 0 or more",
                "line 4: field `hours`: expected a number of hours above 0",
                "line 5: field `hire_date` is after the end of the period",
                "line 6: field `sex`: expected female, male, other or empty",
                "line 8: this person already has a line for this period",
                "line 9: field `category` is empty",
            ]
        );
        // No message repeats a cell.
        assert!(!said
            .iter()
            .any(|m| m.contains("abc") || m.contains("unknown")));
    }

    #[test]
    fn opportunity_columns_are_read_and_checked() {
        let csv = "person,period,basic_pay,hours,category,promoted,considered,training_hours\n\
                   e1,2026,1,1,A,yes,yes,12.5\n\
                   e2,2026,1,1,A,no,,0\n\
                   e3,2026,1,1,A,,,\n\
                   e4,2026,1,1,A,maybe,,\n\
                   e5,2026,1,1,A,yes,no,\n\
                   e6,2026,1,1,A,,,-3\n";
        let (good, errors) = parse(csv, false);
        let got: Vec<_> = good
            .iter()
            .map(|r| (r.promoted, r.considered, r.training_hours))
            .collect();
        assert_eq!(
            got,
            [
                (Some(true), Some(true), Some(12.5)),
                (Some(false), None, Some(0.0)),
                (None, None, None)
            ]
        );
        let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "line 5: field `promoted`: expected yes, no or empty",
                "line 6: field `considered` is no, but `promoted` is yes",
                "line 7: field `training_hours`: expected a number of hours of 0 or more",
            ]
        );
    }

    #[test]
    fn sex_is_refused_unless_enabled_and_required_columns_are_named() {
        let csv = "person,period,basic_pay,hours,category,sex\ne1,2026,1,1,A,F\n";
        let (good, errors) = parse(csv, false);
        assert!(good.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("collecting sex is not enabled"));
        let (good, errors) = parse("person,period,hours\n", true);
        assert!(good.is_empty());
        assert!(errors[0].message.contains("basic_pay"), "{errors:?}");
        let (_, errors) = parse("", true);
        assert!(errors[0].message.contains("empty"));
    }
}
