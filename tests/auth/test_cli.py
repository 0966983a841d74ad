"""`flask users create ... --password-stdin` over the same services as the admin pages."""
from __future__ import annotations

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db


def _create(runner, *, email="ivar@example.org", password="ett-langt-losenord", roles=("hr_officer",), org="Exempelstad"):
    args = ["users", "create", "--email", email, "--name", "Ivar IT", "--org", org, "--password-stdin"]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(args=args, input=password + "\n")


def test_users_create(runner):
    result = _create(runner, roles=("hr_officer", "auditor"))
    assert result.exit_code == 0, result.output
    assert "created ivar@example.org" in result.output
    user = db.session.execute(select(User).where(User.email == "ivar@example.org")).scalar_one()
    assert user.organisation.name == "Exempelstad" and user.active
    assert {str(r) for r in user.roles} == {"hr_officer", "auditor"}
    assert user.password_hash.startswith("$argon2id$")
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert actions == ["organisation.created", "user.created"]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "user.created")).scalar_one()
    assert event.actor_id is None and event.actor_name == "system"


def test_created_user_can_log_in(runner, web):
    assert _create(runner).exit_code == 0
    assert web.login("ivar@example.org", "ett-langt-losenord").status_code == 302


def test_weak_password_is_refused(runner):
    result = _create(runner, password="kort")
    assert result.exit_code != 0
    assert "minst 10 tecken" in result.output
    common = _create(runner, password="password123")
    assert common.exit_code != 0 and "för vanligt" in common.output
    assert db.session.execute(select(User)).first() is None


def test_duplicate_email_is_refused(runner):
    assert _create(runner).exit_code == 0
    again = _create(runner, email="IVAR@example.org")
    assert again.exit_code != 0
    assert "Det finns redan en användare med den e-postadressen." in again.output
    assert len(db.session.execute(select(User)).all()) == 1


def test_unknown_role_and_missing_stdin_flag(runner):
    bad_role = _create(runner, roles=("emperor",))
    assert bad_role.exit_code != 0 and "Okänd roll" in bad_role.output
    no_flag = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--role",
                                  "admin", "--org", "X"], input="ett-langt-losenord\n")
    assert no_flag.exit_code != 0 and "--password-stdin" in no_flag.output


def test_users_deactivate(runner, factory):
    user = factory.user("hr_officer")
    result = runner.invoke(args=["users", "deactivate", "--email", user.email])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    missing = runner.invoke(args=["users", "deactivate", "--email", "nobody@example.org"])
    assert missing.exit_code != 0
