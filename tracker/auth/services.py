"""Account rules: authentication, throttling, sessions, user administration."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from tracker.admin.policy import can_change_roles, can_set_active
from tracker.audit.service import record
from tracker.auth.labels import role_labels
from tracker.auth.models import LoginAttempt, Organisation, OrganisationKind, Role, User, UserRole, new_session_token
from tracker.auth.passwords import hash_password, password_problems, verify_dummy, verify_password
from tracker.auth.policy import can_log_in, can_manage_users, content_roles_in, roles_are_separated
from tracker.auth.throttle import lock_attempts
from tracker.errors import PermissionDenied, TooManyAttempts, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.i18n import organisation_languages
from tracker.notifications.models import NotificationKind
from tracker.notifications.services import notify
from tracker.timeutil import utcnow


def normalise_email(email: str | None) -> str:
    """The address as stored: trimmed and lower-case."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this address (any case), or None."""
    return db.session.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def _recent_failures(*, email: str | None = None, address: str | None = None) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    query = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.occurred_at >= utcnow() - window
    )
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if address is not None:
        query = query.where(LoginAttempt.address == address)
    return db.session.execute(query).scalar_one()


def is_throttled(email: str, address: str) -> bool:
    """True after too many failures in the window, for this account or from this address."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    email = normalise_email(email)
    return _recent_failures(email=email) >= limit or _recent_failures(address=address) >= limit


def authenticate(email: str, password: str, *, address: str) -> User:
    """The user whose credentials these are; raises on failure. Every attempt is logged."""
    email = normalise_email(email)
    lock_attempts(email, address)
    if is_throttled(email, address):
        db.session.add(LoginAttempt(email=email, address=address, succeeded=False))
        record(None, "auth.login_throttled", ("user", None), {"email": email, "address": address})
        raise TooManyAttempts(_("För många misslyckade inloggningar. Försök igen om en minut."))
    user = find_user_by_email(email)
    ok = user is not None and verify_password(user.password_hash, password) and can_log_in(user)
    if user is None:
        verify_dummy(password)
    db.session.add(LoginAttempt(email=email, address=address, succeeded=ok))
    if user is None or not ok:
        record(user, "auth.login_failed", ("user", user.id if user else None), {"email": email})
        raise ValidationFailed(_("Fel e-postadress eller lösenord."))
    record(user, "auth.logged_in", user)
    return user


def end_all_sessions(user: User) -> None:
    """Rotate the session token: every cookie issued before stops authenticating."""
    user.session_token = new_session_token()


def logout(user: User) -> None:
    """End every session of the user (audited)."""
    end_all_sessions(user)
    db.session.flush()
    record(user, "auth.logged_out", user)


def _check_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise ValidationFailed(" ".join(problems), field="password")


def change_password(user: User, current: str, new: str) -> None:
    """The user's own password change: needs the current one; ends every other session."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(_("Det nuvarande lösenordet stämmer inte."), field="current_password")
    _check_password(new)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    db.session.flush()
    record(user, "auth.password_changed", user)


def confirm_password(user: User, password: str) -> None:
    """Re-authentication for signatures: raises when the password is wrong."""
    if not verify_password(user.password_hash, password):
        raise ValidationFailed(_("Lösenordet stämmer inte."), field="password")


def set_locale(user: User, locale: str) -> None:
    """Remember the user's language on the account."""
    if locale not in organisation_languages():
        raise ValidationFailed(_("Okänt språk."))
    user.locale = locale
    db.session.flush()
    record(user, "user.language_changed", user, {"locale": locale})


# --- administration -------------------------------------------------------------------------

def _require_admin(actor: User | None) -> None:
    # actor None = the shell (CLI), which already has full access to the database.
    if actor is not None and not can_manage_users(actor):
        raise PermissionDenied(_("Endast administratörer får hantera användare."))


