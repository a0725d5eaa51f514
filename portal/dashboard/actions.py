"""Keeping the rollups (portal.dashboard.models) equal to the raw rows they summarise.

One code path rebuilds an area's rollups whatever its size: a whole country (`manage.py
rebuild_rollups`, nightly), a regency (`--regency`), or the few villages a write touched (after
each write's commit, through `portal.lib.figures`). The monthly figures are built by a single
`INSERT … SELECT … GROUP BY` over the union of filed requests, completed requests and visits;
the village and kecamatan snapshots by `INSERT … SELECT` with one correlated subquery per figure.
Both are written with the ORM's SQL compiler, so the same statements run on PostgreSQL and on the
demo's SQLite. Enrolment snapshots are computed in Python (their pillar averages reuse the
scorecard selectors) and bulk inserted: there are at most a few per village.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from portal.dashboard.models import (
    DistrictSnapshot,
    EnrolmentSnapshot,
    StaleVillage,
    VillageMonth,
    VillageSnapshot,
)
from portal.lib.dates import JAKARTA
from services.models import ACTIVE_STATUSES, RequestStatus, ServiceRequest
from villages.models import Assessment, District, Enrolment, MilestoneProgress, Village
from villages.selectors.programmes import dimension_scores, pillar_average, with_progress
from volunteers.models import Assignment, AssignmentRole, Visit, VisitStatus, Volunteer
from volunteers.models.roster import VolunteerStatus

logger = logging.getLogger(__name__)

# Visits that count as having happened: reported and not sent back (as the reminder sweeps).
COUNTED_VISITS = (VisitStatus.SUBMITTED, VisitStatus.VERIFIED)
# Villages refreshed per statement when a list of them is given (SQLite's parameter limit).
VILLAGE_CHUNK = 400
CACHE_VERSION_KEY = "dashboard:version"


def _code_field(field: str) -> str:
    """`village_id` -> `village__code`: a pattern lookup on a key goes through the code field
    (the join is trimmed, the key column is compared)."""
    return f"{field[:-3]}__code" if field.endswith("_id") else field


@dataclass(frozen=True)
class Scope:
    """The villages to rebuild: everything, an area by code prefix, or a list of village codes."""

    prefix: str | None = None
    village_ids: frozenset[str] | None = None
    extra_district_ids: frozenset[str] = frozenset()

    def q(self, field: str) -> Q:
        if self.village_ids is not None:
            return Q(**{f"{field}__in": self.village_ids})
        if self.prefix:
            return Q(**{f"{_code_field(field)}__startswith": f"{self.prefix}."})
        return Q()

    def district_q(self, field: str = "code") -> Q:
        if self.village_ids is not None:
            codes = {code[:8] for code in self.village_ids} | set(self.extra_district_ids)
            return Q(**{f"{field}__in": codes})
        if self.prefix:
            return Q(**{f"{_code_field(field)}__startswith": f"{self.prefix}."})
        return Q()

    def regency_codes(self) -> set[str]:
        if self.village_ids is not None:
            return {code[:5] for code in (*self.village_ids, *self.extra_district_ids)}
        return {self.prefix[:5]} if self.prefix else set()


@dataclass
class RebuildResult:
    month_rows: int = 0
    village_rows: int = 0
    enrolment_rows: int = 0
    district_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _insert_select(model, columns: list[str], sql: str, params) -> int:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return cursor.rowcount


MONTH_FIGURES = (
    "visits",
    "visits_verified",
    "participants_women",
    "participants_men",
    "participants_youth",
    "requests_filed",
    "requests_completed",
    "requests_on_time",
)


def _monthly(queryset: QuerySet, month, **figures) -> QuerySet:
    """village_id, month and the eight figures (zero where this source has none), in the same
    order for every source so that their union lines up."""
    zero = Value(0, output_field=IntegerField())
    annotations = {name: figures.get(name, zero) for name in MONTH_FIGURES}
    return (
        queryset.order_by()
        .annotate(rollup_month=month)
        .values("village_id", "rollup_month")
        .annotate(**annotations)
        .values_list("village_id", "rollup_month", *MONTH_FIGURES)
    )


def _rebuild_months(scope: Scope) -> int:
    VillageMonth.objects.filter(scope.q("village_id")).delete()
    requests = ServiceRequest.objects.filter(scope.q("village_id"))
    completed_on = TruncDate("completed_at", tzinfo=JAKARTA)
    filed = _monthly(
        requests,
        TruncMonth(TruncDate("submitted_at", tzinfo=JAKARTA)),
        requests_filed=Count("pk"),
    )
    completed = _monthly(
        requests.filter(status=RequestStatus.COMPLETED, completed_at__isnull=False),
        TruncMonth(completed_on),
        requests_completed=Count("pk"),
        requests_on_time=Count("pk", filter=Q(LessThanOrEqual(completed_on, F("due_on")))),
    )
    visits = _monthly(
        Visit.objects.filter(scope.q("village_id"), status__in=COUNTED_VISITS),
        TruncMonth("visited_on"),
        visits=Count("pk"),
        visits_verified=Count("pk", filter=Q(status=VisitStatus.VERIFIED)),
        participants_women=Sum("participants_female"),
        participants_men=Sum("participants_male"),
        participants_youth=Sum("participants_youth"),
    )
    union_sql, params = filed.union(completed, visits, all=True).query.sql_with_params()
    # The union's columns are named after the first query's: village_id, rollup_month, figures.
    sums = ", ".join(f"SUM(u.{name})" for name in MONTH_FIGURES)
    sql = (
        f"SELECT u.village_id, u.rollup_month, {sums} FROM ({union_sql}) u "
        "GROUP BY u.village_id, u.rollup_month"
    )
    return _insert_select(VillageMonth, ["village_id", "month", *MONTH_FIGURES], sql, params)


def _count(queryset: QuerySet, expression=None) -> Coalesce:
    """A correlated subquery counting `queryset`'s rows per village (0 when none)."""
    counted = (
        queryset.order_by()
        .values("village")
        .annotate(n=expression if expression is not None else Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _rebuild_village_snapshots(scope: Scope, today) -> int:
    VillageSnapshot.objects.filter(scope.q("village_id")).delete()
    active = ServiceRequest.objects.filter(village=OuterRef("code"), status__in=ACTIVE_STATUSES)
    mentors = Assignment.objects.current(today).filter(
        village=OuterRef("code"), volunteer__status=VolunteerStatus.ACTIVE
    )
    last_visit = (
        Visit.objects.filter(village=OuterRef("code"), status__in=COUNTED_VISITS)
        .order_by()
        .values("village")
        .annotate(last=Max("visited_on"))
        .values("last")
    )
    rows = (
        Village.objects.filter(scope.q("code"))
        .order_by()
        .annotate(
            s_open=_count(active),
            s_overdue=_count(active.filter(due_on__lt=today)),
            s_last_visit=Subquery(last_visit, output_field=DateField()),
            s_mentors=_count(mentors, Count("volunteer", distinct=True)),
            s_today=Value(today, output_field=DateField()),
        )
        .values_list("code", "s_open", "s_overdue", "s_last_visit", "s_mentors", "s_today")
    )
    sql, params = rows.query.sql_with_params()
    columns = [
        "village_id",
        "requests_open",
        "requests_overdue",
        "last_visit_on",
        "mentors_current",
        "refreshed_on",
    ]
    return _insert_select(VillageSnapshot, columns, sql, params)


def _rebuild_district_snapshots(scope: Scope, today) -> int:
    DistrictSnapshot.objects.filter(scope.district_q("district_id")).delete()
    active = Volunteer.objects.filter(district=OuterRef("code"), status=VolunteerStatus.ACTIVE)
    mentoring = active.filter(
        Exists(Assignment.objects.current(today).filter(volunteer=OuterRef("pk")))
    )

    def per_district(queryset):
        counted = queryset.order_by().values("district").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))

    rows = (
        District.objects.filter(scope.district_q("code"))
        .order_by()
        .annotate(
            s_active=per_district(active),
            s_mentoring=per_district(mentoring),
            s_today=Value(today, output_field=DateField()),
        )
        .values_list("code", "s_active", "s_mentoring", "s_today")
    )
    sql, params = rows.query.sql_with_params()
    columns = ["district_id", "volunteers_active", "volunteers_mentoring", "refreshed_on"]
    return _insert_select(DistrictSnapshot, columns, sql, params)


