"""Reminder sweeps, run by Celery beat (portal/tasks.py): what is due today, and who is told.

Each sweep reads its due rows from the database (deadlines live there; no ETA tasks), in short
batches, each batch a transaction that locks its rows with `select_for_update(skip_locked=True)`,
so that two beat processes share the work instead of waiting on each other. Every notification
carries a de-duplication key naming the event, and `notify` creates a key only once: a second run
of a sweep, a retried task or a racing process creates nothing new. Dates are local dates in
Asia/Jakarta (`timezone.localdate()`); `today` is a parameter so tests can pick the day.

Sweeps live in `portal/` because they meet both sibling domains (requests and volunteers).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from portal.accounts.models import User
from portal.lib.dates import local_midnight
from portal.notifications.actions import Notice, notify_many, unread_counts_refreshed_once
from services.deadlines import next_working_day, working_days_between
from services.models import ACTIVE_STATUSES, ServiceRequest, ServiceType
from villages.models import Enrolment, EnrolmentStatus, Regency, Role, RoleAssignment, Village
from volunteers.models import Assignment, Registration, Visit
from volunteers.models.roster import AssignmentRole
from volunteers.models.trainings import Attendance
from volunteers.models.visits import VisitStatus

# Rows locked and handled per transaction: short locks, and a crash loses at most one batch's
# work (which the next run redoes, the keys keeping it from doubling).
BATCH_SIZE = 500
# The reminders are written in the language of the portal's users (LANGUAGE_CODE).
RECIPIENT_LANGUAGE = "id"

UNVISITED_MENTOR_DAYS = 30
UNVISITED_COORDINATOR_DAYS = 45
REVIEW_WAIT_DAYS = 3
DIGEST_PERIOD_DAYS = 7

_ONE_DAY = datetime.timedelta(days=1)
_PK_PLACEHOLDER = "0000000000"
VISITED = (VisitStatus.SUBMITTED, VisitStatus.VERIFIED)


# Helpers


def _sweep(sweep):
    """Run the sweep with the recipients' language active, so that its texts are theirs, and
    their unread counts refreshed once at its end rather than after each batch."""

    @functools.wraps(sweep)
    def run(*args, **kwargs):
        with translation.override(RECIPIENT_LANGUAGE), unread_counts_refreshed_once():
            return sweep(*args, **kwargs)

    return run


def _date(day: datetime.date) -> str:
    """`24 November 2026` in the active language."""
    return _formatted_date(day, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _formatted_date(day: datetime.date, language: str) -> str:
    # A sweep writes the same few dates thousands of times.
    return formats.date_format(day, "j F Y")


@functools.lru_cache(maxsize=64)
def _path_pattern(name: str) -> str:
    return reverse(name, args=[_PK_PLACEHOLDER]).replace(_PK_PLACEHOLDER, "{}")


def _path(name: str, pk) -> str:
    """reverse(name, args=[pk]) for a sweep's thousands of rows: resolved once per URL name."""
    return _path_pattern(name).format(pk)


def _stub(model: type[models.Model], pk) -> models.Model:
    """The row `pk` of `model` as an instance with only its pk loaded: what a notice needs of its
    subject or recipient. Unlike `model(pk=pk)` it evaluates none of the model's field defaults,
    which a sweep making one per row pays for noticeably."""
    return model.from_db(None, [model._meta.pk.attname], [pk])


def _locked_batches(
    queryset: models.QuerySet, *, values: tuple[str, ...] | None = None
) -> Iterator[list]:
    """Yield the rows of `queryset` in pk order, a batch at a time, each inside its own
    transaction with the batch's rows locked; rows another process holds are skipped (it is
    reminding about them).

    The due rows' ids are read once, then each batch is fetched and locked by id with the
    queryset's conditions applied again (a row no longer due is left out): reading batch after
    batch with `pk > last … LIMIT` would make the database find and sort every remaining due row
    for each batch, which at 100,000 due rows costs minutes instead of seconds.

    With `values` (columns of the queryset's own table) the rows are named tuples of them instead
    of model instances, several times cheaper to build for a sweep's 100,000 rows. The
    queryset's conditions must then stay on its own table too: without model instances Django
    cannot say `FOR UPDATE OF` that table, and a joined table's rows would be locked as well.
    """
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            locked = queryset.filter(pk__in=ids[start : start + BATCH_SIZE]).order_by("pk")
            if values:
                locked = locked.select_for_update(skip_locked=True).values_list(*values, named=True)
            else:
                locked = locked.select_for_update(skip_locked=True, of=("self",))
            rows = list(locked)
            if rows:
                yield rows


