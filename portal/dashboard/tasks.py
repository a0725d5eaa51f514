"""Celery wrappers of the rollup maintenance (portal.dashboard.actions), run by beat."""

from celery import shared_task

from portal.dashboard import actions


@shared_task(soft_time_limit=50 * 60, time_limit=60 * 60)
def rebuild_rollups_task() -> dict:
    """Nightly: every rollup from the raw rows, so that figures that follow the date (overdue
    requests, current mentors) move on, and anything a failed refresh missed is repaired."""
    result = actions.rebuild_rollups()
    return {"months": result.month_rows, "villages": result.village_rows}


@shared_task(soft_time_limit=9 * 60, time_limit=10 * 60)
def refresh_stale_villages_task() -> int:
    return actions.refresh_stale_villages()
