//! Stand-alone `scan` for development until the `righttrack` binary wires it:
//! `cargo run --release -p righttrack-batch --example scan -- FILE...`
use clap::Parser;

#[derive(Parser)]
enum Cmd {
    /// Scan interactions.
    Scan(righttrack_batch::ScanArgs),
    /// Run the examples of a rule pack.
    RulesTest(righttrack_batch::RulesTestArgs),
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    match Cmd::parse() {
        Cmd::Scan(a) => righttrack_batch::run_scan(&a),
        Cmd::RulesTest(a) => righttrack_batch::run_rules_test(&a),
    }
}
