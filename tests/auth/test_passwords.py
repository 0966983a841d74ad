"""Password policy and argon2id hashing."""
from __future__ import annotations

import pytest

from tracker.auth import services
from tracker.auth.passwords import hash_password, password_problems, verify_password
from tracker.errors import ValidationFailed


def test_hash_is_argon2id_and_verifies(app):
    stored = hash_password("a-long-enough-secret")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "a-long-enough-secret")
    assert not verify_password(stored, "a-long-enough-secreT")
    assert not verify_password("not-a-hash", "anything")


def test_stored_user_password_is_argon2id(factory):
    user = factory.user("hr_officer")
    assert user.password_hash.startswith("$argon2id$")
    assert factory.password not in user.password_hash


@pytest.mark.parametrize("password", ["short", "123456789", ""])
def test_too_short_passwords_are_refused(app, password):
    assert any("minst 10 tecken" in p for p in password_problems(password))


@pytest.mark.parametrize("password", ["password123", "Password123", "1234567890", "qwertyuiop", "aaaaaaaaaaaa",
                                      "abababababab"])
def test_common_passwords_are_refused(app, password):
    assert any("för vanligt" in p for p in password_problems(password))


def test_a_good_password_passes(app):
    assert password_problems("correct-horse-battery") == []


def test_create_user_refuses_weak_password(factory):
    org = factory.organisation()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(None, email="x@example.org", name="X", organisation=org, roles=["hr_officer"],
                             password="password123")
    assert caught.value.details["field"] == "password"
