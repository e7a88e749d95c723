"""Business choices shared by several apps (kept at the bottom of the import graph)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMode(models.TextChoices):
    """How a customer pays its invoices; the tenant's invoice settings hold a text for each."""

    SEPA = "sepa", _("SEPA direct debit")
    TRANSFER = "transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CARD = "card", _("Card")
