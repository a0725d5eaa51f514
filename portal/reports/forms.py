"""The request form on the reports page; it parses input, actions.request_report decides."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import DateInput
from portal.reports.actions import default_period
from portal.reports.permissions import area_choices
from villages.models import Cohort, Programme


class RequestReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=capfirst(_("programme")),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes of the area"),
    )
    cohort = forms.ModelChoiceField(
        label=capfirst(_("cohort")),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=_("All cohorts"),
        help_text=_("Only with a programme chosen."),
    )
    area = forms.ChoiceField(label=capfirst(_("area")), required=False)
    period_start = forms.DateField(label=capfirst(_("from")), widget=DateInput())
    period_end = forms.DateField(label=capfirst(_("until")), widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = default_period()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end
        self.fields["programme"].queryset = Programme.objects.visible_to(user).order_by("name")
        self.fields["cohort"].queryset = (
            Cohort.objects.visible_to(user)
            .select_related("programme")
            .order_by("programme", "name")
        )
        self.fields["cohort"].label_from_instance = lambda c: f"{c.programme.name}: {c.name}"
        self.fields["area"].choices = area_choices(user)
