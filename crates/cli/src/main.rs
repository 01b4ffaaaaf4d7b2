//! The `righttrack` binary: argument parsing and glue only. Every behaviour lives in a
//! library crate; this file wires them to commands.

mod backup;
mod config;
mod data;
mod demo;
mod demo_capa;
mod examples;
mod import;
mod nats;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use righttrack_app::jobs::admin;
use righttrack_app::jobs::demo::interactions as demo_interactions;
use righttrack_app::jobs::demo::org;
use righttrack_app::{Config, Ctx};
use righttrack_core::authz::Scope;
use righttrack_core::clock::{Clock, SystemClock};
use righttrack_core::{password, Role, Secret};
use righttrack_web::{AppState, WebConfig};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "righttrack",
    version,
    about = "RightTrack: the ethics and compliance platform for contact centers"
)]
struct Cli {
    /// Log format on standard error.
    #[arg(long, global = true, env = "RIGHTTRACK_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Clone)]
struct DataArgs {
    /// Directory holding the SQLite database and the keys.
    #[arg(long, env = "RIGHTTRACK_DATA_DIR", default_value = "righttrack-data")]
    data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL instead of SQLite (the keys stay in --data-dir).
    #[arg(long, env = "RIGHTTRACK_DATABASE_URL")]
    database_url: Option<String>,
    /// A TOML configuration file (default: DATA_DIR/righttrack.toml when present).
    #[arg(long, env = "RIGHTTRACK_CONFIG")]
    config: Option<PathBuf>,
}

/// The privacy vault: off unless enabled here, by environment or in the config file.
#[derive(Args, Debug, Clone)]
struct VaultArgs {
    /// Also keep each original interaction, sealed with the master key, in the privacy
    /// vault (opened only by trained QA analysts and ethics officers, with a reason).
    #[arg(long, env = "RIGHTTRACK_PRIVACY_VAULT")]
    privacy_vault: bool,
    /// Days a sealed original is kept before it is deleted [default: 30].
    #[arg(long, env = "RIGHTTRACK_VAULT_RETENTION_DAYS")]
    vault_retention_days: Option<i64>,
}

impl VaultArgs {
    /// The retention when the vault is on: flag or environment, then config file.
    fn retention(&self, file: &config::FileConfig) -> Result<Option<jiff::SignedDuration>> {
        if !(self.privacy_vault || file.privacy_vault.unwrap_or(false)) {
            return Ok(None);
        }
        let days = self
            .vault_retention_days
            .or(file.vault_retention_days)
            .unwrap_or(30);
        if !(1..=3650).contains(&days) {
            bail!(
                "--vault-retention-days / vault_retention_days: {days} must be between 1 and 3650"
            );
        }
        Ok(Some(jiff::SignedDuration::from_hours(days * 24)))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "RIGHTTRACK_LISTEN")]
        listen: Option<String>,
        /// Seed a demo organisation on an empty database and print its passwords once.
        #[arg(long, env = "RIGHTTRACK_DEMO")]
        demo: bool,
        /// The public https:// URL when served behind TLS (Secure cookies, HSTS).
        #[arg(long, env = "RIGHTTRACK_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        vault: VaultArgs,
        #[command(flatten)]
        nats: NatsArgs,
        #[command(flatten)]
        edge: EdgeArgs,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage teams and sites.
    #[command(subcommand)]
    Team(TeamCmd),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Write a consistent copy of the database (while the server runs) and the keys to a
    /// new directory: `DEST/database/` and `DEST/keys/`, to be stored apart.
    Backup {
        #[command(flatten)]
        data: DataArgs,
        /// The backup directory to create (must be new or empty).
        dest: PathBuf,
    },
    /// Restore a backup made by `righttrack backup` into a new, empty data directory,
    /// then check it as `righttrack check` does.
    Restore {
        #[command(flatten)]
        data: DataArgs,
        /// The backup directory.
        from: PathBuf,
        /// Where the backup's keys were kept, if not in FROM/keys.
        #[arg(long, value_name = "DIR")]
        keys: Option<PathBuf>,
    },
    /// Check the installation: the database's integrity, the keys, the audit trail
    /// (against the exported heads in the data directory); exit 1 when anything fails.
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Manage encryption keys.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Speak-up hotline chores.
    #[command(subcommand)]
    Speakup(SpeakupCmd),
    /// Scan interactions (JSONL) for personal data, conduct and disclosures.
    Scan(righttrack_batch::ScanArgs),
    /// Load interactions (JSONL files) into the store: scanned, redacted, idempotent on id.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// JSONL files, one interaction per line.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        vault: VaultArgs,
    },
    /// Work with rule packs.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Publish interactions (JSONL files) to NATS JetStream for `serve --nats-url` to ingest.
    Publish {
        /// NATS server URL (comma-separate several), e.g. nats://127.0.0.1:4222.
        #[arg(long, env = "RIGHTTRACK_NATS_URL")]
        nats_url: String,
        /// Subject to publish on.
        #[arg(long, visible_alias = "nats-subject", env = "RIGHTTRACK_NATS_SUBJECT", default_value = nats::DEFAULT_SUBJECT)]
        subject: String,
        /// JetStream stream that takes the subject (created when missing).
        #[arg(long, visible_alias = "nats-stream", env = "RIGHTTRACK_NATS_STREAM", default_value = nats::DEFAULT_STREAM)]
        stream: String,
        /// JSONL files, one interaction per line.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Internal audits and corrective actions.
    #[command(subcommand)]
    Capa(CapaCmd),
    /// Policy attestation chores.
    #[command(subcommand)]
    Policies(PoliciesCmd),
    /// Training chores.
    #[command(subcommand)]
    Training(TrainingCmd),
    /// Pay equity data.
    #[command(subcommand)]
    Pay(PayCmd),
    /// People, teams and reporting lines from an HR system.
    #[command(subcommand)]
    Directory(DirectoryCmd),
}

