"""Diary numbers stay gap-free and unique under concurrent registration (PostgreSQL)."""
import threading

import pytest
from sqlalchemy import select

from tracker.cases.models import Case
from tracker.extensions import db


@pytest.mark.postgresql
@pytest.mark.commits
def test_concurrent_registrations_get_numbers_one_to_n(app, factory):
    from tracker.auth.models import User

    hr = factory.user("hr_officer")
    db.session.commit()  # the factory only flushes; the threads need to see the user
    hr_id = hr.id
    n = 12
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def register(i: int) -> None:
        try:
            with app.app_context():
                from tracker.cases.services import open_case

                user = db.session.get(User, hr_id)
                barrier.wait(timeout=10)
                open_case(user, title=f"Samtidig {i}")
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    db.session.expire_all()
    numbers = sorted(int(d[-4:]) for d in db.session.execute(select(Case.diary_number)).scalars())
    assert numbers == list(range(1, n + 1))
