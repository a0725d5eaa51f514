"""Collecting the errors of a whole import before refusing it in one go."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext


class ErrorCollector:
    """Keeps the first `limit` messages, counts the rest, and raises them as one `error_class`."""

    def __init__(self, error_class: type[ValidationError], limit: int = 20):
        self.error_class = error_class
        self.limit = limit
        self.messages: list[str] = []
        self.count = 0

    def add(self, message: str, **params) -> None:
        self.count += 1
        if len(self.messages) < self.limit:
            self.messages.append(message % params)

    def raise_if_any(self) -> None:
        if not self.count:
            return
        messages = list(self.messages)
        if self.count > len(messages):
            messages.append(
                gettext("... and %(count)s more errors.") % {"count": self.count - len(messages)}
            )
        raise self.error_class(messages)
