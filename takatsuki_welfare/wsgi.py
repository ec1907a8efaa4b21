import os

from django.core.wsgi import get_wsgi_application

from takatsuki_welfare.checks import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takatsuki_welfare.settings")
application = get_wsgi_application()
require_secret_key()  # gunicorn runs no system checks: refuse to start without a key
