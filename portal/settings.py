"""Settings for Portal Desa Cerdas.

Every difference between a laptop and production is an environment variable (see .env.example);
a malformed value stops start-up with an error naming the variable.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from environs import Env
from marshmallow.validate import Range

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only a DEBUG instance may run on the built-in key; production must set its own.
SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key")
    if DEBUG
    else env.str("DJANGO_SECRET_KEY")
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "axes",
    "django_htmx",
    "simple_history",
    "portal.accounts",
    "portal.notifications",
    "portal.apps.PortalConfig",
    "portal.dashboard",
    "portal.reports",
    "villages",
    "volunteers",
    "services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON (a kabupaten's map outlines: 250 KB, 60 KB compressed); static files come
    # compressed from whitenoise. Django's gzip pads its output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the signed-in user on every history row (village profiles).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authenticate() into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "portal.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# The embedded default is a SQLite file next to the code; production sets DATABASE_URL.
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Unset REDIS_URL means "no broker": tasks run in-process and the cache lives in memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# API reads are cached under a data version every write moves on (portal.lib.api_cache); only
# with a cache that all processes share, since a version in one process's memory would not see
# another process's writes.
API_READ_CACHE = env.bool("API_READ_CACHE", default=bool(REDIS_URL))

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Periodic jobs, run by `celery -A portal beat` (times in WIB, CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "notifications-requeue-stale-sends": {
        "task": "portal.notifications.tasks.requeue_stale_sends_task",
        "schedule": timedelta(minutes=10),
    },
    # Reminder sweeps (portal/reminders.py).
    "reminders-requests-due-soon": {
        "task": "portal.tasks.remind_requests_due_soon_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "reminders-overdue-requests": {
        "task": "portal.tasks.remind_overdue_requests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "reminders-unvisited-villages": {
        "task": "portal.tasks.remind_unvisited_villages_task",
        "schedule": crontab(hour=7, minute=10),
    },
    "reminders-visits-awaiting-review": {
        "task": "portal.tasks.remind_visits_awaiting_review_task",
        "schedule": crontab(hour=7, minute=20),
    },
    "reminders-trainings-tomorrow": {
        "task": "portal.tasks.remind_trainings_tomorrow_task",
        "schedule": crontab(hour=16, minute=0),
    },
    "dashboard-refresh-stale-villages": {
        "task": "portal.dashboard.tasks.refresh_stale_villages_task",
        "schedule": timedelta(minutes=10),
    },
    # Overdue requests, 30 days without a visit and current mentors change with the date.
    "dashboard-rebuild-rollups": {
        "task": "portal.dashboard.tasks.rebuild_rollups_task",
        "schedule": crontab(hour=0, minute=20),
    },
    "reminders-weekly-digest": {
        "task": "portal.tasks.send_weekly_digest_task",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    # Pilot-progress reports (portal/reports): the weekly one per regency, Monday 07:00 WIB,
    # and the sweep for reports whose task was lost.
    "reports-weekly": {
        "task": "portal.reports.tasks.create_weekly_reports_task",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    "reports-requeue-stale": {
        "task": "portal.reports.tasks.requeue_stale_reports_task",
        "schedule": timedelta(minutes=10),
    },
}
# An overdue request goes to the kecamatan officers after this many working days late, and to
# the district officials after twice as many.
REMINDER_ESCALATE_AFTER_DAYS = env.int(
    "REMINDER_ESCALATE_AFTER_DAYS", default=2, validate=Range(min=1)
)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading a session's user and roles through the cache.
    "portal.authentication.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions read from the cache (Redis in production), written through to the database: a page
# pays no query for its session, and a restarted or flushed cache loses no one's login.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: five failures for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# EMAIL_URL such as smtp+tls://user:password@smtp.example.org:587 (console:// prints mail).
_email = env.dj_email_url("EMAIL_URL", default="console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Portal Desa Cerdas <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# Notifications (portal.notifications).
def _http_url_or_empty(value: str) -> bool:
    return not value or value.startswith(("http://", "https://"))


# The portal's own address, put before the links in e-mail and WhatsApp messages.
PORTAL_URL = env.str("PORTAL_URL", default="", validate=_http_url_or_empty)
# WhatsApp/SMS through an HTTP gateway taking {"target", "message"} JSON with an Authorization
# token (Fonnte, Wablas, Zenziva style). Unset URL: the channel is off, its notifications skipped.
WHATSAPP_GATEWAY_URL = env.str("WHATSAPP_GATEWAY_URL", default="", validate=_http_url_or_empty)
WHATSAPP_GATEWAY_TOKEN = env.str("WHATSAPP_GATEWAY_TOKEN", default="")
WHATSAPP_GATEWAY_TIMEOUT = env.float("WHATSAPP_GATEWAY_TIMEOUT", default=10.0)

# HTTPS hardening: on by default outside DEBUG, each switchable for a plain-HTTP benchmark.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous request is answered 401 with `WWW-Authenticate: Token`.
        "portal.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.lib.api.exception_handler",
    # Throttles find the client's address like django-axes: X-Forwarded-For is written by the
    # client unless a known number of proxies in front of the portal added to it.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT,
    # Per client address, for the public endpoints (ScopedRateThrottle's `throttle_scope`).
    "DEFAULT_THROTTLE_RATES": {
        "certificate-verify": "30/minute",
        "letter-verify": "30/minute",
        # Public tracking, page and API together (services.throttle): 20 per 10 minutes.
        "tracking": "20/10m",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portal Desa Cerdas API",
    "DESCRIPTION": "Village digitalisation programme: regions, villages, volunteers, services.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe endpoints, hold no data, and help client developers: public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI and Redoc from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`; name each enum after its model rather than numbering them.
    "ENUM_NAME_OVERRIDES": {
        "EnrolmentStatusEnum": "villages.models.EnrolmentStatus",
        "VolunteerStatusEnum": "volunteers.models.VolunteerStatus",
        "VisitStatusEnum": "volunteers.models.VisitStatus",
        "RequestStatusEnum": "services.models.RequestStatus",
        "SexEnum": "services.models.Sex",
        "ReportStateEnum": "portal.reports.models.ReportState",
        "MilestoneStateEnum": "villages.models.MilestoneState",
    },
}

LEAFLET_CONFIG = {
    "TILES": env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    "ATTRIBUTION_PREFIX": "",
    "DEFAULT_CENTER": (-8.1, 112.2),
    "DEFAULT_ZOOM": 10,
    "RESET_VIEW": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
