"""ICAR Animal Data Exchange: milking visits, test-day results and dry-offs, in and out, in ICAR's shapes.

POST takes an ICAR collection (`{"member": [...]}`) or a bare array of resources, each item saved or
refused alone. GET answers ICAR collections whose `view.next` links to the next page.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, WithJsonSchema

from apps.accounts.selectors import farms_visible_to
from apps.herd.selectors import animals_visible_to
from apps.milk.models import Lactation, MilkingVisit, MilkRecordingResult

from .. import icar, ingest
from ..framework import decode_cursor, encode_cursor, require
from .common import ERRORS, Moment, farm_of
from .milk import IngestOut

router = Router(tags=["icar"])


class IcarCollectionIn(Schema):
    member: list[Annotated[dict[str, Any], WithJsonSchema(ingest.ICAR_REF)]] = Field(max_length=ingest.MAX_ITEMS, description=(
        "ICAR resources: icarMilkingVisitEventResource, icarTestDayResultEventResource or "
        "icarMilkingDryOffEventResource, each with its resourceType."))
    view: dict[str, Any] | None = None


@router.post("/icar/events", response={200: IngestOut, **ERRORS},
             summary="ICAR milking visits, test-day results and dry-offs (a collection or a bare array; each item alone)")
def icar_events(request, payload: Body[IcarCollectionIn | list[Annotated[dict[str, Any], WithJsonSchema(ingest.ICAR_REF)]]],
                farm_id: int | None = None):
    require(request, "milk.record")
    farm = farm_of(request, farm_id) if farm_id is not None else None
    items = payload.member if isinstance(payload, IcarCollectionIn) else payload
    if len(items) > ingest.MAX_ITEMS:
        raise HttpError(413, _("Send at most %(count)s items at once.") % {"count": ingest.MAX_ITEMS})
    return ingest.ingest(membership=request.membership, items=items, shape="icar", farm=farm)


class IcarFilters(Schema):
    farm_id: int | None = None
    since: Moment | None = Field(None, description="Events at or after this moment (RFC 3339).")
    until: Moment | None = Field(None, description="Events before this moment (RFC 3339).")
    cursor: str | None = Field(None, description="Given in the previous page's view.next.")
    limit: int = Field(100, ge=1, le=500)


class IcarCollectionOut(Schema):
    view: dict[str, Any]
    member: list[dict[str, Any]]


def _page(request, queryset, filters: IcarFilters, name: str, out) -> dict:
    rows = list(queryset.filter(pk__gt=decode_cursor(filters.cursor)).order_by("pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    next_url = None
    if more:
        query = {k: v for k, v in request.GET.items() if k != "cursor"} | {"cursor": encode_cursor(rows[-1].pk)}
        next_url = request.build_absolute_uri(f"{reverse(f'api-v1:{name}')}?{urlencode(query)}")
    return icar.collection([out(row) for row in rows], next_url=next_url, page_size=filters.limit)


def _unit(request) -> str:
    return "kg" if request.membership.tenant.milk_unit == "kg" else "L"


def _within(request, queryset, filters: IcarFilters, moment: str):
    farms = farms_visible_to(request.membership, include_archived=True)
    if filters.farm_id is not None:
        farms = farms.filter(pk=farm_of(request, filters.farm_id).pk)
    queryset = queryset.filter(farm__in=farms.values("pk"), animal__in=animals_visible_to(request.membership).values("pk"))
    if filters.since is not None:
        queryset = queryset.filter(**{f"{moment}__gte": filters.since})
    if filters.until is not None:
        queryset = queryset.filter(**{f"{moment}__lt": filters.until})
    return queryset


@router.get("/icar/milking-visits", response={200: IcarCollectionOut, **ERRORS}, url_name="icar_milking_visits",
            summary="Milking visits as an icarMilkingVisitEventCollection")
def icar_milking_visits(request, filters: Query[IcarFilters]):
    require(request, "milk.view")
    unit = _unit(request)
    visits = _within(request, MilkingVisit.objects.filter(tenant_id=request.membership.tenant_id), filters, "started_at")
    return _page(request, visits.select_related("animal", "farm"), filters, "icar_milking_visits",
                 lambda v: icar.visit_out(v, unit=unit, robot=v.farm.robot_milking))


@router.get("/icar/test-day-results", response={200: IcarCollectionOut, **ERRORS}, url_name="icar_test_day_results",
            summary="Test-day results as an icarTestDayResultEventCollection")
def icar_test_day_results(request, filters: Query[IcarFilters]):
    require(request, "milk.view")
    unit = _unit(request)
    results = MilkRecordingResult.objects.filter(tenant_id=request.membership.tenant_id)
    if filters.since is not None:
        results = results.filter(date__gte=filters.since.date())
    if filters.until is not None:
        results = results.filter(date__lt=filters.until.date())
    results = _within(request, results, IcarFilters(farm_id=filters.farm_id), "date")
    return _page(request, results.select_related("animal", "farm"), filters, "icar_test_day_results",
                 lambda r: icar.recording_out(r, unit=unit))


@router.get("/icar/dry-offs", response={200: IcarCollectionOut, **ERRORS}, url_name="icar_dry_offs",
            summary="Dry-offs as an icarMilkingDryOffEventCollection")
def icar_dry_offs(request, filters: Query[IcarFilters]):
    require(request, "milk.view")
    lactations = Lactation.objects.filter(tenant_id=request.membership.tenant_id, dried_off_on__isnull=False,
                                          animal__in=animals_visible_to(request.membership).values("pk"))
    if filters.farm_id is not None:
        lactations = lactations.filter(animal__farm_id=farm_of(request, filters.farm_id).pk)
    if filters.since is not None:
        lactations = lactations.filter(dried_off_on__gte=filters.since.date())
    if filters.until is not None:
        lactations = lactations.filter(dried_off_on__lt=filters.until.date())
    return _page(request, lactations.select_related("animal__farm"), filters, "icar_dry_offs", icar.dry_off_out)
