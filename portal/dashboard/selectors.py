"""Reads for the dashboard, its API and the public page: aggregates over the rollups only.

`dashboard_figures` costs a fixed number of queries whatever the number of villages, requests or
visits: each query groups rollup rows by child area (kecamatan of a regency, village of a
kecamatan), and sums are made here. Its result holds only plain values, so it is cached per
area and filters under a version that every rollup refresh of the area's regency bumps.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import FieldError
from django.db.models import Avg, Count, F, IntegerField, Q, Sum
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.dashboard.actions import current_version
from portal.dashboard.models import (
    DistrictSnapshot,
    EnrolmentSnapshot,
    VillageMonth,
    VillageSnapshot,
)
from villages.models import District, EnrolmentStatus, Programme, Regency, Role, Village
from villages.selectors.programmes import percent

logger = logging.getLogger(__name__)

# Who has a dashboard: officials and kecamatan officers for their area; administrators for all.
DASHBOARD_ROLES = (Role.DISTRICT_OFFICIAL, Role.KECAMATAN_OFFICER)
NO_VISIT_DAYS = 30
STALLED_DAYS = 90
ATTENTION_ROWS = 25
DEFAULT_MONTHS = 6
MAX_MONTHS = 36
CACHE_SECONDS = 10 * 60
PILOT_STATUSES = (EnrolmentStatus.ACTIVE, EnrolmentStatus.GRADUATED)

# Region code lengths: "35" province, "35.05" regency, "35.05.01" kecamatan, "35.05.01.2001".
LEVEL_OF_LENGTH = {5: "regency", 8: "district", 13: "village"}
CHILD_LENGTH = {"country": 5, "regency": 8, "district": 13}


@dataclass(frozen=True)
class Area:
    """Where the dashboard looks: the whole country (code None), a regency, kecamatan or village."""

    level: str
    code: str | None
    name: str
    regency_code: str | None
    parents: tuple[tuple[str, str, str], ...] = ()  # (level, code, name) from the top

    @property
    def prefix_q(self) -> Q:
        if self.code is None:
            return Q()
        if self.level == "village":
            return Q(village_id=self.code)
        return Q(village__code__startswith=f"{self.code}.")

    @property
    def child_level(self) -> str | None:
        return {"country": "regency", "regency": "district", "district": "village"}.get(self.level)


def area_for_code(code: str | None) -> Area | None:
    """The Area of a region code (None: the country), with its parents' names; one query."""
    if code is None:
        return Area(level="country", code=None, name="", regency_code=None)
    level = LEVEL_OF_LENGTH.get(len(code))
    if level == "regency":
        region = Regency.objects.filter(code=code).first()
        return region and Area("regency", code, region.name, code)
    if level == "district":
        region = District.objects.filter(code=code).select_related("regency").first()
        return region and Area(
            "district",
            code,
            region.name,
            region.regency_id,
            (("regency", region.regency_id, region.regency.name),),
        )
    if level == "village":
        region = Village.objects.filter(code=code).select_related("district__regency").first()
        return region and Area(
            "village",
            code,
            region.name,
            region.district.regency_id,
            (
                ("regency", region.district.regency_id, region.district.regency.name),
                ("district", region.district_id, region.district.name),
            ),
        )
    return None


def dashboard_scope(user):
    from villages.models import area_scope

    return area_scope(user, roles=DASHBOARD_ROLES)


def has_dashboard(user) -> bool:
    scope = dashboard_scope(user)
    return scope.everything or bool(scope.codes)


def home_area_codes(user) -> list[str] | None:
    """The codes of the user's dashboard areas (None for administrators: the whole country)."""
    scope = dashboard_scope(user)
    if scope.everything:
        return None
    return sorted(scope.codes)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    end = month_start(today or timezone.localdate())
    return add_months(end, -(DEFAULT_MONTHS - 1)), end


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def area_programmes(area: Area):
    """The programmes a filter may choose: those of the area's regency (all for the country)."""
    programmes = Programme.objects.order_by("-starts_on", "name")
    if area.regency_code:
        programmes = programmes.filter(regency_id=area.regency_code)
    return programmes


