"""The demo's background work, run once at load: today's reminder sweeps and this week's
pilot-progress reports, so that demo users find notifications in their inbox (overdue requests,
villages without a visit, visits waiting for review, the weekly digest) and a finished report
under Laporan.

Tasks run in-process without a broker, as in the embedded default. E-mail is kept in memory
meanwhile: the demo's addresses are made up, and printing a hundred messages to the console would
bury the demo's summary. The rows still end up sent, or skipped where a channel is not configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import override_settings

from portal import reminders
from portal.reports.actions import create_weekly_reports

SWEEPS = (
    reminders.remind_requests_due_soon,
    reminders.remind_overdue_requests,
    reminders.remind_unvisited_villages,
    reminders.remind_visits_awaiting_review,
    reminders.remind_trainings_tomorrow,
    reminders.send_weekly_digest,
)


@dataclass(frozen=True)
class DemoBackground:
    notifications: int
    reports: int


def run_demo_background() -> DemoBackground:
    """Run every reminder sweep and the weekly reports for today."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        notifications = sum(sweep() for sweep in SWEEPS)
        reports = len(create_weekly_reports())
    return DemoBackground(notifications=notifications, reports=reports)
