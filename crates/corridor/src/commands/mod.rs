//! One module per command; each has its `Args` and a `run`.

mod ais;
mod clearance;
mod demo;
mod import;
mod queue;
mod serve;
mod simulate;
mod stats;
mod track;

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
    /// Sign a decision on an application, on the delegate's side
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
    /// Run the whole system on a fresh store with the JCC's record and a live simulated AIS feed
    Demo(demo::Args),
}

/// What every command may need: the settings, and the store on demand.
pub struct Context {
    pub file: FileConfig,
    database: Option<String>,
}

impl Context {
    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .or_else(|| self.file.database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_string())
    }

    pub async fn store(&self) -> anyhow::Result<Arc<dyn Store>> {
        let url = self.checked_url()?;
        corridor_store::open(&url)
            .await
            .with_context(|| "opening the record store".to_string())
    }

    /// The store for a command that only reads: a database that does not
    /// exist is an error, not a new empty one (a mistyped path once printed
    /// "0 t in 0 voyages" and left a new file behind).
    pub async fn existing_store(&self) -> anyhow::Result<Arc<dyn Store>> {
        self.require_existing()?;
        self.store().await
    }

    /// Refuses a missing SQLite file (PostgreSQL says so itself).
    pub fn require_existing(&self) -> anyhow::Result<()> {
        let url = self.checked_url()?;
        if let corridor_store::pool::Location::Sqlite(path) = corridor_store::pool::locate(&url)
            && !std::path::Path::new(path).is_file()
        {
            anyhow::bail!(
                "no database at {path}: import a record first (corridor --database {path} import jcc FILE), or give --database"
            );
        }
        Ok(())
    }

    /// The database URL, refused when it cannot name a database.
    pub fn checked_url(&self) -> anyhow::Result<String> {
        let url = self.database_url();
        if url.trim().is_empty() {
            anyhow::bail!("the database is empty: give a file path, sqlite://PATH or postgres://…");
        }
        if let Some((scheme, _)) = url.split_once("://")
            && !matches!(scheme, "sqlite" | "postgres" | "postgresql")
        {
            anyhow::bail!(
                "{url}: {scheme}:// databases are not supported; give a file path, sqlite://PATH or postgres://…"
            );
        }
        Ok(url)
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
    };
    match cli.command {
        Command::Import(src) => import::run(&ctx, src).await,
        Command::Stats(args) => stats::run(&ctx, args).await,
        Command::Serve(args) => serve::run(&ctx, args).await,
        Command::Ais(cmd) => ais::run(cmd),
        Command::Keys(cmd) => clearance::run_keys(&ctx, cmd).await,
        Command::Sign(args) => clearance::run_sign(args),
        Command::Verify(args) => clearance::run_verify(&ctx, args).await,
        Command::Seed(cmd) => clearance::run_seed(&ctx, cmd).await,
        Command::Simulate(cmd) => simulate::run(&ctx, cmd).await,
        Command::Track(args) => track::run(&ctx, args).await,
        Command::Demo(args) => demo::run(&ctx, args).await,
    }
}
