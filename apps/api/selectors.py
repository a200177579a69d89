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


def endpoints_of(membership):
    from .models import WebhookEndpoint

    return WebhookEndpoint.objects.filter(tenant_id=membership.tenant_id)


def get_endpoint_for(membership, pk: int):
    endpoint = endpoints_of(membership).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def deliveries_of(endpoint, limit: int = 50):
    return endpoint.deliveries.order_by("-created_at", "-id")[:limit]


def get_delivery_for(membership, pk: int):
    from .models import WebhookDelivery

    delivery = WebhookDelivery.objects.filter(tenant_id=membership.tenant_id, pk=pk).select_related("endpoint").first()
    if delivery is None:
        raise Http404
    return delivery
