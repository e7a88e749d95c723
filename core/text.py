"""The operator's rule for names it stores (company names, line user names): plain letters,
digits and spaces only — no hyphen, apostrophe, accent or other special character — and
preferably upper case. `name_normalise` turns any name into one that obeys the rule."""

import re
import unicodedata

from django.utils.translation import gettext as _

from core.errors import ApplicationError

_ALLOWED = re.compile(r"[A-Za-z0-9 ]")
# Letters that do not decompose into a base letter and an accent.
_LIGATURES = {"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d"}


def name_normalise(value: str) -> str:
    """The name in upper case without accents, every other special character becoming a space."""
    text = "".join(_LIGATURES.get(char, char) for char in value or "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    return text.strip().upper()


def name_check(value: str, *, field: str | None = None) -> str:
    """The name, stripped, if it obeys the rule; else an error naming the offending characters."""
    name = (value or "").strip()
    offending: list[str] = []
    for char in name:
        if not _ALLOWED.fullmatch(char) and char not in offending:
            offending.append(char)
    if offending:
        shown = " ".join(f"« {char} »" for char in offending)
        raise ApplicationError(
            _(
                "The name %(name)s contains characters the operator refuses: %(chars)s. Use only letters "
                "without accents, digits and spaces (the Normalise button does it: %(suggestion)s)."
            )
            % {"name": name, "chars": shown, "suggestion": name_normalise(name)},
            field=field,
        )
    if "  " in name:
        raise ApplicationError(
            _("The name %(name)s contains several spaces in a row.") % {"name": name}, field=field
        )
    return name


def search_normalise(query: str) -> str:
    """A search query put the way names are stored (upper case, no accent, no punctuation), so
    "L'Étoile-Bleue", "l etoile bleue" and "ETOILE BLEUE" all look for the same words."""
    return name_normalise(query)
