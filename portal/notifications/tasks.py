"""Celery wrappers: ids in, the row fetched (gone: nothing to do), one action called."""

from celery import shared_task

from portal.lib.tasks import delay_or_leave
from portal.notifications.actions import requeue_stale_sends, send_notification
from portal.notifications.channels import TemporaryChannelError
from portal.notifications.models import MAX_ATTEMPTS, Notification


@shared_task(
    autoretry_for=(TemporaryChannelError,),
    retry_backoff=30,  # 30 s, 60 s, 120 s, … with jitter
    retry_backoff_max=600,
    retry_jitter=True,
    # The first run claims attempt 1; each retry claims one more, up to the row's limit.
    max_retries=MAX_ATTEMPTS - 1,
    # Above the gateway and SMTP timeouts; below actions.STALE_SEND_AFTER.
    soft_time_limit=60,
    time_limit=90,
)
def send_notification_task(notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    send_notification(notification=notification)


@shared_task(soft_time_limit=60, time_limit=90)
def enqueue_sends_task(notification_ids: list[int]) -> None:
    """Fan a chunk of rows out to one send task each (each retried on its own)."""
    for notification_id in notification_ids:
        delay_or_leave(send_notification_task, notification_id)


@shared_task(soft_time_limit=120, time_limit=180)
def requeue_stale_sends_task() -> int:
    return len(requeue_stale_sends())
