"""Developer tool: fill a .po catalogue from a Python dict of translations.

    python scripts/po_fill.py locale/fr/LC_MESSAGES/django.po translations.py

`translations.py` defines `T = {msgid: msgstr}`. Entries already translated are kept unless the
dict gives them; fuzzy flags are cleared for the entries it fills; it prints what is still missing.
"""

import runpy
import sys

import polib


def main(po_path: str, table_path: str) -> int:
    table = runpy.run_path(table_path)["T"]
    po = polib.pofile(po_path)
    missing = []
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not (entry.msgstr or any(entry.msgstr_plural.values())) or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    po.save()
    for msgid in missing:
        print("missing:", repr(msgid))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
