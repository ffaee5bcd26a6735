"""Settings for VISES Impact, read from the environment (12-factor).

Defaults are safe for development on a laptop: SQLite in the project folder, DEBUG on,
only local hosts. Production sets DATABASE_URL, SECRET_KEY, DEBUG=off and ALLOWED_HOSTS
(see .env.example).
"""

import tempfile
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The development key is only ever accepted with DEBUG on.
_DEV_SECRET_KEY = "django-insecure-dev-only-vises-impact"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "organisations",
    "beneficiaries",
    "questionnaires",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages and downloads hold personal data: never kept by a browser or proxy cache.
    "vises.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database connection lost mid-request: a read is retried, a form gets a French page.
    "vises.middleware.DatabaseInterruptedMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Static files are served by runserver in development, by WhiteNoise in production.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "vises.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.current_membership",
            ],
        },
    },
]

WSGI_APPLICATION = "vises.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A connection kept open (CONN_MAX_AGE) is checked before each request reuses it, so that a
# database restart does not turn the next save into a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses logins for a while after repeated failures (per user name and address).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind reverse proxies every request comes from the last proxy's address: failures must be
# counted per client, read from X-Forwarded-For by django-ipware. PROXY_COUNT is the number of
# reverse proxies in front of Django (nginx alone: 1); BEHIND_PROXY=on is the older spelling
# of 1. The client is the address the outermost of OUR proxies appended, so whatever a client
# writes into the header itself is ignored. The last proxy's address is REMOTE_ADDR and not
# in the header, hence ipware's count of proxies listed in it is PROXY_COUNT - 1.
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if env.bool("BEHIND_PROXY", default=False) else 0)
if PROXY_COUNT > 0:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    # Longer chains (a client's own proxy, or a forged header) are allowed; the position
    # counted from our end decides.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Scripts only from our own static files; styles may be inline because the server-side SVG
# charts carry style attributes. Enforced in development too, so that tests catch violations.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A form refused by the CSRF check gets a French page, and the entry form keeps its answers.
CSRF_FAILURE_VIEW = "organisations.views.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# French first: the organisations work in French; English is a translation.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Largest import accepted, in rows; the file size limit follows from it.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# Widest import accepted (CSV or .xlsx): 3 fixed columns and up to 200 items, with room.
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=256)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Only a local load test over plain HTTP turns these off (SECURE_COOKIES=off).
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Responses uploaded in the browser (questionnaires/views/uploads.py): the largest file accepted,
# and where a checked file waits for the user's confirmation (one file per upload, deleted once
# imported or after UPLOAD_KEEP_HOURS).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
UPLOAD_PENDING_DIR = env.path(
    "UPLOAD_PENDING_DIR", default=str(Path(tempfile.gettempdir()) / "vises-uploads")
)
UPLOAD_KEEP_HOURS = env.int("UPLOAD_KEEP_HOURS", default=24)
# Pending uploads kept per user at most; older ones are deleted when a new one arrives.
UPLOAD_MAX_PENDING_PER_USER = env.int("UPLOAD_MAX_PENDING_PER_USER", default=5)
# A spreadsheet is measured before it is opened (questionnaires/spreadsheets.py): what its zip
# unpacks to, the cells its sheets span and their columns (IMPORT_MAX_COLUMNS). The defaults
# let through 100,000 rows of 35 columns and refuse what would hold a worker for seconds and
# gigabytes.
XLSX_MAX_UNPACKED_BYTES = env.int("XLSX_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
XLSX_MAX_CELLS = env.int("XLSX_MAX_CELLS", default=4_000_000)

# Computed impact reports are cached: in each process's memory by default, in Redis (shared
# by every web worker and command) when REDIS_URL is set, e.g. redis://127.0.0.1:6379/0.
# Redis is only a cache: when it is down or slow, every call is a miss (vises/cache.py), after
# waiting at most these timeouts.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "vises.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": "vises",
         "OPTIONS": {"socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                     "socket_timeout": env.float("REDIS_TIMEOUT", default=1.0)}}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "vises"}
    )
}

# Email (reminder digests, personal links): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.org:587; the console by default (development).
# Tests use Django's locmem backend whatever is set here.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="VISES Impact <noreply@localhost>")
# The site's address as people reach it, for the links in emails sent by commands.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
