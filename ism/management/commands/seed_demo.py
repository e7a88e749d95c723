from typing import Any

from django.core.management.base import BaseCommand

from ism.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or complete) the demo platform and its two tenants. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = seed_demo(log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {', '.join(t.name for t in tenants)}"))
