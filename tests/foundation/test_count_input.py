"""Issue 10: whole numbers typed by staff (allowance quantities, instalments, increments, days,
ports) are text inputs read the French way (`1 000`), not `<input type="number">`."""

from decimal import Decimal

import pytest
from django import forms

from core.forms import CountField


@pytest.mark.parametrize(
    ("typed", "read"), [("1 000", 1000), ("1\u202f000", 1000), ("1\u00a0000", 1000), ("12", 12), ("12,0", 12)]
)
def test_a_count_is_read_the_french_way(typed, read):
    assert CountField().clean(typed) == read


@pytest.mark.parametrize("typed", ["12,50", "douze", "1.000,5"])
def test_a_count_that_is_not_whole_is_refused_in_words(typed):
    with pytest.raises(forms.ValidationError) as error:
        CountField().clean(typed)
    assert "n'est pas un nombre entier" in str(error.value)


def test_bounds_still_apply():
    with pytest.raises(forms.ValidationError):
        CountField(min_value=1).clean("0")


def test_the_allowance_quantity_and_other_counts_of_staff_forms_take_1_000(db):
    from offers.forms import AllowanceForm, RateForm, TerminalForm
    from provisioning.forms import ProvisioningSettingsForm
    from tenants.settings.forms import ApiAccessForm

    row = AllowanceForm(
        {"event_type": "SMS", "zones": "", "origin_zones": "HOME", "quantity": "1 000", "unit": "EVENT"}
    )
    assert row.is_valid(), row.errors
    assert row.cleaned_data["quantity"] == 1000
    assert 'type="number"' not in str(row["quantity"])
    decimal = AllowanceForm({"event_type": "DATA", "origin_zones": "HOME", "quantity": "12,50", "unit": "MB"})
    assert decimal.is_valid(), decimal.errors
    assert decimal.cleaned_data["quantity"] == Decimal("12.50")  # a quantity of MB may have decimals
    for form, name in [
        (TerminalForm(), "instalment_months"),
        (RateForm(), "first_increment"),
        (ProvisioningSettingsForm(), "porting_min_days"),
        (ApiAccessForm(), "api_token_days"),
    ]:
        assert isinstance(form.fields[name], CountField), (type(form).__name__, name)
        assert 'type="number"' not in str(form[name])


def test_a_stored_count_is_shown_with_its_thousands_separated():
    field = CountField()
    assert field.widget.format_value(12000) == "12\u00a0000"
