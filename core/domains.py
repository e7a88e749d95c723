"""Look-alike host names: what a platform admin must see before a custom domain goes live.

A tenant may ask for any host name for its site; one that imitates another site (its name, its
technical name, its domain) or the platform's could be used to phish that site's users. This
module reads a name the way a person would: punycode (`xn--…`) decoded, characters that look like
Latin letters (Cyrillic, Greek, accented letters, 0 for o, 1 for l) folded, hyphens ignored; then
it says what it noticed. It decides nothing: the platform admin does.
"""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Characters that pass for a Latin letter (a small table: the usual homoglyphs, not all of Unicode).
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b", "п": "n", "г": "r",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    # Latin look-alikes outside a-z
    "ı": "i", "ȷ": "j", "ſ": "s", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ħ": "h",
    # Digits
    "0": "o", "1": "l",
}  # fmt: skip
# Letter pairs read as one letter at a glance.
CONFUSABLE_PAIRS = {"rn": "m", "vv": "w", "cl": "d"}
# Shorter protected names match too many innocent words.
MIN_PROTECTED_LENGTH = 3


@dataclass(frozen=True)
class _Reading:
    shown: str  # the name as a person reads it (punycode decoded)
    idn: bool
    confusables: tuple[tuple[str, str], ...]  # (character, the Latin letter it passes for)


def _decode_label(label: str) -> tuple[str, bool]:
    if not label.startswith("xn--"):
        return label, False
    try:
        return label[4:].encode("ascii").decode("punycode"), True
    except (UnicodeError, ValueError):
        return label, True


def _read(name: str) -> _Reading:
    labels = [_decode_label(label) for label in name.strip().lower().rstrip(".").split(".")]
    shown = ".".join(label for label, _idn in labels)
    found: dict[str, str] = {}
    for char in shown:
        if not char.isascii() and char not in found:
            latin = CONFUSABLES.get(char) or _strip_marks(char)
            found[char] = latin if latin.isascii() else ""
    return _Reading(shown=shown, idn=any(idn for _label, idn in labels), confusables=tuple(found.items()))


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def lookalike_fold(text: str) -> str:
    """`text` reduced to what it looks like: plain a-z and digits other than 0 and 1, no
    separators ("Nоva-Mobile" with a Cyrillic о, "n0va mobile" and "nova.mobile" all fold to
    "novamobile")."""
    folded = []
    for char in text.lower():
        char = CONFUSABLES.get(char, char)
        folded.append(_strip_marks(char))
    plain = "".join(char for char in "".join(folded) if char.isascii() and char.isalnum())
    for pair, letter in CONFUSABLE_PAIRS.items():
        plain = plain.replace(pair, letter)
    return plain


def domain_lookalike_warnings(name: str, *, other_names: Mapping[str, str]) -> list[str]:
    """What looks suspicious in the host name `name`, in sentences for the platform admin.

    `other_names` maps the names to protect (other tenants' names, technical names and domain
    labels, the platform's domain label) to whose they are, e.g. {"nova": "Nova Mobile"}.
    """
    reading = _read(name)
    warnings: list[str] = []
    if reading.idn:
        warnings.append(
            _("International name (IDN): %(name)s is displayed as “%(shown)s”.")
            % {"name": name, "shown": reading.shown}
        )
    if reading.confusables:
        listed = ", ".join(
            f"“{char}” ({_script(char)})" + (f" ≈ “{latin}”" if latin else "")
            for char, latin in reading.confusables
        )
        warnings.append(_("Characters other than plain Latin letters: %(list)s.") % {"list": listed})
    labels = reading.shown.split(".")
    # The last label is the top-level domain (localhost, fr, com): never a site's name.
    site_part = "".join(labels[:-1]) if len(labels) > 1 else reading.shown
    folded = lookalike_fold(site_part)
    plain = "".join(char for char in site_part if char.isascii() and char.isalnum())
    seen: set[str] = set()
    for protected, owner in other_names.items():
        key = lookalike_fold(protected)
        if len(key) < MIN_PROTECTED_LENGTH or key in seen or key not in folded:
            continue
        seen.add(key)
        if key in plain and key == "".join(c for c in protected.lower() if c.isascii() and c.isalnum()):
            message = _("It contains “%(other)s”, a name of %(owner)s.")
        else:
            message = _("Read with its look-alike characters, it contains “%(other)s”, a name of %(owner)s.")
        warnings.append(message % {"other": protected, "owner": owner})
    return warnings


def _script(char: str) -> str:
    try:
        return unicodedata.name(char).split()[0].capitalize()
    except ValueError:
        return "?"
