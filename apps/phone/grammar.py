"""The short commands a milker can send by SMS, in English or Kiswahili:

    MILK A12 12.5 AM          MAZIWA A12 12.5 ASUBUHI      (a cow's milk in a session of today)
    HEAT A12                  JOTO A12                     (a heat seen today)
    TREAT A12 Masticlear 1    TIBA A12 Masticlear 1        (a treatment now: the product from stock, the dose in its unit)

Words may be in any case; a comma may stand for the decimal point (12,5). The session may be left out: the one the
farm's clock is in. A message that is not a command is answered with the commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MILK_WORDS = {"MILK": "en", "MAZIWA": "sw"}
HEAT_WORDS = {"HEAT": "en", "JOTO": "sw"}
TREAT_WORDS = {"TREAT": "en", "TIBA": "sw"}
SESSION_WORDS = {
    "AM": "morning", "MORNING": "morning", "ASUBUHI": "morning",
    "NOON": "midday", "MIDDAY": "midday", "MCHANA": "midday",
    "PM": "evening", "EVENING": "evening", "JIONI": "evening",
}


@dataclass(frozen=True)
class Command:
    kind: str  # "milk", "heat" or "treat"
    tag: str
    language: str  # the language the command was written in
    quantity: Decimal | None = None
    session: str | None = None
    product: str = ""


class NotUnderstood(ValueError):
    """`args[0]`: what is wrong ("unknown", "tag", "quantity", "session"); `args[1]`: the language guessed."""


def parse(text: str) -> Command:
    words = re.sub(r"\s+", " ", (text or "").strip()).upper().split(" ")
    verb = words[0] if words else ""
    if verb in HEAT_WORDS:
        language = HEAT_WORDS[verb]
        if len(words) != 2:
            raise NotUnderstood("tag", language)
        return Command("heat", words[1], language)
    if verb in TREAT_WORDS:
        language = TREAT_WORDS[verb]
        if len(words) < 4:
            raise NotUnderstood("treat", language)
        try:
            dose = Decimal(re.sub(r"[A-Z]+$", "", words[-1]).replace(",", "."))
        except InvalidOperation:
            raise NotUnderstood("treat", language) from None
        if not dose.is_finite():
            raise NotUnderstood("treat", language)
        product = " ".join(re.sub(r"\s+", " ", text.strip()).split(" ")[2:-1])  # as typed, not upper-cased
        return Command("treat", words[1], language, dose, None, product)
    if verb not in MILK_WORDS:
        raise NotUnderstood("unknown", "sw" if verb in ("", "MSAADA") else "en")
    language = MILK_WORDS[verb]
    if len(words) not in (3, 4):
        raise NotUnderstood("quantity", language)
    try:
        quantity = Decimal(words[2].replace(",", "."))
    except InvalidOperation:
        raise NotUnderstood("quantity", language) from None
    if not quantity.is_finite():
        raise NotUnderstood("quantity", language)
    session = None
    if len(words) == 4:
        session = SESSION_WORDS.get(words[3])
        if session is None:
            raise NotUnderstood("session", language)
    return Command("milk", words[1], language, quantity, session)
