//! `corridor import jcc FILE`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args as ClapArgs, Subcommand};
use corridor_domain::Snapshot;
use corridor_import::jcc;
use corridor_store::ImportBatch;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;

use super::Context;

#[derive(Debug, Subcommand)]
pub enum Source {
    /// The JCC's vessel-movements table: the CSV export or the HDX xlsx
    Jcc(Args),
}

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The file to import (.csv or .xlsx; told apart by content)
    file: PathBuf,
    /// The date the file describes the world as of [default: its latest departure date]
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<Date>,
    /// Refuse the whole file, writing nothing, if any row is bad
    #[arg(long)]
    strict: bool,
    /// Print the summary as JSON
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, Source::Jcc(args): Source) -> anyhow::Result<ExitCode> {
    let progress = spinner();
    progress.set_message(format!("reading {}", args.file.display()));
    let mut parsed = jcc::read_path(&args.file)?;
    for e in &parsed.errors {
        progress.suspend(|| say!("error: {e}"));
    }
    for w in &parsed.warnings {
        progress.suspend(|| say!("warning: {w}"));
    }
    let rejected = parsed.errors.len();
    if args.strict && rejected > 0 {
        progress.finish_and_clear();
        say!("refused: {rejected} bad row(s) and --strict; nothing was written");
        return Ok(ExitCode::from(2));
    }
    let Some(as_of) = args.as_of.or_else(|| parsed.latest_departure()) else {
        progress.finish_and_clear();
        anyhow::bail!(
            "{}: no valid voyage to import and no --as-of date",
            args.file.display()
        );
    };
    // A snapshot holds no departure after its own date: an --as-of before
    // the file's latest departure is a typo that would rank the file's
    // values below older snapshots.
    if let (Some(given), Some(latest)) = (args.as_of, parsed.latest_departure())
        && given < latest
    {
        progress.finish_and_clear();
        anyhow::bail!(
            "--as-of {given} is before the latest departure in {} ({latest}); a snapshot cannot hold later departures",
            args.file.display()
        );
    }
    let source = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    progress.set_message("comparing with the record");
    let store = ctx.store().await?;
    let bar = progress.clone();
    let on_progress = move |done: u64, total: u64| {
        if bar.length() != Some(total) {
            bar.set_length(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} [{elapsed}]")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("writing voyages");
        }
        bar.set_position(done);
    };
    let (voyages_read, cargo_lines) = (parsed.voyages.len(), parsed.cargo_lines());
    let format = parsed.format.to_string();
    let outcome = store
        .import(ImportBatch {
            snapshot: Snapshot { source, as_of },
            format: &format,
            recorded_at: jiff::Timestamp::now(),
            voyages: std::mem::take(&mut parsed.voyages),
            progress: Some(&on_progress),
        })
        .await
        .context("writing the import")?;
    progress.finish_and_clear();
    let summary = serde_json::json!({
        "file": args.file.display().to_string(),
        "format": parsed.format.to_string(),
        "as_of": as_of.to_string(),
        "rows_read": parsed.rows_read,
        "voyages_read": voyages_read,
        "cargo_lines": cargo_lines,
        "imported": outcome.imported,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "rejected_rows": rejected,
        "warnings": parsed.warnings.len(),
        "history_added": outcome.history_added,
    });
    if args.json {
        super::print(&format!("{summary:#}\n"))?;
    } else {
        super::print(&format!(
            "{} ({}, as of {as_of}): read {} rows ({} voyages, {} cargo lines); imported {}, updated {}, unchanged {}, rejected {} rows; {} warnings; {} history entries added\n",
            args.file.display(),
            parsed.format,
            parsed.rows_read,
            voyages_read,
            cargo_lines,
            outcome.imported,
            outcome.updated,
            outcome.unchanged,
            rejected,
            parsed.warnings.len(),
            outcome.history_added
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A spinner on a terminal; nothing when output is piped.
fn spinner() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let p = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        p.set_style(style);
    }
    p.enable_steady_tick(Duration::from_millis(100));
    p
}
