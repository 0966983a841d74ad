"""Domain signals: services send them after a change (inside the same transaction), so features
such as notifications react without the sender importing them.

Receivers take (sender, **kwargs) and must not commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Case; kwargs: actor
case_opened = _signals.signal("case-opened")
# sender: the Case; kwargs: actor, stage (code), change ("completed" | "started" | "reopened")
stage_changed = _signals.signal("stage-changed")
# sender: the SteeringMember; kwargs: actor, case
member_added = _signals.signal("member-added")
# sender: the minutes version; kwargs: actor, case, signatories (list of User)
minutes_awaiting_approval = _signals.signal("minutes-awaiting-approval")
# sender: the Case; kwargs: actor
decision_registered = _signals.signal("decision-registered")
# sender: the app; kwargs: checkpoint (AuditCheckpoint, just written in the current transaction)
checkpoint_written = _signals.signal("checkpoint-written")
# sender: the CounterProposal; kwargs: actor, case
counter_proposal_submitted = _signals.signal("counter-proposal-submitted")
# sender: the MinutesSignature (a refusal); kwargs: actor, case, version
minutes_refused = _signals.signal("minutes-refused")
# sender: the CentralNegotiationRequest; kwargs: actor, case
central_negotiation_requested = _signals.signal("central-negotiation-requested")
# sender: the Case; kwargs: actor (the end of the local negotiation was recorded)
negotiation_ended = _signals.signal("negotiation-ended")
# sender: the RiskAssessment; kwargs: actor, case
risk_assessment_created = _signals.signal("risk-assessment-created")
# sender: the RiskAssessment; kwargs: actor, case
risk_assessment_cosigned = _signals.signal("risk-assessment-cosigned")
# sender: the Case; kwargs: actor, due (date: the mandatory negotiation's deadline)
urgent_decision_recorded = _signals.signal("urgent-decision-recorded")
# sender: the Case; kwargs: actor, user (the decision maker assigned)
decision_maker_assigned = _signals.signal("decision-maker-assigned")