def cached_area(code: str | None) -> Area | None:
    """`area_for_code`, cached for an hour (region names change only with a registry import)."""
    key = f"dashboard:area:{code or '*'}"
    area = cache.get(key)
    if area is None:
        area = area_for_code(code)
        if area is not None:
            cache.set(key, area, 60 * 60)
    return area


def filter_choices(area: Area) -> dict[str, list[tuple]]:
    """The filter form's choices: (id, name) of the area's programmes, and (code, name) of a
    regency's kecamatan. Cached with the figures (a new programme shows within ten minutes)."""
    version = current_version(area.regency_code)
    key = f"dashboard:choices:{area.level}:{area.code or '*'}:{version}"
    choices = cache.get(key)
    if choices is None:
        choices = {
            "programmes": list(area_programmes(area).values_list("pk", "name")),
            "districts": (
                list(
                    District.objects.filter(regency_id=area.code)
                    .order_by("name")
                    .values_list("code", "name")
                )
                if area.level == "regency"
                else []
            ),
        }
        cache.set(key, choices, CACHE_SECONDS)
    return choices


def _child(field: str, area: Area):
    """An expression for the child area a row belongs to (None at village level)."""
    length = CHILD_LENGTH.get(area.level)
    return Substr(field, 1, length) if length else None


def _programme_villages(programme_id):
    return EnrolmentSnapshot.objects.filter(programme_id=programme_id).values("village_id")


def _ratio(numerator, denominator, digits=1):
    if not denominator:
        return None
    return round(numerator / denominator, digits)


def _grouped(rows, group: dict, **aggregates) -> list[dict]:
    """`aggregates` per child area (`group` names its expression), or once for the whole area."""
    if not group:
        return [rows.aggregate(**aggregates)]
    return list(rows.order_by().annotate(**group).values(*group).annotate(**aggregates))


def _month_figures(area: Area, programme_id, first: datetime.date, last: datetime.date):
    rows = VillageMonth.objects.filter(area.prefix_q, month__gte=first, month__lte=last)
    if programme_id:
        rows = rows.filter(village_id__in=_programme_villages(programme_id))
    child = _child("village_id", area)
    group = {"child": child} if child is not None else {}
    return list(
        rows.order_by()
        .annotate(**group)
        .values(*group, "month")
        .annotate(
            visits_sum=Sum("visits"),
            verified_sum=Sum("visits_verified"),
            women=Sum("participants_women"),
            men=Sum("participants_men"),
            youth=Sum("participants_youth"),
            filed=Sum("requests_filed"),
            completed=Sum("requests_completed"),
            on_time=Sum("requests_on_time"),
        )
    )


def _snapshot_figures(area: Area, programme_id, today: datetime.date):
    rows = VillageSnapshot.objects.filter(area.prefix_q)
    if programme_id:
        rows = rows.filter(village_id__in=_programme_villages(programme_id))
    child = _child("village_id", area)
    group = {"child": child} if child is not None else {}
    return _grouped(
        rows,
        group,
        open=Sum("requests_open"),
        overdue=Sum("requests_overdue"),
        villages_overdue=Count("pk", filter=Q(requests_overdue__gt=0)),
        mentors=Sum("mentors_current"),
    )


