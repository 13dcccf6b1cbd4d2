//! Capacity configuration: parsing, validation and the capacity of a day.

mod common;

use corridor_planner::{CapacityConfig, PlannerError};
use jiff::civil::date;
use proptest::prelude::*;

/// The one check: parse `toml`; on success compare (teams, per-team rate) on each given day,
/// on failure compare the error's kind.
fn check(toml: &str, expect: Result<&[(jiff::civil::Date, u32, f64)], &str>) {
    match (CapacityConfig::from_toml(toml), expect) {
        (Ok(cfg), Ok(days)) => {
            for &(d, teams, rate) in days {
                let c = cfg.day(d);
                assert_eq!(c.teams, teams, "teams on {d}");
                assert!(
                    (c.per_team - rate).abs() < 1e-9,
                    "rate on {d}: {}",
                    c.per_team
                );
            }
        }
        (Err(e), Err(kind)) => {
            let k = match e {
                PlannerError::ConfigSyntax(_) => "syntax",
                PlannerError::ConfigInvalid(_) => "invalid",
                PlannerError::TimeZone(_) => "tz",
                _ => "other",
            };
            assert_eq!(k, kind, "{e}");
        }
        (r, e) => panic!("got {r:?}, expected {e:?}"),
    }
}

#[test]
fn examples() {
    let base = r#"
[window]
start = "07:00"
end = "15:30"
[[period]]
from = "2022-08-01"
to = "2022-08-31"
teams = 2
inspections_per_team_day = 2.0
[[period]]
from = "2022-08-10"
to = "2022-08-12"
teams = 5
inspections_per_team_day = 3.0
[[stoppage]]
from = "2022-08-20"
to = "2022-08-21"
kind = "weather"
"#;
    check(
        base,
        Ok(&[
            (date(2022, 8, 1), 2, 2.0),
            (date(2022, 8, 11), 5, 3.0),
            (date(2022, 8, 20), 0, 2.0),
            (date(2022, 9, 1), 0, 8.5 * 60.0 / 195.0),
        ]),
    );
    check("", Ok(&[(date(2022, 8, 1), 0, 8.5 * 60.0 / 195.0)]));
    check("time_zone = \"Mars/Olympus\"", Err("tz"));
    // One place of the geometry can belong to one area only.
    check(
        "[[area]]\nname = \"a\"\ngeometry = [\"Kilyos anchorage\"]\n[[area]]\nname = \"b\"\ngeometry = [\"Kilyos anchorage\"]",
        Err("invalid"),
    );
    // Nor be another area's own name.
    check(
        "[[area]]\nname = \"a\"\ngeometry = [\"b\"]\n[[area]]\nname = \"b\"",
        Err("invalid"),
    );
    let two = CapacityConfig::from_toml(
        "[[area]]\nname = \"a\"\ngeometry = [\"Inspection Area Marmara\"]\n[[area]]\nname = \"b\"",
    )
    .expect("areas");
    assert_eq!(
        (
            two.area_at("Inspection Area Marmara"),
            two.area_at("inspection area marmara "),
            two.area_at("b"),
            two.area_at("elsewhere")
        ),
        (Some("a"), Some("a"), Some("b"), None)
    );
    check(
        "[window]\nstart = \"15:00\"\nend = \"07:00\"",
        Err("invalid"),
    );
    check("[window]\nstart = \"7h\"\nend = \"15:30\"", Err("invalid"));
    check(
        "[[period]]\nfrom = \"2022-09-01\"\nto = \"2022-08-01\"\nteams = 1",
        Err("invalid"),
    );
    check(
        "[[rate]]\nmonth = \"2022-13\"\ninspections_per_team_day = 1.0",
        Err("invalid"),
    );
    check(
        "[[duration]]\np10_minutes = 300.0\np50_minutes = 200.0\np90_minutes = 250.0",
        Err("invalid"),
    );
    check("[readiness]\nnot_ready_probability = 1.5", Err("invalid"));
    check(
        "[[travel]]\nfrom = \"a\"\nto = \"b\"\nminutes = 3",
        Err("invalid"),
    );
    check("teams = [", Err("syntax"));
    check("unknown_key = 1", Err("syntax"));
}

