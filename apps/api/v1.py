"""API v1: one NinjaAPI, its documents served from the site itself."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from .endpoints import router
from .framework import AUTH, install_problem_handlers

api = NinjaAPI(
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
