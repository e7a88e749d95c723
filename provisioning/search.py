"""Shell search over this tenant's lines (MSISDN, ICCID) and SIM stock (ICCID, IMSI, MSISDN), and the
customer search by MSISDN."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_can
from core.registry import SearchHit
from provisioning.models import MobileLine
from provisioning.selectors import line_list, msisdn_search_q, sim_list

MIN_DIGITS = 4


def _is_number(query: str) -> bool:
    text = query.strip().replace(" ", "").lstrip("+")
    return len(text) >= MIN_DIGITS and text.isdigit()


def search_lines(request: HttpRequest, query: str) -> Iterable[SearchHit]:
    """At most 10 lines whose MSISDN or ICCID starts with the typed digits (one query)."""
    if not _is_number(query) or not user_can(request.user, "lines.view"):
        return []
    return [
        SearchHit(
            _("Line"),
            line.msisdn,
            reverse("provisioning:line_detail", kwargs={"pk": line.pk}),
            f"{line.get_status_display()} · {line.customer.number} {line.customer.display_name}",
        )
        for line in line_list(search=query)[:10]
    ]


def customers_by_msisdn(query: str) -> Q | None:
    """Customers having a line whose MSISDN starts with the typed digits."""
    if not _is_number(query):
        return None
    return Q(Exists(MobileLine.objects.filter(msisdn_search_q(query), customer=OuterRef("pk"))))


def search_sims(request: HttpRequest, query: str) -> Iterable[SearchHit]:
    text = query.strip().replace(" ", "").lstrip("+")
    if len(text) < 4 or not text.isdigit() or not user_can(request.user, "lines.view"):
        return []
    return [
        SearchHit(
            _("SIM card"),
            sim.iccid,
            reverse("provisioning:sim_detail", kwargs={"pk": sim.pk}),
            f"{sim.get_state_display()} · IMSI {sim.imsi}" + (f" · {sim.msisdn}" if sim.msisdn else ""),
        )
        for sim in sim_list(search=text)[:10]
    ]
