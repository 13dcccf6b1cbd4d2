//! Times the phases of an import: `cargo run --release -p corridor-store
//! --example import_profile -- DATABASE FILE` (what `bench/import` measures
//! end to end through the binary, split into reading and writing).

use std::time::Instant;

use corridor_domain::Snapshot;
use corridor_store::ImportBatch;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, file] = &args[..] else {
        return Err("usage: import_profile DATABASE FILE".into());
    };
    let t = Instant::now();
    let mut parsed = corridor_import::jcc::read_path(file.as_ref())?;
    let read = t.elapsed();
    eprintln!(
        "read {} rows, {} voyages, {} errors in {read:.2?}",
        parsed.rows_read,
        parsed.voyages.len(),
        parsed.errors.len()
    );
    let t = Instant::now();
    let store = corridor_store::open(db).await?;
    eprintln!("open in {:.2?}", t.elapsed());
    let t = Instant::now();
    let out = store
        .import(ImportBatch {
            snapshot: Snapshot {
                source: "profile".into(),
                as_of: parsed.latest_departure().ok_or("no voyages")?,
            },
            format: "profile",
            recorded_at: jiff::Timestamp::now(),
            voyages: std::mem::take(&mut parsed.voyages),
            progress: None,
        })
        .await?;
    let write = t.elapsed();
    eprintln!("write in {write:.2?}: {out:?}");
    eprintln!(
        "total {:.2?}: {:.0} rows/s",
        read + write,
        parsed.rows_read as f64 / (read + write).as_secs_f64()
    );
    Ok(())
}
