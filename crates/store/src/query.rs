//! Queries assembled at run time: a filter's conditions and their arguments grow
//! together, so a `$n` placeholder and the value bound to it cannot drift apart.
//!
//! Most queries are fixed text with arguments bound in order ([`fetch!`]); a list or
//! a search whose conditions depend on what was asked builds a [`Query`] instead and
//! runs it with [`fetch_query!`].

/// One argument of a [`Query`], in a type both backends bind the same way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    Bool(bool),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}

/// SQL text and the arguments its `$1`, `$2`, … stand for, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pub(crate) sql: String,
    pub(crate) args: Vec<Arg>,
}

impl Query {
    /// A query starting with `sql`, which has no placeholders yet.
    pub(crate) fn new(sql: impl Into<String>) -> Self {
        Query {
            sql: sql.into(),
            args: Vec::new(),
        }
    }

    /// A query whose text `sql` already names `args` as `$1`, `$2`, … in order.
    pub(crate) fn bound(sql: impl Into<String>, args: impl IntoIterator<Item = Arg>) -> Self {
        Query {
            sql: sql.into(),
            args: args.into_iter().collect(),
        }
    }

    /// Takes `arg` as the next argument; the placeholder that stands for it (`$3`).
    pub(crate) fn arg(&mut self, arg: impl Into<Arg>) -> String {
        self.args.push(arg.into());
        format!("${}", self.args.len())
    }

    /// Takes every one of `args` in order; their placeholders joined by commas, for
    /// an `IN (…)` list.
    pub(crate) fn list<A: Into<Arg>>(&mut self, args: impl IntoIterator<Item = A>) -> String {
        args.into_iter()
            .map(|a| self.arg(a))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Appends `sql`, each `?` in it standing for the next of `args`.
    pub(crate) fn push_all(&mut self, sql: &str, args: impl IntoIterator<Item = Arg>) {
        let mut args = args.into_iter();
        let mut parts = sql.split('?');
        if let Some(first) = parts.next() {
            self.sql.push_str(first);
        }
        for part in parts {
            if let Some(a) = args.next() {
                let mark = self.arg(a);
                self.sql.push_str(&mark);
            }
            self.sql.push_str(part);
        }
    }

    /// Appends `sql`, whose one `?` stands for `arg`.
    pub(crate) fn push(&mut self, sql: &str, arg: impl Into<Arg>) {
        self.push_all(sql, [arg.into()]);
    }

    /// Appends the condition `cond` (one `?` for `arg`) when there is an `arg`.
    pub(crate) fn and<A: Into<Arg>>(&mut self, cond: &str, arg: Option<A>) {
        if let Some(a) = arg {
            self.push(cond, a);
        }
    }
}

/// [`fetch!`] for a [`Query`]: its rows, its arguments bound in order.
macro_rules! fetch_query {
    ($db:expr, $fetch:ident, $query:expr) => {{
        let query: &$crate::query::Query = &$query;
        $crate::on_pool!($db, |p| {
            let mut q = sqlx::query_as(&query.sql);
            for a in &query.args {
                q = match a {
                    $crate::query::Arg::Int(v) => q.bind(*v),
                    $crate::query::Arg::Text(v) => q.bind(v.as_str()),
                    $crate::query::Arg::Bool(v) => q.bind(*v),
                };
            }
            q.$fetch(p).await?
        })
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_the_order_their_arguments_come() {
        let mut q = Query::new("SELECT x FROM t WHERE a = ");
        let a = q.arg(7_i64);
        q.sql.push_str(&a);
        q.and(" AND b = ?", Some("b"));
        q.and(" AND c = ?", None::<i64>);
        let list = q.list(["x", "y"]);
        q.sql.push_str(&format!(" AND d IN ({list})"));
        q.push_all(" AND (e < ? OR f = ?)", [Arg::from(1_i64), Arg::from(true)]);
        q.push(" LIMIT ?", 9_i64);
        assert_eq!(
            q.sql,
            "SELECT x FROM t WHERE a = $1 AND b = $2 AND d IN ($3, $4) AND (e < $5 OR f = $6) LIMIT $7"
        );
        assert_eq!(
            q.args,
            vec![
                Arg::Int(7),
                Arg::from("b"),
                Arg::from("x"),
                Arg::from("y"),
                Arg::Int(1),
                Arg::Bool(true),
                Arg::Int(9),
            ]
        );
    }
}
