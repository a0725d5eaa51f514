"""Form helpers shared by the apps: a date input, and showing an action's ValidationError."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_action_errors(form, error: ValidationError) -> None:
    """Put an action's ValidationError on the form, by field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def message_action_errors(request, error: ValidationError) -> None:
    """An action's ValidationError as error messages, for POST-only buttons without a form."""
    for message in error.messages:
        messages.error(request, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # <input type="date"> takes ISO dates only, whatever the page's language: the Indonesian
        # format (25-10-2009) would leave the field empty and a saved date lost on the next save.
        super().__init__(attrs, format="%Y-%m-%d")
