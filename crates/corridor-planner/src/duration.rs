//! Inspection durations: a distribution per direction and vessel-size class, given by its
//! P10/P50/P90 in minutes, learnable from recorded durations ([`DurationModel::learn`]).

use crate::error::{PlannerError, Result};
use crate::model::Direction;
use serde::{Deserialize, Serialize};

/// Duration distribution of one (direction, size) class.
///
/// The quantile function is piecewise linear through (0, 0.75·P10), (0.1, P10), (0.5, P50),
/// (0.9, P90), (1, 1.25·P90).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationModel {
    /// Direction this class applies to (`None` = both).
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Smallest vessel size (tonnes) of the class, inclusive.
    #[serde(default)]
    pub min_tonnes: u32,
    /// Largest vessel size (tonnes), inclusive; `None` = no limit.
    #[serde(default)]
    pub max_tonnes: Option<u32>,
    /// 10th percentile, minutes.
    pub p10_minutes: f64,
    /// Median, minutes.
    pub p50_minutes: f64,
    /// 90th percentile, minutes.
    pub p90_minutes: f64,
}

impl DurationModel {
    /// Default when no class matches: inspections "up to about 4 hours" (public reports).
    pub fn default_for(dir: Direction) -> Self {
        let (a, b, c) = match dir {
            Direction::Inbound => (120.0, 180.0, 240.0),
            Direction::Outbound => (150.0, 210.0, 240.0),
        };
        Self {
            direction: Some(dir),
            min_tonnes: 0,
            max_tonnes: None,
            p10_minutes: a,
            p50_minutes: b,
            p90_minutes: c,
        }
    }

    /// Whether the class covers a direction and size.
    pub fn matches(&self, dir: Direction, tonnes: u32) -> bool {
        self.direction.is_none_or(|d| d == dir)
            && tonnes >= self.min_tonnes
            && self.max_tonnes.is_none_or(|m| tonnes <= m)
    }

    /// Check the quantiles are finite, positive and ordered.
    pub fn validate(&self) -> Result<()> {
        let q = [self.p10_minutes, self.p50_minutes, self.p90_minutes];
        if q.iter()
            .any(|x| !x.is_finite() || *x <= 0.0 || *x > 24.0 * 60.0)
            || self.p10_minutes > self.p50_minutes
            || self.p50_minutes > self.p90_minutes
        {
            return Err(PlannerError::ConfigInvalid(format!(
                "duration quantiles {q:?} must be positive, at most a day and ordered"
            )));
        }
        Ok(())
    }

    /// Minutes at quantile `u` (clamped to [0, 1]).
    pub fn quantile(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
        let pts = [
            (0.0, 0.75 * self.p10_minutes),
            (0.1, self.p10_minutes),
            (0.5, self.p50_minutes),
            (0.9, self.p90_minutes),
            (1.0, 1.25 * self.p90_minutes),
        ];
        for w in pts.windows(2) {
            let ((u0, x0), (u1, x1)) = (w[0], w[1]);
            if u <= u1 {
                return x0 + (x1 - x0) * (u - u0) / (u1 - u0);
            }
        }
        pts[4].1
    }

    /// Mean of the piecewise-linear distribution.
    pub fn mean(&self) -> f64 {
        // Integral of the quantile function: trapezoids.
        let pts = [
            (0.0, 0.75 * self.p10_minutes),
            (0.1, self.p10_minutes),
            (0.5, self.p50_minutes),
            (0.9, self.p90_minutes),
            (1.0, 1.25 * self.p90_minutes),
        ];
        pts.windows(2)
            .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
            .sum()
    }

    /// Learn a class from recorded durations (minutes): nearest-rank P10/P50/P90.
    /// Returns `None` with fewer than 3 usable samples.
    pub fn learn(direction: Option<Direction>, samples: &[f64]) -> Option<Self> {
        let mut s: Vec<f64> = samples
            .iter()
            .copied()
            .filter(|x| x.is_finite() && *x > 0.0)
            .collect();
        if s.len() < 3 {
            return None;
        }
        s.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let i = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1;
            s[i]
        };
        Some(Self {
            direction,
            min_tonnes: 0,
            max_tonnes: None,
            p10_minutes: q(0.1),
            p50_minutes: q(0.5),
            p90_minutes: q(0.9),
        })
    }
}
