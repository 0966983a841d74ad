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


# Ten of the 10,000 most common passwords (zxcvbn's list), at least 10 characters long so that only
# the common-password rule can refuse them; some in mixed case (the list is lower-case).
TOP_10K_SAMPLE = ["Manchester", "1029384756", "q1w2e3r4t5", "4815162342", "12345qwert", "1234554321",
                  "Q1W2E3R4T5Y6", "123qweasdzxc", "1123581321", "Liverpool1"]


@pytest.mark.parametrize("password", TOP_10K_SAMPLE)
def test_passwords_from_the_top_10k_are_refused_in_any_case(app, password):
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    assert password.lower() in FREQUENCY_LISTS["passwords"][:10_000]
    assert len(password) >= 10
    assert password_problems(password) == ["Lösenordet är för vanligt; välj ett annat."]


def test_a_long_random_passphrase_is_accepted(app):
    assert password_problems("vattenkanna-Ödmjuk-7-regnbåge-fjällräv") == []
    assert password_problems("tq8#Lm2vXc9!pRw") == []


def test_the_common_list_holds_at_least_the_top_10k():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    from tracker.auth.passwords import common_passwords

    assert set(FREQUENCY_LISTS["passwords"][:10_000]) <= common_passwords()
