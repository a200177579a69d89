from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from apps.core.forms import add_service_errors

from ..services import Duplicate


def run_once(form, action, *, on_duplicate="money:home"):
    """Call a service that takes the form's one-time key; turn errors into form errors.

    Returns (result, response): a response when the submission was a repeat (go where the first
    one went) and (None, None) when the form now carries the errors.
    """
    try:
        return action(), None
    except Duplicate as duplicate:
        return None, redirect(duplicate.result or on_duplicate)
    except ValidationError as error:
        add_service_errors(form, error)
        return None, None