#[derive(Subcommand)]
enum DirectoryCmd {
    /// Bring the directory in line with a people file exported by an HR system: CSV with
    /// the columns username and display_name and optionally email, team, site, manager
    /// (the manager's username), roles (agent, team_lead, qa_analyst; separated by ;),
    /// hire_date (YYYY-MM-DD), job_level and employment_status (active, on leave, left).
    /// New people are added, changed ones updated, those who left or who an earlier
    /// import brought and the file no longer lists are deactivated; team leads and the
    /// team tree follow the manager column. A file with any bad line changes nothing:
    /// every problem is listed on standard error with its line and column, and the exit
    /// status is 1. Importing the same file again changes nothing.
    Import {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
        /// Show the changes, one a line, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Confirm that the many people the file leaves out have really left (otherwise a
        /// file that leaves out more than a quarter of the people it manages is refused).
        #[arg(long)]
        confirm_leavers: bool,
    },
}

#[derive(Subcommand)]
enum PayCmd {
    /// Import pay data exported by an HR system: CSV with the columns person, period,
    /// basic_pay, hours, category and optionally variable_pay, grade, hire_date, sex
    /// (only where collecting it is enabled), promoted, considered and training_hours.
    /// A person's line for a period replaces the earlier one. Good lines are stored
    /// encrypted, refused ones are listed on standard error with line and field (never
    /// their content), and the exit status is 1 if any was refused.
    Import {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum CapaCmd {
    /// Create the audits their schedules have due within two weeks, escalate overdue
    /// corrective actions and write today's content-free notices (what `serve` does every
    /// ten minutes); prints the counts.
    Sweep {
        #[command(flatten)]
        data: DataArgs,
    },
}

/// A day's lines for an external mailer.
#[derive(Args)]
struct DigestArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The day, YYYY-MM-DD [default: today, UTC].
    #[arg(long)]
    day: Option<String>,
}

#[derive(Subcommand)]
enum PoliciesCmd {
    /// Print the day's attestation reminders (to employees) and escalations (to their
    /// leads) as `username<TAB>text` lines, for an external mailer (sending today's
    /// first if the server has not yet).
    Digest(DigestArgs),
}

#[derive(Subcommand)]
enum TrainingCmd {
    /// Import completions exported by an external LMS: CSV with the columns username,
    /// course (code), completed_at (YYYY-MM-DD or RFC 3339) and optionally score.
    /// Each line counts on its own: good lines are recorded, refused ones are listed on
    /// standard error with line and field, and the exit status is 1 if any was refused.
    Import {
        #[command(flatten)]
        data: DataArgs,
        file: PathBuf,
    },
}

/// What `serve` trusts at its edge: reverse proxies, and who may read `/metrics`.
#[derive(Args, Clone)]
struct EdgeArgs {
    /// Reverse proxies (CIDR networks, comma-separated or repeated) whose
    /// X-Forwarded-For names the client for rate limits, e.g. 10.0.0.0/8. Without it the
    /// header is ignored and limits key on the connecting address.
    #[arg(
        long = "trusted-proxy",
        env = "RIGHTTRACK_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<String>,
    /// A file holding the token `GET /metrics` requires as `Authorization: Bearer TOKEN`
    /// (at least 16 characters). Without it `/metrics` is off.
    #[arg(long, env = "RIGHTTRACK_METRICS_TOKEN_FILE")]
    metrics_token_file: Option<PathBuf>,
}

/// The optional JetStream consumer of `serve` (off without a URL).
#[derive(Args, Clone)]
struct NatsArgs {
    /// Consume interactions from NATS JetStream at this URL, e.g. nats://127.0.0.1:4222.
    #[arg(long, env = "RIGHTTRACK_NATS_URL")]
    nats_url: Option<String>,
    /// JetStream stream, created when missing [default: RIGHTTRACK].
    #[arg(long, env = "RIGHTTRACK_NATS_STREAM")]
    nats_stream: Option<String>,
    /// Subject the stream takes [default: righttrack.interactions].
    #[arg(long, env = "RIGHTTRACK_NATS_SUBJECT")]
    nats_subject: Option<String>,
    /// Durable consumer name, shared by every instance [default: righttrack-ingest].
    #[arg(long, env = "RIGHTTRACK_NATS_CONSUMER")]
    nats_consumer: Option<String>,
    /// Messages fetched and stored per transaction [default: 500].
    #[arg(long, env = "RIGHTTRACK_NATS_BATCH")]
    nats_batch: Option<usize>,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user. The password is read from standard input, never from the command line.
    Add {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        /// Role(s): agent, team_lead, qa_analyst, ethics_officer, investigator, admin. Repeat or comma-separate.
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        /// Team name.
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a first password to someone who has none (people brought in from an HR
    /// file), read from standard input. Someone who already has a password changes it
    /// themselves.
    FirstPassword {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Add a service account: a system, not a person, to make API tokens for. It has no
    /// password (it cannot sign in) and only roles that need no second factor.
    AddService {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        /// Role(s) without two-factor sign-in: agent, team_lead, qa_analyst. Repeat or comma-separate.
        #[arg(long = "role", required = true, value_delimiter = ',')]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List users.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum TeamCmd {
    /// Add a team at a site (the site is created if new), optionally under a parent team and with a lead.
    Add {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        name: String,
        #[arg(long)]
        site: String,
        /// The team this one reports into (its lead is next in the management chain).
        #[arg(long)]
        parent: Option<String>,
        /// Username of the team lead.
        #[arg(long)]
        lead: Option<String>,
    },
    /// List teams with their site, parent and lead.
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Create an API token; prints it alone on the last line, once.
    Create {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        /// Scope(s): read, ingest, admin. Repeat or comma-separate.
        #[arg(long = "scope", required = true, value_delimiter = ',')]
        scopes: Vec<String>,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a token by id, or by user and name.
    Revoke {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, conflicts_with_all = ["username", "name"])]
        id: Option<String>,
        #[arg(long, requires = "name")]
        username: Option<String>,
        #[arg(long, requires = "username")]
        name: Option<String>,
    },
    /// List tokens (never their values).
    List {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Verify the hash chain and signed checkpoints; exit 1 naming the first broken entry.
    Verify {
        #[command(flatten)]
        data: DataArgs,
        /// A copy of the exported signed heads (`audit-heads.log` in the data directory)
        /// kept outside the database: each head must match the trail.
        #[arg(long, value_name = "FILE")]
        heads: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SpeakupCmd {
    /// Print the day's content-free staff notifications as `username<TAB>text` lines, for
    /// an external mailer (creating them first if the server has not yet that day).
    Digest(DigestArgs),
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Add a new master key version and re-wrap every sealed value under it.
    Rotate {
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand)]
enum RulesCmd {
    /// Run every rule's positive and negative examples.
    Test(righttrack_batch::RulesTestArgs),
    /// Write the rule pack with the "should not fire" examples from accepted disputes
    /// added, for `righttrack rules test FILE`.
    ExportExamples {
        #[command(flatten)]
        data: DataArgs,
        /// Where to write the pack (TOML).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The pack to add the examples to (default: the embedded default pack).
        #[arg(long, value_name = "FILE")]
        pack: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format.unwrap_or(LogFormat::Text));
    let result = match cli.command {
        Command::Scan(args) => righttrack_batch::run_scan(&args),
        Command::Rules(RulesCmd::Test(args)) => righttrack_batch::run_rules_test(&args),
        other => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")
            .and_then(|rt| rt.block_on(run(other))),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RIGHTTRACK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,async_nats=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Beside the keys: the reader public keys made before keys were signed have been signed.
const READER_KEYS_SIGNED_FILE: &str = "reader-keys.signed";

/// A use case's refusal as the command line prints it (its message).
fn fail(e: righttrack_app::Error) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message)
}

/// A refusal about an argument, named as its flag (`--team: no team named "Nope"`).
fn flag_fail(e: righttrack_app::Error) -> anyhow::Error {
    match &e.field {
        Some(f) => anyhow::anyhow!("--{f}: {}", e.message),
        None => fail(e),
    }
}

/// Roles as the command line lists them, joined by `sep`.
fn role_list(roles: &[Role], sep: &str) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

/// Parses `--role` values.
fn parse_roles(roles: &[String]) -> Result<Vec<Role>> {
    roles
        .iter()
        .map(|r| Role::parse(r).map_err(|e| anyhow::anyhow!("--role: {e}")))
        .collect()
}

/// Which day's lines for an external mailer.
enum Digest {
    /// The content-free staff notifications.
    Speakup,
    /// Policy attestation reminders and escalations.
    Policies,
}

/// `speakup digest` and `policies digest`: the lines of `--day` (default today, whose
/// lines are written first when the server has not yet) as `username<TAB>text`; a
/// malformed day exits 2.
async fn digest(args: DigestArgs, which: Digest) -> Result<ExitCode> {
    let ctx = open(&args.data, false).await?;
    let now = ctx.now();
    let day = match args.day {
        None => righttrack_core::clock::day(now),
        Some(d) => match d.trim().parse::<jiff::civil::Date>() {
            Ok(date) => date.to_string(),
            Err(e) => {
                eprintln!("error: --day {d:?}: expected YYYY-MM-DD ({e})");
                return Ok(ExitCode::from(2));
            }
        },
    };
    let lines = match which {
        Digest::Speakup => righttrack_app::jobs::digest::of_day(&ctx, &day, now).await,
        Digest::Policies => righttrack_app::jobs::digest::policies_of_day(&ctx, &day, now).await,
    }
    .map_err(fail)?;
    for (username, text) in lines {
        println!("{username}\t{text}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Success, or exit status 1 when `failed`.
/// Reads an import's file and opens the data directory.
/// The password on the first line of standard input; passwords never go on the command
/// line, so `--password-stdin` must be given.
fn password_from_stdin(password_stdin: bool) -> Result<Secret<String>> {
    if !password_stdin {
        bail!("pass --password-stdin and write the password to standard input (passwords never go on the command line)");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(Secret::new(line.trim_end_matches(['\r', '\n']).to_owned()))
}

async fn import_file(
    data: &DataArgs,
    file: &std::path::Path,
) -> Result<(righttrack_app::Ctx, String)> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok((open(data, false).await?, text))
}

/// Prints what an import did: each refused line on standard error, the summary on
/// standard output; exit status 1 when a line was refused.
fn imported(file: &std::path::Path, done: &str, errors: &[String]) -> ExitCode {
    for e in errors {
        eprintln!("{}: {e}", file.display());
    }
    println!("{}: {done}, {} lines refused", file.display(), errors.len());
    exit_if(!errors.is_empty())
}

fn exit_if(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Opens the data directory and builds the use cases' context: the configuration file,
/// the database and the keys are checked before anything is written.
async fn open_ctx(
    data: &DataArgs,
    allow_create: bool,
    config: Config,
) -> Result<(Ctx, data::Opened)> {
    let (file, _) = config::FileConfig::load(data.config.as_deref(), &data.data_dir)?;
    let url = data.database_url.clone().or(file.database_url);
    let opened = data::open(&data.data_dir, url.as_deref(), allow_create).await?;
    let config = Config {
        keyring_path: Some(opened.keyring_path.clone()),
        audit_heads_path: Some(data.data_dir.join(data::AUDIT_HEADS_FILE)),
        ..config
    };
    let ctx = Ctx::new(
        opened.db.clone(),
        opened.keys.clone(),
        opened.signer.clone(),
        Arc::new(SystemClock) as Arc<dyn Clock>,
        config,
    );
    // Reader public keys made before the server signed them are signed once, as they
    // stand at the upgrade; the marker lives beside the keys, outside the database, so a
    // key written into the database later is never signed this way.
    let marker = data.data_dir.join(READER_KEYS_SIGNED_FILE);
    if !marker.exists() {
        righttrack_app::hotline::keys::sign_keys_made_before_signatures(&ctx)
            .await
            .map_err(|e| anyhow::anyhow!("signing reader keys: {}", e.message))?;
        std::fs::write(
            &marker,
            b"reader public keys made before this file are signed\n",
        )
        .with_context(|| format!("cannot write {}", marker.display()))?;
    }
    // Conflicts of interest: ingestion hashes customer references with this key.
    righttrack_app::program::conflicts::ensure_key(&ctx)
        .await
        .map_err(fail)?;
    Ok((ctx, opened))
}

/// [`open_ctx`] with the default settings: for commands that only read or administer.
async fn open(data: &DataArgs, allow_create: bool) -> Result<Ctx> {
    Ok(open_ctx(data, allow_create, Config::default()).await?.0)
}

async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Serve {
            data,
            listen,
            demo,
            public_url,
            vault,
            nats,
            edge,
        } => serve(data, listen, demo, public_url, vault, nats, edge).await,
        Command::User(UserCmd::AddService {
            data,
            username,
            roles,
            display_name,
        }) => {
            let roles = parse_roles(&roles)?;
            if let Some(r) = roles.iter().find(|r| r.requires_two_factor()) {
                bail!(
                    "--role: a service account cannot be {}: that role needs a person's second factor",
                    r.as_str()
                );
            }
            let ctx = open(&data, true).await?;
            let display_name = display_name.unwrap_or_else(|| username.clone());
            let user = admin::add_service_account(&ctx, &username, &display_name, &roles)
                .await
                .map_err(flag_fail)?;
            println!(
                "added service account {} ({})",
                user.username,
                role_list(&roles, ",")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCmd::Add {
            data,
            username,
            roles,
            team,
            display_name,
            password_stdin,
        }) => {
            let roles = parse_roles(&roles)?;
            let pw = password_from_stdin(password_stdin)?;
            password::check_policy(pw.expose()).map_err(|e| anyhow::anyhow!("password: {e}"))?;
            let ctx = open(&data, true).await?;
            let user = admin::add_person(
                &ctx,
                admin::NewPerson {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username,
                    roles: roles.clone(),
                    team,
                    password: pw,
                },
            )
            .await
            .map_err(flag_fail)?;
            println!("added {} ({})", user.username, role_list(&roles, ", "));
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCmd::FirstPassword {
            data,
            username,
            password_stdin,
        }) => {
            let pw = password_from_stdin(password_stdin)?;
            let ctx = open(&data, false).await?;
            let user = admin::first_password(&ctx, &username, &pw)
                .await
                .map_err(flag_fail)?;
            println!("{} can sign in now", user.username);
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCmd::List { data }) => {
            let ctx = open(&data, false).await?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<28} {:<28} {:<34} {:<24} 2FA",
                "USERNAME", "NAME", "ROLES", "TEAM"
            )?;
            for row in admin::users(&ctx).await.map_err(fail)? {
                let u = &row.user;
                writeln!(
                    out,
                    "{:<28} {:<28} {:<34} {:<24} {}",
                    u.username,
                    u.display_name,
                    role_list(&u.roles, ","),
                    row.team.as_deref().unwrap_or("-"),
                    if u.totp_enabled { "on" } else { "off" }
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Team(TeamCmd::Add {
            data,
            name,
            site,
            parent,
            lead,
        }) => {
            let ctx = open(&data, true).await?;
            let team = admin::NewTeam {
                name,
                site,
                parent,
                lead,
            };
            admin::add_team(&ctx, &team).await.map_err(flag_fail)?;
            println!("added team {} at {}", team.name, team.site);
            Ok(ExitCode::SUCCESS)
        }
        Command::Team(TeamCmd::List { data }) => {
            let ctx = open(&data, false).await?;
            println!("{:<28} {:<16} {:<28} LEAD", "TEAM", "SITE", "PARENT");
            for row in admin::teams(&ctx).await.map_err(fail)? {
                println!(
                    "{:<28} {:<16} {:<28} {}",
                    row.team.name,
                    row.team.site_name,
                    row.parent.as_deref().unwrap_or("-"),
                    row.lead.as_deref().unwrap_or("-")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCmd::Create {
            data,
            username,
            scopes,
            name,
        }) => {
            let scopes = scopes
                .iter()
                .map(|s| {
                    Scope::parse(s).with_context(|| {
                        format!("--scope: unknown scope {s:?}; expected read, ingest or admin")
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let ctx = open(&data, false).await?;
            let token = admin::mint_token(&ctx, &username, &name, &scopes)
                .await
                .map_err(|e| match e.kind {
                    // The command line is nobody's own session: tokens only for service accounts.
                    righttrack_app::Kind::Forbidden => anyhow::anyhow!(
                        "--username: {} (add one with `righttrack user add-service`)",
                        e.message
                    ),
                    _ => flag_fail(e),
                })?;
            println!("API token {name:?} for {username} with scope {} (shown once, stored only as a hash):", scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(","));
            println!("{}", token.expose());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCmd::Revoke {
            data,
            id,
            username,
            name,
        }) => {
            let ctx = open(&data, false).await?;
            let target = match (id, username, name) {
                (Some(id), _, _) => admin::TokenTarget::Id(id),
                (None, Some(username), Some(name)) => admin::TokenTarget::Named { username, name },
                _ => bail!("pass --id, or --username and --name"),
            };
            let (id, name) = admin::revoke_token(&ctx, &target)
                .await
                .map_err(flag_fail)?;
            println!("revoked token {id} ({name})");
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(TokenCmd::List { data }) => {
            let ctx = open(&data, false).await?;
            for t in admin::tokens(&ctx).await.map_err(fail)? {
                let status = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "live"
                };
                let scopes = t
                    .scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                println!("{} {:<24} {:<16} {status}", t.id, t.name, scopes);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(AuditCmd::Verify { data, heads }) => {
            let exported = match &heads {
                Some(f) => read_exported_heads(f)?,
                None => Ok(Vec::new()),
            };
            let ctx = open(&data, false).await?;
            match admin::verify_audit(&ctx, exported).await {
                Ok(r) => {
                    println!(
                        "audit trail intact: {} entries, {} signed checkpoints, head {}",
                        r.entries,
                        r.checkpoints,
                        righttrack_core::audit::hex(&r.head_hash)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(righttrack_store::audit::VerifyError::Broken(b)) => {
                    println!("audit trail BROKEN: {b}");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Check { data } => check(&data).await,
        Command::Backup { data, dest } => {
            let ctx = open(&data, false).await?;
            backup::backup(&ctx, &data.data_dir, &dest).await?;
            admin::close(&ctx).await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { data, from, keys } => {
            let (file, _) = config::FileConfig::load(data.config.as_deref(), &data.data_dir)?;
            let url = data.database_url.clone().or(file.database_url);
            let sqlite = match url.as_deref() {
                None => true,
                Some(u) if u.starts_with("sqlite:") => bail!(
                    "restore writes the database into the data directory; leave out --database-url {u:?}"
                ),
                Some(_) => false,
            };
            // No server may start on the directory while it is being filled.
            let lock = data::lock(&data.data_dir)?;
            let keys = keys.unwrap_or_else(|| from.join("keys"));
            backup::restore_files(&from, &keys, &data.data_dir, sqlite)?;
            drop(lock);
            if !sqlite {
                println!(
                    "keys restored into {}. Restore the database with `pg_restore --dbname DATABASE_URL {}/database/righttrack.dump`, then run `righttrack check`.",
                    data.data_dir.display(),
                    from.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!("restored into {}", data.data_dir.display());
            check(&data).await
        }
        Command::Training(TrainingCmd::Import { data, file }) => {
            let (ctx, text) = import_file(&data, &file).await?;
            let r = righttrack_app::program::training::import_csv(&ctx, "cli", &text)
                .await
                .map_err(fail)?;
            let done = format!(
                "{} completions recorded, {} already recorded",
                r.imported, r.duplicates
            );
            Ok(imported(&file, &done, &r.errors))
        }
        Command::Pay(PayCmd::Import { data, file }) => {
            let (ctx, text) = import_file(&data, &file).await?;
            let r = righttrack_app::program::pay::import_as(&ctx, "cli", &text)
                .await
                .map_err(fail)?;
            let done = format!(
                "{} pay lines stored ({} replaced an earlier line)",
                r.stored, r.replaced
            );
            Ok(imported(&file, &done, &r.errors))
        }
        Command::Directory(DirectoryCmd::Import {
            data,
            file,
            dry_run,
            confirm_leavers,
        }) => {
            let (ctx, text) = import_file(&data, &file).await?;
            use righttrack_app::platform::people;
            let p = if dry_run {
                people::preview(&ctx, None, &text, confirm_leavers).await
            } else {
                let options = people::Options {
                    leavers_confirmed: confirm_leavers,
                    fingerprint: None,
                };
                people::import(&ctx, "cli", None, &text, options).await
            }
            .map_err(fail)?;
            for e in &p.errors {
                eprintln!("{}: {e}", file.display());
            }
            if !p.ok() {
                eprintln!(
                    "{}: nothing imported: {} problems to fix first",
                    file.display(),
                    p.errors.len()
                );
                return Ok(ExitCode::from(1));
            }
            if dry_run {
                for line in p.plan.lines() {
                    println!("{line}");
                }
            } else if !p.plan.create.is_empty() {
                righttrack_app::program::training::assign_new(&ctx)
                    .await
                    .map_err(fail)?;
            }
            for note in &p.plan.notes {
                println!("note: {note}");
            }
            println!(
                "{}: {}{}",
                file.display(),
                if p.plan.is_empty() {
                    "nothing to change: ".to_owned()
                } else if dry_run {
                    "dry run, nothing written: ".to_owned()
                } else {
                    String::new()
                },
                p.plan.summary()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Speakup(SpeakupCmd::Digest(args)) => digest(args, Digest::Speakup).await,
        Command::Capa(CapaCmd::Sweep { data }) => {
            let ctx = open(&data, false).await?;
            let r = righttrack_app::program::capa::sweep(&ctx, ctx.now())
                .await
                .map_err(fail)?;
            println!(
                "audits created: {}, corrective actions escalated: {}, notices: {}",
                r.audits_created, r.escalated, r.notices
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Policies(PoliciesCmd::Digest(args)) => digest(args, Digest::Policies).await,
        Command::Keys(KeysCmd::Rotate { data }) => {
            let (ctx, opened) = open_ctx(&data, false, Config::default()).await?;
            let mut keys = opened.keys.clone();
            let id = keys.add_version(&mut rand::rngs::OsRng);
            // The new keyring is written first: a crash after this leaves values under the
            // old key, which the new keyring still opens.
            data::write_private(&opened.keyring_path, keys.to_file_text().as_bytes())?;
            let rewrapped = righttrack_app::jobs::keys::rewrap_all(&ctx, &keys, id)
                .await
                .map_err(fail)?;
            println!("master key {id} is now current; re-wrapped {rewrapped} sealed values");
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { data, files, vault } => {
            let (file, _) = config::FileConfig::load(data.config.as_deref(), &data.data_dir)?;
            let config = Config {
                vault_retention: vault.retention(&file)?,
                ..Config::default()
            };
            let (ctx, _) = open_ctx(&data, false, config).await?;
            let t = import::run(&ctx, &files).await?;
            righttrack_app::interactions::ingest::record_import(&ctx, "cli", &t.imported)
                .await
                .map_err(fail)?;
            let i = &t.imported;
            println!(
                "{} lines: {} stored, {} duplicates, {} errors, {} conflicts",
                t.lines, i.stored, i.duplicates, i.errors, i.conflicts
            );
            Ok(exit_if(i.errors > 0 || i.conflicts > 0))
        }
        Command::Publish {
            nats_url,
            subject,
            stream,
            files,
        } => {
            let t = nats::publish(&nats_url, &stream, &subject, &files).await?;
            println!(
                "{} lines: {} published, {} duplicates, {} errors",
                t.lines, t.published, t.duplicates, t.errors
            );
            Ok(exit_if(t.errors > 0))
        }
        Command::Rules(RulesCmd::ExportExamples { data, out, pack }) => {
            let src = match &pack {
                Some(p) => std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read rule pack {}", p.display()))?,
                None => righttrack_scan::pack::DEFAULT_PACK.to_owned(),
            };
            let ctx = open(&data, false).await?;
            let stored = admin::rule_examples(&ctx).await.map_err(fail)?;
            let (text, done) = examples::merge(&src, &stored)?;
            std::fs::write(&out, text)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "wrote {} with {} new negative example(s) ({} already there)",
                out.display(),
                done.added,
                done.duplicates
            );
            if !done.unknown_rules.is_empty() {
                eprintln!(
                    "warning: examples of rules this pack does not define were left out: {}",
                    done.unknown_rules.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Scan(_) | Command::Rules(RulesCmd::Test(_)) => bail!("handled synchronously"),
    }
}

/// `righttrack check`: every line says what was checked; exit 1 when anything failed.
async fn check(data: &DataArgs) -> Result<ExitCode> {
    // Opening refuses missing, unreadable or world-readable keys and (SQLite) a file
    // that fails the quick check, each with its own message.
    let (ctx, opened) = open_ctx(data, false, Config::default()).await?;
    let mut failed = false;
    match admin::integrity_problems(&ctx).await {
        Ok(p) if p.is_empty() => {
            let (backend, location) = admin::database(&ctx);
            println!("database: ok ({backend}, {location})");
        }
        Ok(p) => {
            failed = true;
            println!("database: DAMAGED: {}", p.join("; "));
        }
        Err(e) => {
            failed = true;
            println!("database: cannot check: {e}");
        }
    }
    println!(
        "keys: ok ({} and {} present, private, readable)",
        opened.keyring_path.display(),
        data.data_dir.join(data::SIGNING_FILE).display()
    );
    let heads = data.data_dir.join(data::AUDIT_HEADS_FILE);
    let exported = if heads.exists() {
        read_exported_heads(&heads)?
    } else {
        Ok(Vec::new())
    };
    match admin::verify_audit(&ctx, exported).await {
        Ok(r) => println!(
            "audit trail: intact: {} entries, {} signed checkpoints{}",
            r.entries,
            r.checkpoints,
            if heads.exists() {
                format!(", matches {}", heads.display())
            } else {
                String::new()
            }
        ),
        Err(righttrack_store::audit::VerifyError::Broken(b)) => {
            failed = true;
            println!("audit trail: BROKEN: {b}");
        }
        Err(e) => {
            failed = true;
            println!("audit trail: cannot check: {e}");
        }
    }
    Ok(exit_if(failed))
}

/// The signed heads of an exported-heads file; a malformed line is a broken trail (the
/// file is evidence, not configuration).
fn read_exported_heads(
    path: &Path,
) -> Result<Result<Vec<righttrack_core::audit::Checkpoint>, righttrack_core::audit::Broken>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the exported heads {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match righttrack_core::audit::parse_exported_line(line) {
            Ok(cp) => out.push(cp),
            Err(reason) => {
                return Ok(Err(righttrack_core::audit::Broken::Exported {
                    line: i + 1,
                    reason,
                }))
            }
        }
    }
    Ok(Ok(out))
}

async fn serve(
    data: DataArgs,
    listen: Option<String>,
    demo: bool,
    public_url: Option<String>,
    vault: VaultArgs,
    nats: NatsArgs,
    edge: EdgeArgs,
) -> Result<ExitCode> {
    let (file, config_path) = config::FileConfig::load(data.config.as_deref(), &data.data_dir)?;
    let (trusted_proxies, metrics_token) = config::edge(
        &edge.trusted_proxy,
        edge.metrics_token_file.as_deref(),
        &file,
        config_path.as_deref(),
    )?;
    let nats = config::nats(
        nats.nats_url,
        nats.nats_stream,
        nats.nats_subject,
        nats.nats_consumer,
        nats.nats_batch,
        &file,
        config_path.as_deref(),
    )?;
    let addr = match (&listen, &file.listen) {
        (Some(l), _) => config::parse_listen(l, "--listen / RIGHTTRACK_LISTEN")?,
        (None, Some(l)) => config::parse_listen(
            l,
            &format!(
                "config file {} `listen`",
                config_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        )?,
        (None, None) => config::parse_listen("127.0.0.1:8080", "default")?,
    };
    let mail = config::mail(&file, config_path.as_deref())?;
    let public_url = public_url.or(file.public_url.clone());
    if let Some(u) = &public_url {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            bail!(
                "--public-url / RIGHTTRACK_PUBLIC_URL: {u:?} must start with https:// or http://"
            );
        }
    }
    let defaults = WebConfig::default();
    let config = WebConfig {
        public_url,
        keyring_path: None,
        session_hours: file.session_hours.unwrap_or(defaults.session_hours),
        lockout_after: file.lockout_after.unwrap_or(defaults.lockout_after),
        lockout_minutes: file.lockout_minutes.unwrap_or(defaults.lockout_minutes),
        session_idle_minutes: file
            .session_idle_minutes
            .unwrap_or(defaults.session_idle_minutes),
        totp_lockout_after: file
            .totp_lockout_after
            .unwrap_or(defaults.totp_lockout_after),
        totp_lockout_minutes: file
            .totp_lockout_minutes
            .unwrap_or(defaults.totp_lockout_minutes),
        // The demo turns the privacy vault on, so it can be tried on synthetic data.
        vault_retention: match vault.retention(&file)? {
            None if demo => Some(jiff::SignedDuration::from_hours(30 * 24)),
            other => other,
        },
        feedback_link_days: file
            .feedback_link_days
            .unwrap_or(defaults.feedback_link_days),
        trusted_proxies,
        metrics_token,
        audit_heads_path: None,
        mail,
    };
    // One server per SQLite data directory: a second one is refused before it opens
    // anything (a new directory is locked as soon as it exists).
    let url = data.database_url.clone().or(file.database_url.clone());
    let sqlite = url.as_deref().is_none_or(|u| u.starts_with("sqlite:"));
    let mut _lock = if sqlite && data.data_dir.exists() {
        Some(data::lock(&data.data_dir)?)
    } else {
        None
    };
    let (ctx, opened) = open_ctx(&data, true, config).await?;
    let state = AppState::from_ctx(ctx);
    if sqlite && _lock.is_none() {
        _lock = Some(data::lock(&data.data_dir)?);
    }
    if opened.created {
        tracing::info!(data_dir = %data.data_dir.display(), "initialised a new data directory with fresh keys");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    // TOTP secrets sealed before they were bound to their row are sealed again, once.
    let bound = righttrack_app::platform::totp::bind_legacy_totp(&state)
        .await
        .map_err(fail)?;
    if bound > 0 {
        tracing::info!(
            count = bound,
            "sealed two-factor secrets again, bound to their users"
        );
    }
    // A fresh installation starts with the sample code of ethics as a draft to adapt.
    if righttrack_app::program::policies::seed_sample(&state)
        .await
        .map_err(fail)?
    {
        tracing::info!("seeded the sample code of ethics (a draft for the ethics officers)");
    }
    if demo {
        match demo::seed(&state).await? {
            Some(accounts) => {
                let mut err = std::io::stderr().lock();
                writeln!(err, "\nDemo organisation created. These passwords are shown once:")?;
                for a in &accounts {
                    writeln!(err, "  {:<24} {:<28} {}", a.username, a.role, a.password.expose())?;
                }
                writeln!(err, "Ethics officers, investigators, identity custodians, audit-committee members and admins enrol an authenticator app at first sign-in.")?;
                let n = demo_interactions::seed(&state).await.map_err(fail)?;
                demo_interactions::seed_calibration(&state)
                    .await
                    .map_err(fail)?;
                let d = demo_interactions::seed_disputes(&state)
                    .await
                    .map_err(fail)?;
                demo_interactions::seed_reviews(&state)
                    .await
                    .map_err(fail)?;
                righttrack_app::jobs::demo::conflicts::seed(&state)
                    .await
                    .map_err(fail)?;
                // Coaching sessions on the demo interactions, and last quarter's
                // upward feedback.
                righttrack_app::jobs::demo::coaching::seed(&state)
                    .await
                    .map_err(fail)?;
                righttrack_app::jobs::demo::training::seed_lapsed(&state)
                    .await
                    .map_err(fail)?;
                writeln!(err, "Seeded {n} scanned and redacted interactions over the last twelve months, and {d} scorecard disputes.")?;
                // Issue #7: audits, corrective actions, discipline, kudos.
                writeln!(err, "Seeded {}.\n", demo_capa::seed(&state).await?)?;
                // Issue #8: narratives, so the evidence binder is not empty.
                org::seed_binder(&state).await.map_err(fail)?;
            }
            None => eprintln!("Demo: the database already has users; nothing seeded (passwords were printed when it was created)."),
        }
    }
    let bound = listener.local_addr()?;
    let (backend, _) = admin::database(&state);
    eprintln!("RightTrack is listening on http://{bound} ({backend} database)");
    tracing::info!(address = %bound, database = backend, "listening");
    // Every ten minutes: reads decide "broken" from the due instant, this persists it for
    // reports; the privacy vault and the speak-up hotline destroy what outlived retention.
    let sweeper = {
        let ctx = state.ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tick.tick().await;
                righttrack_app::jobs::sweep::run(&ctx, ctx.now()).await;
            }
        })
    };
    // Every minute: send the queued mail that is due (queuing is the sweep's).
    let mailer = state.ctx.config.mail.is_some().then(|| {
        let ctx = state.ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                righttrack_app::jobs::mail::send_due(&ctx, ctx.now()).await;
            }
        })
    });
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let consumer = nats.map(|(cfg, addrs)| {
        tokio::spawn(nats::consume(state.clone(), cfg, addrs, stopping.clone()))
    });
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let mut web_stopping = stopping.clone();
    righttrack_web::serve(state.clone(), listener, async move {
        let _ = web_stopping.wait_for(|s| *s).await;
    })
    .await?;
    if let Some(c) = consumer {
        // The batch in hand is stored and acked (or left for redelivery) first.
        let _ = c.await;
    }
    sweeper.abort();
    if let Some(m) = mailer {
        m.abort();
    }
    admin::shut_down(&state).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
