"""Searches that ignore accents, case and punctuation, the same way in every list.

The query is put the way names are stored (`core.text.search_normalise`: upper case, no accent,
punctuation as spaces). Fields that keep their accents (contact names, cities, labels) are put
the same way in SQL with PostgreSQL's `unaccent` where the extension is installed (migration
`core.0001_unaccent`); without it, they are compared with the normalised query as they are.
Fields stored normalised (company names) need no `unaccent`, so their trigram indexes serve.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Func, Q
from django.db.models.lookups import Contains

from core.text import search_normalise

_unaccent_by_database: dict[str, bool] = {}


def unaccent_available() -> bool:
    """Whether PostgreSQL has the unaccent extension (asked once per database and process)."""
    name = str(connection.settings_dict["NAME"])
    if name not in _unaccent_by_database:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
            _unaccent_by_database[name] = cursor.fetchone() is not None
    return _unaccent_by_database[name]


class SearchText(Func):
    """A text column put the way `search_normalise` puts a query, in SQL (needs unaccent)."""

    template = "REGEXP_REPLACE(UPPER(unaccent(%(expressions)s::text)), '[^A-Z0-9]+', ' ', 'g')"
    output_field = CharField()


def text_search_q(query: str, *, fields: Sequence[str] = (), normalised_fields: Sequence[str] = ()) -> Q:
    """Rows where one of the fields contains the query, ignoring accents, case and punctuation.

    `normalised_fields` are stored the way names are (upper case, no accents); `fields` may hold
    accents and punctuation. The query as typed still matches as before (e-mails, codes)."""
    raw = query.strip()
    normalised = search_normalise(raw)
    condition = Q()
    for name in (*normalised_fields, *fields):
        condition |= Q(**{f"{name}__icontains": raw})
        if normalised and normalised != raw.upper():
            condition |= Q(**{f"{name}__icontains": normalised})
    if normalised and fields and unaccent_available():
        for name in fields:
            lookup: Any = Contains(SearchText(F(name)), normalised)
            condition |= Q(lookup)
    return condition
