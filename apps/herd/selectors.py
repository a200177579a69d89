import datetime as dt

from django.db.models import Q
from django.http import Http404

from apps.accounts.permissions import farm_ids_of, visible_to

from .models import Animal, AnimalGroup, Breed


def animals_visible_to(membership):
    """Animals of the member's organisation on the farms in the member's scope."""
    return visible_to(Animal.objects.all(), membership)


def animal_list_for(membership):
    return animals_visible_to(membership).select_related("farm", "breed", "group")


def get_animal_for(membership, pk: int) -> Animal:
    """The animal, or 404 when it is another organisation's or on a farm outside the member's scope."""
    animal = animal_list_for(membership).select_related("dam", "sire", "genetic_dam").filter(pk=pk).first()
    if animal is None:
        raise Http404
    return animal


def active_animal_choices(membership):
    """Live animals of the member's farms, light, for a picker."""
    return animals_visible_to(membership).filter(status="active").only("id", "tag", "name", "group_id").order_by("tag")


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
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        entries.append(
            {
                "when": newer.history_date,
                "who": newer.history_user,
                "kind": {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                "changes": changes,
            }
        )
    return entries


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


def pedigree_of(animal: Animal, generations: int = 3) -> list[list[dict]]:
    """The animal's ancestors, generation by generation (parents, grandparents, great-grandparents):
    each a dict of role ("dam's sire"...), the animal when recorded in the herd, or the outside name.
    One query per generation past the parents."""
    rows = [[{"role": "dam", "animal": animal.dam, "name": animal.dam_external},
             {"role": "sire", "animal": animal.sire, "name": animal.sire_external}]]
    for _ in range(generations - 1):
        ids = [entry["animal"].dam_id for entry in rows[-1] if entry["animal"]] + \
              [entry["animal"].sire_id for entry in rows[-1] if entry["animal"]]
        known = {a.pk: a for a in Animal.objects.filter(tenant_id=animal.tenant_id, pk__in=[i for i in ids if i])
                 .only("id", "tag", "name", "dam_id", "sire_id", "dam_external", "sire_external", "tenant_id")}
        generation = []
        for entry in rows[-1]:
            parent = entry["animal"]
            for side in ("dam", "sire"):
                ancestor = known.get(getattr(parent, f"{side}_id")) if parent else None
                name = getattr(parent, f"{side}_external", "") if parent else ""
                generation.append({"role": f"{entry['role']}'s {side}", "animal": ancestor, "name": name})
        rows.append(generation)
    return rows
