"""Widgets shared by the volunteers app's forms."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # <input type="date"> takes ISO dates only, whatever the page's language: the Indonesian
        # format (25-10-2009) would leave the field empty and a saved date lost on the next save.
        super().__init__(attrs, format="%Y-%m-%d")
