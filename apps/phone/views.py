"""The SMS provider's callbacks (Africa's Talking's shapes): an incoming SMS, and each step of a USSD session. The
address holds a secret the operator gives the provider; without it, or with another, there is nothing here."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services


def _check(token: str) -> None:
    expected = settings.PHONE_CALLBACK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404


@csrf_exempt
@require_POST
def sms_callback(request, token: str):
    _check(token)
    data = request.POST
    sender, text, message_id = data.get("from", ""), data.get("text", ""), data.get("id", "")
    if not sender or not message_id or len(text) > 500 or "\x00" in text:
        return HttpResponse(status=400)
    services.sms_receive(provider_id=message_id, phone=sender, text=text)
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def ussd_callback(request, token: str):
    _check(token)
    data = request.POST
    session_id, phone, text = data.get("sessionId", ""), data.get("phoneNumber", ""), data.get("text", "")
    if not session_id or not phone or len(text) > 200 or "\x00" in text:
        return HttpResponse("END", content_type="text/plain", status=400)
    return HttpResponse(services.ussd_step(session_id=session_id, phone=phone, text=text), content_type="text/plain; charset=utf-8")
