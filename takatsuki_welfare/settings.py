"""Settings for Tsunagu, read from the environment (django-environ).

Defaults suit a laptop: SQLite under var/, DEBUG off unless set. Production needs only
environment variables; see .env.example for every one of them.
"""

from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE names a file of variables (tests use tests/test.env); variables already set win.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)


def _env(name, cast, default):
    """Read one variable; a malformed value stops start-up with a message naming it."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


DEBUG = _env("DEBUG", env.bool, False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me-" + "x" * 20)
else:
    # Required, but refused by a system check (takatsuki_welfare/checks.py) and by wsgi.py rather
    # than here, so that `manage.py makemigrations --check` runs with no environment at all.
    SECRET_KEY = env.str("SECRET_KEY", default="")

ALLOWED_HOSTS = _env(
    "ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = _env("CSRF_TRUSTED_ORIGINS", env.list, [])
BENCH_ENDPOINTS = _env("BENCH_ENDPOINTS", env.bool, False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "csp",
    "auditlog",
    "takatsuki_welfare",
    "hubs",
    "cases",
    "referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "takatsuki_welfare.middleware.JapaneseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "takatsuki_welfare.middleware.SessionLifetimeMiddleware",
    "hubs.middleware.ActingMembershipMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "takatsuki_welfare.middleware.NoStoreForAuthenticatedMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "takatsuki_welfare.urls"
WSGI_APPLICATION = "takatsuki_welfare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Django's own form templates come after ours, so templates/django/forms/widgets
        # replaces the widgets a page renders many times (a select's options, inputs).
        "DIRS": [
            BASE_DIR / "templates",
            Path(find_spec("django.forms").origin).parent / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hubs.context_processors.acting_membership",
                "hubs.context_processors.unread_notifications",
                "referrals.context_processors.referral_counts",
            ],
        },
    },
]

# Form widgets render through the project's engine (above), so our widget templates apply.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

(BASE_DIR / "var").mkdir(exist_ok=True)


def _database(name, default=None):
    """One DATABASES entry from a URL variable; a bad URL stops start-up with a message."""
    config = _env(name, env.db_url, default)
    if not config.get("ENGINE", "").startswith("django.db.backends."):
        raise ImproperlyConfigured(
            f"Environment variable {name} is malformed: use sqlite:///path or "
            "postgres://user:password@host:5432/name"
        )
    return config


DATABASES = {
    "default": _database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'tsunagu.sqlite3'}")
}
_engine = DATABASES["default"]["ENGINE"]
if _engine == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a management command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

# An optional read replica (PostgreSQL streaming replication), used only for report figures
# inside takatsuki_welfare.db_router.reporting(); see docs/scaling.md. Tests mirror it onto the
# default database instead of creating it.
if _env("REPLICA_DATABASE_URL", env.str, ""):
    DATABASES["replica"] = _database("REPLICA_DATABASE_URL")
    if DATABASES["replica"]["ENGINE"] != _engine:
        raise ImproperlyConfigured(
            "Environment variable REPLICA_DATABASE_URL must name the same kind of database as "
            "DATABASE_URL (a replica of it)."
        )
DATABASE_ROUTERS = ["takatsuki_welfare.db_router.ReplicaRouter"]

# Persistent connections: opening a PostgreSQL connection for every request costs about half
# the throughput (issue 7's reference), so production keeps each worker's connection for
# CONN_MAX_AGE seconds and checks it before reuse. Development closes them (runserver opens a
# thread, and so a connection, per request). DATABASE_POOL=true uses psycopg's pool instead,
# which needs the psycopg[pool] extra and CONN_MAX_AGE=0.
_pool = _env("DATABASE_POOL", env.bool, False)
_conn_max_age = _env("CONN_MAX_AGE", env.int, 0 if DEBUG or _pool else 60)
if _pool and _engine != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_POOL=true needs PostgreSQL (DATABASE_URL=postgres://...).")
if _pool and _conn_max_age:
    raise ImproperlyConfigured(
        "DATABASE_POOL=true replaces persistent connections: set CONN_MAX_AGE=0 or unset it."
    )
for _config in DATABASES.values():
    _config["CONN_MAX_AGE"] = _conn_max_age
    _config["CONN_HEALTH_CHECKS"] = _env("CONN_HEALTH_CHECKS", env.bool, True)
    if _pool:
        _config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": _env("DATABASE_POOL_MAX_SIZE", env.int, 4),
        }
    if _engine == "django.db.backends.postgresql":
        # The access policy's subqueries make the planner's cost estimates large, which crosses
        # jit_above_cost: JIT then compiles for 50–70 ms to save nothing on millisecond queries
        # (measured at scale 1, issue 7). DATABASE_OPTIONS overrides it.
        _config.setdefault("OPTIONS", {})["options"] = _env(
            "DATABASE_OPTIONS", env.str, "-c jit=off"
        )
        # Form choice lists iterate their querysets; a server-side cursor turns each into
        # DECLARE/FETCH/CLOSE round trips for a few dozen rows (and breaks behind PgBouncer).
        _config["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASES["default"]["TEST"] = {"NAME": _env("TEST_DATABASE_NAME", env.str, None)}
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": _env("CACHE_URL", env.cache_url, "locmemcache://")}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an idle timeout (renewed on every request) and an absolute cap from sign-in.
SESSION_IDLE_TIMEOUT_MINUTES = _env("SESSION_IDLE_TIMEOUT_MINUTES", env.int, 30)
SESSION_ABSOLUTE_TIMEOUT_HOURS = _env("SESSION_ABSOLUTE_TIMEOUT_HOURS", env.int, 10)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Where sessions live: "db" (default) or "cache", the cache named by CACHE_URL. Every worker
# must see every session, so a cache holding them must be shared (Redis), never per-process
# memory. SESSION_SAVE_EVERY_REQUEST makes each request write its session: an UPDATE with "db",
# a Redis SET with "cache".
_session_engines = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
}
_session_store = _env("SESSION_ENGINE", env.str, "db")
if _session_store not in _session_engines:
    raise ImproperlyConfigured(
        f"Environment variable SESSION_ENGINE is malformed: use db or cache, not {_session_store!r}"
    )
SESSION_ENGINE = _session_engines[_session_store]
if _session_store == "cache":
    _cache_backend = CACHES["default"]["BACKEND"]
    if _cache_backend.endswith(".DummyCache") or (
        _cache_backend.endswith(".LocMemCache") and not DEBUG
    ):
        raise ImproperlyConfigured(
            "SESSION_ENGINE=cache needs a cache shared by all workers: set CACHE_URL to "
            "redis://host:6379/1 (per-process memory would sign users out at random)."
        )
    if _cache_backend == "django.core.cache.backends.redis.RedisCache" and not find_spec("redis"):
        raise ImproperlyConfigured(
            "CACHE_URL names Redis, but the redis package is not installed (pip install redis)."
        )

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, sign-in is refused until the cool-off has passed.
AXES_FAILURE_LIMIT = _env("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = timedelta(minutes=_env("AXES_COOLOFF_MINUTES", env.int, 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _env("AXES_ENABLED", env.bool, True)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Content-Security-Policy (django-csp 4): everything from this server, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

SECURE_SSL_REDIRECT = _env("SECURE_SSL_REDIRECT", env.bool, not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env("BEHIND_TLS_PROXY", env.bool, False) else None
)
SECURE_HSTS_SECONDS = _env("SECURE_HSTS_SECONDS", env.int, 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = _env("SECURE_HSTS_PRELOAD", env.bool, True)
SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", env.bool, not DEBUG)
CSRF_COOKIE_SECURE = _env("CSRF_COOKIE_SECURE", env.bool, not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`; tests and development use plain names.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _env("STATIC_MANIFEST", env.bool, not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise")

# Notifications: always in the app (the bell); e-mail only when switched on. The default
# backend prints to the console, so nothing leaves the machine unless configured.
NOTIFY_BY_EMAIL = _env("NOTIFY_BY_EMAIL", env.bool, False)
SITE_URL = _env("SITE_URL", env.str, "http://127.0.0.1:8000")
EMAIL_BACKEND = _env("EMAIL_BACKEND", env.str, "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _env("EMAIL_HOST", env.str, "localhost")
EMAIL_PORT = _env("EMAIL_PORT", env.int, 25)
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", env.str, "tsunagu@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", env.str, "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Demo data may be created only in development unless forced (manage.py seed_demo --force).
AUDITLOG_INCLUDE_ALL_MODELS = False
