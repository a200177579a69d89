"""API v1: one NinjaAPI, its documents served from the site itself."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from . import ingest
from .endpoints import router
from .event_docs import webhooks_section
from .framework import AUTH, install_problem_handlers

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 200},
    "description": ("Any unique string (a UUID). A retry with the same key and the same request within 24 hours gets the "
                    "first answer again instead of acting twice; the same key with another request is refused (422)."),
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1}}}


def _refer(node) -> None:
    """Turn each {"x-component": name} placeholder into a $ref to that component."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and set(value) == {"x-component"}:
                node[key] = {"$ref": f"#/components/schemas/{value['x-component']}"}
            else:
                _refer(value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, dict) and set(value) == {"x-component"}:
                node[index] = {"$ref": f"#/components/schemas/{value['x-component']}"}
            else:
                _refer(value)


class Api(NinjaAPI):
    """Errors are documented as what they are: problem documents (RFC 9457). Operations are named by
    their functions (list_farms, create_milk), the names a generated client gives its methods."""

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

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
                    if str(code) in ("429", "503"):
                        response["headers"] = RETRY_AFTER
                if method in ("post", "patch", "put", "delete"):
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(ingest.SCHEMAS)
        _refer(schema)
        schema["webhooks"] = webhooks_section(components)
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
