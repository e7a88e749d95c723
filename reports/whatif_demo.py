"""Demo what-if runs (called by `reports.demo.seed_tenant`, after the CDRs and billing are seeded):
last month under the markup table for the whole tenant, and the best offer of the customer with
the most usage. Run at once, through the same code as the worker's task."""

from typing import Any

from django.db.models import Sum
from django.utils import timezone

from cdr_import.models import Cdr
from cdr_import.settle import period_bounds
from offers.models import RateTable
from reports.models import WhatIfKind, WhatIfRun
from reports.whatif import last_months, whatif_execute, whatif_start


def seed_whatif(tenant: Any) -> None:
    if WhatIfRun.objects.exists():
        return
    now = timezone.now()
    today = timezone.localdate(now)
    first, _last = last_months(today, 1)
    table = RateTable.objects.filter(code="REVENTE-PRO").first() or RateTable.objects.order_by("id").first()
    if table is not None:
        run = whatif_start(kind=WhatIfKind.CATALOGUE, rate_table=table, by=None, now=now, today=today)
        whatif_execute(run_id=run.pk, now=now, today=today)
    top = (
        Cdr.objects.filter(customer__isnull=False, start_time__gte=period_bounds(first)[0])
        .values("customer")
        .annotate(amount=Sum("rated_amount"))
        .order_by("-amount")
        .first()
    )
    if top is not None:
        from customers.models import Customer

        customer = Customer.objects.get(pk=top["customer"])
        run = whatif_start(kind=WhatIfKind.BEST_OFFER, customer=customer, by=None, now=now, today=today)
        whatif_execute(run_id=run.pk, now=now, today=today)
