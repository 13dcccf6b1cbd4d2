//! Ship identifiers: the IMO number and the MMSI.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::country::{self, Country};

/// Why a ship identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("IMO number is empty")]
    EmptyImo,
    #[error("IMO number {0:?} is not 7 digits")]
    ImoNotSevenDigits(String),
    #[error("IMO number {number} fails its check digit (expected {expected})")]
    ImoCheckDigit { number: String, expected: u32 },
    #[error("MMSI {0:?} is not 9 digits")]
    MmsiNotNineDigits(String),
}

/// An IMO ship identification number: seven digits, the last a check digit.
///
/// The check digit is the last digit of the sum of the first six digits
/// weighted 7, 6, 5, 4, 3, 2. [`Imo::new`] and `parse` refuse a number that
/// fails it. The JCC's own table has three such numbers (voyages 615, 626
/// and 711); [`Imo::published`] keeps a seven-digit number as published so
/// the record stays whole, and [`Imo::check`] says it will not match a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Imo(u32);

impl Imo {
    pub fn new(n: u32) -> Result<Self, IdError> {
        let text = n.to_string();
        if !(1_000_000..=9_999_999).contains(&n) {
            return Err(IdError::ImoNotSevenDigits(text));
        }
        let expected = Self::check_digit(n / 10);
        if n % 10 != expected {
            return Err(IdError::ImoCheckDigit {
                number: text,
                expected,
            });
        }
        Ok(Imo(n))
    }

    /// A seven-digit number as a source published it, check digit unverified.
    pub fn published(n: u32) -> Result<Self, IdError> {
        if !(1_000_000..=9_999_999).contains(&n) {
            return Err(IdError::ImoNotSevenDigits(n.to_string()));
        }
        Ok(Imo(n))
    }

    /// Parses a published number: seven digits, check digit not enforced.
    pub fn parse_published(s: &str) -> Result<Self, IdError> {
        match s.parse::<Imo>() {
            Err(IdError::ImoCheckDigit { number, .. }) => {
                Imo::published(number.parse().unwrap_or(0))
            }
            other => other,
        }
    }

    /// Whether the check digit holds.
    pub fn check(self) -> Result<(), IdError> {
        Imo::new(self.0).map(|_| ())
    }

    /// Check digit for the first six digits of an IMO number.
    pub fn check_digit(first_six: u32) -> u32 {
        let mut rest = first_six;
        let mut sum = 0;
        // Rightmost of the six digits has weight 2, leftmost 7.
        for weight in 2..=7 {
            sum += (rest % 10) * weight;
            rest /= 10;
        }
        sum % 10
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl FromStr for Imo {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let t = s.trim();
        // Registers sometimes write "IMO 9086526"; spreadsheets write "9086526.0".
        let t = t.strip_prefix("IMO").map(str::trim_start).unwrap_or(t);
        let t = t.strip_suffix(".0").unwrap_or(t);
        if t.is_empty() {
            return Err(IdError::EmptyImo);
        }
        if t.len() != 7 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::ImoNotSevenDigits(s.to_string()));
        }
        let n: u32 = t
            .parse()
            .map_err(|_| IdError::ImoNotSevenDigits(s.to_string()))?;
        // "0012345" has seven characters but is not a seven-digit number:
        // quote it as written, not as the number it parses to.
        Imo::new(n).map_err(|e| match e {
            IdError::ImoNotSevenDigits(_) => IdError::ImoNotSevenDigits(s.to_string()),
            other => other,
        })
    }
}

impl TryFrom<u32> for Imo {
    type Error = IdError;
    /// Stored numbers come back as they were published.
    fn try_from(n: u32) -> Result<Self, IdError> {
        Imo::published(n)
    }
}

impl From<Imo> for u32 {
    fn from(i: Imo) -> u32 {
        i.0
    }
}

impl fmt::Display for Imo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A Maritime Mobile Service Identity: nine digits.
///
/// For a ship station the first three digits are the Maritime Identification
/// Digits (MID) of the flag administration. Other station kinds (coast
/// stations `00`, groups `0`, SAR aircraft `111`, AtoN `99`, craft associated
/// with a parent ship `98`) carry the MID further right; [`Mmsi::mid`] knows
/// where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Mmsi(u32);

