"""Demo data of the reports app (`ism.demo.seed_demo` calls `seed_tenant` after the other apps')."""

from typing import Any


def seed_tenant(tenant: Any) -> None:
    from reports.whatif_demo import seed_whatif

    seed_whatif(tenant)