def _chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rebuild_enrolment_snapshots(scope: Scope, today) -> int:
    EnrolmentSnapshot.objects.filter(scope.q("village_id")).delete()
    main_mentor = Assignment.objects.current(today).filter(
        programme=OuterRef("programme"),
        village=OuterRef("village"),
        role=AssignmentRole.MAIN,
        volunteer__status=VolunteerStatus.ACTIVE,
    )
    changed = (
        MilestoneProgress.objects.filter(enrolment=OuterRef("pk"))
        .order_by()
        .values("enrolment")
        .annotate(last=Max("updated_at"))
        .values("last")
    )
    assessments = Assessment.objects.filter(village=OuterRef("village")).values("pk")
    enrolments = list(
        with_progress(Enrolment.objects.filter(scope.q("village_id")))
        .order_by()
        .annotate(
            progress_changed_at=Subquery(changed),
            has_main_mentor=Exists(main_mentor),
            latest_assessment_id=Subquery(assessments.order_by("-assessed_on", "-pk")[:1]),
            first_assessment_id=Subquery(assessments.order_by("assessed_on", "pk")[:1]),
        )
    )
    wanted = {
        pk
        for enrolment in enrolments
        for pk in (
            enrolment.latest_assessment_id,
            enrolment.baseline_id or enrolment.first_assessment_id,
        )
        if pk
    }
    scores: dict[int, dict] = {}
    for chunk in _chunks(sorted(wanted), VILLAGE_CHUNK):
        scores.update(dimension_scores(chunk))
    rows = []
    for enrolment in enrolments:
        changed_at = enrolment.progress_changed_at
        baseline_id = enrolment.baseline_id or enrolment.first_assessment_id
        latest_id = enrolment.latest_assessment_id
        rows.append(
            EnrolmentSnapshot(
                enrolment_id=enrolment.pk,
                programme_id=enrolment.programme_id,
                village_id=enrolment.village_id,
                status=enrolment.status,
                in_cohort=enrolment.cohort_id is not None,
                milestones_total=enrolment.milestones_total,
                milestones_done=enrolment.milestones_done,
                progress_changed_on=(
                    timezone.localdate(changed_at) if changed_at else enrolment.enrolled_on
                ),
                pillar_latest=pillar_average(scores.get(latest_id)),
                pillar_baseline=(
                    pillar_average(scores.get(baseline_id)) if baseline_id != latest_id else None
                ),
                has_main_mentor=enrolment.has_main_mentor,
                refreshed_on=today,
            )
        )
    EnrolmentSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _rebuild(scope: Scope, result: RebuildResult) -> None:
    today = timezone.localdate()
    if connection.vendor == "postgresql" and scope.village_ids is None:
        # A national rebuild groups over a million rows: sort in memory, not on disk.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
    steps = (
        ("months", "month_rows", _rebuild_months, (scope,)),
        ("villages", "village_rows", _rebuild_village_snapshots, (scope, today)),
        ("enrolments", "enrolment_rows", _rebuild_enrolment_snapshots, (scope, today)),
        ("districts", "district_rows", _rebuild_district_snapshots, (scope, today)),
    )
    if scope.village_ids is not None and not scope.village_ids:
        # Only kecamatan to refresh (a volunteer without assignments moved).
        steps = steps[3:]
    for name, counter, step, args in steps:
        started = time.perf_counter()
        setattr(result, counter, getattr(result, counter) + step(*args))
        result.seconds[name] = result.seconds.get(name, 0.0) + time.perf_counter() - started
    StaleVillage.objects.filter(scope.q("village_id")).delete()


