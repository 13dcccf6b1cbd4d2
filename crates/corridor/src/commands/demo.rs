//! `corridor demo`: the whole system on a fresh embedded store, with the
//! JCC's real record and a live simulated AIS feed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args as ClapArgs;
use corridor_domain::Snapshot;
use corridor_server::{AppState, Options, router};
use corridor_store::ImportBatch;

use super::Context;

/// The JCC's table as of 14 June 2023, compiled in (see data/jcc/README.md).
const JCC_CSV: &[u8] = include_bytes!("../../../../data/jcc/bsgi_outbound_shipments_2023-06-14.csv");
const JCC_NAME: &str = "bsgi_outbound_shipments_2023-06-14.csv";

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Address to serve on
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Directory for the demo's store [default: a new temporary directory]
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Directory of the built dashboard [default: web/dist]
    #[arg(long, env = "CORRIDOR_WEB_DIR")]
    web_dir: Option<PathBuf>,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let addr: SocketAddr =
        args.listen.parse().with_context(|| format!("--listen {:?} is not an address like 127.0.0.1:8080", args.listen))?;
    let (dir, _keep) = match args.dir {
        Some(d) => {
            std::fs::create_dir_all(&d).with_context(|| format!("creating {}", d.display()))?;
            (d, None)
        }
        None => {
            let t = tempfile::tempdir().context("creating a temporary directory")?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let db = dir.join("corridor-demo.db");
    if db.exists() {
        anyhow::bail!("{} already exists: the demo starts from a fresh store (give another --dir)", db.display());
    }
    let url = db.display().to_string();
    let store = corridor_store::open(&url).await.context("creating the demo store")?;

    let parsed = corridor_import::jcc::read_bytes(JCC_NAME, JCC_CSV)?;
    let as_of = parsed.latest_departure().context("the embedded record has no voyages")?;
    let outcome = store
        .import(ImportBatch {
            snapshot: Snapshot { source: JCC_NAME.into(), as_of },
            format: &parsed.format.to_string(),
            recorded_at: jiff::Timestamp::now(),
            voyages: &parsed.voyages,
            progress: None,
        })
        .await?;

    // Clearance: a slice of a season with a user for every role. The party
    // keys are written next to the store: demo only, in production each
    // delegation keeps its own.
    let keys_dir = dir.join("party-keys");
    let seeded = corridor_clearance_service::seed::seed_demo(&url, &keys_dir).await.context("seeding the clearance demo")?;
    let clearance = corridor_clearance_service::router(&url).await.context("opening the clearance store")?;

    let web = super::serve::web_dir(args.web_dir, ctx);
    let app = router(AppState { store }, &Options { web_dir: web.clone(), api: vec![clearance], ..Options::default() });
    eprintln!("corridor demo");
    eprintln!("  record:    {} voyages imported from the JCC's table ({url})", outcome.imported);
    eprintln!(
        "  clearance: {} applications, {} log entries; party keys in {} (demo only)",
        seeded.applications, seeded.entries, seeded.keys_dir
    );
    eprintln!("  users (password {:?}, demo only):", corridor_clearance_service::seed::DEMO_PASSWORD);
    for (name, role) in &seeded.users {
        eprintln!("    {name:<22} {}", role.replace(['{', '}', '"'], "").replace(',', ", "));
    }
    match &web {
        Some(w) => eprintln!("  dashboard: http://{addr}/  (files from {})", w.display()),
        None => eprintln!("  dashboard: not built (run `npm ci && npm run build` in web/); API only"),
    }
    eprintln!("  API:       http://{addr}/api/v1/stats");
    eprintln!("  stop with Ctrl-C");
    corridor_server::serve(app, addr).await.with_context(|| format!("serving on {addr}"))?;
    Ok(ExitCode::SUCCESS)
}
