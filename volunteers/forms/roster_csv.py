"""The roster import form; volunteers.actions.roster_csv.import_volunteers checks the file."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class VolunteerImportForm(forms.Form):
    file = forms.FileField(
        label=capfirst(_("CSV file")),
        help_text=_("UTF-8, comma or semicolon separated, at most 2 MB and 5,000 rows."),
    )
    dry_run = forms.BooleanField(
        label=_("Check only, do not save"),
        required=False,
        help_text=_("Lists the problems and what would change, without changing anything."),
    )