/// Open finding 8: a "party absent" stoppage stops only the teams that need that party; a team
/// that names no parties is joint (needs every one); `teams` caps what is left.
#[test]
fn a_party_absent_stops_only_the_teams_that_need_it() {
    let cfg = r#"
[[period]]
from = "2022-08-01"
teams = 4
inspections_per_team_day = 2.0
[[team]]
name = "tr-un-ua"
parties = ["TR", "UN", "UA"]
[[team]]
name = "joint-ru"
parties = ["RU", "TR", "UN", "UA"]
[[team]]
name = "un-ua"
parties = ["UN", "UA"]
# team 4 is unnamed: a joint team of every delegation
[[stoppage]]
from = "2022-08-10"
to = "2022-08-11"
kind = "party absent"
absent = ["RU"]
[[stoppage]]
from = "2022-08-12"
to = "2022-08-12"
absent = ["RU"]
teams = 1
[[stoppage]]
from = "2022-08-13"
to = "2022-08-13"
absent = ["TR", "RU"]
[[stoppage]]
from = "2022-08-14"
to = "2022-08-14"
teams = 3
[[stoppage]]
from = "2022-08-15"
to = "2022-08-15"
kind = "weather"
# by name, then a cap over what is left
[[stoppage]]
from = "2022-08-16"
to = "2022-08-16"
stops = ["tr-un-ua"]
[[stoppage]]
from = "2022-08-16"
to = "2022-08-16"
teams = 2
"#;
    check(
        cfg,
        Ok(&[
            (date(2022, 8, 9), 4, 2.0),
            (date(2022, 8, 10), 2, 2.0),
            (date(2022, 8, 12), 1, 2.0),
            (date(2022, 8, 13), 1, 2.0),
            (date(2022, 8, 14), 3, 2.0),
            (date(2022, 8, 15), 0, 2.0),
            (date(2022, 8, 16), 2, 2.0),
        ]),
    );
    let cfg = CapacityConfig::from_toml(cfg).expect("parses");
    assert_eq!(cfg.working_teams(date(2022, 8, 10)), vec![0, 2]);
    assert_eq!(cfg.working_teams(date(2022, 8, 13)), vec![2]);
    assert_eq!(cfg.working_teams(date(2022, 8, 14)), vec![0, 1, 2]);
    assert_eq!(cfg.working_teams(date(2022, 8, 16)), vec![1, 2]);
    let bad = "[[stoppage]]\nfrom = \"2022-08-01\"\nto = \"2022-08-01\"\nabsent = [\"\"]";
    check(bad, Err("invalid"));
    check(
        "[[team]]\nname = \"a\"\nparties = [\"R U\"]",
        Err("invalid"),
    );
}

#[test]
fn the_real_season_file() {
    let cfg = common::capacity();
    check(
        &std::fs::read_to_string(common::capacity_path()).expect("file"),
        Ok(&[
            (date(2022, 8, 15), 2, 1.63),
            (date(2022, 9, 15), 4, 2.61),
            (date(2022, 10, 29), 0, 2.18),
            (date(2022, 10, 31), 10, 3.5),
            (date(2022, 11, 15), 3, 1.85),
            (date(2023, 5, 24), 2, 1.23),
        ]),
    );
    assert_eq!(cfg.window_minutes(), 510);
    assert!(cfg.tz().is_ok());
    // Round trip through TOML.
    let again = CapacityConfig::from_toml(&cfg.to_toml().expect("serialises")).expect("parses");
    assert_eq!(again, cfg);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,200}") {
        let _ = CapacityConfig::from_toml(&s);
    }
}
