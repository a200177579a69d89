"""Compile the templates once in gunicorn's master, before it forks the workers.

With `preload_app` the workers are copies of the master: templates compiled there are already in each
worker's cached loader, so a new worker (after a recycle) does not put template compilation on the
first requests it serves.
"""

import logging
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template

log = logging.getLogger(__name__)


def template_names() -> list[str]:
    roots = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += [Path(app.path) / "templates" for app in apps.get_app_configs()]
    names = set()
    for root in roots:
        if root.is_dir():
            names.update(str(path.relative_to(root)) for path in root.rglob("*.html"))
    return sorted(names)


def templates_compile() -> int:
    compiled = 0
    for name in template_names():
        try:
            get_template(name)
            compiled += 1
        except (TemplateDoesNotExist, TemplateSyntaxError, ImportError, LookupError) as error:
            log.debug("not warmed: %s (%s)", name, error)
    return compiled
