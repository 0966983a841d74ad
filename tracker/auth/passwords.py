"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]  # no stubs published

from tracker.i18n import lazy_gettext as _l

MIN_LENGTH = 10

# The most common passwords of the breach corpora, most frequent first: the "passwords" frequency
# list shipped by the `zxcvbn` package (the Python port of Dropbox's zxcvbn,
# https://github.com/dwolfhub/zxcvbn-python, MIT licence; pinned in requirements.txt), 30,000
# entries, all lower-case. We refuse the whole list (not only the top 10,000), case-insensitively.
COMMON_PASSWORD_COUNT = 30_000

# The list this module had before (local words a Nordic breach list would add, and a few more);
# refused whatever their length.
LOCAL_COMMON_PASSWORDS = frozenset(
    """
    1234567890 12345678910 123456789a 0123456789 1111111111 0000000000 1q2w3e4r5t qwertyuiop
    qwertyuiop1 asdfghjkl1 password12 password123 password1234 passwordpassword 1234qwerty
    qwerty1234 qwerty12345 iloveyou12 letmein123 welcome123 welcome1234 administrator
    adminadmin admin12345 changeme123 sommar2024 sommar2025 sommar2026 vinter2025 vinter2026
    salasana12 salasana123 losenord123 lösenord123 samverkan1 samverkan123 kommunen123
    football12 baseball12 princess12 sunshine12 monkey1234 dragon1234 starwars12 superman12
    trustno123 abcdefghij abc1234567 aaaaaaaaaa zaq12wsxcde 1qaz2wsx3edc passw0rd123
    """.split()
)


@cache
def common_passwords() -> frozenset[str]:
    """The refused passwords, lower-case (loaded once, on first use)."""
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORD_COUNT]) | LOCAL_COMMON_PASSWORDS


def is_common(password: str) -> bool:
    """True for a password on the common-password list, in any letter case."""
    return password.lower() in common_passwords()


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("TESTING"):
        # Fast parameters keep the suite quick; still argon2id.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def password_problems(password: str) -> list[str]:
    """Every reason the password is unacceptable (empty when it is fine)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Lösenordet måste ha minst %(n)d tecken.", n=MIN_LENGTH)))
    if is_common(password) or len(set(password)) <= 2:
        problems.append(str(_l("Lösenordet är för vanligt; välj ett annat.")))
    return problems


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_HASH: str | None = None


def verify_dummy(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher().hash("dummy-password-for-timing")
    verify_password(_DUMMY_HASH, password)
