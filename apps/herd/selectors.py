import datetime as dt
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import farm_ids_of, visible_to
from apps.accounts.selectors import users_of_members
from apps.core.fragments import Source, drawn
from apps.core.identifiers import digits, digits_of
from apps.core.words import day
from apps.farms.models import Farm

from . import hooks
from .models import Animal, AnimalEvent, AnimalGroup, Breed, OutsideSire, Sex


def animals_visible_to(membership):
    """Animals of the member's organisation on the farms in the member's scope."""
    return visible_to(Animal.objects.all(), membership)


def animal_list_for(membership):
    return animals_visible_to(membership).select_related("farm", "breed", "group")


# What the herd list shows and exports of each animal (AnimalTable, herd_rows): the other columns, of the animal
# and of its farm, breed and group, are not read for fifty rows.
LIST_FIELDS = ("tenant_id", "tag", "name", "eid", "species", "sex", "date_of_birth", "status", "farm_id", "breed_id",
               "group_id", "farm__name", "breed__name", "group__name")


def herd_list_for(membership):
    """The animals of the herd list, with what it shows of them."""
    return animal_list_for(membership).only(*LIST_FIELDS)


def get_animal_for(membership, pk: int) -> Animal:
    """The animal, or 404 when it is another organisation's or on a farm outside the member's scope.

    Its parents come by a second query, and only when it has some: joining the table to itself three times
    more cost PostgreSQL about 5 ms a page in planning alone."""
    animal = animal_list_for(membership).filter(pk=pk).first()
    if animal is None:
        raise Http404
    parent_ids = {animal.dam_id, animal.genetic_dam_id, animal.sire_id} - {None}
    if parent_ids:
        parents = Animal.objects.filter(tenant_id=animal.tenant_id, pk__in=parent_ids).in_bulk()
        for name in ("dam", "genetic_dam", "sire"):
            if getattr(animal, f"{name}_id") is not None:
                Animal._meta.get_field(name).set_cached_value(animal, parents.get(getattr(animal, f"{name}_id")))
    return animal


# The herd list and the animal pages are kept drawn from two sources: the organisation's herd (any save or delete
# of one of its animals, their events, groups, farms, outside sires, and what the apps above follow for it:
# treatments and health checks; a new name of one of its members) and the breeds (shared by all).
HERD = Source("herd")
BREEDS = Source("breeds")


def herd_drawn(membership, what: str, vary_on: tuple, draw):
    """`draw()`'s value for one of the member's herd pages (`what`), kept for `vary_on`: everything it is drawn
    from besides the organisation's herd and the breeds."""
    return drawn(f"herd:{what}", sources=[(HERD, (membership.tenant_id,)), (BREEDS, ())],
                 vary_on=(membership.tenant_id, membership.pk, *vary_on), draw=draw)


def herd_changed(tenant_id: int) -> None:
    """For a bulk write, which sends no signal."""
    HERD.changed(tenant_id)


def _names_of(instance) -> list[tuple]:
    """A member's name shows on the animal pages' timelines (who recorded what): each of their organisations."""
    from apps.accounts.models import Membership, User

    user_id = instance.pk if isinstance(instance, User) else instance.user_id
    return [(tenant_id,) for tenant_id in Membership.objects.unscoped().filter(user_id=user_id).values_list("tenant_id", flat=True)]


def _name_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    HERD.changed_each(_names_of(instance))


def connect() -> None:
    from django.db.models.signals import post_save

    from apps.accounts.models import Profile, User
    from apps.farms.models import Farm

    HERD.follow(Animal, AnimalEvent, AnimalGroup, Farm, OutsideSire)
    BREEDS.follow(Breed, ids=lambda row: ())
    for model in (User, Profile):
        post_save.connect(_name_saved, sender=model, dispatch_uid=f"herd-drawn-{model.__name__}-name")


def active_animal_choices(membership):
    """Live animals of the member's farms, light, for a picker."""
    return animals_visible_to(membership).filter(status="active").only("id", "tag", "name", "group_id", "farm_id").order_by("tag")


