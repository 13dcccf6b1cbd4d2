//! One module per command; each has its `Args` and a `run`.

mod ais;
mod clearance;
mod demo;
mod import;
mod queue;
mod registrations;
mod serve;
mod simulate;
mod stats;
mod track;
mod users;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use corridor_store::Store;

use crate::config::{DEFAULT_DATABASE, FileConfig};

/// corridor runs an inspected maritime corridor: the voyage record, AIS
/// tracking, signed clearance decisions, inspection planning and a public
/// dashboard.
#[derive(Debug, Parser)]
#[command(name = "corridor", version, propagate_version = true)]
pub struct Cli {
    /// Store URL: a file path or sqlite://PATH for SQLite, postgres://… for PostgreSQL
    /// [default: corridor.db in the working directory]
    #[arg(long, global = true, env = "CORRIDOR_DATABASE")]
    database: Option<String>,

    /// Config file (TOML) [default: corridor.toml if present]
    #[arg(long, global = true, env = "CORRIDOR_CONFIG")]
    config: Option<PathBuf>,

    /// The corridor's rules (parties, consensus, timing, eligibility, documents):
    /// bsgi, unvim, or a TOML file in the format of config/parties-*.toml [default: bsgi]
    #[arg(long, global = true, env = "CORRIDOR_RULES")]
    rules: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import published voyage tables into the record
    #[command(subcommand)]
    Import(import::Source),
    /// Print the record's figures (tonnes by port, commodity, destination, month)
    Stats(stats::Args),
    /// Serve the HTTP API and the dashboard
    Serve(serve::Args),
    /// Decode and inspect AIS (NMEA 0183 AIVDM/AIVDO)
    #[command(subcommand)]
    Ais(ais::Command),
    /// Party keys: make, register, rotate (ed25519, PKCS#8 / SPKI PEM)
    #[command(subcommand)]
    Keys(clearance::KeysCommand),
    /// Accounts made on the database itself: the first administrator of a new deployment
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Sign a decision on an application or a day's inspection plan, on the delegate's side
    Sign(clearance::SignArgs),
    /// Verify the clearance record in the database: chain, Merkle tree, every signature, every stored document
    Verify(clearance::VerifyArgs),
    /// Fill a store with demo data
    #[command(subcommand)]
    Seed(clearance::SeedCommand),
    /// Simulate AIS traffic from voyages (with anomalies and the ground truth), or the inspection queue over a season
    #[command(subcommand)]
    Simulate(simulate::Command),
    /// Replay a recorded NMEA feed through the monitor (tag-block times as the clock) and write the alerts
    Track(track::Args),
    /// Run the whole system on a fresh store of its own (not --database) with the JCC's record and a live simulated AIS feed
    Demo(demo::Args),
}

/// What a command that only reads needs the database to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// The voyage record (`corridor import`).
    Record,
    /// The clearance log (`corridor serve`, `corridor seed demo`).
    ClearanceLog,
    /// Any of corridor's tables: a command that may add the rest.
    Corridor,
}

/// What every command may need: the settings, and the store on demand.
pub struct Context {
    pub file: FileConfig,
    database: Option<String>,
    rules: Option<String>,
}

impl Context {
    /// The centre's inspection resources named by `flag` (`serve
    /// --capacity`, `CORRIDOR_CAPACITY`) or the config file's `capacity`,
    /// read and checked; `None`: none named.
    pub fn capacity(
        &self,
        flag: Option<&PathBuf>,
    ) -> anyhow::Result<Option<corridor_planner::CapacityConfig>> {
        let Some(path) = flag.or(self.file.capacity.as_ref()) else {
            return Ok(None);
        };
        let from = origin(
            flag.and_then(|p| p.to_str()),
            "--capacity",
            "CORRIDOR_CAPACITY",
            "capacity",
        );
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{from} {}: cannot be read", path.display()))?;
        let cap = corridor_planner::CapacityConfig::from_toml(&text)
            .map_err(|e| anyhow::anyhow!("{from} {}: {e}", path.display()))?;
        Ok(Some(cap))
    }

