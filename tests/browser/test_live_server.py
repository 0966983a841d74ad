"""The live server runs in this process: the audit guard watches commits made by its views."""
from __future__ import annotations

import pytest

from tests.browser.conftest import _ErrorCollector


@pytest.mark.own_app
@pytest.mark.commits
def test_unaudited_commit_in_a_server_view_is_caught(app, browser, demo_data):
    import logging

    from tests.browser.conftest import LiveServer
    from tracker.auth.models import Organisation
    from tracker.extensions import db
    from tracker.web.access import public

    @app.get("/__test__/unaudited")
    @public
    def unaudited():
        db.session.add(Organisation(name="Smygbolaget", kind="employer"))
        db.session.commit()
        return "committed"

    collector = _ErrorCollector()
    logging.getLogger("tracker.web.errors").addHandler(collector)
    try:
        with LiveServer(app) as server:
            context = browser.new_context(base_url=server.url, locale="sv-SE")
            page = context.new_page()
            response = page.goto("/__test__/unaudited")
            assert response.status == 500
            assert "Ett fel uppstod" in page.content()
            context.close()
    finally:
        logging.getLogger("tracker.web.errors").removeHandler(collector)
    assert any("UnauditedWrite" in m for m in collector.messages)
    db.session.rollback()
    assert db.session.query(Organisation).filter_by(name="Smygbolaget").first() is None
