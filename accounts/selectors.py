"""Reads about users."""

from accounts.hooks import login_reserved_elsewhere
from accounts.models import ApiToken, User


def login_is_taken(*, login: str, reserved_by: object | None = None) -> bool:
    """Whether `login` is used, in any case, by an account of this schema or reserved by
    something else than `reserved_by` (a customer's login identifier): logins are one
    case-insensitive namespace for staff and end customers alike."""
    login = login.strip()
    return User.objects.filter(username__iexact=login).exists() or login_reserved_elsewhere(
        login, reserved_by=reserved_by
    )


def api_token_list(*, user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (expired ones included, marked by their date)."""
    return list(ApiToken.objects.filter(user=user))
