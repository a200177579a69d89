"""API v1: one NinjaAPI, its documents served from the site itself."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .endpoints import router
from .event_docs import webhooks_section
from .framework import AUTH, install_problem_handlers


class Api(NinjaAPI):
    """Errors are documented as what they are: problem documents (RFC 9457)."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation.get("responses", {})
                problem = next((r["content"]["application/json"] for code, r in responses.items()
                                if str(code).startswith(("4", "5")) and "application/json" in r.get("content", {})), None)
                if problem is None:
                    continue
                extra = {"413": "The body is too large."}
                if method in ("post", "patch", "put", "delete"):
                    extra["409"] = "The first request with this Idempotency-Key is still running."
                for code, text in extra.items():
                    responses.setdefault(code, {"description": text, "content": {"application/json": problem}})
                for code, response in responses.items():
                    if str(code).startswith(("4", "5")) and "application/json" in response.get("content", {}):
                        response["content"] = {"application/problem+json": response["content"].pop("application/json")}
        schema["webhooks"] = webhooks_section(schema.setdefault("components", {}).setdefault("schemas", {}))
        return schema


api = Api(
    title="iFarm API",
    version="1",
    description=(
        "Farms, animals, milk, money, health and breeding of one organisation. Authenticate with an API key "
        "(`Authorization: Bearer ifk_…`, made by an owner under More > Integrations) or a signed-in session. "
        "Errors are `application/problem+json`. Writes accept an `Idempotency-Key` header."
    ),
    urls_namespace="api-v1",
    auth=AUTH,
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)
api.add_router("", router)
