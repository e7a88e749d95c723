"""Shell search over this tenant's customers (number, name, e-mail, phone…)."""

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_can
from core.registry import SearchHit
from customers.selectors import customer_list


def search_customers(request: HttpRequest, query: str) -> Iterable[SearchHit]:
    if not user_can(request.user, "customers.view"):
        return []
    customers = customer_list(search=query, status="")[:10]
    return [
        SearchHit(
            _("Customer"),
            f"{c.number} · {c.display_name}",
            reverse("customers:detail", kwargs={"pk": c.pk}),
            f"{c.get_kind_display()} · {c.get_payment_mode_display()}"
            + (f" · {_('archived')}" if c.is_archived else ""),
        )
        for c in customers
    ]
