"""Feature phones: SMS commands and a USSD menu, answered through the same services, permissions and audit as the
pages, as the member whose phone number sent them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Profile
from apps.accounts.permissions import can
from apps.accounts.selectors import farms_visible_to
from apps.breeding.services import heat_record
from apps.core.identifiers import digits, digits_of
from apps.core.outbox import handler, outbox_enqueue
from apps.core.rls import working_for
from apps.core.words import amount, day
from apps.farms.milkings import SESSION_LABELS
from apps.herd.selectors import animals_visible_to
from apps.milk.services import milking_record_save
from apps.notify.channels import send_sms

from . import grammar
from .models import Inbound

MAX_LEVELS = 6


def member_by_phone(phone: str) -> Membership | None:
    """The active membership of the person whose profile holds this number (its digits, any spacing); with several
    organisations, the oldest membership. None for a number no member gave."""
    wanted = digits(phone)
    if len(wanted) < 9:
        return None
    users = list(Profile.objects.annotate(bare=digits_of("phone")).filter(bare=wanted).values_list("user_id", flat=True))
    if not users:
        return None
    return (Membership.objects.unscoped().filter(user_id__in=users, is_active=True, is_service=False)
            .select_related("tenant", "role", "user__profile").order_by("pk").first())


def _language(membership, written: str | None = None) -> str:
    profile = getattr(membership.user, "profile", None)
    return written or (profile.language if profile and profile.language else "") or membership.tenant.language or "sw"


def _cow(membership, tag: str, farm=None):
    cows = animals_visible_to(membership).select_related("farm").filter(Q(tag__iexact=tag) | Q(eid=digits(tag) or "-"))
    if farm is not None:
        cows = cows.filter(farm=farm)
    return cows.first()


def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


def _milk(membership, cow, quantity: Decimal, session: str | None) -> str:
    farm = cow.farm
    if not can(membership, "milk.record", farm):
        raise PermissionDenied
    today, now_session = farm.milkings.session_of(farm.local_now())
    if session is not None:
        if session not in farm.milkings.sessions:
            return _("%(farm)s does not milk in the %(session)s.") % {"farm": farm.name, "session": str(SESSION_LABELS[session]).lower()}
        today = farm.local_today()
    else:
        session = now_session
    record = milking_record_save(membership=membership, farm=farm, animal=cow, date=today, session=session, quantity=quantity,
                                 milker=membership, method="hand")
    saved = _("Saved: %(tag)s %(quantity)s L, %(session)s %(day)s.") % {
        "tag": cow.tag, "quantity": amount(record.quantity), "session": str(SESSION_LABELS[session]).lower(), "day": day(today, year=False)}
    if record.discarded:
        saved += " " + _("Discard it: she is under a medicine's withdrawal.")
    return saved


def _heat(membership, cow) -> str:
    today = cow.farm.local_today()
    heat_record(membership=membership, animal=cow, observed_on=today, signs=_("Seen in heat (by phone)"))
    return _("Saved: %(tag)s seen in heat, %(day)s.") % {"tag": cow.tag, "day": day(today, year=False)}


def _treat(membership, cow, product: str, dose: Decimal) -> str:
    """A treatment given now with a product from stock (its label's withdrawal), drawn from the farm's soonest
    expiring batch that holds the dose; a product not in stock is recorded by its name, as bought in."""
    from apps.health.models import Route
    from apps.health.services import treatment_record
    from apps.stock.models import Batch, ItemKind, StockItem

    farm = cow.farm
    items = StockItem.objects.filter(tenant_id=membership.tenant_id, kind__in=(ItemKind.MEDICINE, ItemKind.VACCINE), is_active=True)
    item = items.filter(name__iexact=product).first() or (lambda found: found[0] if len(found) == 1 else None)(
        list(items.filter(name__istartswith=product)[:2]))
    batch = None
    if item is not None:
        batch = (Batch.objects.filter(tenant_id=membership.tenant_id, farm=farm, item=item, quantity__gte=dose)
                 .filter(Q(expires_on=None) | Q(expires_on__gte=farm.local_today())).order_by("expires_on", "id").first())
    treatment = treatment_record(membership=membership, animal=cow, diagnosis=_("Reported by phone"), dose=dose,
                                 dose_unit=item.unit if item else _("dose"), route=Route.OTHER, given_at=farm.local_now(),
                                 item=item, batch=batch, product_name=product)
    saved = _("Saved: %(tag)s treated with %(product)s, %(dose)s %(unit)s.") % {
        "tag": cow.tag, "product": treatment.product_name, "dose": amount(dose), "unit": treatment.dose_unit}
    if treatment.milk_withdrawal_ends_at:
        saved += " " + _("Milk withheld until %(when)s.") % {
            "when": date_format(treatment.milk_withdrawal_ends_at.astimezone(farm.zone), "DAY_TIME_FORMAT")}
    return saved


def _act(action, *args) -> str:
    try:
        with transaction.atomic():
            return action(*args)
    except ValidationError as error:
        return _problem(error)
    except PermissionDenied:
        return _("Your role may not record this.")


def _help() -> str:
    return _("Send MAZIWA <cow> <litres> ASUBUHI or JIONI, JOTO <cow>, or TIBA <cow> <product> <dose>. In English: MILK, HEAT, "
             "TREAT.")


def _remember(kind: str, provider_id: str, phone: str, text: str) -> tuple[Inbound, bool]:
    """The message, kept by the provider's id: (it, whether it is new). A repeat is not acted on again."""
    try:
        with transaction.atomic():
            return Inbound.objects.create(kind=kind, provider_id=provider_id[:120], phone=phone[:32], text=text[:500]), True
    except IntegrityError:
        return Inbound.objects.get(kind=kind, provider_id=provider_id[:120], text=text[:500]), False


def sms_receive(*, provider_id: str, phone: str, text: str) -> str | None:
    """An SMS from a phone: acted on once, answered by SMS in the language it was written in. A number no member
    gave gets no answer (nothing is sent to a number that may be forged)."""
    inbound, new = _remember(Inbound.Kind.SMS, provider_id, phone, text)
    if not new:
        return inbound.reply or None
    membership = member_by_phone(phone)
    if membership is None:
        return None
    try:
        command = grammar.parse(text)
    except grammar.NotUnderstood as error:
        command, language, problem = None, _language(membership, error.args[1] if error.args[0] != "unknown" else None), error.args[0]
    else:
        language, problem = command.language, ""
    with translation.override(language), working_for(membership.tenant_id):
        if command is None:
            reply = {"quantity": _("Give the litres as a number, e.g. MAZIWA A12 12.5 ASUBUHI."),
                     "session": _("Say the session: ASUBUHI, MCHANA or JIONI (AM, NOON or PM)."),
                     "tag": _("Give the cow's tag, e.g. JOTO A12."),
                     "treat": _("Send TIBA <cow> <product> <dose>, e.g. TIBA A12 Masticlear 1.")}.get(problem) or _help()
        elif (cow := _cow(membership, command.tag)) is None:
            reply = _("No cow %(tag)s on your farms.") % {"tag": command.tag}
        elif command.kind == "milk":
            reply = _act(_milk, membership, cow, command.quantity, command.session)
        elif command.kind == "treat":
            reply = _act(_treat, membership, cow, command.product, command.quantity)
        else:
            reply = _act(_heat, membership, cow)
        inbound.tenant_id, inbound.reply = membership.tenant_id, reply[:500]
        inbound.save(update_fields=["tenant_id", "reply"])
        outbox_enqueue(tenant_id=membership.tenant_id, kind="phone.reply", payload={"to": phone, "text": reply})
    return reply


@handler("phone.reply")
def _send_reply(message) -> None:
    send_sms(to=message.payload["to"], text=message.payload["text"])


def _menu(title: str, choices: list[str]) -> str:
    return "CON " + "\n".join([title, *(f"{n}. {choice}" for n, choice in enumerate(choices, start=1))])


def _pick(answer: str, options: list):
    try:
        index = int(answer)
    except ValueError:
        return None
    return options[index - 1] if 1 <= index <= len(options) else None


def ussd_step(*, session_id: str, phone: str, text: str) -> str:
    """One step of the USSD menu; `text` is every answer so far joined by "*" (the provider's way). A step sent again
    is answered as before and acted on once."""
    inbound, new = _remember(Inbound.Kind.USSD, session_id, phone, text)
    if not new and inbound.reply:
        return inbound.reply
    membership = member_by_phone(phone)
    if membership is None:
        reply = "END " + _("This number is not registered with iFarm.")
    else:
        with translation.override(_language(membership)), working_for(membership.tenant_id):
            reply = _ussd(membership, [part.strip() for part in text.split("*")] if text else [])
            inbound.tenant_id = membership.tenant_id
    inbound.reply = reply[:500]
    inbound.save(update_fields=["tenant_id", "reply"])
    return reply


def _ussd(membership, answers: list[str]) -> str:
    actions = ["milk", "heat"]
    if not answers:
        return _menu("iFarm", [_("Record milk"), _("Record a heat")])
    action = _pick(answers[0], actions)
    farms = list(farms_visible_to(membership))
    if action is None or len(answers) > MAX_LEVELS:
        return "END " + _("That is not one of the choices. Dial again.")
    if len(answers) == 1:
        return _menu(_("Farm"), [farm.name for farm in farms])
    farm = _pick(answers[1], farms)
    if farm is None:
        return "END " + _("That is not one of the choices. Dial again.")
    steps = answers[2:]
    if action == "milk":
        sessions = farm.milkings.sessions
        if not steps:
            return _menu(_("Session"), [str(SESSION_LABELS[s]) for s in sessions])
        session = _pick(steps[0], sessions)
        if session is None:
            return "END " + _("That is not one of the choices. Dial again.")
        steps = steps[1:]
    if not steps:
        return "CON " + _("The cow's tag:")
    cow = _cow(membership, steps[0], farm)
    if cow is None:
        return "END " + _("No cow %(tag)s on %(farm)s.") % {"tag": steps[0], "farm": farm.name}
    if action == "heat":
        return "END " + _act(_heat, membership, cow)
    if len(steps) == 1:
        return "CON " + _("Litres from %(tag)s:") % {"tag": cow.tag}
    try:
        quantity = Decimal(steps[1].replace(",", ".").replace("#", "."))
    except InvalidOperation:
        return "END " + _("Give the litres as a number, e.g. 12.5.")
    if not quantity.is_finite():
        return "END " + _("Give the litres as a number, e.g. 12.5.")
    return "END " + _act(_milk, membership, cow, quantity, session)