impl Mmsi {
    pub fn new(n: u32) -> Result<Self, IdError> {
        if n > 999_999_999 {
            return Err(IdError::MmsiNotNineDigits(n.to_string()));
        }
        Ok(Mmsi(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The Maritime Identification Digits, where this kind of MMSI carries them.
    pub fn mid(self) -> Option<u16> {
        let s = format!("{:09}", self.0);
        let digits = |from: usize| s[from..from + 3].parse::<u16>().ok();
        let mid = if s.starts_with("111")
            || s.starts_with("970")
            || s.starts_with("972")
            || s.starts_with("974")
        {
            // SAR aircraft carry the MID after 111; SART/MOB/EPIRB (97x) carry none.
            if s.starts_with("111") {
                digits(3)
            } else {
                None
            }
        } else if s.starts_with("00") || s.starts_with("99") || s.starts_with("98") {
            digits(2)
        } else if s.starts_with('0') || s.starts_with('8') {
            // Group call 0MIDxxxxx; handheld VHF 8MIDxxxxx.
            digits(1)
        } else {
            digits(0)
        };
        mid.filter(|m| (201..=775).contains(m))
    }

    /// The flag state the MID names, if the MID is allocated.
    pub fn flag(self) -> Option<&'static Country> {
        country::by_mid(self.mid()?)
    }
}

impl FromStr for Mmsi {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let t = s.trim();
        if t.len() != 9 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::MmsiNotNineDigits(s.to_string()));
        }
        t.parse()
            .map(Mmsi)
            .map_err(|_| IdError::MmsiNotNineDigits(s.to_string()))
    }
}

impl TryFrom<u32> for Mmsi {
    type Error = IdError;
    fn try_from(n: u32) -> Result<Self, IdError> {
        Mmsi::new(n)
    }
}

impl From<Mmsi> for u32 {
    fn from(m: Mmsi) -> u32 {
        m.0
    }
}

impl fmt::Display for Mmsi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:09}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_imo(input: &str, expect: Result<u32, &str>) {
        let got = input
            .parse::<Imo>()
            .map(Imo::get)
            .map_err(|e| e.to_string());
        match (got, expect) {
            (Ok(g), Ok(e)) => assert_eq!(g, e, "{input}"),
            (Err(g), Err(e)) => assert!(g.contains(e), "{input}: {g} does not contain {e}"),
            (g, e) => panic!("{input}: got {g:?}, expected {e:?}"),
        }
    }

    #[test]
    fn imo_numbers() {
        check_imo("9086526", Ok(9086526)); // RAZONI, voyage 1
        check_imo("IMO 9074729", Ok(9074729)); // the classic example
        check_imo("9590979.0", Ok(9590979));
        check_imo("9086527", Err("check digit (expected 6)"));
        check_imo("908652", Err("not 7 digits"));
        check_imo("", Err("empty"));
        check_imo("90865a6", Err("not 7 digits"));
        // Quoted as written, not as the number it parses to ("0").
        check_imo("0000000", Err("IMO number \"0000000\" is not 7 digits"));
        assert_eq!(
            Imo::parse_published("0012345").unwrap_err().to_string(),
            "IMO number \"0012345\" is not 7 digits"
        );
        let minoan_sky = Imo::parse_published("9422348").unwrap();
        assert!(minoan_sky.check().is_err());
        assert!(Imo::parse_published("942234").is_err());
    }

    #[test]
    fn mmsi_mid_and_flag() {
        let m: Mmsi = "272123456".parse().unwrap();
        assert_eq!(m.mid(), Some(272));
        assert_eq!(m.flag().map(|c| c.alpha2), Some("UA"));
        let coast: Mmsi = "002711000".parse().unwrap();
        assert_eq!(coast.mid(), Some(271));
        assert_eq!(coast.flag().map(|c| c.alpha2), Some("TR"));
        let sart: Mmsi = "970123456".parse().unwrap();
        assert_eq!(sart.mid(), None);
        assert!("27212345".parse::<Mmsi>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn imo_parse_never_panics(s in "\\PC*") {
            let _ = s.parse::<Imo>();
            let _ = s.parse::<Mmsi>();
        }

        #[test]
        fn every_six_digits_have_one_valid_imo(first in 100_000u32..999_999) {
            let valid = (0..10).filter(|d| Imo::new(first * 10 + d).is_ok()).count();
            proptest::prop_assert_eq!(valid, 1);
        }
    }
}
