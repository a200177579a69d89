import django_filters
from django.core.paginator import Paginator
from django.shortcuts import render

from apps.accounts.decorators import member_required

from .models import AuditEntry
from .selectors import entries_of


class AuditFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="istartswith", label="Action")
    actor_email = django_filters.CharFilter(lookup_expr="icontains", label="Who")
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label="Object")
    since = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="To")

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
    return render(request, "audit/log.html", {"filter": audit_filter, "page": page})
