"""HTML forms for programme pages; they parse input, the actions in villages.actions decide."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import DateInput
from villages.models import (
    Assessment,
    Cohort,
    Dimension,
    EnrolmentStatus,
    Indicator,
    MilestoneState,
    Regency,
    Village,
)


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=capfirst(_("name")), max_length=150)
    slug = forms.SlugField(
        label=capfirst(_("short name")),
        max_length=80,
        help_text=_("Used in the address, e.g. desa-cerdas-2021."),
    )
    owner_agency = forms.CharField(label=capfirst(_("owner agency")), max_length=150)
    regency = forms.ModelChoiceField(label=capfirst(_("regency")), queryset=Regency.objects.none())
    starts_on = forms.DateField(label=capfirst(_("start")), widget=DateInput)
    ends_on = forms.DateField(label=capfirst(_("end")), widget=DateInput, required=False)
    description = forms.CharField(
        label=capfirst(_("description")), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, regencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = regencies
        if len(regencies) == 1:
            self.fields["regency"].initial = regencies[0]


class IndicatorForm(forms.ModelForm):
    """Parses an indicator; villages.actions.scorecards.save_indicator writes it."""

    class Meta:
        model = Indicator
        fields = ["dimension", "code", "name", "description", "max_score", "order", "is_active"]


class MilestoneForm(forms.Form):
    name = forms.CharField(label=capfirst(_("name")), max_length=150)
    description = forms.CharField(
        label=capfirst(_("description")), widget=forms.Textarea, required=False
    )
    target_count = forms.IntegerField(
        label=capfirst(_("target")),
        min_value=1,
        required=False,
        help_text=_("For countable goals such as 10 UMKM online; empty for yes/no milestones."),
    )


class EnrolmentForm(forms.Form):
    village = forms.ModelChoiceField(label=capfirst(_("village")), queryset=Village.objects.none())
    cohort = forms.ModelChoiceField(
        label=capfirst(_("cohort")), queryset=Cohort.objects.none(), required=False
    )
    new_cohort = forms.CharField(
        label=capfirst(_("or a new cohort")), max_length=100, required=False
    )
    status = forms.ChoiceField(
        label=capfirst(_("status")), choices=EnrolmentStatus.choices, initial=EnrolmentStatus.ACTIVE
    )
    enrolled_on = forms.DateField(label=capfirst(_("enrolled on")), widget=DateInput)

    def __init__(self, *args, villages, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["cohort"].queryset = cohorts


class EnrolmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=capfirst(_("status")), choices=EnrolmentStatus.choices)
    cohort = forms.ModelChoiceField(
        label=capfirst(_("cohort")), queryset=Cohort.objects.none(), required=False
    )
    baseline = forms.ModelChoiceField(
        label=capfirst(_("baseline assessment")),
        queryset=Assessment.objects.none(),
        required=False,
        help_text=_("Progress is measured from it; empty means the village's first assessment."),
    )

    def __init__(self, *args, cohorts, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        self.fields["baseline"].queryset = assessments


class MilestoneProgressForm(forms.Form):
    state = forms.ChoiceField(label=capfirst(_("state")), choices=MilestoneState.choices)
    completed_on = forms.DateField(
        label=capfirst(_("completed on")),
        widget=DateInput,
        required=False,
        help_text=_("Needed when the milestone is done."),
    )
    achieved_count = forms.IntegerField(label=capfirst(_("achieved")), min_value=0, required=False)
    evidence_url = forms.URLField(
        label=capfirst(_("evidence link")), required=False, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=capfirst(_("evidence file")),
        required=False,
        help_text=_("PDF, JPEG, PNG or WebP, at most 5 MB."),
    )
    note = forms.CharField(label=capfirst(_("note")), widget=forms.Textarea, required=False)


class AssessmentForm(forms.Form):
    """One score field per active indicator, grouped by dimension in `dimension_groups`."""

    assessed_on = forms.DateField(label=capfirst(_("assessed on")), widget=DateInput)
    notes = forms.CharField(label=capfirst(_("notes")), widget=forms.Textarea, required=False)

    def __init__(self, *args, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"score_{indicator.code}"] = forms.DecimalField(
                label=indicator.name,
                min_value=0,
                max_digits=5,
                decimal_places=2,
                required=False,
                help_text=_("0 to %(max)s") % {"max": indicator.max_score},
            )

    @property
    def dimension_groups(self) -> list[tuple[str, list]]:
        groups = []
        for dimension in Dimension:
            fields = [
                self[f"score_{indicator.code}"]
                for indicator in self.indicators
                if indicator.dimension == dimension.value
            ]
            if fields:
                groups.append((dimension.label, fields))
        return groups

    def scores(self) -> dict[str, object]:
        return {
            indicator.code: self.cleaned_data[f"score_{indicator.code}"]
            for indicator in self.indicators
            if self.cleaned_data.get(f"score_{indicator.code}") is not None
        }
