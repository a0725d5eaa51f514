"""The portal's local time: Asia/Jakarta (WIB), whatever the server's clock says."""

import datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in Jakarta, as an aware datetime (for `…_at >=` filters by date)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=JAKARTA)
