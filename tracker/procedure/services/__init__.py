"""The procedure's writes, by responsibility: `stages` (content, complete, reopen, positions),
`closing` (end of negotiation, central negotiation, urgent decision), `decision` (overrides,
registering the decision), `evaluation` (approval, archiving).

Services take the actor, check the policy predicates (`tracker.procedure.policy`) and the gates,
change data, flush, audit.record() once per state change and never commit. An archived case is
read-only: every mutating service refuses.

Other features import some of these (and a few reads) from here; the reads live in
`tracker.procedure.queries` and are re-exported so those callers keep working.
"""
from __future__ import annotations

from tracker.procedure.queries import (
    all_records,
    assert_meeting_allowed,
    assert_meeting_not_frozen,
    assert_stage_item_not_frozen,
    central_requests_of,
    current_records,
    deadlines_for,
    decision_blockers,
    facts_for,
    facts_for_cases,
    overrides_of,
    position_party,
    today,
)
from tracker.procedure.services.closing import (
    end_central_negotiation,
    end_negotiation,
    record_urgent_decision,
    request_central_negotiation,
)
from tracker.procedure.services.decision import override_deadline, register_decision
from tracker.procedure.services.evaluation import approve_evaluation, archive_case
from tracker.procedure.services.stages import (
    CONTENT_FIELDS,
    add_position,
    complete_stage,
    initialise_stages,
    reopen_stage,
    update_stage,
)

__all__ = [
    "CONTENT_FIELDS", "add_position", "all_records", "approve_evaluation", "archive_case", "assert_meeting_allowed",
    "assert_meeting_not_frozen", "assert_stage_item_not_frozen",
    "central_requests_of", "complete_stage", "current_records", "deadlines_for", "decision_blockers",
    "end_central_negotiation", "end_negotiation", "facts_for", "facts_for_cases", "initialise_stages",
    "override_deadline", "overrides_of", "position_party", "record_urgent_decision", "register_decision",
    "reopen_stage", "request_central_negotiation", "today", "update_stage",
]
