"""Compile every .po catalogue of the project to .mo, without GNU gettext (pure Python, polib)."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

SKIP = {".venv", "node_modules", ".git", "staticfiles", ".ism"}


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po to .mo)."

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.BASE_DIR)
        count = 0
        for po_path in base.rglob("locale/*/LC_MESSAGES/*.po"):
            if SKIP.intersection(po_path.relative_to(base).parts):
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"{count} catalogue(s) compiled.")
