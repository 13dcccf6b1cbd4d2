//! `cargo run --example ais_decode -- [--stats] [--raw] [FILE|-]`: decode to gpsd JSON lines.
use std::io::{self, BufReader};

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = corridor_ais::DecodeOptions {
        stats_only: args.iter().any(|a| a == "--stats"),
        json: corridor_ais::JsonOptions {
            scaled: !args.iter().any(|a| a == "--raw"),
            device: None,
        },
        ..Default::default()
    };
    let file = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("-", String::as_str);
    let summary = if file == "-" {
        corridor_ais::decode_stream(io::stdin().lock(), io::stdout().lock(), &opts)?
    } else {
        corridor_ais::decode_stream(
            BufReader::new(std::fs::File::open(file)?),
            io::stdout().lock(),
            &opts,
        )?
    };
    if opts.stats_only {
        println!("{summary}");
    }
    Ok(())
}