def version_key(regency_code: str | None = None) -> str:
    return f"{CACHE_VERSION_KEY}:{regency_code or '*'}"


# Bumped by a rebuild of the whole country: every cached figure is stale.
GENERATION_KEY = f"{CACHE_VERSION_KEY}:generation"


def bump_cache_versions(regency_codes: Iterable[str], *, everything: bool = False) -> None:
    """Make cached dashboard figures of these regencies (and the country's) stale; with
    `everything`, all of them."""
    keys = [version_key(code) for code in set(regency_codes)] + [version_key()]
    if everything:
        keys.append(GENERATION_KEY)
    try:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)
    except Exception:  # a cache that is down makes figures recomputed, never a write fail
        logger.warning("Dashboard cache versions not bumped", exc_info=True)


def version_keys(regency_code: str | None) -> list[str]:
    """The cache keys whose values make up `current_version(regency_code)`."""
    return [GENERATION_KEY] + ([version_key(regency_code)] if regency_code else [])


def current_version(regency_code: str | None) -> str:
    """The version cached figures of a regency are stored under. The country's figures follow
    only national rebuilds (and expire with their cache time): any write anywhere would
    otherwise recompute them, and at national scale that takes seconds."""
    keys = version_keys(regency_code)
    try:
        found = cache.get_many(keys)
    except Exception:
        logger.warning("Dashboard cache versions not read", exc_info=True)
        return uuid.uuid4().hex  # no cache: nothing cached can be trusted
    return ":".join(found.get(key, "0") for key in keys)


