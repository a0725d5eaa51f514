import logging

from django.core.cache import cache

from portal.notifications.models import unread_cache_key

logger = logging.getLogger(__name__)


def unread_notifications(request):
    """`unread_notifications`: the signed-in user's unread inbox count, for the menu.

    Read from the cache, which the actions keep current (actions.refresh_unread_count), so that
    the menu adds no database query to any page; None (no badge) when the cache has no value.
    A callable, read once on first use: pages that never render the menu pay nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    read = []

    def count() -> int | None:
        if not read:
            try:
                read.append(cache.get(unread_cache_key(user.pk)))
            except Exception:  # a cache outage must not take the pages down with it
                logger.warning("Unread notification count unavailable", exc_info=True)
                read.append(None)
        return read[0]

    return {"unread_notifications": count}
