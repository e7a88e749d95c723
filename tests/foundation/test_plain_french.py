"""No raw code reaches a screen: every catalogue is translated, every audit action has a label."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from core import labels

BASE = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path for path in BASE.glob("**/locale/fr/LC_MESSAGES/django.po") if ".venv" not in path.parts
)
ACTION = re.compile(r"""action=f?"([^"]+)\"""")


def test_every_app_and_the_shell_have_a_french_catalogue():
    assert BASE / "locale/fr/LC_MESSAGES/django.po" in CATALOGUES and len(CATALOGUES) >= 5


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_no_message_is_left_untranslated_or_fuzzy(path):
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def _action_codes_in_code() -> set[str]:
    """Every `action="…"` the apps pass to audit_record; f-strings expanded to their known values."""
    from customers.models import EntryKind

    codes: set[str] = set()
    for path in BASE.glob("*/**/*.py"):
        if {".venv", "tests", "migrations"} & set(path.parts):
            continue
        for code in ACTION.findall(path.read_text()):
            if "." not in code:
                continue  # argparse's action="store_true"
            if code == "customer.ledger_{kind}":
                codes |= {f"customer.ledger_{kind}" for kind in EntryKind.values}
            elif code.startswith("{item._meta.model_name}.") or code.startswith("{model._meta.model_name}."):
                verbs = ("updated",) if code.endswith("updated") else ("created", "archived", "restored")
                codes |= {f"{m}.{v}" for m in ("offer", "option", "product", "terminal") for v in verbs}
            elif code == "{key}.allowances_changed":
                codes |= {"offer.allowances_changed", "option.allowances_changed"}
            else:
                assert "{" not in code, f"an action built at run time the test does not know: {code}"
                codes.add(code)
    return codes


def test_every_audit_action_used_in_the_code_has_a_label():
    codes = _action_codes_in_code()
    assert {"user.logged_in", "customer.mandate_created", "tenant.status_changed"} <= codes
    assert sorted(codes - labels.action_codes()) == []


def test_labels_are_french_and_english():
    with translation.override("fr"):
        assert labels.action_label("user.logged_in") == "Connexion"
        assert labels.action_label("customer.mandate_created") == "Mandat SEPA créé"
        assert labels.object_type_label("accounts.user") == "Utilisateur"
        assert labels.event_type_label("VOICE_MO") == "Appels sortants"
        assert labels.change_items({"kind": "business", "replaces": 3}, "customers.customer") == [
            ("Type", "Professionnel"),
            ("Remplace", "3"),
        ]
    with translation.override("en"):
        assert labels.action_label("user.logged_in") == "Logged in"
    assert labels.action_label("thing.never_seen") == "Thing · never seen"


def test_a_detail_named_like_a_reverse_relation_is_shown_in_words():
    # an order's audit details count its `lines`, also the name of the order's reverse relation
    with translation.override("en"):
        assert labels.change_key_label("lines", "provisioning.order") == "Lines"


def test_simulator_offers_event_types_in_words(acme, make_user, client_for):
    body = client_for(acme, make_user(acme, "admin")).get("/catalogue/simulator/").content.decode()
    assert ">Appels sortants<" in body and ">VOICE_MO<" not in body and ">VOICE_FWD<" not in body


def test_the_e_mail_preview_names_the_sender(acme, make_user, client_for):
    body = client_for(acme, make_user(acme, "admin")).get("/settings/emails/").content.decode()
    assert ">Du<" not in body


def test_money_filter_groups_thousands():
    from core.templatetags.ism_format import money

    with translation.override("fr"):
        assert money("12345.6789") == "12\u00a0345,6789 €"
        assert money("0.0750") == "0,0750 €"
