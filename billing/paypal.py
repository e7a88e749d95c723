"""PayPal checkout links of the portal (reads only): "pay this invoice" and the preset top-ups.
The notification that follows a payment is `services_paypal.paypal_ipn_receive`."""

from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from billing.models import BillingSettings

PAYPAL_CHECKOUT_URL = "https://www.paypal.com/cgi-bin/webscr"


def paypal_amounts(settings: BillingSettings) -> list[Decimal]:
    """The preset top-up amounts of the settings ("10,20,50")."""
    amounts = []
    for part in settings.paypal_amounts.replace(";", ",").split(","):
        try:
            value = Decimal(part.strip())
        except InvalidOperation:
            continue
        if value.is_finite() and value > 0:
            amounts.append(value.quantize(Decimal("0.01")))
    return amounts


def paypal_link(
    *, settings: BillingSettings, amount: Decimal, item: str, custom: str, notify_url: str, return_url: str
) -> str:
    """The PayPal checkout address for one payment (a plain link: the portal's forms stay on our site)."""
    params = {
        "cmd": "_xclick",
        "business": settings.paypal_email,
        "item_name": item,
        "amount": f"{amount:.2f}",
        "currency_code": "EUR",
        "custom": custom,
        "notify_url": notify_url,
        "return": return_url,
        "no_shipping": "1",
        "charset": "utf-8",
    }
    return f"{PAYPAL_CHECKOUT_URL}?{urlencode(params)}"