def get_animals_for(membership, ids):
    """The animals among `ids` that the member may see (others are left out, never an error)."""
    return animals_visible_to(membership).filter(pk__in=list(ids)[:500]).select_related("farm").order_by("tag")


def parent_choices(membership, sex: str, *, keep: tuple = ()):
    """Animals of one sex the member may pick as a parent: those of their farms, plus the parents
    already recorded on the animal being edited (`keep`), so saving it again does not drop them."""
    choices = Animal.objects.filter(tenant_id=membership.tenant_id, sex=sex)
    allowed = farm_ids_of(membership)
    if allowed is not None:
        choices = choices.filter(Q(farm_id__in=allowed) | Q(pk__in=[pk for pk in keep if pk]))
    return choices.only("id", "tag", "name").order_by("tag")


def groups_visible_to(membership):
    return visible_to(AnimalGroup.objects.select_related("farm"), membership).order_by("farm__name", "name")


def group_choices(membership) -> list[AnimalGroup]:
    """The groups of the member's farms for a form's choices, kept with the herd (a group saved or deleted moves it
    on): the herd list's filters draw them for each new search."""
    farms = farm_ids_of(membership)  # None: all of them
    return drawn("herd:group-choices", sources=[(HERD, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, farms if farms is None else sorted(farms)),
                 draw=lambda: list(groups_visible_to(membership)))


def breeds():
    return Breed.objects.all()


def offspring_of(animal: Animal):
    return (
        Animal.objects.filter(tenant_id=animal.tenant_id)
        .filter(Q(dam=animal) | Q(sire=animal) | Q(genetic_dam=animal))
        .select_related("farm")
        .order_by("date_of_birth", "tag")
    )


def timeline_of(animal: Animal, limit: int = 30) -> list[dict]:
    """The animal's recorded changes, newest first, each with the fields it changed."""
    records = list(animal.history.select_related("history_user__profile").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["updated_at", "created_at"])
            changes = [(_field_label(c.field), c.old, c.new) for c in delta.changes]
        entries.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": {"+": _("created"), "~": _("changed"), "-": _("deleted")}[newer.history_type],
                "changes": changes,
            }
        )
    return entries