def _enrolment_figures(area: Area, programme_id):
    rows = EnrolmentSnapshot.objects.filter(area.prefix_q)
    if programme_id:
        rows = rows.filter(programme_id=programme_id)
    child = _child("village_id", area)
    group = {"child": child} if child is not None else {}
    enrolled = ~Q(status=EnrolmentStatus.WITHDRAWN)
    by_status = {
        f"status_{status}": Count("pk", filter=Q(status=status)) for status in EnrolmentStatus
    }
    return _grouped(
        rows,
        group,
        enrolled=Count("village", distinct=True, filter=enrolled),
        pilot=Count("village", distinct=True, filter=Q(status__in=PILOT_STATUSES)),
        cohort=Count("village", distinct=True, filter=enrolled & Q(in_cohort=True)),
        done=Sum("milestones_done", filter=enrolled),
        total=Sum("milestones_total", filter=enrolled),
        pillar_sum=Sum("pillar_latest", filter=enrolled),
        pillar_count=Count("pillar_latest", filter=enrolled),
        change_sum=Sum(
            F("pillar_latest") - F("pillar_baseline"),
            filter=enrolled & Q(pillar_baseline__isnull=False),
        ),
        change_count=Count(
            "pk",
            filter=enrolled & Q(pillar_baseline__isnull=False, pillar_latest__isnull=False),
        ),
        **by_status,
    )


def _volunteer_figures(area: Area):
    rows = DistrictSnapshot.objects.all()
    if area.level == "village":
        return []
    if area.code:
        rows = rows.filter(district__code__startswith=f"{area.code}.")
        if area.level == "district":
            rows = DistrictSnapshot.objects.filter(district_id=area.code)
    group = {}
    if area.level in ("country", "regency"):
        group = {"child": Substr("district_id", 1, CHILD_LENGTH[area.level])}
    return _grouped(
        rows, group, active=Sum("volunteers_active"), mentoring=Sum("volunteers_mentoring")
    )


def _attention(area: Area, programme_id, today: datetime.date):
    """Villages needing attention: an active enrolment with no counted visit for 30 days, no
    main mentor or milestones stalled (not done and unchanged for 90 days), or overdue requests.
    The worst first (most reasons, most overdue, longest without a visit), at most
    ATTENTION_ROWS of them with the total. Three simple queries, merged here: one combined
    query with a subquery per reason let PostgreSQL pick plans a thousand times slower."""
    enrolments = EnrolmentSnapshot.objects.filter(area.prefix_q, status=EnrolmentStatus.ACTIVE)
    if programme_id:
        enrolments = enrolments.filter(programme_id=programme_id)
    stalled_since = today - datetime.timedelta(days=STALLED_DAYS)
    flags = {
        row["village_id"]: row
        for row in enrolments.order_by()
        .values("village_id")
        .annotate(
            no_mentor=Count("pk", filter=Q(has_main_mentor=False)),
            stalled=Count(
                "pk",
                filter=Q(
                    milestones_done__lt=F("milestones_total"),
                    progress_changed_on__lt=stalled_since,
                ),
            ),
        )
    }
    columns = (
        "village_id",
        "village__name",
        "village__district__name",
        "requests_overdue",
        "last_visit_on",
    )
    snapshots = VillageSnapshot.objects.filter(area.prefix_q)
    overdue = snapshots.filter(requests_overdue__gt=0)
    if programme_id:
        overdue = overdue.filter(village_id__in=_programme_villages(programme_id))
    enrolled = snapshots.filter(village_id__in=enrolments.values("village_id"))
    rows = {row[0]: row for row in overdue.values_list(*columns)}
    rows.update((row[0], row) for row in enrolled.values_list(*columns))
    visit_due = today - datetime.timedelta(days=NO_VISIT_DAYS)
    result = []
    for code, name, district_name, requests_overdue, last_visit_on in rows.values():
        reasons = []
        flag = flags.get(code)
        if flag and (last_visit_on is None or last_visit_on < visit_due):
            reasons.append("no_visit")
        if flag and flag["no_mentor"]:
            reasons.append("no_mentor")
        if requests_overdue:
            reasons.append("overdue")
        if flag and flag["stalled"]:
            reasons.append("stalled")
        if reasons:
            result.append(
                {
                    "code": code,
                    "name": name,
                    "district_name": district_name,
                    "reasons": reasons,
                    "days_since_visit": (today - last_visit_on).days if last_visit_on else None,
                    "last_visit_on": last_visit_on,
                    "overdue": requests_overdue,
                }
            )
    result.sort(
        key=lambda item: (
            -len(item["reasons"]),
            -item["overdue"],
            item["last_visit_on"] or datetime.date.min,
            item["code"],
        )
    )
    return {"total": len(result), "rows": result[:ATTENTION_ROWS]}


