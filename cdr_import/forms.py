"""Forms of the cdr_import pages: the deposit console, the tracking filters, the feed's settings."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cdr_import.models import FeedFolder, FeedImportSettings, FeedType, ImportStatus, ReadingProfile
from customers.models import Customer

DAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class CustomerNumberField(forms.CharField):
    """A customer typed by number (the lists are long): checked to exist, given as the customer."""

    def clean(self, value: Any) -> Customer | None:  # type: ignore[override]
        number = (super().clean(value) or "").strip()
        if not number:
            return None
        customer = Customer.objects.filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has the number %(number)s.") % {"number": number})
        return customer


class _ProfileChoice:
    """A deposit may name the tenant's reading profile of its CDR files (default: the one for the
    file's type and flow, else the built-in one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profiles = list(ReadingProfile.objects.order_by("label").values_list("code", "label"))
        if profiles:
            self.fields["profile"] = forms.ChoiceField(  # type: ignore[attr-defined]
                label=_("Reading profile"),
                required=False,
                choices=[("", _("The profile for the file's type and flow")), *profiles],
            )


class DepositForm(_ProfileChoice, forms.Form):
    """The deposit console; without JavaScript, one feed type for every file chosen."""

    documents = MultipleFileField(
        label=_("Files"),
        widget=MultipleFileInput(attrs={"data-deposit-input": ""}),
        help_text=_("One or several files; the feed type is recognised from each name."),
    )
    feed_type = forms.ChoiceField(
        label=_("Feed type"),
        required=False,
        choices=[("", _("Recognise from the name")), *FeedType.choices],
    )
    flow = forms.CharField(label=_("Flow (operator)"), max_length=40, required=False)
    customer = CustomerNumberField(
        label=_("Customer number"),
        required=False,
        help_text=_("Only for a file of one customer's own (an operator invoice, for instance)."),
    )


class DepositFileForm(_ProfileChoice, forms.Form):
    """One file of the console's JavaScript upload (each file is sent on its own)."""

    file = forms.FileField(label=_("File"))
    feed_type = forms.ChoiceField(
        label=_("Feed type"), required=False, choices=[("", "—"), *FeedType.choices]
    )
    flow = forms.CharField(label=_("Flow (operator)"), max_length=40, required=False)
    customer = CustomerNumberField(label=_("Customer number"), required=False)


class ImportFilterForm(forms.Form):
    flow = forms.CharField(label=_("Flow (operator)"), required=False)
    feed_type = forms.ChoiceField(
        label=_("Feed type"), required=False, choices=[("", _("Every type")), *FeedType.choices]
    )
    customer = forms.CharField(label=_("Customer number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Every status")), *ImportStatus.choices]
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReprocessForm(forms.Form):
    feed_type = forms.ChoiceField(
        label=_("Feed type"), required=False, choices=[("", _("Keep the current type")), *FeedType.choices]
    )


class FeedFolderRhythmForm(forms.ModelForm):
    days = forms.MultipleChoiceField(
        label=_("Days of the week"), choices=DAYS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = FeedFolder
        fields = ["enabled", "every_hours", "from_hour", "to_hour"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and not self.is_bound:
            self.initial["days"] = list(self.instance.days)
        for name in ("every_hours", "from_hour", "to_hour"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_days(self) -> str:
        return "".join(sorted(self.cleaned_data.get("days") or []))


class FeedImportSettingsForm(forms.ModelForm):
    class Meta:
        model = FeedImportSettings
        fields = ["report_to_retours", "stable_seconds"]
