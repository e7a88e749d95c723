"""Forms of the order pages (input only: the rules are in `provisioning.orders.services`)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, User
from core.forms import AmountField, CountField, ServiceChecks
from offers.models import BillingTiming, RateTable, Terminal
from provisioning.models import DiscountKind, OrderLine, OrderLineType, OrderStatus, TerminalPurchase
from provisioning.orders import selectors
from provisioning.orders.services import OrderLineInput, order_line_check

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label: Any) -> AmountField:
    # The shared amount field: a text input that accepts "12,50", "12.50" and "1 250,50".
    return AmountField(label=label, required=False, max_digits=10, decimal_places=2)


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order or customer number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Every status")), *OrderStatus.choices]
    )
    customer = forms.CharField(required=False, widget=forms.HiddenInput)


class OrderForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OrderLineForm(ServiceChecks, forms.Form):
    line_type = forms.ChoiceField(label=_("Number"), choices=OrderLineType.choices, initial=OrderLineType.NEW)
    user_name = forms.CharField(label=_("Line user"), max_length=100, required=False)
    seller = forms.ModelChoiceField(label=_("Seller"), queryset=User.objects.none(), required=False)
    sim = forms.ModelChoiceField(label=_("SIM card"), queryset=selectors.order_sims_available())
    msisdn = forms.CharField(
        label=_("New number"),
        max_length=20,
        required=False,
        help_text=_("Empty: the SIM's number, or the first free number of the pool."),
    )
    port_msisdn = forms.CharField(label=_("Number to port"), max_length=20, required=False)
    rio = forms.CharField(label=_("RIO"), max_length=20, required=False)
    porting_date = forms.DateField(label=_("Porting date"), required=False, widget=_DATE)
    offer = forms.ModelChoiceField(label=_("Offer"), queryset=selectors.order_offers())
    price_override = _money(_("Offer price excl. VAT (override)"))
    commitment_months = forms.TypedChoiceField(
        label=_("Commitment"),
        coerce=int,
        choices=[(0, _("None")), (12, _("12 months")), (24, _("24 months"))],
        initial=0,
    )
    data_speed = forms.ChoiceField(label=_("Data speed"), required=False, choices=[])
    options = forms.ModelMultipleChoiceField(
        label=_("Options"),
        queryset=selectors.order_options(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rate_table = forms.ModelChoiceField(
        label=_("Rate table"),
        queryset=RateTable.objects.filter(archived=False).order_by("label"),
        required=False,
        empty_label=_("The offer's"),
    )
    terminal = forms.ModelChoiceField(
        label=_("Terminal"),
        queryset=Terminal.objects.filter(archived=False).order_by("label"),
        required=False,
    )
    terminal_purchase = forms.ChoiceField(
        label=_("Purchase mode"), required=False, choices=[("", "—"), *TerminalPurchase.choices]
    )
    discount_kind = forms.ChoiceField(label=_("Discount"), required=False, choices=DiscountKind.choices)
    discount_value = _money(_("Discount value"))
    discount_months = CountField(
        label=_("Discount for (months)"), required=False, min_value=1, help_text=_("Empty: for good.")
    )
    billing_start = forms.DateField(label=_("Billing starts on"), required=False, widget=_DATE)
    billing_timing = forms.ChoiceField(
        label=_("Billed"), choices=BillingTiming.choices, initial=BillingTiming.ADVANCE
    )
    charge_activation_now = forms.BooleanField(label=_("Charge the activation fee now"), required=False)

    def __init__(self, *args: Any, can_override_price: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        seller_field = self.fields["seller"]
        assert isinstance(seller_field, forms.ModelChoiceField)
        seller_field.queryset = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
            "last_name", "username"
        )
        speeds = selectors.offer_data_speeds(offer=None)
        speed_field = self.fields["data_speed"]
        assert isinstance(speed_field, forms.ChoiceField)
        speed_field.choices = [("", _("The offer's")), *((s, s) for s in speeds)]
        if not can_override_price:
            self.fields["price_override"].disabled = True

    def service_check(self, data: dict[str, Any]) -> None:
        # the line's number on the page: the formset names its forms `lines-<index>`
        index = int(self.prefix.rsplit("-", 1)[-1]) if self.prefix and self.prefix[-1].isdigit() else 0
        order_line_check(index=index, data=self.line_input(data), by=None, today=timezone.localdate())

    def line_input(self, data: dict[str, Any] | None = None) -> OrderLineInput:
        data = self.cleaned_data if data is None else data
        return OrderLineInput(
            offer=data.get("offer"),
            sim=data.get("sim"),
            line_type=data.get("line_type") or "",
            msisdn=data.get("msisdn") or "",
            port_msisdn=data.get("port_msisdn") or "",
            rio=data.get("rio") or "",
            porting_date=data.get("porting_date"),
            user_name=data.get("user_name") or "",
            seller=data.get("seller"),
            commitment_months=data.get("commitment_months") or 0,
            terminal=data.get("terminal"),
            terminal_purchase=data.get("terminal_purchase") or "",
            price_override=data.get("price_override"),
            data_speed=data.get("data_speed") or "",
            options=list(data.get("options") or []),
            rate_table=data.get("rate_table"),
            discount_kind=data.get("discount_kind") or "",
            discount_value=data.get("discount_value"),
            discount_months=data.get("discount_months"),
            billing_start=data.get("billing_start"),
            billing_timing=data.get("billing_timing") or BillingTiming.ADVANCE,
            charge_activation_now=bool(data.get("charge_activation_now")),
        )


def order_line_initial(line: OrderLine) -> dict[str, Any]:
    """A saved draft line as the form's initial values."""
    return {
        "line_type": line.line_type,
        "user_name": line.user_name,
        "seller": line.seller_id,
        "sim": line.sim_id,
        "msisdn": line.msisdn,
        "port_msisdn": line.port_msisdn,
        "rio": line.rio,
        "porting_date": line.porting_date,
        "offer": line.offer_id,
        "price_override": line.price_override,
        "commitment_months": line.commitment_months,
        "data_speed": line.data_speed,
        "options": [o.pk for o in line.options.all()],
        "rate_table": line.rate_table_id,
        "terminal": line.terminal_id,
        "terminal_purchase": line.terminal_purchase,
        "discount_kind": line.discount_kind,
        "discount_value": line.discount_value,
        "discount_months": line.discount_months,
        "billing_start": line.billing_start,
        "billing_timing": line.billing_timing,
        "charge_activation_now": line.charge_activation_now,
    }


class BaseOrderLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, can_override_price: bool = True, **kwargs: Any):
        self.can_override_price = can_override_price
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["can_override_price"] = self.can_override_price
        return kwargs

    def kept_forms(self) -> list[OrderLineForm]:
        """The lines to save: the draft's own (unless deleted) and the added ones that were filled in."""
        return [
            form
            for i, form in enumerate(self.forms)
            if (i < self.initial_form_count() or form.has_changed())
            and form.cleaned_data
            and not form.cleaned_data.get("DELETE")
        ]

    def line_inputs(self) -> list[OrderLineInput]:
        return [form.line_input() for form in self.kept_forms()]


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseOrderLineFormSet, extra=0, can_delete=True, min_num=1, validate_min=True
)


class ServiceOrderForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Service"), queryset=selectors.service_products())
    quantity = CountField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = _money(_("Unit price excl. VAT"))
    start_date = forms.DateField(label=_("Start date"), widget=_DATE)
    end_date = forms.DateField(label=_("End date (recurring service)"), required=False, widget=_DATE)

    def __init__(self, *args: Any, can_override_price: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit_price"].help_text = _("Empty: the catalogue's price.")
        if not can_override_price:
            self.fields["unit_price"].disabled = True
