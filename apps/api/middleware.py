"""Find the API key of a request to /api/ before the tenant is chosen, so a key's requests run in its
organisation's scope with its membership, exactly as a signed-in member's do."""

from django.utils import timezone
from django_scopes import scope

from apps.core.middleware import client_ip

from .models import ApiKey
from .services import api_key_touch, secret_hash, split_token


class ApiKeyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_key = None
        request.api_problem = ""
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                request.api_problem = "Send the key as: Authorization: Bearer ifk_…"
            else:
                self._resolve(request, token.strip())
        return self.get_response(request)

    def _resolve(self, request, token: str) -> None:
        parts = split_token(token)
        key = None
        if parts is not None:
            tenant_id, lookup = parts
            with scope(tenant=tenant_id):
                key = (ApiKey.objects.filter(tenant_id=tenant_id, lookup=lookup)
                       .select_related("membership__role", "membership__tenant", "membership__user__profile").first())
        if key is None or key.secret_hash != secret_hash(token):
            request.api_problem = "This API key is not valid."
        elif key.revoked_at is not None:
            request.api_problem = "This API key has been revoked."
        elif key.expires_at is not None and key.expires_at <= timezone.now():
            request.api_problem = "This API key has expired."
        else:
            request.api_key = key
            request.user = key.membership.user  # the history of what it changes names the key
            with scope(tenant=key.tenant_id):
                api_key_touch(key, client_ip(request))
