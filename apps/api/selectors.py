from django.http import Http404

from .models import ApiKey


def keys_of(membership):
    return ApiKey.objects.filter(tenant_id=membership.tenant_id).select_related("membership__role").prefetch_related(
        "membership__farms")


def get_key_for(membership, pk: int) -> ApiKey:
    key = keys_of(membership).filter(pk=pk).first()
    if key is None:
        raise Http404
    return key
