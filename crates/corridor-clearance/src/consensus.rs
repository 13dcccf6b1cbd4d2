//! How the parties' current decisions combine into an outcome.

use crate::config::ConsensusRule;
use corridor_ledger::DecisionKind;
use serde::{Deserialize, Serialize};

/// The combined result of the parties' current decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consensus {
    /// The rule is met.
    Approved,
    /// The rule can no longer be met (unanimity: any rejection).
    Rejected,
    /// Not decided, and at least one party holds.
    Held,
    /// Not decided, no hold.
    Pending,
}

/// Combines `decisions` (one optional current decision per configured party;
/// decisions on an older version of the application must already be removed).
pub fn consensus(rule: ConsensusRule, decisions: &[Option<&DecisionKind>]) -> Consensus {
    let n = decisions.len();
    let approvals = decisions
        .iter()
        .filter(|d| matches!(d, Some(DecisionKind::Approve)))
        .count();
    let rejections = decisions
        .iter()
        .filter(|d| matches!(d, Some(DecisionKind::Reject { .. })))
        .count();
    let holds = decisions
        .iter()
        .filter(|d| matches!(d, Some(DecisionKind::Hold { .. })))
        .count();
    let needed = match rule {
        ConsensusRule::Unanimity => n,
        ConsensusRule::Quorum { approvals } => (approvals as usize).min(n),
    };
    if n == 0 {
        return Consensus::Pending;
    }
    if approvals >= needed {
        Consensus::Approved
    } else if rejections > n - needed {
        Consensus::Rejected
    } else if holds > 0 {
        Consensus::Held
    } else {
        Consensus::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<DecisionKind> {
        match s {
            "A" => Some(DecisionKind::Approve),
            "H" => Some(DecisionKind::Hold {
                reason_code: "R".into(),
                text: String::new(),
            }),
            "R" => Some(DecisionKind::Reject {
                reason_code: "R".into(),
                text: String::new(),
            }),
            _ => None,
        }
    }

    fn check(rule: ConsensusRule, decisions: &str, expected: Consensus) {
        let ds: Vec<Option<DecisionKind>> = decisions.chars().map(|c| d(&c.to_string())).collect();
        let refs: Vec<Option<&DecisionKind>> = ds.iter().map(Option::as_ref).collect();
        assert_eq!(consensus(rule, &refs), expected, "{rule:?} {decisions}");
    }

    #[test]
    fn unanimity_and_quorum() {
        use Consensus::*;
        let u = ConsensusRule::Unanimity;
        check(u, "AAAA", Approved);
        check(u, "AAA-", Pending);
        check(u, "AAAH", Held);
        check(u, "AAHR", Rejected);
        check(u, "----", Pending);
        check(u, "A", Approved);
        let q = ConsensusRule::Quorum { approvals: 3 };
        check(q, "AAA-", Approved);
        check(q, "AAR-", Pending);
        check(q, "AARR", Rejected);
        check(q, "AAH-", Held);
        check(q, "AARH", Held);
    }
}