def _child_names(area: Area, codes) -> dict[str, str]:
    model = {"regency": Regency, "district": District, "village": Village}.get(area.child_level)
    if model is None or not codes:
        return {}
    return dict(model.objects.filter(code__in=codes).values_list("code", "name"))


def _empty_totals() -> dict:
    return defaultdict(int)


def dashboard_figures(
    *,
    area: Area,
    programme_id: int | None = None,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> dict:
    """Every figure of the dashboard for `area`: KPIs, monthly trends, per-child rows and the
    attention list, from the rollups. A fixed number of queries (7 or 8)."""
    today = today or timezone.localdate()
    this_month = month_start(today)
    first, last = min(start, this_month), max(end, this_month)
    months = _month_figures(area, programme_id, first, last)
    snapshots = _snapshot_figures(area, programme_id, today)
    enrolments = _enrolment_figures(area, programme_id)
    volunteers = _volunteer_figures(area)
    attention = _attention(area, programme_id, today)

    children: dict[str, dict] = defaultdict(_empty_totals)
    trend = {month: _empty_totals() for month in months_between(start, end)}
    current = _empty_totals()
    period = _empty_totals()
    for row in months:
        figures = {
            "visits": row["visits_sum"],
            "visits_verified": row["verified_sum"],
            "participants_women": row["women"],
            "participants_men": row["men"],
            "participants_youth": row["youth"],
            "requests_filed": row["filed"],
            "requests_completed": row["completed"],
            "requests_on_time": row["on_time"],
        }
        targets = []
        if start <= row["month"] <= end:
            targets += [trend[row["month"]], period]
            if "child" in row:
                targets.append(children[row["child"]])
        if row["month"] == this_month:
            targets.append(current)
        for target in targets:
            for name, value in figures.items():
                target[name] += value or 0
    now = _empty_totals()
    for row in snapshots:
        values = {
            "requests_open": row["open"] or 0,
            "requests_overdue": row["overdue"] or 0,
            "villages_overdue": row["villages_overdue"] or 0,
            "mentors": row["mentors"] or 0,
        }
        for name, value in values.items():
            now[name] += value
            if "child" in row:
                children[row["child"]][name] += value
    programme = _empty_totals()
    for row in enrolments:
        for name, value in row.items():
            if name == "child":
                continue
            programme[name] += value or 0
            if "child" in row:
                children[row["child"]][name] += value or 0
    volunteer_totals = _empty_totals()
    for row in volunteers:
        volunteer_totals["active"] += row["active"] or 0
        volunteer_totals["mentoring"] += row["mentoring"] or 0
        if "child" in row:
            children[row["child"]]["volunteers_active"] += row["active"] or 0

    kpis = {
        "villages_enrolled": programme["enrolled"],
        "villages_pilot": programme["pilot"],
        "villages_in_cohort": programme["cohort"],
        "enrolments_by_status": {
            status.value: programme[f"status_{status.value}"] for status in EnrolmentStatus
        },
        "milestones_done": programme["done"],
        "milestones_total": programme["total"],
        "milestones_percent": percent(programme["done"], programme["total"]),
        "pillar_average": _ratio(float(programme["pillar_sum"]), programme["pillar_count"]),
        "pillar_change": _ratio(float(programme["change_sum"]), programme["change_count"]),
        "visits_this_month": current["visits"],
        "participants_this_month": current["participants_women"] + current["participants_men"],
        "visits": period["visits"],
        "visits_verified": period["visits_verified"],
        "participants_women": period["participants_women"],
        "participants_men": period["participants_men"],
        "participants_youth": period["participants_youth"],
        "volunteers_active": volunteer_totals["active"],
        "volunteers_mentoring": volunteer_totals["mentoring"],
        "mentors_current": now["mentors"],
        "requests_filed": period["requests_filed"],
        "requests_completed": period["requests_completed"],
        "requests_on_time": period["requests_on_time"],
        "on_time_percent": (
            percent(period["requests_on_time"], period["requests_completed"])
            if period["requests_completed"]
            else None
        ),
        "requests_open": now["requests_open"],
        "requests_overdue": now["requests_overdue"],
        "villages_attention": attention["total"],
    }
    names = _child_names(area, list(children))
    child_rows = []
    for code, figures in children.items():
        if code not in names:
            continue
        child_rows.append(
            {
                "code": code,
                "name": names[code],
                "villages_enrolled": figures["enrolled"],
                "milestones_percent": (
                    percent(figures["done"], figures["total"]) if figures["total"] else None
                ),
                "visits": figures["visits"],
                "participants": figures["participants_women"] + figures["participants_men"],
                "requests_filed": figures["requests_filed"],
                "requests_completed": figures["requests_completed"],
                "on_time_percent": (
                    percent(figures["requests_on_time"], figures["requests_completed"])
                    if figures["requests_completed"]
                    else None
                ),
                "requests_overdue": figures["requests_overdue"],
                "volunteers_active": figures["volunteers_active"],
            }
        )
    child_rows.sort(key=lambda row: row["name"])
    return {
        "today": today,
        "start": start,
        "end": end,
        "kpis": kpis,
        "trend": [
            {"month": month, **{name: figures[name] for name in TREND_FIELDS}}
            for month, figures in trend.items()
        ],
        "children": child_rows,
        "attention": attention,
    }


TREND_FIELDS = (
    "visits",
    "visits_verified",
    "participants_women",
    "participants_men",
    "participants_youth",
    "requests_filed",
    "requests_completed",
    "requests_on_time",
)


def figures_cache_key(
    *, area: Area, programme_id: int | None, start: datetime.date, end: datetime.date
) -> str:
    """Where the figures of an area and filters are cached: it changes with the rollups'
    version and with the day (the attention list counts days)."""
    version = current_version(area.regency_code)
    parts = f"{area.code}|{programme_id}|{start}|{end}|{timezone.localdate()}|{version}"
    return "dashboard:figures:" + hashlib.sha256(parts.encode()).hexdigest()[:32]


def cached_dashboard_figures(
    *, area: Area, programme_id: int | None, start: datetime.date, end: datetime.date
) -> dict:
    """`dashboard_figures`, cached until the area's regency's rollups change (or ten minutes).

    Two cache reads when warm: the rollup versions, then the figures under them."""
    today = timezone.localdate()
    key = figures_cache_key(area=area, programme_id=programme_id, start=start, end=end)
    figures = cache.get(key)
    if figures is None:
        figures = dashboard_figures(
            area=area, programme_id=programme_id, start=start, end=end, today=today
        )
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def village_enrolments(village_code: str) -> list[EnrolmentSnapshot]:
    """The village's enrolment snapshots with their programmes, for its dashboard page."""
    return list(
        EnrolmentSnapshot.objects.filter(village_id=village_code)
        .select_related("programme")
        .order_by("-programme__starts_on", "programme__name")
    )


def latest_report(*, user, area: Area, programme_id: int | None) -> dict | None:
    """The newest finished report the user sees for exactly this area (and programme, when one
    is chosen), from the reports app; read defensively, since the dashboard works without it.
    One query."""
    if not apps.is_installed("portal.reports"):
        return None
    try:
        report_model = apps.get_model("reports", "Report")
        reports = report_model.objects.visible_to(user).filter(
            area_code=area.code or "", state="done"
        )
        if programme_id:
            reports = reports.filter(programme_id=programme_id)
        report = reports.order_by("-finished_at", "-pk").first()
        if report is None:
            return None
        return {
            "url": reverse("reports:report-detail", args=[report.pk]),
            "finished_at": report.finished_at,
            "period_start": report.period_start,
            "period_end": report.period_end,
        }
    except (LookupError, FieldError, NoReverseMatch, AttributeError):
        logger.warning("Reports app not readable for the dashboard's link", exc_info=True)
        return None


def public_regencies():
    """Regencies running a programme, for the public index; one query."""
    return list(
        Regency.objects.filter(programmes__isnull=False)
        .distinct()
        .order_by("name")
        .values("code", "name")
    )


def public_village_progress(regency_code: str) -> list[dict]:
    """Enrolled (not withdrawn) villages of the regency's programmes with their progress: names
    and percentages only. One query."""
    rows = (
        EnrolmentSnapshot.objects.filter(village__code__startswith=f"{regency_code}.")
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .order_by()
        .values("village_id", "village__name", "village__district__name")
        .annotate(
            done=Sum("milestones_done"),
            total=Sum("milestones_total"),
            pillar=Avg("pillar_latest"),
            active=Count("pk", filter=Q(status__in=PILOT_STATUSES), output_field=IntegerField()),
        )
        .order_by("village__district__name", "village__name")
    )
    return [
        {
            "code": row["village_id"],
            "name": row["village__name"],
            "district_name": row["village__district__name"],
            "progress_percent": percent(row["done"] or 0, row["total"] or 0),
            "pillar_average": (
                round(float(row["pillar"]), 1) if row["pillar"] is not None else None
            ),
        }
        for row in rows
    ]


VISIT_BANDS = (("v0", 0), ("v1", 1), ("v3", 3), ("v6", 6))
BACKLOG_BANDS = ("overdue", "many", "some", "none")


def map_layer_labels() -> dict[str, dict[str, str]]:
    return {
        "visits_period": {
            "v0": gettext("No visit"),
            "v1": gettext("1-2 visits"),
            "v3": gettext("3-5 visits"),
            "v6": gettext("6 visits or more"),
        },
        "request_backlog": {
            "overdue": gettext("Overdue requests"),
            "many": gettext("5 open requests or more"),
            "some": gettext("1-4 open requests"),
            "none": gettext("No open request"),
        },
    }


def _visit_band(visits: int) -> str:
    return next(key for key, lowest in reversed(VISIT_BANDS) if visits >= lowest)


def _backlog_band(open_requests: int, overdue: int) -> str:
    if overdue:
        return "overdue"
    if open_requests == 0:
        return "none"
    return "some" if open_requests < 5 else "many"


def map_layers(
    *, area: Area, programme_id: int | None, start: datetime.date, end: datetime.date
) -> dict[str, dict]:
    """village code -> the two rollup layers of the dashboard map: visits in the period and the
    request backlog now, each as a band key (labels in `map_layer_labels`). Two queries."""
    if area.level == "country":
        return {}
    months = VillageMonth.objects.filter(area.prefix_q, month__gte=start, month__lte=end)
    snapshots = VillageSnapshot.objects.filter(area.prefix_q)
    if programme_id:
        months = months.filter(village_id__in=_programme_villages(programme_id))
        snapshots = snapshots.filter(village_id__in=_programme_villages(programme_id))
    visits = dict(
        months.order_by()
        .values("village_id")
        .annotate(n=Sum("visits"))
        .values_list("village_id", "n")
    )
    return {
        code: {
            "visits_period": _visit_band(visits.get(code) or 0),
            "request_backlog": _backlog_band(open_requests, overdue),
        }
        for code, open_requests, overdue in snapshots.values_list(
            "village_id", "requests_open", "requests_overdue"
        )
    }
