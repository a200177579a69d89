"""A Django hello-world served the same way as iFarm (gunicorn, deploy/gunicorn.conf.py): the yardstick that
bench/side_by_side.py measures the box with."""

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False, SECRET_KEY="bench-hello-" + "x" * 40, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
    MIDDLEWARE=[], INSTALLED_APPS=[], TEMPLATES=[], DATABASES={},
)
django.setup()


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("", hello)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
