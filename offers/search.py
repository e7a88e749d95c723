"""Shell search over the catalogue: offers, options and rate tables by code or label."""

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_can
from core.registry import SearchHit
from offers.selectors import offer_list, option_list, rate_table_list


def search_catalogue(request: HttpRequest, query: str) -> Iterable[SearchHit]:
    if not user_can(request.user, "catalogue.view"):
        return []
    hits = [
        SearchHit(_("Offer"), str(o), reverse("offers:item_detail", args=["offers", o.pk]), f"{o.price} €")
        for o in offer_list(search=query, archived=None)[:5]
    ]
    hits += [
        SearchHit(_("Option"), str(o), reverse("offers:item_detail", args=["options", o.pk]), f"{o.price} €")
        for o in option_list(search=query, archived=None)[:5]
    ]
    hits += [
        SearchHit(_("Rate table"), str(t), reverse("offers:table_detail", args=[t.pk]), t.get_kind_display())
        for t in rate_table_list(search=query, archived=None)[:5]
    ]
    return hits
