//! Medians and percentiles, defined once for the hotline analytics and the retaliation
//! watch.
//!
//! The median of an even count is the mean of the two middle values. Other percentiles
//! use the *nearest-rank* method: the `p` percentile of `n` values is the value at rank
//! `⌈p·n⌉` in ascending order, so it is always one of the values, never an
//! interpolation, and it is never below the median for `p ≥ 0.5`.

/// The median, or `None` for no values. NaN sorts last (total order), so it cannot
/// panic; callers do not pass NaN.
pub fn median(values: &[f64]) -> Option<f64> {
    let v = sorted(values);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The nearest-rank `p` percentile (`p` in (0, 1]), or `None` for no values.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let v = sorted(values);
    if v.is_empty() {
        return None;
    }
    let rank = (p.clamp(0.0, 1.0) * v.len() as f64).ceil() as usize;
    v.get(rank.clamp(1, v.len()) - 1).copied()
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(percentile(&[], 0.9), None);
        // Ten values: rank ⌈9⌉ = 9, the ninth smallest.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 0.9), Some(9.0));
        // Six values: rank ⌈5.4⌉ = 6, the largest.
        assert_eq!(
            percentile(&[10.0, 20.0, 30.0, 40.0, 50.0, 60.0], 0.9),
            Some(60.0)
        );
    }

    proptest! {
        #[test]
        fn p90_is_never_below_the_median(v in proptest::collection::vec(-1e6f64..1e6, 1..50)) {
            let m = median(&v).unwrap_or_default();
            let p = percentile(&v, 0.9).unwrap_or_default();
            prop_assert!(p >= m, "p90 {} < median {}", p, m);
        }
    }
}
