"""The documents demo step: open, internal and one secret file with named readers."""
from __future__ import annotations

from sqlalchemy import select

from tracker.demo import DemoContext, load_demo
from tracker.demo import documents as demo
from tracker.documents import services
from tracker.documents.models import Document
from tracker.documents.queries import visible_documents
from tracker.extensions import db
from tracker.steering.models import Party


def test_demo_step_uploads_documents_with_a_secret_budget(factory):
    hr = factory.user("hr_officer")
    union, safety = factory.user("union_rep"), factory.user("safety_rep")
    case = factory.case(hr)
    for user, party in [(hr, Party.EMPLOYER), (union, Party.PERSONNEL), (safety, Party.PERSONNEL)]:
        factory.member(case, user, party)
    context = DemoContext(users={"union@example.org": union, "safety@example.org": safety}, cases={"a": case})
    demo.load(context)
    documents = list(db.session.execute(select(Document).order_by(Document.id)).scalars())
    assert [d.classification for d in documents] == ["open", "internal", "secret"]
    secret = documents[2]
    assert [r.user_id for r in secret.readers] == [union.id] and secret.legal_basis == "OSL 19 kap. 1 §"
    assert services.prepare_download(union, secret).version.kind == "csv"
    assert secret not in visible_documents(safety, case) and secret in visible_documents(union, case)


def test_full_demo_loads(app):
    from tracker.cases.models import Case

    load_demo()
    if db.session.execute(select(Case).where(Case.status != "archived")).first() is not None:
        secret = db.session.execute(select(Document).where(Document.classification == "secret")).scalar_one()
        assert secret.readers
