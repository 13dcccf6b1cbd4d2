//! The checks a command's values pass before anything is logged: free
//! text, reasons, findings, an inspection's checklist, a stoppage, a vessel
//! not already in another application.

use super::*;

impl Clearance {
    /// The checklist items an inspection confirmed, in checklist order:
    /// every id must be on the corridor's checklist, and a pass needs all
    /// of them (the refusal names the missing ones by label).
    pub(super) fn checklist(
        &self,
        checked: &[String],
        pass: bool,
    ) -> Result<Vec<String>, ClearanceError> {
        let items = &self.config.inspection.checklist;
        if let Some(unknown) = checked.iter().find(|c| !items.iter().any(|i| &i.id == *c)) {
            let known: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
            return Err(ClearanceError::Invalid(format!(
                "checked: {unknown:?} is not on this corridor's inspection checklist ({})",
                if known.is_empty() {
                    "it has none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        let (confirmed, missing): (Vec<_>, Vec<_>) =
            items.iter().partition(|i| checked.contains(&i.id));
        if pass && !missing.is_empty() {
            return Err(ClearanceError::ChecklistIncomplete {
                missing: missing.iter().map(|i| i.label.clone()).collect(),
            });
        }
        Ok(confirmed.into_iter().map(|i| i.id.clone()).collect())
    }

    /// A vessel makes one voyage at a time: refuses a second live
    /// application for the same IMO number (whichever company files it), so
    /// the queue and the plan never hold one ship twice; and one that
    /// declares the MMSI another live application declares.
    /// Why application `id`, a draft, could not be submitted for its
    /// vessel now (another live application names its IMO or MMSI), as
    /// the submission would be refused; `None` when nothing stands in the way.
    pub fn vessel_taken(&self, id: &str) -> Option<ClearanceError> {
        let app = self.applications.get(id)?;
        (app.status == Status::Draft)
            .then(|| self.vessel_free(id, &app.content.vessel, true).err())
            .flatten()
    }

    pub(super) fn vessel_free(
        &self,
        id: &str,
        vessel: &crate::application::Vessel,
        check_mmsi: bool,
    ) -> Result<(), ClearanceError> {
        let live = || {
            self.applications
                .values()
                .filter(|o| o.id != id && o.status.is_live())
        };
        // Named to its own company only (a hostile review probed which
        // vessels other companies had applied for).
        let company = self.applications.get(id).map(|a| a.company.as_str());
        let named = |o: &Application, what: String| {
            if company == Some(o.company.as_str()) {
                what
            } else {
                "a live application of another company".to_string()
            }
        };
        if let Some(other) = live().find(|o| o.content.vessel.same_ship(vessel)) {
            return Err(ClearanceError::VesselInAnotherApplication {
                imo: vessel.imo.trim().to_string(),
                other: named(other, format!("live application {}", other.id)),
            });
        }
        // Nor does an MMSI stand for two vessels waiting for their
        // arrival: tracking would log one's arrival for the other.
        if check_mmsi
            && let Some(mmsi) = vessel.mmsi_digits()
            && let Some(other) = live()
                .filter(|o| o.status.awaits_arrival())
                .find(|o| o.content.vessel.mmsi_digits() == Some(mmsi))
        {
            return Err(ClearanceError::MmsiInAnotherApplication {
                mmsi: mmsi.to_string(),
                other: named(
                    other,
                    format!(
                        "live application {} (IMO {})",
                        other.id, other.content.vessel.imo
                    ),
                ),
            });
        }
        Ok(())
    }

    /// A stoppage as it will be logged: dates in order and canonical, at most
    /// `MAX_STOPPAGE_DAYS` long; absent parties known, each once, named for
    /// and only for `party_absent`; a reason.
    pub(super) fn check_stoppage(
        &self,
        s: StoppageContent,
    ) -> Result<StoppageContent, ClearanceError> {
        use crate::stoppage::StoppageKind;
        let (first, last) = crate::stoppage::check_days(&s.from, &s.to)?;
        let (from, to) = (first.to_string(), last.to_string());
        for (i, p) in s.absent.iter().enumerate() {
            if !self.config.has_party(p) {
                return Err(ClearanceError::UnknownParty(p.clone()));
            }
            if s.absent[..i].contains(p) {
                return Err(ClearanceError::Invalid(format!(
                    "absent: {p} is named twice"
                )));
            }
        }
        match (s.kind, s.absent.is_empty()) {
            (StoppageKind::PartyAbsent, true) => {
                return Err(ClearanceError::Invalid(
                    "absent: name the absent parties of a party_absent stoppage".into(),
                ));
            }
            (StoppageKind::PartyAbsent, false) | (_, true) => {}
            (_, false) => {
                return Err(ClearanceError::Invalid(
                    "absent: parties are named only for kind party_absent".into(),
                ));
            }
        }
        if let Some(t) = s.teams
            && t > 1000
        {
            return Err(ClearanceError::Invalid(format!(
                "teams: {t} is more than 1000"
            )));
        }
        let reason = required_text("reason", "a stoppage", &s.reason)?;
        Ok(StoppageContent {
            from,
            to,
            reason,
            ..s
        })
    }
}

/// Longest reason code of a hold or rejection (`DOCS_MISSING`).
const MAX_REASON_CODE_CHARS: usize = 64;

/// A hold or rejection says why (see [`check_finding`]); a release is not a
/// decision at all.
pub(super) fn check_reason(kind: &DecisionKind) -> Result<(), ClearanceError> {
    if *kind == DecisionKind::Release {
        return Err(ClearanceError::Invalid(
            "a release is not a decision: it lifts the party's own hold on an application (POST …/holds/{party}/release)"
                .into(),
        ));
    }
    let (DecisionKind::Hold { reason_code, text } | DecisionKind::Reject { reason_code, text }) =
        kind
    else {
        return Ok(());
    };
    check_finding(&format!("a {}", kind.name()), reason_code, text)
}

/// An effect spans some time and names each team once, plainly.
pub(super) fn check_effect(e: &StoppageEffect) -> Result<(), ClearanceError> {
    use crate::stoppage::MAX_TEAM_NAME_CHARS;
    if e.ends_at <= e.starts_at {
        return Err(ClearanceError::Invalid(
            "effect: it ends before it starts".into(),
        ));
    }
    if e.stops.len() > 1000 {
        return Err(ClearanceError::Invalid(
            "effect: more than 1000 teams".into(),
        ));
    }
    for (i, t) in e.stops.iter().enumerate() {
        let n = t.chars().count();
        if n == 0 || n > MAX_TEAM_NAME_CHARS || t.chars().any(char::is_control) {
            return Err(ClearanceError::Invalid(format!(
                "effect: team name {t:?} is not 1 to {MAX_TEAM_NAME_CHARS} plain characters"
            )));
        }
        if e.stops[..i].contains(t) {
            return Err(ClearanceError::Invalid(format!(
                "effect: team {t} is named twice"
            )));
        }
    }
    // Day by day, each after the other over the whole stoppage, each
    // naming some of the teams it stops.
    if let (Some(first), Some(last)) = (e.days.first(), e.days.last()) {
        if first.starts_at != e.starts_at || last.ends_at != e.ends_at {
            return Err(ClearanceError::Invalid(
                "effect: its days do not span the stoppage".into(),
            ));
        }
        for (i, d) in e.days.iter().enumerate() {
            let after = i.checked_sub(1).and_then(|p| e.days.get(p));
            if d.ends_at <= d.starts_at || after.is_some_and(|p| p.ends_at != d.starts_at) {
                return Err(ClearanceError::Invalid(format!(
                    "effect: day {} does not follow the one before",
                    i + 1
                )));
            }
            if let Some(t) = d.stops.iter().find(|t| !e.stops.contains(t)) {
                return Err(ClearanceError::Invalid(format!(
                    "effect: day {} stops team {t}, which the stoppage does not name",
                    i + 1
                )));
            }
        }
        if let Some(t) = e
            .stops
            .iter()
            .find(|t| !e.days.iter().any(|d| d.stops.contains(t)))
        {
            return Err(ClearanceError::Invalid(format!(
                "effect: team {t} is stopped on none of its days"
            )));
        }
    }
    Ok(())
}

/// A reason the command cannot go without: trimmed, 1 to `MAX_TEXT_CHARS`
/// characters of plain text.
pub(super) fn required_text(field: &str, what: &str, text: &str) -> Result<String, ClearanceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ClearanceError::Invalid(format!(
            "{field}: {what} needs a {field} (1 to {MAX_TEXT_CHARS} characters)"
        )));
    }
    check_free_text(field, text)?;
    Ok(text.to_string())
}

/// Free text kept in the log (a reason, a note): plain text, at most
/// `MAX_TEXT_CHARS`, line breaks allowed. Whether it may be empty is the
/// caller's rule. The refusal names `field`.
pub(super) fn check_free_text(field: &str, text: &str) -> Result<(), ClearanceError> {
    match corridor_domain::text::plain_text_problem(
        text,
        MAX_TEXT_CHARS,
        crate::application::LINE_BREAKS,
    ) {
        Some(p) => Err(ClearanceError::Invalid(format!("{field}: {p}"))),
        None => Ok(()),
    }
}

/// A hold, rejection, failed inspection or suspension says why: a reason
/// code and a text, both plain text, both bounded (they stay in the public
/// record for good). `what` names the thing in the refusal.
pub(super) fn check_finding(
    what: &str,
    reason_code: &str,
    text: &str,
) -> Result<(), ClearanceError> {
    let invalid = |m: String| Err(ClearanceError::Invalid(m));
    if reason_code.trim().is_empty() || text.trim().is_empty() {
        return invalid(format!("{what} needs a reason code and a reason"));
    }
    if let Some(p) =
        corridor_domain::text::plain_text_problem(reason_code, MAX_REASON_CODE_CHARS, &[])
    {
        return invalid(format!("reason_code: {p}"));
    }
    check_free_text("text", text)
}
