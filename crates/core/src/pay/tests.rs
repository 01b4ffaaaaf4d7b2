//! A hand-computed example: every expected figure below is worked out in the comment
//! beside it, from the table in [`example`], not by the code under test.

use super::*;

/// One record with 1,000 hours, so hourly pay is the period's pay ÷ 1,000.
fn r(person: &str, category: &str, basic: f64, variable: f64, sex: Option<Sex>) -> Record {
    Record {
        person: person.into(),
        period: "2026".into(),
        basic,
        variable,
        hours: 1000.0,
        category: category.into(),
        grade: None,
        tenure_years: None,
        sex,
        promoted: None,
        considered: None,
        training_hours: None,
    }
}

const F: Option<Sex> = Some(Sex::Female);
const M: Option<Sex> = Some(Sex::Male);

/// Hourly pay (basic + variable) in the order of the file:
/// - Agent, women: 20, 20, 23 (22 + 1 variable), 22, 24
/// - Agent, men:   23 (22 + 1), 26 (24 + 2), 24, 26, 26
/// - Lead, women:  32, 32, 33, 33, 34 (30 basic + 2, 2, 3, 3, 4 variable)
/// - Lead, men:    33, 33, 34, 34, 35 (30 basic + 3, 3, 4, 4, 5 variable)
/// - two Agents compared with no one: one whose sex was not collected, one "other".
fn example() -> Vec<Record> {
    let mut v = Vec::new();
    for (i, (b, x)) in [(20, 0), (20, 0), (22, 1), (22, 0), (24, 0)]
        .iter()
        .enumerate()
    {
        v.push(r(
            &format!("aw{i}"),
            "Agent",
            f64::from(*b) * 1000.0,
            f64::from(*x) * 1000.0,
            F,
        ));
    }
    for (i, (b, x)) in [(22, 1), (24, 2), (24, 0), (26, 0), (26, 0)]
        .iter()
        .enumerate()
    {
        v.push(r(
            &format!("am{i}"),
            "Agent",
            f64::from(*b) * 1000.0,
            f64::from(*x) * 1000.0,
            M,
        ));
    }
    for (i, x) in [2, 2, 3, 3, 4].iter().enumerate() {
        v.push(r(
            &format!("lw{i}"),
            "Lead",
            30_000.0,
            f64::from(*x) * 1000.0,
            F,
        ));
    }
    for (i, x) in [3, 3, 4, 4, 5].iter().enumerate() {
        v.push(r(
            &format!("lm{i}"),
            "Lead",
            30_000.0,
            f64::from(*x) * 1000.0,
            M,
        ));
    }
    v.push(r("ax", "Agent", 50_000.0, 9_000.0, None));
    v.push(r("ao", "Agent", 10_000.0, 0.0, Some(Sex::Other)));
    v
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn shown<T: Clone>(f: &Figure<T>) -> T {
    f.shown().cloned().expect("the figure is shown")
}

#[test]
fn article_9_indicators_match_the_hand_computed_example() {
    let rep = report("2026", &example());
    assert_eq!((rep.women, rep.men, rep.not_compared), (10, 10, 2));

    // (a), (c) Hourly pay. Women: sum 109 + 164 = 273, mean 27.3; sorted
    // 20 20 22 23 24 | 32 32 33 33 34, median (24 + 32) / 2 = 28. Men: sum
    // 125 + 169 = 294, mean 29.4; sorted 23 24 26 26 26 | 33 33 34 34 35, median 29.5.
    let pay = shown(&rep.pay);
    close(pay.mean, (29.4 - 27.3) / 29.4 * 100.0); // 7.142857 %
    close(pay.median, (29.5 - 28.0) / 29.5 * 100.0); // 5.084746 %

    // (b), (d) Variable pay among those who received it. Women: 1, 2, 2, 3, 3, 4
    // (thousands): mean 15 / 6 = 2.5, median 2.5. Men: 1, 2, 3, 3, 4, 4, 5: mean
    // 22 / 7, median 3.
    let var = shown(&rep.variable);
    close(var.mean, (22.0 / 7.0 - 2.5) / (22.0 / 7.0) * 100.0); // 20.4545 %
    close(var.median, (3.0 - 2.5) / 3.0 * 100.0); // 16.667 %

    // (e) 6 of 10 women and 7 of 10 men received variable pay.
    let (w, m) = shown(&rep.receiving_variable);
    close(w, 60.0);
    close(m, 70.0);

    // (f) 20 people, 5 per band. Sorted, equal pay in file order:
    // 20w 20w 22w 23w 23m | 24w 24m 26m 26m 26m | 32w 32w 33w 33w 33m | 33m 34w 34m 34m 35m
    let bands = shown(&rep.quartiles);
    let women: Vec<f64> = bands.iter().map(|b| b.women_pct).collect();
    assert_eq!(women, [80.0, 20.0, 80.0, 20.0]);
    assert!(bands
        .iter()
        .all(|b| b.people == 5 && b.women_pct + b.men_pct == 100.0));

    // (g) Agent: basic 20 20 22 22 24 (mean 21.6, median 22) against 22 24 24 26 26
    // (mean 24.4, median 24); total 21.8 / 22 against 25 / 26.
    let agent = &rep.categories[0];
    assert_eq!(
        (agent.name.as_str(), agent.women, agent.men),
        ("Agent", 5, 5)
    );
    let basic = shown(&agent.basic);
    close(basic.mean, (24.4 - 21.6) / 24.4 * 100.0);
    close(basic.median, (24.0 - 22.0) / 24.0 * 100.0);
    let total = shown(&agent.total);
    close(total.mean, (25.0 - 21.8) / 25.0 * 100.0); // 12.8 %
    close(total.median, (26.0 - 22.0) / 26.0 * 100.0);
    // One woman and two men received variable pay in Agent: too few to compare.
    assert_eq!(agent.variable, Figure::TooFew);

    // Lead: equal basic pay, so no basic gap; total 32.8 against 33.8.
    let lead = &rep.categories[1];
    close(shown(&lead.basic).mean, 0.0);
    close(shown(&lead.total).mean, 1.0 / 33.8 * 100.0); // 2.96 %: under 5 %
    let lv = shown(&lead.variable);
    close(lv.mean, (3.8 - 2.8) / 3.8 * 100.0);
    assert!(!lead.assessment_due);
}

#[test]
fn without_factors_the_adjusted_gap_is_the_geometric_mean_ratio() {
    // With neither grade nor tenure, the fit of ln(pay) on sex alone gives the
    // difference of the mean logarithms, and its interval is the two-sample t interval
    // with a pooled variance and 5 + 5 − 2 = 8 degrees of freedom (t = 2.306).
    let rep = report("2026", &example());
    let agent = &rep.categories[0];
    let adj = shown(&agent.adjusted);
    let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<_>>();
    let (w, m) = (
        ln(&[20.0, 20.0, 23.0, 22.0, 24.0]),
        ln(&[23.0, 26.0, 24.0, 26.0, 26.0]),
    );
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let d = mean(&w) - mean(&m);
    close(adj.gap.unwrap(), (1.0 - d.exp()) * 100.0);
    let ss = |v: &[f64]| v.iter().map(|x| (x - mean(v)).powi(2)).sum::<f64>();
    let se = ((ss(&w) + ss(&m)) / 8.0 * (1.0 / 5.0 + 1.0 / 5.0)).sqrt();
    close(adj.low.unwrap(), (1.0 - (d + 2.306 * se).exp()) * 100.0);
    close(adj.high.unwrap(), (1.0 - (d - 2.306 * se).exp()) * 100.0);
    assert!(adj.factors.is_empty());
    assert!(adj
        .explanation
        .contains("neither grade nor years of service"));
    // About 12.9 % remains unexplained: the category is flagged.
    assert!(adj.gap.unwrap() > 12.0);
    assert!(agent.assessment_due);
}

#[test]
fn a_gap_that_grade_explains_is_not_flagged() {
    // Four women and one man in grade A1 at 20 an hour, one woman and four men in A2 at
    // 30. Means 22 and 28: a raw gap of 6 / 28 = 21.4 %, but equal pay at equal grade.
    let mut v = Vec::new();
    for (i, (sex, grade, pay)) in [
        (F, "A1", 20),
        (F, "A1", 20),
        (F, "A1", 20),
        (F, "A1", 20),
        (F, "A2", 30),
        (M, "A1", 20),
        (M, "A2", 30),
        (M, "A2", 30),
        (M, "A2", 30),
        (M, "A2", 30),
    ]
    .iter()
    .enumerate()
    {
        let mut rec = r(
            &format!("p{i}"),
            "Agent",
            f64::from(*pay) * 1000.0,
            0.0,
            *sex,
        );
        rec.grade = Some((*grade).into());
        rec.tenure_years = Some(f64::from(u8::try_from(i % 3).unwrap()));
        v.push(rec);
    }
    let rep = report("2026", &v);
    let c = &rep.categories[0];
    close(shown(&c.total).mean, 6.0 / 28.0 * 100.0);
    let adj = shown(&c.adjusted);
    close(adj.gap.unwrap(), 0.0);
    assert_eq!(adj.factors, ["grade", "years of service"]);
    assert!(!c.assessment_due);

    // When every woman is in one grade and every man in the other, grade and sex
    // cannot be told apart: nothing explains the gap, and the category is flagged.
    for rec in &mut v {
        rec.grade = Some(if rec.sex == F { "A1" } else { "A2" }.into());
    }
    let rep = report("2026", &v);
    let c = &rep.categories[0];
    let adj = shown(&c.adjusted);
    assert_eq!(adj.gap, None);
    assert!(adj.explanation.contains("cannot be told apart"));
    assert!(c.assessment_due);
}

#[test]
fn small_groups_show_no_number_anywhere() {
    // Four women: every figure comparing the sexes is withheld, the category's too.
    let v: Vec<Record> = example()
        .into_iter()
        .filter(|r| r.category == "Agent" && r.person != "aw4")
        .collect();
    let rep = report("2026", &v);
    assert_eq!(rep.pay, Figure::TooFew);
    assert_eq!(rep.receiving_variable, Figure::TooFew);
    assert_eq!(rep.quartiles, Figure::TooFew);
    let c = &rep.categories[0];
    assert_eq!((c.basic, c.total), (Figure::TooFew, Figure::TooFew));
    assert_eq!(c.adjusted, Figure::TooFew);
    assert!(!c.assessment_due);
    // The serialised report carries no amount for them.
    let json = serde_json::to_string(&rep).unwrap();
    assert!(!json.contains("\"value\""), "{json}");
    // An employee of that category gets the same answer.
    assert_eq!(averages_for("am0", "2026", &v), Some(Figure::TooFew));
}

#[test]
fn article_7_answers_the_category_averages_by_sex() {
    let v = example();
    // Agent women: 109 000 in all, 21 800 each, 21.8 an hour; men 125 000, 25 000, 25.
    let a = *averages_for("aw0", "2026", &v).unwrap().shown().unwrap();
    close(a.women_hourly, 21.8);
    close(a.men_hourly, 25.0);
    close(a.women_period, 21_800.0);
    close(a.men_period, 25_000.0);
    // The person compared with no one still gets their category's answer.
    assert_eq!(averages_for("ax", "2026", &v).unwrap().shown(), Some(&a));
    assert_eq!(averages_for("nobody", "2026", &v), None);
    assert_eq!(averages_for("aw0", "2025", &v), None);
}
