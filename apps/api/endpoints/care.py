"""Health and breeding: treatments read; services, pregnancy checks and births recorded."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from apps.breeding import services as breeding
from apps.breeding.selectors import services_for
from apps.health.selectors import treatments_for, under_withdrawal
from apps.health.withdrawal import first_clean_session
from apps.herd.selectors import outside_sires

from ..framework import Strict, page_of, require
from .common import ERRORS, Exact, Page, Since, amount, animal_of, filtered, since

router = Router()


# Health and breeding -----------------------------------------------------------------------------------


class TreatmentOut(Schema):
    id: int
    kind: str
    animal_id: int
    farm_id: int
    diagnosis: str
    product_name: str
    first_given_at: dt.datetime | None
    milk_withdrawal_ends_at: dt.datetime | None = Field(description="When the milk withdrawal period ends (the last dose plus the period).")
    milk_clean_from: dt.datetime | None = Field(None, description=(
        "When the farm's first milking session starting at or after the end begins: milk is clean from that session."))
    meat_withdrawal_ends_on: dt.date | None
    voided_at: dt.datetime | None

    @staticmethod
    def resolve_milk_clean_from(treatment) -> dt.datetime | None:
        if treatment.milk_withdrawal_ends_at is None or treatment.voided_at:
            return None
        milkings = treatment.farm.milkings
        return milkings.starts_at(*first_clean_session(treatment.milk_withdrawal_ends_at, milkings))


class TreatmentPage(Page):
    items: list[TreatmentOut]


class TreatmentFilters(Since):
    animal: int | None = None
    under_withdrawal: bool = False


@router.get("/treatments", response={200: TreatmentPage, **ERRORS}, summary="List treatments and vaccinations",
            tags=["health"])
def list_treatments(request, filters: Query[TreatmentFilters]):
    require(request, "health.view")
    treatments = under_withdrawal(request.membership) if filters.under_withdrawal else treatments_for(request.membership)
    return page_of(filtered(since(treatments, filters), filters, animal="animal_id"), filters.cursor, filters.limit)


class ServiceIn(Strict):
    animal_id: int
    served_on: dt.date
    method: Literal["ai", "natural", "embryo"]
    sire_id: int | None = None
    registered_sire_id: int | None = Field(None, description="A sire of the outside register (an AI bull).")
    genetic_dam_id: int | None = Field(None, description="Embryo transfer: the donor of the embryo.")
    embryo_age_days: int | None = Field(None, ge=1, le=30, description="Embryo transfer: days since fertilisation (7 when not given).")
    outside_sire: str = Field("", max_length=120)
    straw: str = Field("", max_length=60)
    technician: str = Field("", max_length=120)


class ServiceOut(Schema):
    id: int
    animal_id: int
    served_on: dt.date
    method: str
    sire_id: int | None
    registered_sire_id: int | None
    genetic_dam_id: int | None
    embryo_age_days: int | None
    outside_sire: str
    inbreeding: Exact | None = Field(description=(
        "The planned calf's coefficient of inbreeding in % (Wright), over the whole recorded pedigree."))


@router.post("/breeding/services", response={201: ServiceOut, **ERRORS}, summary="Record a service (AI or natural)",
             tags=["breeding"])
def create_service(request, payload: ServiceIn):
    animal = animal_of(request, payload.animal_id)
    require(request, "herd.manage", animal)
    values = payload.model_dump(exclude={"animal_id", "sire_id", "registered_sire_id", "genetic_dam_id"})
    sire = animal_of(request, payload.sire_id) if payload.sire_id is not None else None
    donor = animal_of(request, payload.genetic_dam_id) if payload.genetic_dam_id is not None else None
    registered = None
    if payload.registered_sire_id is not None:
        registered = outside_sires(request.membership).filter(pk=payload.registered_sire_id).first()
        if registered is None:
            raise Http404
    return Status(201, breeding.service_record(membership=request.membership, animal=animal, sire=sire, genetic_dam=donor,
                                               registered_sire=registered, **values))


BirthWeight = amount(5, 1, gt=0, le=200)


class OffspringIn(Strict):
    sex: Literal["female", "male"]
    outcome: Literal["alive", "stillborn", "died"] = "alive"
    tag: str = Field("", max_length=40)
    weight: BirthWeight | None = Field(None, description="Kilograms.")


class BirthIn(Strict):
    dam_id: int
    born_on: dt.date
    ease: int = Field(ge=1, le=5)
    premature: bool = False
    aborted: bool = False
    offspring: list[OffspringIn] = Field(default_factory=list, max_length=20)


class BirthOut(Schema):
    id: int
    animal_id: int
    born_on: dt.date
    ease: int
    aborted: bool
    offspring: list[dict]


@router.post("/breeding/births", response={201: BirthOut, **ERRORS}, tags=["breeding"],
             summary="Record a birth: live offspring join the herd, a dairy dam starts her lactation")
def create_birth(request, payload: BirthIn):
    dam = animal_of(request, payload.dam_id)
    require(request, "herd.manage", dam)
    values = payload.model_dump(exclude={"dam_id"})
    return Status(201, breeding.birth_record(membership=request.membership, animal=dam, **values))


class CheckIn(Strict):
    checked_on: dt.date
    method: Literal["palpation", "ultrasound", "blood", "milk"]
    result: Literal["pregnant", "open", "recheck"]
    foetal_age_days: int | None = Field(None, ge=1, le=400)


class CheckOut(Schema):
    id: int
    service_id: int
    checked_on: dt.date
    result: str
    expected_birth_on: dt.date | None


@router.post("/breeding/services/{service_id}/checks", response={201: CheckOut, **ERRORS}, summary="Record a pregnancy check",
             tags=["breeding"])
def create_check(request, service_id: int, payload: CheckIn):
    service = services_for(request.membership).select_related("animal__farm").filter(pk=service_id).first()
    if service is None:
        raise Http404
    require(request, "herd.manage", service)
    return Status(201, breeding.pregnancy_check_record(membership=request.membership, service=service, **payload.model_dump()))
