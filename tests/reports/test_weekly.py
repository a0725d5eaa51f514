"""The weekly report: one per regency with an official and a programme, Monday 07:00 WIB, its
officials told once per ISO week however often the job runs."""

from __future__ import annotations

import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.urls import reverse

from portal.notifications.models import Notification
from portal.reports.actions import create_weekly_reports
from portal.reports.models import Report, ReportState
from tests.factories import UserFactory, grant
from villages.models import Role

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 2)  # ISO week 2026-W45


@pytest.fixture
def kediri_official(regions):
    user = UserFactory(username="kediri-official")
    grant(user, Role.DISTRICT_OFFICIAL, regions.other_regency)
    return user


def run_weekly(capture, today=MONDAY):
    with capture(execute=True):
        return create_weekly_reports(today=today)


def test_the_job_is_scheduled_on_monday_at_seven_jakarta_time():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reports-weekly"]
    assert entry["task"] == "portal.reports.tasks.create_weekly_reports_task"
    assert entry["schedule"] == crontab(hour=7, minute=0, day_of_week="mon")
    assert django_settings.CELERY_TIMEZONE == "Asia/Jakarta"


def test_each_regency_with_an_official_and_a_programme_gets_last_weeks_report(
    pilot, official, kediri_official, officer, django_capture_on_commit_callbacks, eager_celery
):
    reports = run_weekly(django_capture_on_commit_callbacks)

    # Kediri has a programme and an official too; a regency without either gets nothing.
    assert sorted(r.area_code for r in reports) == ["35.05", "35.06"]
    blitar = Report.objects.get(area_code="35.05")
    assert blitar.schedule_key == "35.05:2026-W45"
    assert blitar.requested_by is None
    assert blitar.programme is None
    assert (blitar.period_start, blitar.period_end) == (
        datetime.date(2026, 10, 26),
        datetime.date(2026, 11, 1),
    )
    assert blitar.state == ReportState.DONE


def test_officials_are_mailed_the_pdf_and_a_link_once_a_week_however_often_it_runs(
    pilot,
    official,
    officer,
    mailoutbox,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    run_weekly(django_capture_on_commit_callbacks)
    report = Report.objects.get(area_code="35.05")

    assert [message.to for message in mailoutbox] == [[official.email]]
    link = reverse("reports:report-detail", args=[report.pk])
    assert link in mailoutbox[0].body
    assert "KABUPATEN BLITAR" in mailoutbox[0].subject
    [(filename, content, mimetype)] = mailoutbox[0].attachments
    assert filename.endswith(".pdf") and mimetype == "application/pdf"
    assert content.startswith(b"%PDF") and content == report.pdf_file.read()
    inbox = Notification.objects.filter(channel="inbox", kind="report.weekly")
    assert [n.recipient for n in inbox] == [official]

    run_weekly(django_capture_on_commit_callbacks)
    run_weekly(django_capture_on_commit_callbacks, today=MONDAY + datetime.timedelta(days=3))

    assert len(mailoutbox) == 1
    assert Report.objects.filter(area_code="35.05").count() == 1
    assert inbox.count() == 1

    run_weekly(django_capture_on_commit_callbacks, today=MONDAY + datetime.timedelta(days=7))
    assert Report.objects.filter(area_code="35.05").count() == 2
    assert len(mailoutbox) == 2


def test_an_inactive_official_is_neither_a_reason_nor_a_recipient(
    pilot, official, mailoutbox, django_capture_on_commit_callbacks, eager_celery
):
    official.is_active = False
    official.save()

    assert run_weekly(django_capture_on_commit_callbacks) == []
    assert mailoutbox == []
