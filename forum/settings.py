"""Settings for the debate forum, read from environment variables.

Every variable is listed with its default in the README's configuration table.
Development defaults are safe for one machine; ``PRODUCTION=on`` turns on the
guards that refuse to boot with a development secret or open host list.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from forum.lib.env import env_bool, env_float, env_int, env_list, env_str
from forum.lib.release import code_version

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = env_bool("PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
HTTPS = env_bool("HTTPS", False)
SITE_NAME = env_str("SITE_NAME", "The Debate Room")
# Part of every key of a cached page or result: a deploy never serves the previous release's renders.
CODE_VERSION = code_version(BASE_DIR)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "PRODUCTION=on needs SECRET_KEY in the environment, shared by every app server. "
            "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # One machine, no configuration: generate a strong key once and keep it in var/.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _is_development_secret(key: str) -> bool:
    return key.startswith("django-insecure") or len(key) < 50 or len(set(key)) < 5


SECRET_KEY = _secret_key()
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("PRODUCTION=on refuses DEBUG=on: it would show stack traces to readers.")
    if _is_development_secret(SECRET_KEY):
        raise ImproperlyConfigured(
            "PRODUCTION=on refuses a development SECRET_KEY (shorter than 50 characters, "
            "too few distinct characters, or prefixed 'django-insecure')."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PRODUCTION=on needs ALLOWED_HOSTS, the site's host names.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Client IP: how many reverse proxies we trust to append to X-Forwarded-For.
# 0 means REMOTE_ADDR is the client; see forum/lib/client_ip.py.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "forum.debates",
    "forum.moderation",
]

MIDDLEWARE = [
    "forum.lib.middleware.SecurityHeadersMiddleware",
    "forum.lib.middleware.RequestGuardMiddleware",
    "forum.lib.middleware.SecurityEventsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "forum.lib.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "forum.urls"
WSGI_APPLICATION = "forum.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.lib.context.site",
            ],
        },
    },
]

# Database: SQLite in var/ by default, anything dj-database-url understands otherwise.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'forum.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets readers work while one writer commits; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on the busy timeout instead of failing
        # with "database is locked" when one upgrades from a read.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 30, minimum=1),
    }
    # A file, not memory, so tests exercise real locking between threads.
    # TEST_DB_SUFFIX lets two test runs on one machine keep apart.
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test{env_str('TEST_DB_SUFFIX')}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, health-checking only connections that sat idle and
    # preparing the hot statements (forum/lib/postgresql).
    _db["ENGINE"] = "forum.lib.postgresql"
    if not env_bool("PREPARED_STATEMENTS", True):  # a pooler that cannot keep them
        _db.setdefault("OPTIONS", {})["prepare_threshold"] = None
# Keep connections across requests on SQLite too: opening one (and its PRAGMAs)
# cost more than the whole cached debate page.
_db["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server); otherwise a
# database table, which every gunicorn worker on this machine shares.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, but a miss rather than an error while Redis is away (forum/lib/cache.py).
            "BACKEND": "forum.lib.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "forum"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "forum_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "forum.moderation.adapters.SessionUserBackend",  # allauth's, with the moderator checks in the user's query
]

LANGUAGE_CODE = "en-gb"  # its date and number formats still apply without translations
TIME_ZONE = "UTC"
# The site is in English only, so without Django's translation machinery: its
# lookup of the active language costs 8 µs, some 40 times a rendered page.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS: secure cookies with the __Host- prefix, HSTS and a redirect from http.
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    PARTICIPANT_COOKIE_NAME = "__Host-participant"
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment an operator opts into with HSTS_PRELOAD=on.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
else:
    PARTICIPANT_COOKIE_NAME = "participant"
# Flash messages ride in the session, not in a cookie of their own (which could
# not carry the __Host- prefix).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A 1 MB body is refused before any view reads it; 5,000-character comments fit easily.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 256 * 1024, minimum=16 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Email (password resets for moderators).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "debate@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# django-allauth: moderators only, login by email, no public signup, 2FA.
ACCOUNT_ADAPTER = "forum.moderation.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_RATE_LIMITS = {}  # allauth defaults, kept in the shared cache
LOGIN_REDIRECT_URL = "/moderation/"
LOGIN_URL = "/accounts/login/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# Product rules: every limit is a setting, documented in the README.
# Serve readers without a key a cached copy of the debate page (off only to measure).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
RATE_LIMITS = env_str("RATE_LIMITS", "on").strip().lower() not in ("off", "0", "false", "no")
COMMENT_MAX_LENGTH = 5000
COMMENT_EDIT_WINDOW_SECONDS = env_int("COMMENT_EDIT_WINDOW_SECONDS", 15 * 60, minimum=0)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50, minimum=1)
COMMENT_REPORTS_TO_HIDE = env_int("COMMENT_REPORTS_TO_HIDE", 3, minimum=1)
COMMENT_DUPLICATE_WINDOW_SECONDS = env_int("COMMENT_DUPLICATE_WINDOW_SECONDS", 600, minimum=0)
FORM_MIN_SECONDS = env_float("FORM_MIN_SECONDS", 3.0)
VOTE_MIN_SECONDS = env_float("VOTE_MIN_SECONDS", 1.0)
RATE_LIMIT_COMMENTS = env_str("RATE_LIMIT_COMMENTS", "5/60,30/3600")
RATE_LIMIT_COMMENTS_NETWORK = env_str("RATE_LIMIT_COMMENTS_NETWORK", "30/60,300/3600")
RATE_LIMIT_ACTIONS = env_str("RATE_LIMIT_ACTIONS", "60/60")
RATE_LIMIT_NEW_BALLOTS_NETWORK = env_str("RATE_LIMIT_NEW_BALLOTS_NETWORK", "200/3600")
# Poll export downloads per network-prefix hash: generous for a newsroom behind one address.
RATE_LIMIT_EXPORTS = env_str("RATE_LIMIT_EXPORTS", "30/60,300/3600")
# Abuse-level only: seeing, downloading and erasing one's data has no other limit.
RATE_LIMIT_MY_DATA = env_str("RATE_LIMIT_MY_DATA", "30/60,300/3600")
SCREEN_MAX_LINKS = env_int("SCREEN_MAX_LINKS", 2, minimum=0)
SCREEN_TOXICITY_THRESHOLD = env_float("SCREEN_TOXICITY_THRESHOLD", 0.85)
# The toxicity model ships in a package (alt-profanity-check); no text leaves the server.
SCREEN_TOXICITY_SCORER = "forum.moderation.toxicity.toxicity_score" if env_bool("SCREEN_TOXICITY", True) else ""
# The anomalies view flags this many new ballots from one network hash within one hour.
ANOMALY_BURST_BALLOTS = env_int("ANOMALY_BURST_BALLOTS", 20, minimum=2)

# Retention (days) of each stored personal datum; purge_expired_data enforces them.
RETENTION_NETWORK_HASH_HOURS = env_int("RETENTION_NETWORK_HASH_HOURS", 72, minimum=1)
RETENTION_REJECTED_COMMENTS_DAYS = env_int("RETENTION_REJECTED_COMMENTS_DAYS", 30, minimum=1)
RETENTION_REPORTS_DAYS = env_int("RETENTION_REPORTS_DAYS", 180, minimum=1)
RETENTION_AUDIT_DAYS = env_int("RETENTION_AUDIT_DAYS", 365, minimum=1)
RETENTION_INACTIVE_PARTICIPANT_DAYS = env_int("RETENTION_INACTIVE_PARTICIPANT_DAYS", 730, minimum=1)
NETWORK_PEPPER_ROTATION_HOURS = env_int("NETWORK_PEPPER_ROTATION_HOURS", 24, minimum=1)
# Called inside every erasure with what was erased, so an app that keeps its own
# references (the moderation audit log) redacts them in the same transaction. The
# public side never imports moderation: this list is the one place they meet.
PRIVACY_ERASURE_HOOKS = ["forum.moderation.erasure.redact_audit_entries"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No client address and no forged line, whoever logs it (forum/lib/logs.py).
    "filters": {"safe_lines": {"()": "forum.lib.logs.SafeLines"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["safe_lines"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the request line only, never the client address.
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "forum.lib.errors.csrf_failure"
