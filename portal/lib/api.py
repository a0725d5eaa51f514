"""What every API endpoint shares: the scoping door and Django-error translation."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Let actions raise Django's ValidationError and still answer 400 with the messages."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = serializers.ValidationError(detail=detail)
    return drf_exception_handler(exc, context)


class ScopedViewSetMixin:
    """Builds `get_queryset()` from the model's `visible_to(user)`, the one door to its rows.

    A subclass names `scoped_model` and may narrow with `scope_queryset(qs)`; overriding
    `get_queryset` itself is refused at class creation so that scoping cannot be forgotten.
    """

    scoped_model = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); narrow with scope_queryset() instead."
            )

    def get_queryset(self):
        queryset = self.scoped_model.objects.visible_to(self.request.user)
        return self.scope_queryset(queryset)

    def scope_queryset(self, queryset):
        return queryset

    def filter_queryset(self, queryset):
        """The list's filters (query parameters) narrow the list only: a detail or an action on
        one row is found by its key within the scope, without building the filter set."""
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)
