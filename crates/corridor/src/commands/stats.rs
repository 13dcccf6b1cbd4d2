//! `corridor stats`

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Args as ClapArgs;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use corridor_domain::{DateRange, Tonnes};
use jiff::civil::Date;

use super::Context;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Print one JSON object instead of tables
    #[arg(long)]
    json: bool,
    /// First departure date counted (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<Date>,
    /// Last departure date counted (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<Date>,
}

pub async fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    if let (Some(f), Some(u)) = (args.from, args.until) {
        anyhow::ensure!(f <= u, "--from {f} is after --until {u}");
    }
    let store = ctx.existing_store().await?;
    let s = store
        .stats(DateRange {
            from: args.from,
            until: args.until,
        })
        .await?;
    store.close().await;
    if args.json {
        super::print(&format!("{}\n", serde_json::to_string_pretty(&s)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    let range = match (s.from, s.until) {
        (None, None) => "all departures".to_string(),
        (f, u) => format!(
            "departures {} to {}",
            f.map_or("start".into(), |d| d.to_string()),
            u.map_or("now".into(), |d| d.to_string())
        ),
    };
    let mut out = format!(
        "{range}: {} t in {} voyages, {} cargo lines; WFP {} t\n",
        s.tonnes.grouped(),
        s.voyages,
        s.cargo_lines,
        s.wfp_tonnes.grouped()
    );
    for (title, map) in [
        ("port", &s.by_port),
        ("commodity", &s.by_commodity),
        ("income group", &s.by_income_group),
        ("development category", &s.by_development_category),
        ("UN region", &s.by_un_region),
        ("destination", &s.by_country),
    ] {
        out.push_str(&format!("{}\n", table(title, map, s.tonnes, true)));
    }
    out.push_str(&format!(
        "{}\n",
        table("month", &s.by_month, s.tonnes, false)
    ));
    super::print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn table(title: &str, map: &BTreeMap<String, Tonnes>, total: Tonnes, by_size: bool) -> Table {
    let mut rows: Vec<(&String, &Tonnes)> = map.iter().collect();
    if by_size {
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec![title, "tonnes", "share"]);
    for (k, v) in rows {
        t.add_row(vec![
            k.clone(),
            v.grouped(),
            format!("{:.1} %", v.percent_of(total)),
        ]);
    }
    t
}
