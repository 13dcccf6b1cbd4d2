//! The `corridor` command. Thin: it parses arguments, reads the
//! configuration and calls the library crates; see `commands/`.

/// A line on standard error, like `eprintln!`, but a closed stderr (`2>&1 |
/// head`) is ignored instead of a panic: the work is done either way.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod commands;
mod config;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = commands::Cli::parse();
    let filter = match std::env::var("CORRIDOR_LOG") {
        Ok(v) => match tracing_subscriber::EnvFilter::try_new(&v) {
            Ok(f) => f,
            // A filter the operator set and mistyped is not ignored.
            Err(e) => {
                say!(
                    "error: CORRIDOR_LOG={v:?} is not a log filter ({e}); e.g. info or warn,corridor=debug"
                );
                return std::process::ExitCode::from(2);
            }
        },
        Err(_) => "warn,corridor=info".into(),
    };
    use std::io::IsTerminal as _;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a terminal, not into a file or journald.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            say!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            say!("error: {}", describe(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each said once: a wrapper that
/// already quotes its source (`cannot open …: unable to open database
/// file`) is not followed by the source again.
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        if out.ends_with(&msg) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&msg);
    }
    out
}
