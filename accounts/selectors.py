"""Reads about users."""

from accounts.models import ApiToken, User


def api_token_list(*, user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (expired ones included, marked by their date)."""
    return list(ApiToken.objects.filter(user=user))