def _field_label(name: str) -> str:
    """A register field's name as its form labels it, in the reader's language."""
    try:
        return str(Animal._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed from the model: its stored name
        return name.replace("_", " ")


def animal_as_of(animal: Animal, when: dt.datetime):
    """The animal's recorded state at `when`, or None when it was not yet recorded."""
    try:
        return animal.history.as_of(when)
    except Animal.DoesNotExist:
        return None


def herd_counts_by_farm(membership) -> list[dict]:
    """Head counts per farm, species and status in one grouped query."""
    from django.db.models import Count

    rows = (
        animals_visible_to(membership)
        .values("farm_id", "farm__name", "species", "status")
        .annotate(n=Count("id"))
        .order_by("farm__name", "species", "status")
    )
    farms: dict[int, dict] = {}
    for row in rows:
        farm = farms.setdefault(row["farm_id"], {"name": row["farm__name"], "species": {}, "total_active": 0})
        counts = farm["species"].setdefault(row["species"], {"active": 0, "sold": 0, "dead": 0, "culled": 0})
        counts[row["status"]] = row["n"]
        if row["status"] == "active":
            farm["total_active"] += row["n"]
    return list(farms.values())


def groups_with_counts(farm):
    """A farm's groups with the number of active animals in each."""
    from django.db.models import Count

    return (
        AnimalGroup.objects.filter(tenant_id=farm.tenant_id, farm=farm)
        .annotate(active=Count("animals", filter=Q(animals__status="active")))
        .order_by("name")
    )


ANCESTORS = {
    ("dam",): gettext_lazy("dam"), ("sire",): gettext_lazy("sire"),
    ("dam", "dam"): gettext_lazy("dam's dam"), ("dam", "sire"): gettext_lazy("dam's sire"),
    ("sire", "dam"): gettext_lazy("sire's dam"), ("sire", "sire"): gettext_lazy("sire's sire"),
    ("dam", "dam", "dam"): gettext_lazy("dam's dam's dam"), ("dam", "dam", "sire"): gettext_lazy("dam's dam's sire"),
    ("dam", "sire", "dam"): gettext_lazy("dam's sire's dam"), ("dam", "sire", "sire"): gettext_lazy("dam's sire's sire"),
    ("sire", "dam", "dam"): gettext_lazy("sire's dam's dam"), ("sire", "dam", "sire"): gettext_lazy("sire's dam's sire"),
    ("sire", "sire", "dam"): gettext_lazy("sire's sire's dam"), ("sire", "sire", "sire"): gettext_lazy("sire's sire's sire"),
}


def pedigree_of(animal: Animal, generations: int = 3) -> list[list[dict]]:
    """The animal's ancestors, generation by generation (parents, grandparents, great-grandparents):
    each a dict of role ("dam's sire"..., in the reader's language), the animal when recorded in the herd,
    the outside register's record (an AI sire and his ancestors), or the outside name. The dam of an
    embryo-transfer calf is its genetic dam. Two queries per generation past the parents at most."""
    def parents_of(known: Animal) -> list[dict]:
        dam = known.genetic_dam if known.genetic_dam_id else known.dam
        return [{"side": "dam", "animal": dam, "outside": None, "name": known.dam_external},
                {"side": "sire", "animal": known.sire, "outside": known.registered_sire, "name": known.sire_external}]

    rows = [[{**entry, "path": (entry["side"],)} for entry in parents_of(animal)]]
    for _step in range(generations - 1):
        herd_ids = {i for e in rows[-1] if e["animal"] for i in (e["animal"].dam_id, e["animal"].genetic_dam_id,
                                                                      e["animal"].sire_id, e["animal"].registered_sire_id) if i}
        herd = {a.pk: a for a in Animal.objects.filter(tenant_id=animal.tenant_id, pk__in=herd_ids).select_related(
            "registered_sire").only("id", "tag", "name", "dam_id", "genetic_dam_id", "sire_id", "registered_sire__name",
                                    "registered_sire__sire_id", "registered_sire__dam_id", "dam_external", "sire_external",
                                    "tenant_id")} if herd_ids else {}
        outside_ids = {i for e in rows[-1] if e["outside"] for i in (e["outside"].sire_id, e["outside"].dam_id) if i}
        outside = {o.pk: o for o in OutsideSire.objects.filter(tenant_id=animal.tenant_id, pk__in=outside_ids)} if outside_ids else {}
        generation = []
        for entry in rows[-1]:
            known, record = entry["animal"], entry["outside"]
            if known is not None:
                pair = [{"side": "dam", "animal": herd.get(known.genetic_dam_id or known.dam_id), "outside": None,
                         "name": known.dam_external},
                        {"side": "sire", "animal": herd.get(known.sire_id), "outside": None, "name": known.sire_external}]
                if known.registered_sire_id and pair[1]["animal"] is None:
                    pair[1]["outside"] = known.registered_sire
            elif record is not None:
                pair = [{"side": "dam", "animal": None, "outside": outside.get(record.dam_id), "name": ""},
                        {"side": "sire", "animal": None, "outside": outside.get(record.sire_id), "name": ""}]
            else:
                pair = [{"side": side, "animal": None, "outside": None, "name": ""} for side in ("dam", "sire")]
            generation += [{**p, "path": (*entry["path"], p["side"])} for p in pair]
        rows.append(generation)
    for generation in rows:
        for entry in generation:
            entry["role"] = ANCESTORS.get(entry["path"]) or " · ".join(str(ANCESTORS[(side,)]) for side in entry["path"])
            if entry["outside"] is not None and not entry["name"]:
                entry["name"] = entry["outside"].name
    return rows


def outside_sires(membership, species: str | None = None):
    """The males of the outside register (its females are the dams in their pedigrees)."""
    sires = OutsideSire.objects.filter(tenant_id=membership.tenant_id, sex=Sex.MALE).select_related(
        "owner", "breed", "sire", "dam__sire")
    return sires.filter(species=species) if species else sires


def events_of(animal: Animal):
    """The animal's events with what its timeline shows of them. The places' and recorders' names are read after,
    for all of them at once (event_entries, timeline_for): joined here, the seven tables cost PostgreSQL's planner
    and Django's compiler 4-5 ms a page for what is mostly weighings by a few people."""
    return AnimalEvent.objects.filter(tenant_id=animal.tenant_id, animal=animal).only(
        "tenant_id", "animal_id", "kind", "on", "weight_kg", "exit_status", "reason", "note", "from_farm_id", "to_farm_id",
        "from_group_id", "to_group_id", "recorded_by_id")


def growth_of(animal: Animal) -> list[dict]:
    """Weighings in date order, each with the average daily gain since the one before (kg/day)."""
    rows = (AnimalEvent.objects.filter(tenant_id=animal.tenant_id, animal=animal).exclude(weight_kg=None)
            .order_by("on", "id").values_list("on", "weight_kg", "kind"))
    points, previous = [], None
    for on, weight, kind in rows:
        gain = None
        if previous is not None and on > previous[0]:
            gain = ((weight - previous[1]) / (on - previous[0]).days).quantize(Decimal("0.001"))
        points.append({"on": on, "weight": weight, "kind": kind, "gain": gain})
        previous = (on, weight)
    return points


def growth_chart(points: list[dict], width: int = 320, height: int = 140) -> dict | None:
    """SVG coordinates of a growth curve (no script needed to draw it); None with fewer than two weighings."""
    if len(points) < 2:
        return None
    first, last = points[0]["on"], points[-1]["on"]
    span = max((last - first).days, 1)
    top = max(p["weight"] for p in points)
    low = min(p["weight"] for p in points)
    rise = max(top - low, Decimal("1"))
    pad = 16
    coords = [(pad + (p["on"] - first).days / span * (width - 2 * pad),
               height - pad - float((p["weight"] - low) / rise) * (height - 2 * pad)) for p in points]
    return {"width": width, "height": height, "polyline": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
            "dots": [{"x": f"{x:.1f}", "y": f"{y:.1f}", "label": f"{day(p['on'])}: {p['weight']} kg"} for (x, y), p in zip(coords, points)],
            "low": low, "top": top, "first": first, "last": last, "earliest": points[0]["weight"], "latest": points[-1]["weight"]}


# Age at which the young of each species are usually weaned (days), for the Today page.
WEANING_AGE_DAYS = {"cattle": 90, "goat": 90, "sheep": 90, "pig": 28, "camel": 365, "horse": 180, "donkey": 180, "rabbit": 35,
                    "other": 120}
EVENT_WORDS = {"weight": gettext_lazy("weighed"), "weaning": gettext_lazy("weaned"), "castration": gettext_lazy("castrated"),
               "movement": gettext_lazy("moved"), "disposal": gettext_lazy("left the herd")}


def event_entries(animal: Animal, limit: int = 30) -> list[dict]:
    """The animal's lifecycle events as timeline entries (the shape of the register's timeline; `recorded_by_id`
    for timeline_for to name)."""
    events = list(events_of(animal)[:limit])
    moves = [event for event in events if event.kind == AnimalEvent.Kind.MOVEMENT]
    farms = Farm.objects.filter(tenant_id=animal.tenant_id, pk__in={e.from_farm_id for e in moves} | {e.to_farm_id for e in moves}
                                ).in_bulk() if moves else {}
    groups = AnimalGroup.objects.filter(tenant_id=animal.tenant_id, pk__in={e.from_group_id for e in moves} | {e.to_group_id for e in moves}
                                        ).in_bulk() if moves else {}
    entries = []
    for event in events:
        changes = []
        if event.weight_kg is not None:
            changes.append((_("weight kg"), "", event.weight_kg))
        if event.kind == AnimalEvent.Kind.MOVEMENT:
            changes.append((_("place"), " / ".join(str(x) for x in (farms.get(event.from_farm_id), groups.get(event.from_group_id)) if x),
                            " / ".join(str(x) for x in (farms.get(event.to_farm_id), groups.get(event.to_group_id)) if x)))
        if event.kind == AnimalEvent.Kind.DISPOSAL:
            changes.append((event.get_exit_status_display().lower(), "", event.get_reason_display()))
        if event.note:
            changes.append((_("note"), "", event.note))
        # A dated event sorts at noon of its day among the timed ones.
        when = dt.datetime.combine(event.on, dt.time(12), tzinfo=timezone.get_current_timezone())
        entries.append({"when": when, "recorded_by_id": event.recorded_by_id, "kind": EVENT_WORDS[event.kind], "changes": changes,
                        "url": None, "dated": True})
    return entries


def timeline_for(membership, animal: Animal, limit: int = 40) -> list[dict]:
    """The animal's page timeline, newest first: the register's changes, its events and what the apps above add
    (hooks.timeline_entries), with the people who recorded them named in one read for all."""
    entries = timeline_of(animal) + hooks.timeline_entries(membership, animal) + event_entries(animal)
    entries = sorted(entries, key=lambda entry: entry["when"], reverse=True)[:limit]
    users = users_of_members(animal.tenant_id, (entry.get("recorded_by_id") for entry in entries))
    for entry in entries:
        if "recorded_by_id" in entry:
            entry["who"] = users.get(entry.pop("recorded_by_id"))
    return entries


def weaning_due(membership, today: dt.date) -> list[Animal]:
    """Live young of the member's farms old enough to be weaned and not weaned yet (one query)."""
    weaned = AnimalEvent.objects.unscoped().filter(tenant_id=membership.tenant_id, animal=OuterRef("pk"), kind="weaning")
    by_species = Q()
    for species, days in WEANING_AGE_DAYS.items():
        # Weaning is due from the usual age until twice that age: older ones were weaned without a record.
        by_species |= Q(species=species, date_of_birth__lte=today - dt.timedelta(days=days),
                        date_of_birth__gt=today - dt.timedelta(days=2 * days))
    return list(animals_visible_to(membership).filter(by_species, status="active", acquisition="born")
                .exclude(Exists(weaned)).only("id", "tag", "name", "species", "date_of_birth", "farm_id").order_by("date_of_birth")[:200])


def records_on(animal: Animal) -> list[str]:
    """What is recorded on the animal besides its own register entry: the names of the kinds of
    records that point at it (events, milk, treatments, services, offspring, sales…), and "edits"
    when its entry was changed after it was created. Empty means it could go without losing anything."""
    found = []
    for relation in Animal._meta.related_objects:
        model = relation.related_model
        if model._meta.object_name.startswith("Historical"):
            continue
        if model._base_manager.filter(**{relation.field.name: animal}).exists():
            found.append(str(model._meta.verbose_name_plural))
    if animal.history.count() > 1:
        found.append("edits")
    return sorted(set(found))


def animal_scanned(membership, typed: str):
    """The one animal whose tag is `typed` (any case, spaces ignored) or whose EID has its digits, or None when no
    animal or more than one does: a tag reader's number jumps to the animal only when it names one."""
    typed = (typed or "").strip()
    number = digits(typed)
    found = animals_visible_to(membership).annotate(eid_digits=digits_of("eid")).filter(
        Q(tag__iexact=typed) | Q(tag__iexact=typed.replace(" ", "")) | (Q(eid_digits=number) if len(number) >= 10 else Q(pk=None)))
    matches = list(found.only("id")[:2])
    return matches[0] if len(matches) == 1 else None

