//! `corridor ais decode`

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args as ClapArgs, Subcommand};
use corridor_ais::{DecodeOptions, decode_stream_reporting};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode AIVDM/AIVDO to one JSON object per message, in gpsd's field names and units
    Decode(DecodeArgs),
}

#[derive(Debug, ClapArgs)]
pub struct DecodeArgs {
    /// Input file, or - for standard input
    #[arg(default_value = "-")]
    input: PathBuf,
    /// Decode without output; print counts by type, partial, rejected and dropped, and the time taken
    #[arg(long)]
    stats: bool,
    /// Raw integer fields, as `gpsdecode -u`
    #[arg(long)]
    unscaled: bool,
    /// Decode sentences whose checksum is wrong instead of rejecting them
    #[arg(long)]
    ignore_checksum: bool,
}

pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    let Command::Decode(args) = cmd;
    let input: Box<dyn Read> = if args.input.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(
            File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?,
        )
    };
    let mut opts = DecodeOptions {
        stats_only: args.stats,
        ..DecodeOptions::default()
    };
    opts.json.scaled = !args.unscaled;
    opts.parse.verify_checksum = !args.ignore_checksum;
    // Which line was refused (a sentence rejected, or a fragment of a
    // multi-sentence message dropped), and why, on stderr (the first
    // REPORTED; all are counted in the summary).
    let name = args.input.display().to_string();
    let mut shown = 0u64;
    let report = |line: u64, why: corridor_ais::Refusal, text: &[u8]| {
        use io::Write as _;
        shown += 1;
        if shown <= REPORTED {
            let text = String::from_utf8_lossy(text);
            let text = text.trim_end();
            let cut: String = text.chars().take(82).collect();
            let more = if cut.len() < text.len() { "…" } else { "" };
            let _ = writeln!(io::stderr(), "{name}:{line}: {why}: {cut}{more}");
        } else if shown == REPORTED + 1 {
            let _ = writeln!(
                io::stderr(),
                "{name}: further refused sentences and dropped fragments are only counted (see the summary)"
            );
        }
    };
    let summary = match decode_stream_reporting(
        BufReader::with_capacity(1 << 16, input),
        io::stdout().lock(),
        report,
        &opts,
    ) {
        Ok(s) => s,
        // The reader went away (`| head`): a normal end, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(anyhow::Error::new(e).context("decoding")),
    };
    if args.stats {
        super::print(&format!("{summary}\n"))?;
    } else {
        use io::Write as _;
        // A closed stderr is no reason to fail (or panic) after the work is done.
        let _ = writeln!(io::stderr(), "{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Refused sentences and dropped fragments named one by one on stderr
/// before only counting them.
const REPORTED: u64 = 100;
