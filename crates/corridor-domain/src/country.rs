//! ISO 3166 countries, the MID table, and the JCC's country groupings.
//!
//! The tables are data files compiled in (`data/*.tsv`), parsed once on
//! first use. Lookup by name is forgiving because the published record is
//! not: "Libera", "Beliza", "Hong-Kong", a non-breaking space inside
//! "Marshall Islands". Every spelling we accept is listed in the data file,
//! so the mapping is reviewable rather than hidden in code.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// A country or territory (ISO 3166-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Country {
    pub alpha2: &'static str,
    pub alpha3: &'static str,
    pub name: &'static str,
    /// Maritime Identification Digits allocated to this flag.
    #[serde(skip)]
    pub mids: Vec<u16>,
    /// How the JCC grouped this country as a destination, where it did.
    pub groups: Option<CountryGroups>,
}

/// The JCC's grouping of a destination country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryGroups {
    pub income_group: &'static str,
    pub world_bank_region: &'static str,
    pub un_region: &'static str,
    pub development_category: &'static str,
    pub least_developed: bool,
}

struct Tables {
    countries: Vec<Country>,
    by_key: HashMap<String, usize>,
    by_mid: HashMap<u16, usize>,
}

const COUNTRIES: &str = include_str!("../data/countries.tsv");
const GROUPS: &str = include_str!("../data/country_groups.tsv");

fn data_lines(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut groups: HashMap<&str, CountryGroups> = HashMap::new();
        for f in data_lines(GROUPS) {
            if let [a3, income, wb, un, dev, ldc] = f[..] {
                groups.insert(
                    a3,
                    CountryGroups {
                        income_group: income,
                        world_bank_region: wb,
                        un_region: un,
                        development_category: dev,
                        least_developed: ldc == "yes",
                    },
                );
            }
        }
        let mut t = Tables {
            countries: Vec::new(),
            by_key: HashMap::new(),
            by_mid: HashMap::new(),
        };
        for f in data_lines(COUNTRIES) {
            let [a2, a3, name, mids, aliases] = f[..] else {
                continue;
            };
            let idx = t.countries.len();
            let mids: Vec<u16> = mids.split(',').filter_map(|m| m.parse().ok()).collect();
            for m in &mids {
                t.by_mid.insert(*m, idx);
            }
            for key in [a2, a3, name]
                .into_iter()
                .chain(aliases.split('|').filter(|a| !a.is_empty()))
            {
                t.by_key.insert(normalise(key), idx);
            }
            t.countries.push(Country {
                alpha2: a2,
                alpha3: a3,
                name,
                mids,
                groups: groups.remove(a3),
            });
        }
        t
    })
}

/// Case, spacing and punctuation-insensitive key for a country name: `.`
/// and `,` dropped, runs of whitespace as one space, no space at either
/// end, lower case. One pass and one allocation (imports look up every
/// row's destination).
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !matches!(c, '.' | ',') {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if out.is_ascii() {
        out.make_ascii_lowercase();
        out
    } else {
        out.to_lowercase()
    }
}

/// Finds a country by ISO alpha-2, alpha-3, name or a known variant spelling.
pub fn lookup(name: &str) -> Option<&'static Country> {
    let t = tables();
    t.by_key.get(&normalise(name)).map(|&i| &t.countries[i])
}

/// The flag state a Maritime Identification Digit belongs to.
pub fn by_mid(mid: u16) -> Option<&'static Country> {
    let t = tables();
    t.by_mid.get(&mid).map(|&i| &t.countries[i])
}

/// Every known country, in file order.
pub fn all() -> &'static [Country] {
    &tables().countries
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The one-pass `normalise` against its definition, step by step.
        #[test]
        fn normalise_is_its_definition(name in "[ \t\u{a0}.,a-zA-Z\u{c0}-\u{17f}-]{0,24}") {
            let spec = name
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .filter(|c| !matches!(c, '.' | ','))
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            proptest::prop_assert_eq!(normalise(&name), spec);
        }
    }

    #[test]
    fn variant_spellings_in_the_record() {
        for (published, iso) in [
            ("Libera", "LR"),
            ("Beliza", "BZ"),
            ("Hong-Kong", "HK"),
            ("Marshall\u{a0}Islands", "MH"),
            ("St. Kitts and Navis", "KN"),
            ("St. Vincent and the\u{a0}Grenadines", "VC"),
            ("Turkiye", "TR"),
            ("The Netherlands", "NL"),
            ("Republic of Korea", "KR"),
            ("Viet Nam", "VN"),
        ] {
            assert_eq!(
                lookup(published).map(|c| c.alpha2),
                Some(iso),
                "{published}"
            );
        }
        assert!(lookup("Atlantis").is_none());
    }

    /// Review of the eligibility checks (2026-11-30): 21 ISO 3166-1 codes
    /// were missing, so a ship flagged in the Isle of Man, or bound for
    /// Guam, could not be applied for. Every officially assigned code is
    /// known.
    #[test]
    fn every_iso_3166_code_is_known() {
        let codes: std::collections::HashSet<&str> = all().iter().map(|c| c.alpha2).collect();
        assert_eq!(codes.len(), 249, "ISO 3166-1 assigns 249 alpha-2 codes");
        for code in ["IM", "SX", "GU", "JE", "YT", "AX"] {
            assert_eq!(lookup(code).map(|c| c.alpha2), Some(code));
        }
    }

    #[test]
    fn groups_and_mids() {
        let yemen = lookup("Yemen").unwrap();
        let g = yemen.groups.as_ref().unwrap();
        assert!(g.least_developed);
        assert_eq!(g.income_group, "low-income");
        assert_eq!(by_mid(538).unwrap().name, "Marshall Islands");
        let mut seen = std::collections::HashSet::new();
        for c in all() {
            assert!(seen.insert(c.alpha3), "duplicate {}", c.alpha3);
        }
    }
}
