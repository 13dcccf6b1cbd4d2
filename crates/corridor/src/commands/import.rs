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
    /// The date the file describes the world as of [default: its latest date, departure or inspection]; of two files with the same date, the one imported last stands (so a corrected file replaces its first import)
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
    // A voyage date after tomorrow (a day's grace for a centre east of UTC)
    // is refused with its row.
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date();
    let latest = today.tomorrow().unwrap_or(today);
    let options = corridor_import::ReadOptions {
        latest: Some(latest),
    };
    let mut parsed = jcc::read_path_with(&args.file, &options)?;
    for e in &parsed.errors {
        progress.suspend(|| say!("error: {e}"));
    }
    for w in &parsed.warnings {
        progress.suspend(|| say!("warning: {w}"));
    }
    let not_utf8 = parsed.rows_not_utf8();
    if not_utf8 > 0 {
        progress.suspend(|| {
            say!(
                "note: {not_utf8} row(s) are not UTF-8 text: the file looks saved in another encoding (such as Windows-1252); save it as UTF-8 CSV and import it again"
            )
        });
    }
    let rejected = parsed.rows_rejected();
    if args.strict && !parsed.errors.is_empty() {
        progress.finish_and_clear();
        say!(
            "refused: {} error(s), {rejected} row(s) not imported, and --strict; nothing was written",
            parsed.errors.len()
        );
        return Ok(ExitCode::from(2));
    }
    let Some(as_of) = args.as_of.or_else(|| parsed.latest_date()) else {
        progress.finish_and_clear();
        anyhow::bail!(
            "{}: no valid voyage to import and no --as-of date",
            args.file.display()
        );
    };
    // A snapshot holds no date after its own: an --as-of before the file's
    // latest date is a typo that would rank the file's values below older
    // snapshots.
    if let (Some(given), Some(latest)) = (args.as_of, parsed.latest_date())
        && given < latest
    {
        progress.finish_and_clear();
        anyhow::bail!(
            "--as-of {given} is before the latest date in {} ({}); a snapshot cannot hold later dates: if that date is a typo, correct it in the file",
            args.file.display(),
            latest_date_is(&parsed).unwrap_or_else(|| latest.to_string())
        );
    }
    // A default snapshot date far past the file's last departure is most
    // likely one mistyped inspection date, and it decides which edition
    // stands: say where it comes from.
    if args.as_of.is_none()
        && let (Some(latest), Some(departed)) = (parsed.latest_date(), parsed.latest_departure())
        && departed.until(latest).is_ok_and(|s| s.get_days() > 31)
    {
        progress.suspend(|| {
            say!(
                "warning: the snapshot date is {}, more than a month after the file's last departure ({departed}); if it is a typo, correct the file, since the snapshot date decides which edition of a voyage stands",
                latest_date_is(&parsed).unwrap_or_else(|| latest.to_string())
            )
        });
    }
    // Nor one after tomorrow: a snapshot date never moves back (the history
    // is append-only), so a typo there would outrank every real edition for
    // good. (The file's own dates are at most tomorrow: see `latest`.)
    if as_of > latest {
        progress.finish_and_clear();
        anyhow::bail!(
            "--as-of {as_of} is after tomorrow ({latest}); a snapshot describes a day that has come"
        );
    }
    let source = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Stored and shown as the voyages' source: plain text, as every name is.
    if let Some(problem) = corridor_domain::text::plain_text_problem(&source, 255, &[]) {
        progress.finish_and_clear();
        anyhow::bail!(
            "{}: the file's name {problem}; rename the file",
            args.file.display()
        );
    }
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
    // The file alone is then the record (its write-ahead log folded in).
    store.close().await;
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
        "filled_in": outcome.filled_in,
        "unchanged": outcome.unchanged,
        "superseded": outcome.superseded,
        "rejected_rows": rejected,
        "errors": parsed.errors.len(),
        "warnings": parsed.warnings.len(),
        "history_added": outcome.history_added,
    });
    if args.json {
        super::print(&format!("{summary:#}\n"))?;
    } else {
        super::print(&format!(
            "{} ({}, as of {as_of}): read {} rows ({} voyages, {} cargo lines); imported {}, updated {}, unchanged {}, superseded {}, rejected {} rows ({} errors); {} warnings; {} history entries added\n",
            args.file.display(),
            parsed.format,
            parsed.rows_read,
            voyages_read,
            cargo_lines,
            outcome.imported,
            outcome.updated,
            outcome.unchanged,
            outcome.superseded,
            rejected,
            parsed.errors.len(),
            parsed.warnings.len(),
            outcome.history_added
        ))?;
        if outcome.filled_in > 0 {
            super::print(&format!(
                "updated: {} of these voyages only took values the record lacked (a WFP flag), {} had values changed\n",
                outcome.filled_in,
                outcome.updated - outcome.filled_in
            ))?;
        }
        if outcome.superseded > 0 {
            super::print(&format!(
                "superseded: the record holds a newer snapshot of {} of these voyages; this file's differing values are kept in their history\n",
                outcome.superseded
            ))?;
        }
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

/// The file's latest date and the voyage it belongs to, in words.
fn latest_date_is(parsed: &corridor_import::Parsed) -> Option<String> {
    let latest = parsed.latest_date()?;
    let v = parsed
        .voyages
        .iter()
        .find(|v| v.departure == latest || v.inspection_cleared == Some(latest))?;
    let what = if v.departure == latest {
        "departure"
    } else {
        "inspection date"
    };
    Some(format!("{latest}, the {what} of voyage #{}", v.key.seq))
}