def get_or_create_organisation(actor: User | None, name: str,
                               kind: OrganisationKind | str = OrganisationKind.EMPLOYER) -> Organisation:
    """The organisation of that name, created (audited) when missing."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Organisationen måste ha ett namn."), field="organisation")
    org = db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
    if org is None:
        if kind not in {str(k) for k in OrganisationKind}:
            raise ValidationFailed(_("Okänd organisationstyp."), field="kind")
        org = Organisation(name=name, kind=OrganisationKind(kind))
        db.session.add(org)
        db.session.flush()
        record(actor, "organisation.created", org, {"name": name, "kind": str(org.kind)})
    return org


def create_organisation(actor: User | None, name: str, kind: OrganisationKind | str) -> Organisation:
    """A new organisation (the employer or a union); refuses a name already taken."""
    _require_admin(actor)
    name = (name or "").strip()
    if name and db.session.execute(select(Organisation.id).where(Organisation.name == name)).first():
        raise ValidationFailed(_("Det finns redan en organisation med det namnet."), field="name")
    if len(name) > 200:
        raise ValidationFailed(_("Namnet får vara högst 200 tecken."), field="name")
    return get_or_create_organisation(actor, name, kind)


def _parse_roles(roles: list[str]) -> list[Role]:
    if not roles:
        raise ValidationFailed(_("Välj minst en roll."), field="roles")
    try:
        parsed = sorted({Role(r) for r in roles}, key=list(Role).index)
    except ValueError as error:
        raise ValidationFailed(_("Okänd roll: %(roles)s", roles=", ".join(roles)), field="roles") from error
    if not roles_are_separated(parsed):
        raise ValidationFailed(_(
            "Ett administratörskonto kan inte ha en roll med åtkomst till ärenden (%(roles)s): "
            "skapa ett separat konto för det.", roles=role_labels(content_roles_in(parsed))), field="roles")
    return parsed


def _notify_content_roles_granted(actor: User | None, user: User, granted: list[Role]) -> None:
    """Tell every auditor and administrator that someone was given access to case content."""
    granted = content_roles_in(granted)
    if not granted:
        return
    watchers = db.session.execute(
        select(User).join(UserRole).where(UserRole.role.in_([Role.ADMIN, Role.AUDITOR]), User.active.is_(True))
    ).scalars().unique().all()
    # Stored as parameters: each watcher reads the sentence in their own language.
    params = {"actor": actor.name if actor is not None else None, "user": user.name, "email": user.email,
              "roles": [str(r) for r in granted]}
    for watcher in watchers:
        notify(watcher, NotificationKind.ROLE_GRANTED, params)


def create_user(
    actor: User | None, *, email: str, name: str, organisation: Organisation, roles: list[str], password: str
) -> User:
    """A new active user; the password must meet the policy."""
    _require_admin(actor)
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValidationFailed(_("Ange en giltig e-postadress."), field="email")
    if not (name or "").strip():
        raise ValidationFailed(_("Ange ett namn."), field="name")
    if find_user_by_email(email) is not None:
        raise ValidationFailed(_("Det finns redan en användare med den e-postadressen."), field="email")
    parsed = _parse_roles(roles)
    _check_password(password)
    user = User(email=email, name=name.strip(), organisation=organisation, password_hash=hash_password(password))
    user.role_rows = [UserRole(role=r) for r in parsed]
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, {"email": email, "roles": [str(r) for r in parsed],
                                         "organisation": organisation.name})
    _notify_content_roles_granted(actor, user, parsed)
    return user


def set_roles(actor: User | None, user: User, roles: list[str]) -> None:
    """Replace the user's roles (never one's own; never administrator with a content role)."""
    _require_admin(actor)
    if actor is not None and actor.id == user.id:
        raise ValidationFailed(_("Du kan inte ändra dina egna roller."), field="roles")
    parsed = _parse_roles(roles)
    if actor is not None and not can_change_roles(actor, user, parsed):
        raise PermissionDenied(_("Endast administratörer får hantera användare."))
    before = sorted(str(r) for r in user.roles)
    # Change only what differs: replacing every row would insert before deleting and trip the
    # unique (user_id, role) constraint.
    wanted = set(parsed)
    for row in list(user.role_rows):
        if row.role not in wanted:
            user.role_rows.remove(row)
    db.session.flush()
    present = {row.role for row in user.role_rows}
    user.role_rows.extend(UserRole(role=r) for r in parsed if r not in present)
    db.session.flush()
    record(actor, "user.roles_changed", user, {"before": before, "after": [str(r) for r in parsed]})
    _notify_content_roles_granted(actor, user, [r for r in parsed if str(r) not in before])


def set_active(actor: User | None, user: User, active: bool) -> None:
    """Activate or deactivate an account; deactivation ends every session."""
    _require_admin(actor)
    if actor is not None and not can_set_active(actor, user, active):
        raise ValidationFailed(_("Du kan inte inaktivera dig själv."))
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
    record(actor, "user.deactivated" if not active else "user.activated", user)


def reset_password(actor: User | None, user: User, new_password: str) -> None:
    """An administrator sets a new password; every session of the user ends."""
    _require_admin(actor)
    _check_password(new_password)
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    db.session.flush()
    record(actor, "user.password_reset", user)

