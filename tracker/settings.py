"""Settings for the Secure Communities tracker.

One file for every environment: production differs only by environment variables (see .env.example).
Local defaults are safe: SQLite file, DEBUG off unless asked for, localhost only.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# PRODUCTION=1 turns on HTTPS-only cookies, HSTS, hashed+compressed static files, and requires SECRET_KEY.
PRODUCTION = env_bool("PRODUCTION", False)
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and source code to anyone: never on the public site.
    raise ImproperlyConfigured("DEBUG must be off when PRODUCTION=1.")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION=1.")
    # A fixed key is fine for a local checkout: it signs nothing that leaves the machine.
    SECRET_KEY = "insecure-local-development-key-set-SECRET_KEY-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    # Admin login attempt limiting with lockout (AXES_* below).
    "axes",
    # The library's one table: the allowance counters (common/allowances.py).
    "common",
    "jurisdictions",
    "agreements",
    "corrections",
    "releases",
    "tracker",
]

MIDDLEWARE = [
    # Repeats of public answers without a proxy in front, served while their data version is current. First, so a kept
    # answer holds every header the rest adds and a hit skips them all (common/answer_cache.py; ANSWER_CACHE_MB
    # below). Only a request without a body is looked up and only a 200 kept: the guards below still refuse what
    # they refused (a redirect to HTTPS, a body, a NUL byte), and static files stay WhiteNoise's.
    "common.answer_cache.AnswerCacheMiddleware",
    # gzip for clients that take it (quality values honoured), never the admin; inside the store, so a kept answer
    # is kept compressed (common/compression.py).
    "common.compression.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves static files from the app itself (no CDN), compressed and cache-busted in production.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for the read-only API and /oembed only (CORS_URLS_REGEX), on every answer: before the guards below, so
    # that their refusals (a 413 body, a NUL byte's 400, a 429) carry the same headers as any other API answer.
    "corsheaders.middleware.CorsMiddleware",
    # The language of a page is its URL prefix (/es/...), nothing else, set before anything answers (a refusal
    # below is worded in the page's language); the API is always English and skips it (common/middleware.py).
    "common.middleware.LocaleMiddleware",
    # A body where none belongs is a 413 before anything reads it; searches have a per-client allowance.
    "common.middleware.RefuseBodiesMiddleware",
    "common.middleware.SearchRateLimitMiddleware",
    # django-csp's middleware, with the policy built once per process (common/middleware.py).
    "common.middleware.CSPMiddleware",
    # A NUL byte in the path or query is a 400 here, not a database error later (common/middleware.py).
    "common.middleware.RejectNulMiddleware",
    # Sessions, users, messages and the edit-history context: Django's and django-simple-history's own, passed by
    # for read-only API requests, which use none of them (common/middleware.py).
    "common.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "common.middleware.AuthenticationMiddleware",
    "common.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE, LANGUAGES, LANGUAGE_BIDI for every template (base.html's <html lang>, the switch).
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

# DATABASE_URL selects PostgreSQL in production (postgres://user@host:5432/name); default is a local SQLite file.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: every transaction takes the write lock when it begins (BEGIN IMMEDIATE), and waits up to 20 s for
    # it. With the default deferred transactions two admin saves both read, pass the "changed since you opened
    # it?" check, then one of them fails at its write with "database is locked" (a 500). Queued this way, the
    # second save starts after the first committed, sees its change and gets the conflict message.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# REDIS_URL (redis://host:6379/0) shares one cache between all app servers: the allowance counters
# (common/allowances.py). Without it, and while Redis fails, they are counted in the database, which every worker
# shares too. An outage costs no answer: django-redis's
# IGNORE_EXCEPTIONS turns a failed call into a miss, never into an error page; the short timeouts (REDIS_TIMEOUT,
# seconds) keep a dead server from holding a request, and after a failure the process skips Redis for
# REDIS_RETRY_SECONDS (tracker/redis_breaker.py): a hung Redis costs one short wait per process per interval.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT") or "0.25")
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "tracker.redis_breaker.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "scomm"),
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                "RETRY_SECONDS": float(os.environ.get("REDIS_RETRY_SECONDS") or "5"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "scomm"}}

# One memory budget per worker for everything it keeps to answer faster (its memos), in MB, beside the current
# snapshot itself (built once per data version). Split in fixed shares, each bounded where it is kept;
# docs/production.md lists them and bench/README.md the measured figures:
# - ANSWER_CACHE_MB: finished public answers (common/answer_cache.py), in the embedded default only;
# - ENCODED_CACHE_MB: each unit's JSON object and CSV line per standing, every snapshot together (dayrows.py);
# - RELEASE_SNAPSHOTS_KEPT: snapshots of numbered releases (common/reading.py), RELEASE_SNAPSHOT_MB each;
# - MEMO_FIXED_MB, an allowance (not measured one by one) for the memos bounded by count in the code: the name
#   matcher's last 4,096 searches, the county geometry, the map's markup and the sitemap per version, the answer
#   store's routes and negotiated representations (512 each), the embed cards' heights (4,096) and the text widths
#   (8,192). Not in the budget: tracker/pictures.py's finished pictures (24 MB, bounded in bytes there).
# 96 MB: what distinct URLs can make a worker keep beyond its warm state (the two stores, 16 MB each, and the fixed
# memos) stays under the 50 MB that DESIGN.md allows; the release snapshots (5 kept) are loaded by each release's
# first answer.
MEMORY_BUDGET_MB = float(os.environ.get("MEMORY_BUDGET_MB") or "96")
# A release's snapshot: 7.7 MB measured for the shipped data (bench/snapshot_build.py, tracemalloc), with room.
RELEASE_SNAPSHOT_MB = 10
# Estimated for the memos listed above: the matcher's searches ~2 MB, embed heights ~1.8, text widths ~2.2, the
# sitemap 2.7 per version.
MEMO_FIXED_MB = 10

# Finished public answers kept per worker for repeat requests (common/answer_cache.py), in MB; 0 turns it off.
# Off by default under PRODUCTION=1: nginx caches there (deploy/nginx.conf).
# Bounded in bytes, and each answer is served only while the data version it was made from is current.
ANSWER_CACHE_MB = float(os.environ.get("ANSWER_CACHE_MB") or ("0" if PRODUCTION else str(MEMORY_BUDGET_MB / 6)))
# Encoded JSON objects and CSV lines, one store for every snapshot a worker holds (the current one and its kept
# releases together: readmodel/dayrows.py), each line counted with its key and bookkeeping (640 bytes). Measured
# for the shipped data with the former count (200 bytes a line): the CSV line of every unit's every standing
# 2.8 MB; JSON objects for three days in three eras 8.7 MB more (a unit's JSON holds the era too).
ENCODED_CACHE_MB = float(os.environ.get("ENCODED_CACHE_MB") or str(MEMORY_BUDGET_MB / 6))
# Every this many requests (at most once a second) a worker gives the memory its allocator holds free back to the
# system (common/trim.py, glibc's malloc_trim, about 1 ms): what freed answers leave between kept entries otherwise
# stays resident, 10 to 17 MB over 10,000 distinct valid URLs beside the shares above (docs/production.md). 0 never.
MALLOC_TRIM_REQUESTS = int(os.environ.get("MALLOC_TRIM_REQUESTS") or "100")
# Snapshots of numbered releases kept per worker, least recently used out first: what the budget has left.
RELEASE_SNAPSHOTS_KEPT = int(
    os.environ.get("RELEASE_SNAPSHOTS_KEPT")
    or max(1, (MEMORY_BUDGET_MB - ANSWER_CACHE_MB - ENCODED_CACHE_MB - MEMO_FIXED_MB) // RELEASE_SNAPSHOT_MB)
)

# django-axes: AXES_FAILURE_LIMIT failed admin logins from one address for one username lock that pair out for
# AXES_COOLOFF_MINUTES (answered with 429). Attempts are kept in the database, so every app server sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The proxies we run in front of the app (0: none, the app faces clients). One rule, in common/client_address.py,
# turns it into the client's address for the lockout and the API throttles: with 0 X-Forwarded-For is
# ignored (anyone can send it); with N the client is the entry N hops from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front.")
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address"
# Where gunicorn listens (gunicorn.conf.py reads the same variable). With a trusted proxy it must be loopback
# unless ALLOW_PUBLIC_BIND=1 says only the proxy can reach it: gunicorn refuses to start and `check --deploy`
# warns otherwise (tracker/bind_check.py).
BIND_HOST = os.environ.get("BIND_HOST", "0.0.0.0")
ALLOW_PUBLIC_BIND = env_bool("ALLOW_PUBLIC_BIND", False)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at the site's paths, Spanish under /es/ (tracker/urls.py): a URL's language is its prefix, never a cookie
# or Accept-Language (common/middleware.py LocaleMiddleware), so every answer is cacheable per URL.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish dates and numbers as US Spanish-language newsrooms write them (Mexico's formats): tracker/formats/es/.
FORMAT_MODULE_PATH = ["tracker.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` writes (STATIC_ROOT to put it elsewhere, e.g. a release folder).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "tracker" / "static"]
if PRODUCTION:
    # `manage.py collectstatic` writes hashed, gzip/brotli-compressed copies that can be cached for a year.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    # Locally and in tests, serve straight from the source folders: no collectstatic step to forget.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# Security headers. Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER_NAME (e.g. HTTP_X_FORWARDED_PROTO).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: everything from the app itself, no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if os.environ.get("SECURE_PROXY_SSL_HEADER_NAME"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER_NAME"], "https")

# Backups keep edit-history timestamps to the microsecond (see common/exact_json.py).
SERIALIZATION_MODULES = {"json": "common.exact_json"}

# Where the shipped dataset lives; the loader reads it from here.
DATASET_DIR = BASE_DIR / "fixtures"

# Numbered data releases (releases/) live in the database; this is where each server caches their files.
RELEASES_DIR = Path(os.environ.get("RELEASES_DIR") or BASE_DIR / "var" / "releases")
# The site's public address, for the links inside a release's files (written by a command, not a request).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# The largest request body the admin takes (forms and import files; an import file is at most 2 MB). Public
# addresses take none (common/middleware.py).
MAX_ADMIN_BODY_BYTES = int(os.environ.get("MAX_ADMIN_BODY_BYTES", str(4 * 1024 * 1024)))
# Lookup suggestions and list-page searches per client address ("off" disables, e.g. for benchmarks).
SEARCH_RATE = None if os.environ.get("SEARCH_RATE", "") == "off" else os.environ.get("SEARCH_RATE", "300/minute")
# Public answers the app computes (pages, cards, pictures, downloads for any as_of day or release) per client
# address ("off" disables, e.g. for benchmarks): enough for a reader and a journalist's script. A repeat answered by
# nginx's cache, the answer store or a 304 does not count, nor a search (SEARCH_RATE) or an editor signed in; the
# API has its own (API_RATE, API_BULK_RATE below). common/public.py `over_allowance`.
COMPUTED_RATE = None if os.environ.get("COMPUTED_RATE", "") == "off" else os.environ.get("COMPUTED_RATE", "600/minute")

# Corrections: readers' reports from the public pages (corrections/). Reports each client address may send, counted
# in the cache like the search allowance ("off" disables). The report form is the one public address that takes a
# body: at most CORRECTIONS_MAX_BODY_BYTES, enough for a report at its longest (5,000 characters of text at up to 12
# bytes each once percent-encoded, plus a 500-character link), and below nginx's 100 KB for the public site.
# Seconds between deletions of ended allowance counters, per process (common/allowances.py); 0: never.
ALLOWANCE_PRUNE_SECONDS = int(os.environ.get("ALLOWANCE_PRUNE_SECONDS", "600"))
CORRECTIONS_RATE = (
    None if os.environ.get("CORRECTIONS_RATE", "") == "off" else os.environ.get("CORRECTIONS_RATE", "5/hour")
)
CORRECTIONS_MAX_BODY_BYTES = int(os.environ.get("CORRECTIONS_MAX_BODY_BYTES", str(80 * 1024)))

# The largest document an editor may attach to a source (a PDF or an HTML snapshot, kept in the database); under
# MAX_ADMIN_BODY_BYTES, which bounds the whole upload.
SOURCE_DOCUMENT_MAX_BYTES = int(os.environ.get("SOURCE_DOCUMENT_MAX_BYTES", str(3 * 1024 * 1024)))

REST_FRAMEWORK = {
    # The API is read-only and says the same to everyone: no sign-in to look up on each request. (Editors work in
    # the admin; the throttles count every API client as anonymous, per address.)
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only by default: the browsable API needs inline scripts, which the CSP forbids.
    "DEFAULT_RENDERER_CLASSES": ["common.renderers.JSONRenderer"],
    # Honours `q` in Accept (DRF's default ignores it): common/api/negotiation.py.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "common.api.negotiation.QualityContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.errors.api_exception_handler",
    # The client address DRF's throttles count by: with NUM_PROXIES set, entry N from the right of X-Forwarded-For,
    # or REMOTE_ADDR for 0 (unset, DRF would key on the whole client-sent header). Same rule as
    # common/client_address.py for every request that came through the configured proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # Per client address; "off" disables (benchmarks). Bulk downloads (CSV, NDJSON, GeoJSON) count separately.
    "DEFAULT_THROTTLE_RATES": {
        "anon": None if os.environ.get("API_RATE", "") == "off" else os.environ.get("API_RATE", "1200/minute"),
        "bulk": None if os.environ.get("API_BULK_RATE", "") == "off" else os.environ.get("API_BULK_RATE", "60/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Secure Communities tracker API",
    "DESCRIPTION": "When ICE's Secure Communities program was activated in each US county (2008-2013) and what "
    "happened to each state's agreement, with sources. Read-only; every list takes `as_of=YYYY-MM-DD`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Swagger UI assets come from the drf-spectacular-sidecar package: nothing fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "JurisdictionStatusEnum": "jurisdictions.models.Status",
        "AgreementStatusEnum": "agreements.models.AgreementStatus",
        "DatePrecisionEnum": "agreements.models.Precision",
    },
}

# The API and the oEmbed endpoint are public and read-only: any origin may GET them (a newsroom system's editor
# asks /oembed from the browser); nothing else on the site is shared.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/.*|oembed)$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition"]
# Conditional GETs from a browser: If-None-Match is not a CORS-safelisted header.
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
