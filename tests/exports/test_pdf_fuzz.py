"""Property: a PDF renders from any Unicode text in every user field, with no link or image that is not ours."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.exports.test_pdf_markup import assert_no_foreign_objects
from tracker.discussion import services as discussion
from tracker.exports.pdf import render
from tracker.exports.record import build_record
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.procedure.models import StageRecord
from tracker.timeutil import utcnow

# Markup that reportlab's paragraph parser would act on, whole or broken.
FRAGMENTS = ["<", ">", "&", "&amp;", "&#0;", '"', "'", "<b", "</b>", "<br/>", "<i>", "</para>", "<font size=90>",
             '<a href="https://evil.example/">', "</a>", "<link href='file:///etc/passwd'>x</link>",
             '<img src="/etc/hosts"/>', "<img src=x onerror=1>", "<onDraw name=x/>", "<![CDATA[", "]]>",
             "<!--", "\r\n", "\r", "\t", "\x0b", "\x0c", "\x1b", "\x7f", "\u2028", "\ufeff", "\u202e"]
# Every code point but surrogates (not text) and NUL (PostgreSQL cannot store it in a text column).
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
TEXT = st.lists(st.one_of(st.text(CHARACTERS, max_size=12), st.sampled_from(FRAGMENTS)), max_size=8).map("".join)
FIELDS = ("case_title", "description", "decision_body", "hr_name", "meeting_title", "place", "comment", "stage_text")


@pytest.fixture
def world(setup):
    case, hr = setup["case"], setup["hr"]
    meeting = meetings.schedule_meeting(hr, case, title="Möte", starts_at=utcnow() + timedelta(days=1),
                                        ends_at=utcnow() + timedelta(days=1, hours=1), place="Rum 1",
                                        stages=["early_information"])
    comment = discussion.add_comment(setup["union"], case, "early_information", "Kommentar")
    stage = db.session.query(StageRecord).filter_by(case_id=case.id, stage_code="early_information").one()
    db.session.flush()
    return {**setup, "meeting": meeting, "comment": comment, "stage": stage}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.fixed_dictionaries({name: TEXT for name in FIELDS}))
def test_any_text_in_every_field_renders_a_pdf_with_nothing_foreign(world, values):
    case = world["case"]
    case.title = values["case_title"] or "–"
    case.description = values["description"]
    case.decision_body = values["decision_body"]
    world["hr"].name = values["hr_name"] or "–"
    world["meeting"].title = values["meeting_title"] or "–"
    world["meeting"].place = values["place"]
    world["comment"].body = values["comment"] or "–"
    world["stage"].content = {"information_given": values["stage_text"], "information_to": values["place"]}
    db.session.flush()
    pdf = render(build_record(case, world["auditor"]))
    assert_no_foreign_objects(pdf)
