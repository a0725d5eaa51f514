"""Enqueueing a Celery task where a broker that is down must not fail the caller."""

import logging

logger = logging.getLogger(__name__)


def delay_or_leave(task, argument) -> bool:
    """`task.delay(argument)`, logging instead of raising when the broker is down (or, with tasks
    run in-process, when the task failed). For work whose rows a beat sweep re-enqueues, so that
    nothing is lost: returns whether the task was handed over."""
    # Celery writes the arguments into each message for its logs; for a list of ids that is
    # their count (a sweep enqueues thousands of lists of 100).
    shown = f"({len(argument)} ids,)" if isinstance(argument, list) else None
    try:
        task.apply_async((argument,), argsrepr=shown)
    except Exception:
        logger.warning("%s(%s) left for the requeue sweep", task.name, argument, exc_info=True)
        return False
    return True