    /// The clearance service on the database, under the corridor's rules,
    /// for a command that plans nothing: with the configured inspection
    /// resources, else the built-in ones, whose teams' parties are dropped
    /// when the rules have no such parties (nothing here plans for them).
    pub async fn clearance_service(
        &self,
    ) -> anyhow::Result<Arc<corridor_clearance_service::Service>> {
        let rules = self.rules()?;
        let capacity = match self.capacity(None)? {
            Some(c) => c,
            None => {
                let mut c = corridor_clearance_service::inspections::service_capacity()?;
                if c.teams
                    .iter()
                    .flat_map(|t| &t.parties)
                    .any(|p| !rules.has_party(p))
                {
                    for t in &mut c.teams {
                        t.parties.clear();
                    }
                }
                c
            }
        };
        Ok(
            corridor_clearance_service::open_with(
                &self.checked_url()?,
                rules,
                Some(capacity),
                None,
            )
            .await?,
        )
    }

    /// The corridor's rules (`--rules`, `CORRIDOR_RULES`, `rules` in the
    /// config file; the Black Sea's by default). One database keeps one
    /// corridor's log: opening it under other rules is refused when the
    /// log is replayed.
    pub fn rules(&self) -> anyhow::Result<corridor_clearance::CorridorConfig> {
        use corridor_clearance::CorridorConfig;
        let named = self.rules.as_deref().or(self.file.rules.as_deref());
        let from = || origin(self.rules.as_deref(), "--rules", "CORRIDOR_RULES", "rules");
        let parsed = match named.map(str::trim) {
            None | Some("bsgi") => CorridorConfig::bsgi(),
            Some("unvim") => CorridorConfig::unvim(),
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!(
                        "{} {path:?}: not bsgi, unvim or a file that can be read",
                        from()
                    )
                })?;
                CorridorConfig::from_toml(&text)
            }
        };
        parsed.map_err(|e| anyhow::anyhow!("{} {:?}: {e}", from(), named.unwrap_or("bsgi")))
    }

    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .or_else(|| self.file.database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_string())
    }

    /// [`Context::database_url`] for messages: passwords hidden.
    pub fn database_shown(&self) -> String {
        corridor_store::pool::redact(&self.database_url())
    }

    /// The database the user named (`--database`, `CORRIDOR_DATABASE` or
    /// the config), if any, passwords hidden.
    pub fn database_named(&self) -> Option<String> {
        self.database
            .as_deref()
            .or(self.file.database.as_deref())
            .map(corridor_store::pool::redact)
    }

    pub async fn store(&self) -> anyhow::Result<Arc<dyn Store>> {
        let url = self.checked_url()?;
        corridor_store::open(&url)
            .await
            .with_context(|| "opening the record store".to_string())
    }

    /// The store for a command that only reads the record: a database that
    /// does not exist, or does not hold corridor's record, is an error,
    /// not a new empty one (a mistyped path once printed "0 t in 0
    /// voyages" and left a new file behind).
    pub async fn existing_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        self.require(Holds::Record).await?;
        self.store().await
    }

    /// Refuses a database that is not there, or that does not hold what a
    /// command only reads. It looks without migrating: opening a store
    /// gives any database corridor's tables, so an empty file or another
    /// program's database would read as an empty record.
    pub async fn require(&self, holds: Holds) -> anyhow::Result<()> {
        let url = self.checked_url()?;
        let shown = match corridor_store::pool::locate(&url) {
            corridor_store::pool::Location::Sqlite(path) => path.to_string(),
            corridor_store::pool::Location::Postgres(url) => corridor_store::pool::redact(url),
        };
        let Some(tables) = corridor_store::pool::tables(&url).await? else {
            if holds == Holds::Corridor {
                anyhow::bail!(
                    "no database at {shown}: give the vessels to watch with --registry FILE, or a store that has them (--database; `corridor simulate ais --register` fills one)"
                );
            }
            anyhow::bail!(
                "no database at {shown}: import a record first (corridor --database {shown} import jcc FILE), or give --database"
            );
        };
        let corridor_tables = ["voyages", "clearance_log", "track_registry"];
        if !corridor_tables.iter().any(|t| tables.contains(*t)) {
            if tables.is_empty() {
                anyhow::bail!(
                    "{shown} is an empty database, not a corridor record: import a record first (corridor --database {shown} import jcc FILE), or give --database"
                );
            }
            let mut named: Vec<&str> = tables.iter().map(String::as_str).take(5).collect();
            if tables.len() > named.len() {
                named.push("…");
            }
            anyhow::bail!(
                "{shown} is not a corridor database: it holds other tables ({}) and none of corridor's; nothing was changed",
                named.join(", ")
            );
        }
        let (table, missing) = match holds {
            Holds::Record => (
                "voyages",
                "no voyage record: import one first (corridor --database … import jcc FILE)",
            ),
            Holds::ClearanceLog => (
                "clearance_log",
                "no clearance log: nothing has been decided in it (it is written by corridor serve and corridor seed demo)",
            ),
            Holds::Corridor => return Ok(()),
        };
        if !tables.contains(table) {
            anyhow::bail!("{shown} holds {missing}");
        }
        Ok(())
    }

    /// The database URL, refused when it cannot name a database.
    pub fn checked_url(&self) -> anyhow::Result<String> {
        let url = self.database_url();
        if url.trim().is_empty() {
            anyhow::bail!("the database is empty: give a file path, sqlite://PATH or postgres://…");
        }
        let supported = |scheme: &str| matches!(scheme, "sqlite" | "postgres" | "postgresql");
        if let Some((scheme, _)) = url.split_once("://")
            && !supported(scheme)
        {
            let shown = corridor_store::pool::redact(&url);
            if supported(scheme.trim()) {
                anyhow::bail!("{shown:?}: the database URL has spaces around it; remove them");
            }
            anyhow::bail!(
                "{shown}: {scheme}:// databases are not supported; give a file path, sqlite://PATH or postgres://…"
            );
        }
        Ok(url)
    }
}

