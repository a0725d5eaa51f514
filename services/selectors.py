"""Reads over citizen service requests for the staff pages: the queue, the forwarded requests and
per-village compliance. Every read starts from `ServiceRequest.objects.visible_to(user)`."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Replace, TruncDate, Upper
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from portal.lib.codes import code_symbols
from portal.lib.dates import JAKARTA, local_midnight
from services.models import ACTIVE_STATUSES, RequestEvent, RequestStatus, ServiceRequest

# The queue's default: what still needs someone (RETURNED waits for the applicant).
OPEN_STATUSES = (*ACTIVE_STATUSES, RequestStatus.RETURNED)
ALL_STATUSES = "all"


def _listed(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("service_type", "village__district")


def _with_overdue(queryset: QuerySet, today: datetime.date) -> QuerySet:
    return queryset.annotate(
        overdue=Case(
            When(status__in=ACTIVE_STATUSES, due_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# `trk-0000 0001` -> `TRK00000001`: how people copy a code from a receipt.
normalise_tracking_code = code_symbols


def request_queue(*, user, params: Mapping) -> QuerySet[ServiceRequest]:
    """The requests the user sees, overdue first, then by due date.

    `params` holds cleaned filters (services.forms.requests.RequestQueueForm): `status` (a
    status, "all", or empty for the open ones), `service_type` and `village` (instances or
    None; `village` only narrows what is visible anyway), `overdue` (bool) and `q`: a tracking
    code (exact, any case, dashes ignored) or part of the applicant's name. Never a NIK: the
    queue is not a way to look people up.
    """
    today = timezone.localdate()
    queryset = _with_overdue(_listed(ServiceRequest.objects.visible_to(user)), today)
    status = params.get("status") or ""
    if status == ALL_STATUSES:
        pass
    elif status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if params.get("service_type"):
        queryset = queryset.filter(service_type=params["service_type"])
    if params.get("village"):
        queryset = queryset.filter(village=params["village"])
    if params.get("overdue"):
        queryset = queryset.filter(overdue=True)
    q = (params.get("q") or "").strip()
    if q:
        code = normalise_tracking_code(q)
        queryset = queryset.annotate(
            plain_code=Upper(Replace("tracking_code", Value("-"), Value("")))
        ).filter(Q(plain_code=code) | Q(applicant_name__icontains=q))
    return queryset.order_by("-overdue", "due_on", "pk")


def forwarded_requests(*, user) -> QuerySet[ServiceRequest]:
    """Requests forwarded to the kecamatan or an agency in the user's area, the longest waiting
    first (by when they were forwarded), each with `forwarded_at`."""
    forwarded_at = (
        RequestEvent.objects.filter(
            service_request=OuterRef("pk"), to_status=RequestStatus.FORWARDED
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        _with_overdue(_listed(ServiceRequest.objects.visible_to(user)), timezone.localdate())
        .filter(status=RequestStatus.FORWARDED)
        .annotate(forwarded_at=Subquery(forwarded_at))
        .order_by(F("forwarded_at").asc(nulls_first=True), "submitted_at", "pk")
    )


@dataclass(frozen=True)
class VillageCompliance:
    village_code: str
    village_name: str
    district_name: str
    filed: int
    completed: int
    on_time: int
    overdue: int
    median_days: float | None

    @property
    def on_time_percent(self) -> int | None:
        """Share of the completed requests completed by their due date; None before any."""
        if not self.completed:
            return None
        return round(100 * self.on_time / self.completed)


def village_compliance(
    *, user, start: datetime.date, end: datetime.date, district=None
) -> list[VillageCompliance]:
    """Per visible village with requests filed from `start` to `end` (Asia/Jakarta, inclusive):
    how many were filed, completed, completed on time (completion date in Asia/Jakarta on or
    before the due date), are overdue now, and the median days from filing to completion.

    Two queries whatever the number of villages: the counts grouped by village, and the
    completed requests' durations, whose medians are taken here (the embedded SQLite default has
    no percentile function). Worst first: lowest on-time share, then most overdue; villages with
    nothing completed yet come after those with a share.
    """
    requests = ServiceRequest.objects.visible_to(user).filter(
        submitted_at__gte=local_midnight(start),
        submitted_at__lt=local_midnight(end + datetime.timedelta(days=1)),
    )
    if district is not None:
        requests = requests.filter(village__district=district)
    completed = Q(status=RequestStatus.COMPLETED, completed_at__isnull=False)
    on_time = LessThanOrEqual(TruncDate("completed_at", tzinfo=JAKARTA), F("due_on"))
    rows = (
        requests.values("village_id", "village__name", "village__district__name")
        .annotate(
            filed=Count("pk"),
            completed=Count("pk", filter=completed),
            on_time=Count("pk", filter=completed & Q(on_time)),
            overdue=Count(
                "pk", filter=Q(status__in=ACTIVE_STATUSES, due_on__lt=timezone.localdate())
            ),
        )
        .order_by()
    )
    durations = defaultdict(list)
    for village_id, submitted_at, completed_at in requests.filter(completed).values_list(
        "village_id", "submitted_at", "completed_at"
    ):
        durations[village_id].append((completed_at - submitted_at).total_seconds() / 86400)
    result = [
        VillageCompliance(
            village_code=row["village_id"],
            village_name=row["village__name"],
            district_name=row["village__district__name"],
            filed=row["filed"],
            completed=row["completed"],
            on_time=row["on_time"],
            overdue=row["overdue"],
            median_days=(
                median(durations[row["village_id"]]) if durations[row["village_id"]] else None
            ),
        )
        for row in rows
    ]
    result.sort(
        key=lambda row: (
            row.on_time_percent is None,
            row.on_time_percent or 0,
            -row.overdue,
            row.village_name,
        )
    )
    return result
