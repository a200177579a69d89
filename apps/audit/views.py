import django_filters
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from apps.core.access import member_required
from apps.core.storage import file_response

from .models import AuditEntry
from .retention import archives_of
from .selectors import entries_of


class AuditFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="istartswith", label=_("Action"))
    actor_email = django_filters.CharFilter(lookup_expr="icontains", label=_("Who"))
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label=_("Object"))
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["action", "actor_email", "object_repr", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = "form-control form-control-sm"
            if name in ("since", "until"):
                field.widget.input_type = "date"


@member_required("audit.view")
def audit_log(request):
    entries = entries_of(request.membership)
    audit_filter = AuditFilter(request.GET or None, queryset=entries)
    page = Paginator(audit_filter.qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"filter": audit_filter, "page": page,
                                              "archives": archives_of(request.membership)})


@member_required("audit.view")
def archive_download(request, pk: int):
    """An archived month of the organisation's chain, as stored (gzip-compressed JSON lines)."""
    archive = archives_of(request.membership).filter(pk=pk).first()
    if archive is None:
        raise Http404
    response = file_response(archive.file, filename=f"audit-{archive.month:%Y-%m}.jsonl.gz",
                             content_type="application/gzip")
    response["X-Checksum-SHA256"] = archive.sha256
    return response