/// Where an option's value came from, for an error about it: `--flag`,
/// the environment variable `env`, or (`None` given) the config file's
/// `key`.
pub fn origin(given: Option<&str>, flag: &str, env: &str, key: &str) -> String {
    let on_command_line = std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    match given {
        Some(v) if !on_command_line && std::env::var(env).is_ok_and(|e| e == v) => env.to_string(),
        Some(_) => flag.to_string(),
        None => format!("{key} in the config file"),
    }
}

/// Writes to standard output; a closed pipe (`| head`) ends output quietly.
pub fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Context {
        file: FileConfig::load(cli.config.as_deref())?,
        database: cli.database,
        rules: cli.rules,
    };
    match cli.command {
        Command::Import(src) => import::run(&ctx, src).await,
        Command::Stats(args) => stats::run(&ctx, args).await,
        Command::Serve(args) => serve::run(&ctx, args).await,
        Command::Ais(cmd) => ais::run(cmd),
        Command::Keys(cmd) => clearance::run_keys(&ctx, cmd).await,
        Command::Users(cmd) => users::run(&ctx, cmd).await,
        Command::Sign(args) => clearance::run_sign(&ctx, args),
        Command::Verify(args) => clearance::run_verify(&ctx, args).await,
        Command::Seed(cmd) => clearance::run_seed(&ctx, cmd).await,
        Command::Simulate(cmd) => simulate::run(&ctx, cmd).await,
        Command::Track(args) => track::run(&ctx, args).await,
        Command::Demo(args) => demo::run(&ctx, args).await,
    }
}
