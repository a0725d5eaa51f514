"""HTML forms for training pages; they parse input, volunteers.actions.trainings decides."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import DateInput
from villages.models import Regency
from volunteers.models import Attendance, Corps, CorpsLevel, TrainingKind, Volunteer


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, level):
        return f"{level.corps.name}: {level.name}"


class TrainingForm(forms.Form):
    title = forms.CharField(label=capfirst(_("title")), max_length=200)
    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=TrainingKind.choices)
    organiser = forms.CharField(
        label=capfirst(_("organiser")),
        max_length=100,
        help_text=_("E.g. Kominfo, Kemendes, Dinas PMD."),
    )
    regency = forms.ModelChoiceField(label=capfirst(_("regency")), queryset=Regency.objects.none())
    corps = forms.ModelChoiceField(
        label=capfirst(_("for corps")), queryset=Corps.objects.all(), required=False
    )
    awards_level = LevelChoiceField(
        label=capfirst(_("raises to level")),
        queryset=CorpsLevel.objects.select_related("corps").order_by("corps__name", "rank"),
        required=False,
        help_text=_("Completing the training raises the volunteer to this level of the corps."),
    )
    starts_on = forms.DateField(label=capfirst(_("start")), widget=DateInput)
    ends_on = forms.DateField(label=capfirst(_("end")), widget=DateInput)
    place = forms.CharField(label=capfirst(_("place")), max_length=200)
    capacity = forms.IntegerField(
        label=capfirst(_("capacity")),
        min_value=1,
        required=False,
        help_text=_("Empty for no limit."),
    )
    description = forms.CharField(
        label=capfirst(_("description")), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, regencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regency"].queryset = regencies
        if len(regencies) == 1:
            self.fields["regency"].initial = regencies[0]


class RegisterVolunteerForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=capfirst(_("volunteer")), queryset=Volunteer.objects.none()
    )

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


class AttendanceForm(forms.Form):
    """One choice per registration, named `attendance_<registration id>`.

    The selects sit in the registrations table, whose rows also hold each row's own "issue
    certificate" form; forms cannot nest, so the selects join this one by its `id`.
    """

    form_id = "attendance-form"

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            self.fields[f"attendance_{registration.pk}"] = forms.ChoiceField(
                label=registration.volunteer.full_name,
                choices=[(value, capfirst(label)) for value, label in Attendance.choices],
                initial=registration.attendance,
                widget=forms.Select(attrs={"form": self.form_id}),
            )

    def rows(self):
        """(registration, its bound field), for the registrations table."""
        return [
            (registration, self[f"attendance_{registration.pk}"])
            for registration in self.registrations
        ]

    def attendance(self) -> dict[int, str]:
        return {
            registration.pk: self.cleaned_data[f"attendance_{registration.pk}"]
            for registration in self.registrations
        }


class CertificateLookupForm(forms.Form):
    code = forms.CharField(
        label=capfirst(_("certificate code")),
        max_length=30,
        help_text=_("As printed on the certificate, e.g. 7KQ2-M9XD-P3HT."),
    )
