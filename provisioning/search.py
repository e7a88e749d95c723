"""Shell search over this tenant's SIM stock (ICCID, IMSI, MSISDN)."""

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_can
from core.registry import SearchHit
from provisioning.selectors import sim_list


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
