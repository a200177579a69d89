"""The answer when a request fails on the server's side.

A database that is away (restarting, failing over, out of connections) is not a bug in the request: it is
a 503 with Retry-After, so a phone, an integration or a load balancer tries again shortly. Everything else
is the plain 500 page. Neither touches the database.
"""

import json
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

RETRY_AFTER = 5


def _database_away(error) -> bool:
    """A connection that failed, or broke, or could not be had from the pool: not a wrong query."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:
        return False
    return isinstance(error, PoolTimeout)


def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if _database_away(error):
        if request.path.startswith("/api/"):
            from django.utils.translation import gettext as _

            body = {"type": "about:blank", "title": _("The database is away for a moment."), "status": 503,
                    "detail": _("Try again in a few seconds."), "errors": []}
            response = HttpResponse(json.dumps(body), status=503, content_type="application/problem+json")
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(render_to_string(template_name))
