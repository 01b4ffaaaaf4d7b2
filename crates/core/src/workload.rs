//! Handing work to the least-loaded person.
//!
//! Disputes go to a QA analyst and conflict-of-interest disclosures to an ethics
//! officer by the same rule: leave out the people the item is about, then take the one
//! with the fewest open items, ties broken by username so the choice is deterministic.

/// The username among `people` (`(username, open items)`) with the fewest open items,
/// ties by username, leaving out everyone named in `exclude`. `None` when nobody is
/// left.
pub fn least_loaded<'a>(
    people: impl IntoIterator<Item = (&'a str, u64)>,
    exclude: &[Option<&str>],
) -> Option<&'a str> {
    people
        .into_iter()
        .filter(|(name, _)| !exclude.contains(&Some(*name)))
        .min_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)))
        .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fewest_open_items_win_then_the_username_and_the_excluded_never_do() {
        let people = [("cy", 1), ("bo", 0), ("al", 0), ("di", 5)];
        assert_eq!(least_loaded(people, &[]), Some("al"));
        assert_eq!(least_loaded(people, &[Some("al"), None]), Some("bo"));
        assert_eq!(least_loaded(people, &[Some("al"), Some("bo")]), Some("cy"));
        assert_eq!(least_loaded([("al", 0)], &[Some("al")]), None);
    }
}
