"""Celery wrappers of the reminder sweeps (portal/reminders.py), run by beat (CELERY_BEAT_SCHEDULE).

No arguments: each sweep reads what is due today from the database, and its de-duplication keys
make a retried or doubled run harmless.
"""

from celery import shared_task

from portal import reminders

# A sweep over 100,000 due rows takes well under the soft limit; the hard limit stops a stuck one.
SWEEP_LIMITS = {"soft_time_limit": 15 * 60, "time_limit": 20 * 60}


@shared_task(**SWEEP_LIMITS)
def remind_requests_due_soon_task() -> int:
    return reminders.remind_requests_due_soon()


@shared_task(**SWEEP_LIMITS)
def remind_overdue_requests_task() -> int:
    return reminders.remind_overdue_requests()


@shared_task(**SWEEP_LIMITS)
def remind_unvisited_villages_task() -> int:
    return reminders.remind_unvisited_villages()


@shared_task(**SWEEP_LIMITS)
def remind_visits_awaiting_review_task() -> int:
    return reminders.remind_visits_awaiting_review()


@shared_task(**SWEEP_LIMITS)
def remind_trainings_tomorrow_task() -> int:
    return reminders.remind_trainings_tomorrow()


@shared_task(**SWEEP_LIMITS)
def send_weekly_digest_task() -> int:
    return reminders.send_weekly_digest()
