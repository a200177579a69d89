"""The herd's names in the reader's language, for every template."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from apps.core.templatetags.ifarm import age_label
from apps.core.words import label

from ..models import Sex, Species, Status

register = template.Library()


@register.filter
def species_name(value) -> str:
    """A species in the reader's language (cattle, goat...)."""
    return label(Species, value)


@register.simple_tag
def herd_rows(animals, can_manage: bool, detail_base: str):
    """The herd list's rows. Written here rather than cell by cell in the template: fifty rows of about
    twelve values each were the largest part of the list's time."""
    today = timezone.localdate()
    empty = "—"

    def cells(animal):
        select = format_html(
            '<td><input class="form-check-input" type="checkbox" name="animal" value="{}" form="herd-selection" aria-label="{}"></td>',
            animal.pk, _("Select %(tag)s") % {"tag": animal.tag},
        ) if can_manage else ""
        return (
            select, detail_base, animal.pk, animal.tag, animal.name or empty, label(Species, animal.species),
            animal.breed.name if animal.breed_id else empty, label(Sex, animal.sex), age_label(animal.date_of_birth, today),
            animal.farm.name, animal.group.name if animal.group_id else empty,
            "text-bg-success" if animal.status == Status.ACTIVE else "text-bg-secondary", label(Status, animal.status),
        )

    return format_html_join(
        "\n",
        '<tr>{}<td class="text-nowrap"><a class="fw-semibold" href="{}{}/">{}</a></td><td>{}</td>'
        '<td class="d-none d-md-table-cell">{}</td><td class="d-none d-md-table-cell">{}</td><td>{}</td>'
        '<td class="text-nowrap">{}</td><td class="d-none d-md-table-cell">{}</td><td class="d-none d-md-table-cell">{}</td>'
        '<td><span class="badge {}">{}</span></td></tr>',
        (cells(animal) for animal in animals),
    )
