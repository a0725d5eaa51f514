"""The dashboard's filters: programme, period (a month range) and, at kabupaten level, kecamatan."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.dashboard.selectors import MAX_MONTHS, Area, default_period, filter_choices

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """`2026-11` -> date(2026, 11, 1); what <input type="month"> sends."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
            raise forms.ValidationError(gettext("Give a month as YYYY-MM, e.g. 2026-11."))
        return datetime.date(int(match[1]), int(match[2]), 1)


class DashboardFilterForm(forms.Form):
    programme = forms.TypedChoiceField(
        label=_("Programme"), required=False, coerce=int, empty_value=None
    )
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)

    def __init__(self, *args, area: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        # Choices, not querysets: read from the cache, so that a page costs no query for them.
        choices = filter_choices(area)
        self.fields["programme"].choices = [("", _("All programmes")), *choices["programmes"]]
        if area.level == "regency":
            self.fields["kecamatan"].choices = [("", _("All kecamatan")), *choices["districts"]]
        else:
            del self.fields["kecamatan"]

    def clean(self):
        data = super().clean()
        default_start, default_end = default_period()
        start = data.get("start") or (None if "start" in self.errors else default_start)
        end = data.get("end") or (None if "end" in self.errors else default_end)
        if start and end:
            if start > end:
                self.add_error("end", gettext("The last month comes before the first."))
            elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                self.add_error(
                    "start", gettext("Choose at most %(count)d months.") % {"count": MAX_MONTHS}
                )
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> dict:
        return {
            "programme_id": self.cleaned_data.get("programme"),
            "start": self.cleaned_data["start"],
            "end": self.cleaned_data["end"],
        }
