"""The public tracking box."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class TrackingLookupForm(forms.Form):
    code = forms.CharField(
        label=capfirst(_("tracking code")),
        max_length=30,
        help_text=_("As printed on your receipt: twelve letters and digits, e.g. K7QM-2XD9-P3HT."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, **kwargs):
        # Ids of its own: the public programme page shows this box beside the letter check,
        # whose field is also called `code`, and a label must point at its own input.
        kwargs.setdefault("auto_id", "id_tracking_%s")
        super().__init__(*args, **kwargs)
