"""Money rules: Decimal only, and no more decimals than the currency has."""

from decimal import Decimal

from django.utils.translation import gettext as _

# ISO 4217 minor units where they are not 2.
MINOR_UNITS = {"UGX": 0, "RWF": 0, "JPY": 0, "KRW": 0, "XOF": 0, "XAF": 0, "BIF": 0, "KWD": 3, "BHD": 3, "OMR": 3}
MAX_AMOUNT = Decimal("9999999999.99")


def places(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def amount_problem(amount: Decimal | None, currency: str, *, allow_zero: bool = False) -> str | None:
    """Why an amount cannot be booked in this currency, or None when it can."""
    if amount is None:
        return _("Enter an amount.")
    if amount < 0 or (amount == 0 and not allow_zero):
        return _("Enter an amount above zero.")
    if amount > MAX_AMOUNT:
        return _("This amount is too large.")
    decimals = places(currency)
    if -amount.as_tuple().exponent > decimals and amount != amount.quantize(Decimal(1).scaleb(-decimals)):
        if not decimals:
            return _("%(currency)s amounts have no decimals.") % {"currency": currency}
        return _("%(currency)s amounts have %(count)s decimal places at most.") % {"currency": currency, "count": decimals}
    return None
