"""System checks of the environment that settings.py cannot refuse at import time."""

import sys

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

NO_KEY_MESSAGE = (
    "Environment variable SECRET_KEY is required when DEBUG is off "
    "(set DEBUG=true for local development)."
)
# Commands that only compare the models with the migrations: they sign and serve nothing, and
# run on a fresh clone with no environment at all (`manage.py makemigrations --check`).
COMMANDS_WITHOUT_KEY = {"makemigrations"}


def require_secret_key():
    """Stop a server that would sign sessions and CSRF tokens with no key."""
    try:
        key = settings.SECRET_KEY  # Django itself refuses an empty one here
    except ImproperlyConfigured:
        key = ""
    if not key:
        raise ImproperlyConfigured(NO_KEY_MESSAGE)


@checks.register(checks.Tags.security)
def secret_key_check(app_configs, **kwargs):
    """Every management command but makemigrations stops here without a key (wsgi.py stops
    gunicorn, which runs no checks)."""
    if sys.argv[1:2] and sys.argv[1] in COMMANDS_WITHOUT_KEY:
        return []
    try:
        require_secret_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E001")]
    return []
