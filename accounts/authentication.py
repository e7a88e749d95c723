"""API authentication by `Authorization: Token <key>`, with expiring, revocable tokens."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against `ApiToken`: an expired token, or one of an inactive
    account, is refused (401)."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This API token has expired: create a new one on your profile page.")
            )
        # Imported here: DRF loads this class while `core.errors` (under the services) is loading.
        from accounts.services import api_token_touch

        api_token_touch(token=token, now=now)
        return token.user, token