def _role_holders(
    role: str, field: str, codes: Iterable[str] | models.QuerySet
) -> dict[str, list[User]]:
    """Active users holding `role` over each of the areas `codes` (one query); `codes` may be a
    subquery. Only the users' ids are loaded: a notice needs no more, and a sweep reads
    thousands of them."""
    holders: dict[str, list[User]] = defaultdict(list)
    if not isinstance(codes, models.QuerySet):
        codes = set(codes)
        if not codes:
            return holders
    rows = (
        RoleAssignment.objects.filter(role=role, user__is_active=True, **{f"{field}__in": codes})
        .order_by("user_id")
        .values_list(field, "user_id")
    )
    users: dict[int, User] = {}
    for code, user_id in rows:
        if user_id not in users:
            users[user_id] = _stub(User, user_id)
        holders[code].append(users[user_id])
    return holders


def _notices(
    recipients: Iterable[User],
    *,
    kind: str,
    subject: models.Model | None,
    key: str,
    url: str,
    render: Callable[[], tuple[str, str]],
) -> list[Notice]:
    """One notice per recipient for the event `key` (the sweep's language is the recipients')."""
    recipients = list(recipients)
    if not recipients:
        return []
    title, body = render()
    return [
        Notice(
            recipient=recipient,
            kind=kind,
            subject=subject,
            title=title,
            body=body,
            url=url,
            dedupe_key=key,
        )
        for recipient in recipients
    ]


# What a request reminder reads of each of a sweep's thousands of rows, as plain values.
_REQUEST_VALUES = ("pk", "tracking_code", "due_on", "village", "service_type")
# The column of a village row (_Villages) naming the area a role's assignments are over.
_VILLAGE_AREA = {"village": "pk", "district": "district", "regency": "district__regency"}


class _Villages:
    """The villages of a sweep's requests (name, kecamatan, regency) and the active holders of
    `roles` ({role: area field of its assignments}) over them.

    Read once for the whole sweep, from the villages of the requests due when it begins: read
    batch by batch, joined to the locked rows or not, they were a fifth of a sweep's time. A
    village a batch brings that is not known yet (its request became due since) is read with
    that batch.
    """

    def __init__(self, villages: Iterable[str] | models.QuerySet, roles: dict[str, str]):
        self.roles = roles
        self.rows: dict[str, tuple] = {}
        self.holders: dict[str, dict[str, list[User]]] = {role: {} for role in roles}
        self._read(villages)

    def _read(self, villages: Iterable[str] | models.QuerySet) -> None:
        villages = Village.objects.filter(pk__in=villages)
        rows = villages.values_list("pk", "name", "district", "district__regency", named=True)
        self.rows.update((row.pk, row) for row in rows)
        for role, field in self.roles.items():
            areas = villages.values(_VILLAGE_AREA[field])
            self.holders[role].update(_role_holders(role, field, areas))

    def read_missing(self, codes: Iterable[str]) -> None:
        missing = set(codes) - self.rows.keys()
        if missing:
            self._read(missing)

    def name(self, code: str) -> str:
        return self.rows[code].name

    def recipients(self, role: str, code: str) -> list[User]:
        """The holders of `role` over the village `code` or its kecamatan or regency."""
        area = getattr(self.rows[code], _VILLAGE_AREA[self.roles[role]])
        return self.holders[role].get(area, [])


