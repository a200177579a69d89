"""A feature phone, as Africa's Talking's callbacks bring it: an incoming SMS is a form POST with `from`, `to`,
`text`, `id`, `linkId`, `date` and `networkCode`; a USSD step is a form POST with `sessionId`, `serviceCode`,
`phoneNumber`, `networkCode` and `text` (every answer so far joined by "*"), answered in plain text starting
"CON " (more to ask) or "END " (done). (Africa's Talking, "Incoming messages" and "USSD" callback documentation.)"""

from __future__ import annotations

import itertools
import uuid

_ids = itertools.count(1)


class FeaturePhone:
    def __init__(self, client, token: str, number: str, short_code: str = "20880", service_code: str = "*384*2026#"):
        self.client, self.token, self.number = client, token, number
        self.short_code, self.service_code = short_code, service_code
        self.sent: list[dict] = []

    def sms(self, text: str, message_id: str | None = None):
        body = {"from": self.number, "to": self.short_code, "text": text, "id": message_id or f"ATXid_{uuid.uuid4().hex}",
                "linkId": f"link-{next(_ids)}", "date": "2026-12-07 06:01:02", "networkCode": "63902"}
        self.sent.append(body)
        return self.client.post(f"/phone/{self.token}/sms/", body)

    def dial(self, *answers: str) -> list[str]:
        """A whole USSD session: the screens the phone shows, one for each step."""
        session = f"ATUid_{uuid.uuid4().hex}"
        screens = []
        for step in range(len(answers) + 1):
            text = "*".join(answers[:step])
            response = self.client.post(f"/phone/{self.token}/ussd/", {
                "sessionId": session, "serviceCode": self.service_code, "phoneNumber": self.number, "networkCode": "63902",
                "text": text})
            screens.append(response.content.decode())
            if screens[-1].startswith("END"):
                break
        return screens