def rebuild_rollups(*, regency: str | None = None) -> RebuildResult:
    """Rebuild every rollup of `regency` (a regency code), or of the whole country, from the raw
    rows, in one transaction. Returns the rows written and the seconds each step took."""
    scope = Scope(prefix=regency)
    result = RebuildResult()
    with transaction.atomic():
        _rebuild(scope, result)
    bump_cache_versions(scope.regency_codes(), everything=regency is None)
    return result


def refresh_villages(
    village_ids: Iterable[str] = (), *, district_ids: Iterable[str] = ()
) -> RebuildResult:
    """Rebuild the rollups of these villages (and of their kecamatan, and of `district_ids`)."""
    village_ids = sorted(set(village_ids))
    district_ids = sorted(set(district_ids))
    result = RebuildResult()
    if not village_ids and not district_ids:
        return result
    chunks = list(_chunks(village_ids, VILLAGE_CHUNK)) or [[]]
    with transaction.atomic():
        for index, chunk in enumerate(chunks):
            extra = frozenset(district_ids) if index == 0 else frozenset()
            _rebuild(Scope(village_ids=frozenset(chunk), extra_district_ids=extra), result)
    bump_cache_versions({code[:5] for code in (*village_ids, *district_ids)})
    return result


def _villages_touched(*, village_ids, district_ids, volunteer_ids, programme_ids):
    villages, districts = set(village_ids), set(district_ids)
    if volunteer_ids:
        villages |= set(
            Assignment.objects.filter(volunteer_id__in=volunteer_ids).values_list(
                "village_id", flat=True
            )
        )
        districts |= set(
            Volunteer.objects.filter(pk__in=volunteer_ids).values_list("district_id", flat=True)
        )
    if programme_ids:
        villages |= set(
            Enrolment.objects.filter(programme_id__in=programme_ids).values_list(
                "village_id", flat=True
            )
        )
    return villages, districts


def on_figures_changed(
    sender=None, *, village_ids=(), district_ids=(), volunteer_ids=(), programme_ids=(), **kwargs
) -> None:
    """After a write commits: refresh the rollups of what it touched, at once (one village costs
    a dozen indexed queries). If that fails, the villages are marked stale for the sweep."""
    villages: set[str] = set(village_ids)
    try:
        villages, districts = _villages_touched(
            village_ids=village_ids,
            district_ids=district_ids,
            volunteer_ids=volunteer_ids,
            programme_ids=programme_ids,
        )
        refresh_villages(villages, district_ids=districts)
    except Exception:
        logger.exception("Rollups not refreshed; marked stale: %s", sorted(villages))
        mark_stale(villages)


def mark_stale(village_ids: Iterable[str]) -> None:
    try:
        existing = set(
            Village.objects.filter(code__in=set(village_ids)).values_list("pk", flat=True)
        )
        StaleVillage.objects.bulk_create(
            [StaleVillage(village_id=code) for code in existing], ignore_conflicts=True
        )
    except Exception:  # the nightly rebuild repairs what even this could not note
        logger.exception("Stale villages not marked")


def refresh_stale_villages(limit: int = 5000) -> int:
    """Refresh the villages marked stale (oldest first, at most `limit`). Returns how many."""
    codes = list(
        StaleVillage.objects.order_by("marked_at").values_list("village_id", flat=True)[:limit]
    )
    if codes:
        refresh_villages(codes)
    return len(codes)
