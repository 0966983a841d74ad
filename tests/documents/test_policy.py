"""The documents policy as a matrix: every role and relation to the case × every class of document
(and the uploader relation) × every predicate of tracker.documents.policy."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from tests.documents.conftest import PDF
from tracker.auth.models import User
from tracker.cases.models import Case, CaseStatus
from tracker.documents import policy, services
from tracker.documents.models import CaseClearance, Document
from tracker.documents.policy import AccessReason
from tracker.extensions import db
from tracker.steering.models import Party

DOCS = ("open", "internal", "secret_by_hr", "secret_by_colleague")

# person -> document -> (reason or "meta" for metadata only, or None for "does not exist")
R = AccessReason
ACCESS: dict[str, dict[str, AccessReason | str | None]] = {
    # the responsible HR officer: not implicitly a reader of secret documents (need to know)
    "responsible_hr": {"open": R.RESPONSIBLE_HR, "internal": R.RESPONSIBLE_HR,
                       "secret_by_hr": R.UPLOADER, "secret_by_colleague": "meta"},
    # an HR officer on the employer side of the steering group
    "employer_member": {"open": R.MEMBER, "internal": R.MEMBER,
                        "secret_by_hr": None, "secret_by_colleague": R.UPLOADER},
    "personnel_member": {"open": R.MEMBER, "internal": R.MEMBER, "secret_by_hr": None, "secret_by_colleague": None},
    "named_reader": {"open": R.MEMBER, "internal": R.MEMBER,
                     "secret_by_hr": R.NAMED_READER, "secret_by_colleague": R.NAMED_READER},
    "member_decider": {"open": R.MEMBER, "internal": R.MEMBER, "secret_by_hr": None, "secret_by_colleague": None},
    # assigned by HR as the case's decision maker, not a member (issue 14 item 10): reads, never manages
    "assigned_decider": {"open": R.DECISION_MAKER, "internal": R.DECISION_MAKER, "secret_by_hr": None,
                         "secret_by_colleague": None},
    "auditor": {"open": R.AUDITOR, "internal": R.AUDITOR, "secret_by_hr": "meta", "secret_by_colleague": "meta"},
    "cleared_auditor": {"open": R.AUDITOR, "internal": R.AUDITOR,
                        "secret_by_hr": R.CLEARED_AUDITOR, "secret_by_colleague": R.CLEARED_AUDITOR},
    "outsider_hr": dict.fromkeys(DOCS),
    "outsider_union": dict.fromkeys(DOCS),
    "outsider_decider": dict.fromkeys(DOCS),
    "admin": dict.fromkeys(DOCS),
}
PEOPLE = tuple(ACCESS)
# Who runs the case's documents (uploads, manages the documents they read, erases them).
RUNS_CASE = {"responsible_hr", "employer_member"}
SEES_CASE = {"responsible_hr", "employer_member", "personnel_member", "named_reader", "member_decider",
             "assigned_decider", "auditor", "cleared_auditor"}


@dataclass
class Matrix:
    case: Case
    people: dict[str, User]
    documents: dict[str, Document]
    clearance: CaseClearance


def _upload(actor: User, case: Case, classification: str, readers: list[User]) -> Document:
    secret = classification == "secret"
    extra = {"legal_basis": "OSL 19 kap. 1 §", "secrecy_ends_on": date(2040, 1, 1)} if secret else {}
    return services.upload(actor, case, stream=io.BytesIO(PDF), filename="a.pdf", title=classification,
                           classification=classification, readers=readers, **extra).document


@pytest.fixture
def matrix(factory) -> Matrix:
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    people = {
        "responsible_hr": hr,
        "employer_member": factory.user("hr_officer"),
        "personnel_member": factory.user("union_rep"),
        "named_reader": factory.user("union_rep"),
        "member_decider": factory.user("decision_maker"),
        "assigned_decider": factory.user("decision_maker"),
        "auditor": factory.user("auditor"),
        "cleared_auditor": factory.user("auditor"),
        "outsider_hr": factory.user("hr_officer"),
        "outsider_union": factory.user("union_rep"),
        "outsider_decider": factory.user("decision_maker"),
        "admin": factory.user("admin"),
    }
    factory.member(case, hr, Party.EMPLOYER)
    factory.member(case, people["employer_member"], Party.EMPLOYER)
    factory.member(case, people["member_decider"], Party.EMPLOYER)
    factory.member(case, people["personnel_member"], Party.PERSONNEL)
    factory.member(case, people["named_reader"], Party.PERSONNEL)
    from tracker.cases.services import assign_decision_maker

    assign_decision_maker(hr, case, people["assigned_decider"])
    reader = [people["named_reader"]]
    documents = {
        "open": _upload(hr, case, "open", []),
        "internal": _upload(hr, case, "internal", []),
        "secret_by_hr": _upload(hr, case, "secret", reader),
        "secret_by_colleague": _upload(people["employer_member"], case, "secret", reader),
    }
    clearance = services.grant_clearance(hr, case, people["cleared_auditor"], "Granskning")
    db.session.commit()
    return Matrix(case, people, documents, clearance)


def _check_documents(matrix: Matrix, person: str, archived: bool) -> None:
    user = matrix.people[person]
    for name, document in matrix.documents.items():
        expected = ACCESS[person][name]
        reads = isinstance(expected, AccessReason)
        where = f"{person} / {name} / {'archived' if archived else 'active'}"
        assert policy.access_reason(user, document) == (expected if reads else None), where
        assert policy.can_read_content(user, document) is reads, where
        assert policy.sees_metadata_only(user, document) is (expected == "meta"), where
        assert policy.can_see_document(user, document) is (expected is not None), where
        assert policy.can_manage_document(user, document) is (reads and person in RUNS_CASE and not archived), where
        # Erasure is allowed on archived cases: retention usually ends after archiving.
        assert policy.can_erase_document(user, document) is (reads and person in RUNS_CASE), where


def _check_case(matrix: Matrix, person: str, archived: bool) -> None:
    user = matrix.people[person]
    assert policy.can_upload(user, matrix.case) is (person in RUNS_CASE and not archived), person
    assert policy.can_manage_clearances(user, matrix.case) is (person == "responsible_hr"), person
    assert policy.can_see_clearance(user, matrix.clearance) is (person in SEES_CASE), person
    access = policy.case_access(user, matrix.case)
    in_sql = set(db.session.execute(select(Document.id).where(access.visible_clause())).scalars())
    assert in_sql == {d.id for d in matrix.documents.values() if policy.can_see_document(user, d)}, person


@pytest.mark.parametrize("person", PEOPLE)
def test_every_predicate_for_every_class(matrix, person):
    """One world per person (building it is the slow part); active, then archived."""
    _check_documents(matrix, person, archived=False)
    _check_case(matrix, person, archived=False)
    matrix.case.status = CaseStatus.ARCHIVED
    db.session.flush()
    _check_documents(matrix, person, archived=True)
    _check_case(matrix, person, archived=True)


def test_a_revoked_clearance_reads_no_more(matrix):
    auditor = matrix.people["cleared_auditor"]
    services.revoke_clearance(matrix.people["responsible_hr"], matrix.clearance, "Klar")
    db.session.flush()
    secret = matrix.documents["secret_by_hr"]
    assert not policy.can_read_content(auditor, secret) and policy.sees_metadata_only(auditor, secret)
