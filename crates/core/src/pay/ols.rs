//! Ordinary least squares for the adjusted pay gap: one coefficient and its 95 %
//! confidence interval. The designs are small (a handful of columns), so the normal
//! equations are inverted directly by Gauss–Jordan elimination with partial pivoting.

/// One coefficient of a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub coef: f64,
    /// Half the width of the coefficient's 95 % confidence interval.
    pub half_width: f64,
}

/// Fits `y = X·β` and returns `β[k]`; `None` when the columns are not independent
/// (the coefficient cannot be told apart from the others) or no degree of freedom is
/// left for the error.
pub fn fit(x: &[Vec<f64>], y: &[f64], k: usize) -> Option<Fit> {
    let n = x.len();
    let p = x.first()?.len();
    if n <= p || k >= p {
        return None;
    }
    let mut xtx = vec![vec![0.0; p]; p];
    let mut xty = vec![0.0; p];
    for (row, yi) in x.iter().zip(y) {
        for i in 0..p {
            xty[i] += row[i] * yi;
            for j in 0..p {
                xtx[i][j] += row[i] * row[j];
            }
        }
    }
    let inv = invert(xtx)?;
    let beta: Vec<f64> = (0..p)
        .map(|i| (0..p).map(|j| inv[i][j] * xty[j]).sum())
        .collect();
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(row, yi)| {
            let fitted: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            (yi - fitted).powi(2)
        })
        .sum();
    let df = i64::try_from(n - p).ok()?;
    let s2 = rss / df as f64;
    let se = (s2 * inv[k][k]).max(0.0).sqrt();
    Some(Fit {
        coef: beta[k],
        half_width: crate::fairness::t95(df) * se,
    })
}

/// The inverse of a square matrix, or `None` when it is (numerically) singular.
fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let p = a.len();
    let scale = a
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1.0);
    let mut inv: Vec<Vec<f64>> = (0..p)
        .map(|i| (0..p).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for c in 0..p {
        let pivot = (c..p).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[pivot][c].abs() < 1e-9 * scale {
            return None;
        }
        a.swap(c, pivot);
        inv.swap(c, pivot);
        let d = a[c][c];
        for j in 0..p {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..p {
            if r != c {
                let f = a[r][c];
                if f != 0.0 {
                    for j in 0..p {
                        a[r][j] -= f * a[c][j];
                        inv[r][j] -= f * inv[c][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_is_recovered_with_its_interval() {
        // y = 1 + 2x + e with e = +0.1, −0.1, +0.1, −0.1 at x = 0..3. By hand: mean x
        // 1.5, mean y 4.0, Sxy = 9.8, Sxx = 5, so the slope is 1.96 and the intercept
        // 4.0 − 1.96 · 1.5 = 1.06.
        let x: Vec<Vec<f64>> = (0..4).map(|i| vec![1.0, f64::from(i)]).collect();
        let y = [1.1, 2.9, 5.1, 6.9];
        let f = fit(&x, &y, 1).unwrap();
        assert!((f.coef - 1.96).abs() < 1e-12, "{f:?}");
        // The slope's standard error is √(RSS ÷ df ÷ Sxx) with df = 4 − 2, and t(2) = 4.303.
        let fitted: Vec<f64> = (0..4).map(|i| 1.06 + 1.96 * f64::from(i)).collect();
        let rss: f64 = y.iter().zip(&fitted).map(|(a, b)| (a - b).powi(2)).sum();
        let se = (rss / 2.0 / 5.0).sqrt();
        assert!((f.half_width - 4.303 * se).abs() < 1e-12);
    }

    #[test]
    fn columns_that_coincide_cannot_be_separated() {
        // The second and third columns are equal: no unique coefficient.
        let x: Vec<Vec<f64>> = (0..6)
            .map(|i| {
                let d = f64::from(u8::from(i % 2 == 0));
                vec![1.0, d, d]
            })
            .collect();
        let y = [1.0, 2.0, 1.5, 2.5, 1.0, 2.0];
        assert_eq!(fit(&x, &y, 1), None);
        // And no fit without a degree of freedom left.
        assert_eq!(fit(&x[..2], &y[..2], 1), None);
    }
}
