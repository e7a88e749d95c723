"""Writes about users: creation, roles, API tokens, invitations."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Role, User
from accounts.selectors import login_is_taken
from accounts.tokens import password_reset_token
from audit.context import AuditContext
from audit.services import audit_changes, audit_record
from core.errors import ApplicationError
from core.mail import mail_send


def user_create(
    *,
    username: str,
    email: str,
    role: str,
    by: User | None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    reserved_by: object | None = None,
    context: AuditContext | None = None,
) -> User:
    """Create an account in the current schema. Without a password it cannot log in until it
    sets one (invitation or password reset). The login must be free in any case, and not
    reserved by anything but `reserved_by` (the customer whose portal account this is)."""
    username = username.strip()
    if not username:
        raise ApplicationError(_("A login is required."), field="username")
    if role not in Role.values:
        raise ApplicationError(_("Unknown role %(role)s.") % {"role": role}, field="role")
    if login_is_taken(login=username, reserved_by=reserved_by):
        raise ApplicationError(
            _("The login %(username)s is already taken (logins are not case-sensitive).")
            % {"username": username},
            field="username",
        )
    user = User(username=username, email=email.strip(), role=role, first_name=first_name, last_name=last_name)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(
        actor=by,
        action="user.created",
        obj=user,
        changes={"role": role, "email": user.email},
        context=context,
    )
    return user


def user_set_role(*, user: User, role: str, by: User, context: AuditContext | None = None) -> User:
    if role not in Role.values:
        raise ApplicationError(_("Unknown role %(role)s.") % {"role": role}, field="role")
    if user.role == role:
        return user
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        actor=by, action="user.role_changed", obj=user, changes={"role": [old, role]}, context=context
    )
    return user


def user_set_active(*, user: User, active: bool, by: User, context: AuditContext | None = None) -> User:
    if by.pk == user.pk and not active:
        raise ApplicationError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=user).delete()
    audit_record(
        actor=by, action="user.activated" if active else "user.deactivated", obj=user, context=context
    )
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unknown language."), field="language")
    user.language = language
    user.save(update_fields=["language"])
    return user


PROFILE_FIELDS = ("first_name", "last_name", "email", "language")


def user_profile_update(*, user: User, by: User, context: AuditContext | None = None, **fields: str) -> User:
    """Save the user's own name, e-mail address and language; a change is audited (the e-mail
    address is where password recovery links go)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown field %(name)s.") % {"name": ", ".join(sorted(unknown))})
    if "language" in fields and fields["language"] not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unknown language."), field="language")
    stored = User.objects.filter(pk=user.pk).values(*PROFILE_FIELDS).first() or {}
    changes = audit_changes({k: stored.get(k) for k in fields}, fields)
    for key, value in fields.items():
        setattr(user, key, value)
    if changes:
        user.save(update_fields=list(fields))
        audit_record(actor=by, action="user.profile_changed", obj=user, changes=changes, context=context)
    return user


def user_password_changed(
    *, user: User, by: User, recovered: bool, context: AuditContext | None = None
) -> None:
    """Record a password change (or a recovery by e-mail); every API token of the user is
    revoked as well, so whoever held the old credentials keeps nothing."""
    revoked = ApiToken.objects.filter(user=user).delete()[0]
    audit_record(
        actor=by,
        action="user.password_reset" if recovered else "user.password_changed",
        obj=user,
        changes={"api_access_revoked": True} if revoked else {},
        context=context,
    )


API_TOKEN_MAX_DAYS = 3650


def api_token_create(
    *,
    user: User,
    by: User,
    now: datetime,
    lifetime_days: int,
    name: str = "",
    context: AuditContext | None = None,
) -> ApiToken:
    """Give `user` a new API token that works for `lifetime_days` (the tenant's setting); its
    key is shown once. A user may hold several (one per script), each revoked on its own."""
    if not 1 <= lifetime_days <= API_TOKEN_MAX_DAYS:
        raise ApplicationError(
            _("An API token lasts between 1 and %(max)s days.") % {"max": API_TOKEN_MAX_DAYS}
        )
    name = (name or "").strip()[:100] or _("API token")
    token = ApiToken.objects.create(
        user=user, name=name, created_at=now, expires_at=now + timedelta(days=lifetime_days)
    )
    audit_record(
        actor=by,
        action="user.api_token_created",
        obj=user,
        changes={"name": name, "expires_at": token.expires_at.isoformat()},
        context=context,
    )
    return token


def api_token_revoke(*, token: ApiToken, by: User, context: AuditContext | None = None) -> None:
    """Revoke one token: it stops working at once."""
    name = token.name
    deleted, _count = ApiToken.objects.filter(pk=token.pk).delete()
    if deleted:
        audit_record(
            actor=by, action="user.api_token_revoked", obj=token.user, changes={"name": name}, context=context
        )


def api_token_revoke_all(*, user: User, by: User, context: AuditContext | None = None) -> int:
    """Revoke every token of `user`."""
    deleted, _count = ApiToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            actor=by, action="user.api_token_revoked", obj=user, changes={"count": deleted}, context=context
        )
    return deleted


def password_reset_link(*, user: User, base_url: str) -> str:
    """The link that lets `user` choose a password, valid on this schema's site only."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_reset_token.make_token(user)
    return f"{base_url.rstrip('/')}/reset/{uid}/{token}/"


def user_send_invitation(
    *, user: User, base_url: str, site_name: str, by: User | None, context: AuditContext | None = None
) -> None:
    """E-mail `user` a link to choose their password and log in."""
    if not user.email:
        raise ApplicationError(_("This account has no e-mail address to send the invitation to."))
    link = password_reset_link(user=user, base_url=base_url)
    values = {"user": user, "link": link, "site_name": site_name}
    subject = render_to_string("registration/invitation_subject.txt", values).strip()
    body = render_to_string("registration/invitation_email.txt", values)
    mail_send(subject=subject, body=body, to=[user.email])
    audit_record(actor=by, action="user.invited", obj=user, changes={"email": user.email}, context=context)