def _service_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(ServiceType.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _request_text(row, villages: _Villages, services: dict[int, str]) -> dict[str, str]:
    """The text fields of a request read as _REQUEST_VALUES."""
    return {
        "code": row.tracking_code,
        "service": services[row.service_type],
        "village": villages.name(row.village),
        "date": _date(row.due_on),
    }


# 1. Requests due on the next working day


@_sweep
def remind_requests_due_soon(*, today: datetime.date | None = None) -> int:
    """Tell the village's secretaries about active requests due on the next working day.

    Every due date up to that day counts, so that on a Friday before a long weekend the requests
    due on Tuesday are announced then, not on a holiday. Returns the notifications created.
    """
    today = today or timezone.localdate()
    next_day = next_working_day(today + _ONE_DAY)
    due = ServiceRequest.objects.filter(
        status__in=ACTIVE_STATUSES, due_on__gt=today, due_on__lte=next_day
    )
    villages = _Villages(due.values("village"), {Role.VILLAGE_SECRETARY: "village"})
    # Translated once, filled in for each of the sweep's requests.
    title = gettext("Request %(code)s due %(date)s")
    body = gettext(
        "Request %(code)s (%(service)s) in %(village)s is due on %(date)s and is not finished yet."
    )
    created = 0
    for batch in _locked_batches(due, values=_REQUEST_VALUES):
        villages.read_missing(row.village for row in batch)
        services = _service_names(row.service_type for row in batch)
        notices: list[Notice] = []
        for row in batch:
            text = _request_text(row, villages, services)
            notices += _notices(
                villages.recipients(Role.VILLAGE_SECRETARY, row.village),
                kind="request.due_soon",
                subject=_stub(ServiceRequest, row.pk),
                key=f"request.due_soon:{row.pk}:{row.due_on.isoformat()}",
                url=_path("services:request-detail", row.pk),
                render=lambda text=text: (title % text, body % text),
            )
        created += notify_many(notices)
    return created


# 2. Overdue requests, escalated by working days late


@_sweep
def remind_overdue_requests(*, today: datetime.date | None = None) -> int:
    """Tell about active requests past their due date, more widely the later they are.

    From the first working day late the village's secretaries; from REMINDER_ESCALATE_AFTER_DAYS
    working days late also the kecamatan officers; from twice that also the regency's district
    officials. Each level is told once per request. Returns the notifications created.
    """
    today = today or timezone.localdate()
    escalate_after = settings.REMINDER_ESCALATE_AFTER_DAYS
    overdue = ServiceRequest.objects.filter(status__in=ACTIVE_STATUSES, due_on__lt=today)
    role_of = {
        "secretary": Role.VILLAGE_SECRETARY,
        "officer": Role.KECAMATAN_OFFICER,
        "official": Role.DISTRICT_OFFICIAL,
    }
    villages = _Villages(
        overdue.values("village"),
        {
            Role.VILLAGE_SECRETARY: "village",
            Role.KECAMATAN_OFFICER: "district",
            Role.DISTRICT_OFFICIAL: "regency",
        },
    )
    title = gettext("Request %(code)s is overdue")

    # A sweep's thousands of requests share a few dozen due dates.
    @functools.cache
    def working_days_late(due_on: datetime.date) -> int:
        return working_days_between(due_on, today)

    @functools.cache
    def body(days: int) -> str:
        return ngettext(
            "Request %(code)s (%(service)s) in %(village)s was due on "
            "%(date)s and is %(days)d working day late.",
            "Request %(code)s (%(service)s) in %(village)s was due on "
            "%(date)s and is %(days)d working days late.",
            days,
        )

    created = 0
    for batch in _locked_batches(overdue, values=_REQUEST_VALUES):
        villages.read_missing(row.village for row in batch)
        services = _service_names(row.service_type for row in batch)
        notices: list[Notice] = []
        for row in batch:
            days_late = working_days_late(row.due_on)
            if days_late < 1:
                continue  # due on Friday, Saturday is not a working day late yet
            levels = ["secretary"]
            if days_late >= escalate_after:
                levels.append("officer")
            if days_late >= 2 * escalate_after:
                levels.append("official")
            text = {**_request_text(row, villages, services), "days": days_late}
            subject = _stub(ServiceRequest, row.pk)
            for level in levels:
                notices += _notices(
                    villages.recipients(role_of[level], row.village),
                    kind="request.overdue",
                    subject=subject,
                    key=f"request.overdue:{row.pk}:{level}",
                    url=_path("services:request-detail", row.pk),
                    render=lambda text=text: (title % text, body(text["days"]) % text),
                )
        created += notify_many(notices)
    return created


# 3. Pilot villages without a visit


def _last_visit_subquery() -> Subquery:
    return Subquery(
        Visit.objects.filter(village=OuterRef("village"), status__in=VISITED)
        .values("village")
        .annotate(last=Max("visited_on"))
        .values("last")
    )


@_sweep
def remind_unvisited_villages(*, today: datetime.date | None = None) -> int:
    """Tell main mentors of actively enrolled villages that no visit was logged for 30 days,
    and from 45 days also the volunteer coordinators of the kecamatan.

    The days count from the latest submitted or verified visit by anyone, but never from before
    the assignment began: a mentor who took over yesterday is not reminded of a predecessor's
    gap. Returns the notifications created.
    """
    today = today or timezone.localdate()
    enrolled = Enrolment.objects.filter(
        village=OuterRef("village"),
        programme=OuterRef("programme"),
        status=EnrolmentStatus.ACTIVE,
    )
    # PostgreSQL's GREATEST ignores NULL: the start when there is no visit.
    assignments = (
        Assignment.objects.current(today)
        .filter(role=AssignmentRole.MAIN, volunteer__user__is_active=True)
        .filter(Exists(enrolled))
        .annotate(since=Greatest(_last_visit_subquery(), "starts_on"))
        .filter(since__lte=today - datetime.timedelta(days=UNVISITED_MENTOR_DAYS))
        .select_related("village", "volunteer__user")
    )
    created = 0
    for batch in _locked_batches(assignments):
        notices: list[Notice] = []
        coordinators = _role_holders(
            Role.VOLUNTEER_COORDINATOR, "district", (a.village.district_id for a in batch)
        )
        for assignment in batch:
            days = (today - assignment.since).days
            text = {
                "village": assignment.village.name,
                "mentor": assignment.volunteer.full_name,
                "date": _date(assignment.since),
                "days": days,
            }
            key = f"village.unvisited:{assignment.pk}:{assignment.since.isoformat()}"
            notices += _notices(
                [assignment.volunteer.user],
                kind="village.unvisited",
                subject=assignment.village,
                key=f"{key}:mentor",
                url=reverse("volunteers:my-visits"),
                render=lambda text=text: (
                    gettext("No visit to %(village)s for %(days)d days") % text,
                    gettext(
                        "No mentoring visit to %(village)s has been logged since %(date)s. "
                        "Plan a visit and log it."
                    )
                    % text,
                ),
            )
            if days >= UNVISITED_COORDINATOR_DAYS:
                notices += _notices(
                    coordinators[assignment.village.district_id],
                    kind="village.unvisited",
                    subject=assignment.village,
                    key=f"{key}:coordinator",
                    url=_path("villages:village-detail", assignment.village.pk),
                    render=lambda text=text: (
                        gettext("No visit to %(village)s for %(days)d days") % text,
                        gettext(
                            "No mentoring visit to %(village)s has been logged since "
                            "%(date)s. Its main mentor is %(mentor)s."
                        )
                        % text,
                    ),
                )
        created += notify_many(notices)
    return created


# 4. Visits waiting for review


@_sweep
def remind_visits_awaiting_review(*, today: datetime.date | None = None) -> int:
    """Tell the volunteer coordinators of the village's kecamatan (its kecamatan officers when
    it has none) about visits submitted more than 3 days ago and not yet reviewed: submitted on
    the 18th, they are reminded on the 22nd. Returns the notifications created."""
    today = today or timezone.localdate()
    cutoff = local_midnight(today - datetime.timedelta(days=REVIEW_WAIT_DAYS))
    waiting = Visit.objects.filter(
        status=VisitStatus.SUBMITTED, submitted_at__lt=cutoff
    ).select_related("village", "volunteer")
    created = 0
    for batch in _locked_batches(waiting):
        notices: list[Notice] = []
        districts = {v.village.district_id for v in batch}
        coordinators = _role_holders(Role.VOLUNTEER_COORDINATOR, "district", districts)
        officers = _role_holders(Role.KECAMATAN_OFFICER, "district", districts)
        for visit in batch:
            district = visit.village.district_id
            text = {
                "volunteer": visit.volunteer.full_name,
                "village": visit.village.name,
                "date": _date(visit.visited_on),
                "submitted": _date(timezone.localdate(visit.submitted_at)),
            }
            notices += _notices(
                coordinators[district] or officers[district],
                kind="visit.review",
                subject=visit,
                key=f"visit.review:{visit.pk}",
                url=_path("volunteers:visit-detail", visit.pk),
                render=lambda text=text: (
                    gettext("Visit to %(village)s waits for review") % text,
                    gettext(
                        "The visit of %(volunteer)s to %(village)s on %(date)s has waited "
                        "for review since %(submitted)s."
                    )
                    % text,
                ),
            )
        created += notify_many(notices)
    return created


# 5. Trainings tomorrow


@_sweep
def remind_trainings_tomorrow(*, today: datetime.date | None = None) -> int:
    """Remind the registered volunteers with a login of trainings starting tomorrow. Returns the
    notifications created."""
    today = today or timezone.localdate()
    registrations = Registration.objects.filter(
        training__starts_on=today + _ONE_DAY,
        attendance=Attendance.REGISTERED,
        volunteer__user__is_active=True,
    ).select_related("training", "volunteer__user")
    created = 0
    for batch in _locked_batches(registrations):
        notices: list[Notice] = []
        for registration in batch:
            training = registration.training
            text = {
                "title": training.title,
                "date": _date(training.starts_on),
                "place": training.place,
            }
            notices += _notices(
                [registration.volunteer.user],
                kind="training.tomorrow",
                subject=training,
                key=f"training.tomorrow:{registration.pk}",
                url=_path("volunteers:training-detail", training.pk),
                render=lambda text=text: (
                    gettext("Training tomorrow: %(title)s") % text,
                    gettext("%(title)s starts tomorrow, %(date)s, at %(place)s.") % text,
                ),
            )
        created += notify_many(notices)
    return created


# 6. Weekly digest for district officials


def _counts_by_regency(queryset: models.QuerySet, regency_field: str) -> dict[str, int]:
    rows = queryset.values(regency_field).annotate(n=Count("pk", distinct=True))
    return {row[regency_field]: row["n"] for row in rows}


def weekly_digest_figures(
    *, regency_codes: Iterable[str], today: datetime.date
) -> dict[str, dict[str, int]]:
    """Per regency: requests filed in the 7 days before `today`, requests overdue, visits waiting
    for review, and actively enrolled villages with no visit in the last 30 days. Four queries,
    whatever the number of regencies."""
    codes = list(regency_codes)
    week_start = local_midnight(today - datetime.timedelta(days=DIGEST_PERIOD_DAYS))
    requests = ServiceRequest.objects.filter(village__district__regency__in=codes)
    filed = _counts_by_regency(
        requests.filter(submitted_at__gte=week_start, submitted_at__lt=local_midnight(today)),
        "village__district__regency",
    )
    overdue = _counts_by_regency(requests.overdue(today), "village__district__regency")
    awaiting = _counts_by_regency(
        Visit.objects.filter(village__district__regency__in=codes, status=VisitStatus.SUBMITTED),
        "village__district__regency",
    )
    recent_visit = Visit.objects.filter(
        village=OuterRef("pk"),
        status__in=VISITED,
        visited_on__gt=today - datetime.timedelta(days=UNVISITED_MENTOR_DAYS),
    )
    unvisited = _counts_by_regency(
        Village.objects.filter(district__regency__in=codes)
        .filter(
            Exists(Enrolment.objects.filter(village=OuterRef("pk"), status=EnrolmentStatus.ACTIVE))
        )
        .exclude(Exists(recent_visit)),
        "district__regency",
    )
    return {
        code: {
            "filed": filed.get(code, 0),
            "overdue": overdue.get(code, 0),
            "awaiting": awaiting.get(code, 0),
            "unvisited": unvisited.get(code, 0),
        }
        for code in codes
    }


@_sweep
def send_weekly_digest(*, today: datetime.date | None = None) -> int:
    """Send each district official the week's figures for their regency (summed when they hold
    several), once per ISO week. The queries are the same whatever the number of officials:
    the figures are counted per regency for all of them at once. Returns the notifications
    created."""
    today = today or timezone.localdate()
    iso_year, iso_week, _ = today.isocalendar()
    week = f"{iso_year}-W{iso_week:02d}"
    officials = RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICIAL, user__is_active=True)
    created = 0
    for batch in _locked_batches(officials):
        notices: list[Notice] = []
        # All regencies of the batch's officials, also those whose rows fall in another batch
        # (that batch's digest for the same user is then the duplicate the key refuses).
        held_rows = (
            RoleAssignment.objects.filter(
                role=Role.DISTRICT_OFFICIAL, user__in={a.user_id for a in batch}
            )
            .select_related("user", "regency")
            .order_by("user_id", "regency_id")
        )
        regencies: dict[User, list[Regency]] = defaultdict(list)
        for assignment in held_rows:
            regencies[assignment.user].append(assignment.regency)
        figures = weekly_digest_figures(
            regency_codes={r.pk for held in regencies.values() for r in held}, today=today
        )
        for user, held in regencies.items():
            text = {
                "regency": ", ".join(regency.name for regency in held),
                **{
                    name: sum(figures[regency.pk][name] for regency in held)
                    for name in ("filed", "overdue", "awaiting", "unvisited")
                },
            }
            notices += _notices(
                [user],
                kind="digest.weekly",
                subject=held[0] if len(held) == 1 else None,
                key=f"digest.weekly:{user.pk}:{week}",
                url=reverse("services:request-list"),
                render=lambda text=text: (
                    gettext("Weekly summary: %(regency)s") % text,
                    gettext(
                        "%(regency)s this week:\n"
                        "- service requests filed in the last 7 days: %(filed)d\n"
                        "- service requests overdue: %(overdue)d\n"
                        "- mentoring visits waiting for review: %(awaiting)d\n"
                        "- pilot villages without a visit for 30 days: %(unvisited)d"
                    )
                    % text,
                ),
            )
        created += notify_many(notices)
    return created
