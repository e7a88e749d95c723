"""Shell search over the accounts of this site (staff only)."""

from collections.abc import Iterable

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, User
from accounts.permissions import user_can
from core.registry import SearchHit
from core.search import text_search_q


def search_users(request: HttpRequest, query: str) -> Iterable[SearchHit]:
    if not user_can(request.user, "audit.view"):
        return []
    users = User.objects.filter(role__in=STAFF_ROLES).filter(
        Q(username__icontains=query)
        | Q(email__icontains=query)
        | text_search_q(query, fields=("first_name", "last_name"))
    )[:10]
    url = reverse("audit:event_list")
    return [
        SearchHit(_("Staff"), str(u), f"{url}?actor={u.username}", f"{u.get_role_display()} · {u.email}")
        for u in users
    ]
