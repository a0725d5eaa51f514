"""Who is signed in, read from the cache while nothing about them has changed.

Every signed-in request needs its user and, to scope what it shows, their roles: two queries,
which cost more than the rest of a cached page or API answer. The user, their roles already read
(`villages.models.role_areas`), is kept in the cache per user (session) or per API token, under
the data version of `portal.lib.api_cache` and per day:

- every save or delete of a user, role, API token, volunteer or mentoring assignment moves the
  version on (model signals), so a deactivated user, a changed password, a lost role or a revoked
  token counts from the very next request;
- a volunteer's villages follow their assignments' dates, hence the day in the key.

Each request unpickles a copy of its own. The stored user holds its password hash, as the
database does (the session check needs it); the cache already holds the sessions. Off with
`API_READ_CACHE` (the SQLite demo), and with a cache that is down: then the user and roles are
read from the database as usual.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from portal.lib import api_cache
from villages.models import role_areas


def _key(kind: str, identity: str) -> str:
    database = connection.settings_dict["NAME"]
    return f"api-cache:{kind}:{database}:{identity}:{timezone.localdate().isoformat()}"


def _with_roles(user):
    if user is not None:
        role_areas(user)  # read now, to be stored with the user
    return user


def _cached(key: str, load):
    """The user `load()` returns (None: nobody, never stored), from the cache when it holds it."""
    if not settings.API_READ_CACHE:
        return load()

    def compute():
        found = load()
        return found, found is not None

    return api_cache.versioned(key, compute, api_cache.USER_LABELS)


class CachedModelBackend(ModelBackend):
    """Django's model backend, with a session's user read through the cache."""

    def get_user(self, user_id):
        load = super().get_user
        return _cached(_key("user", str(user_id)), lambda: _with_roles(load(user_id)))


class CachedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with the token's user read through the cache. The cache holds
    the user under a hash of the key, never the key itself."""

    def authenticate_credentials(self, key):
        def load():
            # The user alone: a token loaded with it would be pickled along (the reverse cache).
            return _with_roles(get_user_model().objects.filter(auth_token__key=key).first())

        user = _cached(_key("token", hashlib.sha256(key.encode()).hexdigest()), load)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # request.auth: the token as sent (an unsaved copy; nothing in the portal reads it).
        return user, Token(key=key, user=user)
