"""Celery wrappers: ids in, one action called. Generation claims its report once (see
actions.generate_report), so a retried, doubled or re-enqueued task builds it once."""

from celery import shared_task

from portal.reports import actions


@shared_task(soft_time_limit=actions.SOFT_TIME_LIMIT, time_limit=actions.TIME_LIMIT)
def generate_report_task(report_id: int) -> str | None:
    report = actions.generate_report(report_id=report_id)
    return report.state if report is not None else None


@shared_task(soft_time_limit=5 * 60, time_limit=10 * 60)
def create_weekly_reports_task() -> int:
    return len(actions.create_weekly_reports())


@shared_task(soft_time_limit=60, time_limit=120)
def requeue_stale_reports_task() -> int:
    return len(actions.requeue_stale_reports())
