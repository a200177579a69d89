"""The webhook payloads, described for the OpenAPI document's `webhooks` section.

Every delivery is a Standard Webhooks message: `{"id", "type", "timestamp", "data"}`, signed in the
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers. Events about a resource carry it in
`data.resource` with `data.sequence`, numbered from 1 in the order the changes committed: deliveries may
arrive out of order (retries), a receiver keeps the highest sequence it has applied per resource.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .webhooks import EVENTS

DecimalText = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", description="A decimal number written as a string, exact.")]


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Ordered(Data):
    resource: str = Field(description='What the event is about, as "kind:id" ("animal:12", "milk-session:3:2026-12-01:morning").')
    sequence: int = Field(ge=1, description="The resource's event number: 1, 2, 3... in the order the changes committed.")


class AnimalData(Ordered):
    id: int
    tag: str
    eid: str
    farm_id: int
    species: str
    sex: str
    status: str


class AnimalUpdatedData(AnimalData):
    changed: list[str] = Field(description="The names of the fields that changed.")
    values: dict[str, Any] = Field(description="Each changed field's new value (foreign keys as ids).")
    before: dict[str, Any] = Field(description="Each changed field's value before.")


class AnimalDisposedData(AnimalData):
    status_on: dt.date | None
    reason: str


class SessionData(Ordered):
    farm_id: int
    date: dt.date = Field(description="The farm's own calendar day.")
    session: Literal["morning", "midday", "evening"]
    cows: int = Field(description="Cows with a record in the session.")
    total: DecimalText = Field(description="Produced in the session, discarded milk included, in the organisation's unit (L or kg).")
    discarded: DecimalText = Field(description="Discarded in the session (withdrawal, colostrum, abnormal...).")
    saleable: DecimalText = Field(description="Produced less discarded.")
    day_total: DecimalText
    day_discarded: DecimalText
    day_saleable: DecimalText


class AlertData(Ordered):
    animal_id: int
    farm_id: int
    date: dt.date
    session: str
    kind: str
    message: str


class ExpenseSubmittedData(Ordered):
    id: int
    farm_id: int | None
    date: dt.date
    amount: DecimalText
    category_id: int | None
    description: str


class ExpenseDecidedData(Ordered):
    id: int
    farm_id: int | None
    status: str
    amount: DecimalText
    note: str


class InvoiceIssuedData(Ordered):
    id: int
    kind: str
    number: str
    contact_id: int
    farm_id: int | None
    issue_date: dt.date
    due_date: dt.date | None
    total: DecimalText
    currency: str


class PaymentData(Ordered):
    id: int
    invoice_id: int
    invoice_number: str
    date: dt.date
    amount: DecimalText
    method: str
    invoice_status: str


class TreatmentData(Ordered):
    id: int
    kind: str
    animal_id: int
    tag: str
    farm_id: int
    product: str
    diagnosis: str
    given_at: dt.datetime
    milk_withdrawal_ends_at: dt.datetime | None
    meat_withdrawal_ends_on: dt.date | None


class WithdrawalEndedData(Ordered):
    treatment_id: int
    animal_id: int
    tag: str
    farm_id: int
    ended_at: dt.datetime


class BirthData(Ordered):
    id: int
    dam_id: int
    dam_tag: str
    farm_id: int
    born_on: dt.date
    ease: int = Field(ge=1, le=5, description="1 unassisted to 5 caesarean.")
    aborted: bool
    offspring: list[dict[str, Any]]


class DeliveryData(Ordered):
    id: int
    farm_id: int
    buyer_id: int
    date: dt.date = Field(description="The farm's own calendar day.")
    sessions: list[Literal["morning", "midday", "evening"]]
    quantity: DecimalText = Field(description="As the farm measured, in the buyer's unit.")
    unit: Literal["L", "kg"]
    expected_value: DecimalText | None = Field(description="What the buyer's price schedule pays for it; null without a schedule.")


class StatementData(Ordered):
    id: int
    farm_id: int
    buyer_id: int
    month: dt.date = Field(description="The month's first day.")
    net: DecimalText = Field(description="What the statement says is due.")
    expected_net: DecimalText = Field(description="What the deliveries and the schedule give.")
    at_stake: DecimalText = Field(description="net less expected_net: below zero, the farm is paid less than its records give.")
    differences: int = Field(description="Lines of the statement that differ from the farm's records.")


class PingData(Data):
    message: str


DATA = {
    "animal.created": AnimalData, "animal.updated": AnimalUpdatedData, "animal.disposed": AnimalDisposedData,
    "milk.session_completed": SessionData, "milk.session_corrected": SessionData, "milk.alert_raised": AlertData,
    "expense.submitted": ExpenseSubmittedData, "expense.decided": ExpenseDecidedData, "invoice.issued": InvoiceIssuedData,
    "payment.recorded": PaymentData, "treatment.recorded": TreatmentData, "withdrawal.ended": WithdrawalEndedData,
    "birth.recorded": BirthData, "delivery.recorded": DeliveryData, "statement.entered": StatementData, "webhook.test": PingData,
}
assert set(DATA) == set(EVENTS), "every event is described"

HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "The message's id: the same on every retry of it (deduplicate by it)."},
    {"name": "webhook-timestamp", "in": "header", "required": True, "schema": {"type": "string", "pattern": r"^\d+$"},
     "description": "When this attempt was signed, in seconds since 1970 (UTC)."},
    {"name": "webhook-signature", "in": "header", "required": True, "schema": {"type": "string"},
     "description": "v1,<base64 HMAC-SHA256> of id.timestamp.body with the endpoint's secret (Standard Webhooks)."},
]


def webhooks_section(components: dict) -> dict:
    """OpenAPI 3.1 `webhooks`: one POST per event with its payload; the data schemas join `components`."""
    section = {}
    for event, model in DATA.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        name = model.__name__
        components.setdefault(name, schema)
        section[event] = {"post": {
            "summary": str(EVENTS[event]),
            "operationId": f"webhook_{event.replace('.', '_')}",
            "parameters": HEADERS,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["id", "type", "timestamp", "data"], "additionalProperties": False,
                "properties": {"id": {"type": "string"}, "type": {"const": event},
                               "timestamp": {"type": "string", "format": "date-time"},
                               "data": {"$ref": f"#/components/schemas/{name}"}}}}}},
            "responses": {"2XX": {"description": "Received. Anything else, or no answer in 15 s, is tried again later."}},
        }}
    return section
