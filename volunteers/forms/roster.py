"""HTML forms for the roster and assignment pages; they parse input, volunteers.actions decide."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import DateInput
from villages.models import Programme, Village
from volunteers.filters import VolunteerFilter
from volunteers.models import (
    AssignmentRole,
    Corps,
    CorpsLevel,
    Gender,
    Volunteer,
    VolunteerStatus,
)


class RosterFilter(VolunteerFilter):
    """The roster page's filter: the shared one, with a select of the kecamatan the user sees
    instead of a typed code, and without the regency (the kecamatan select covers it)."""

    district = django_filters.ChoiceFilter(label=_("kecamatan"), field_name="district_id")
    regency = None

    class Meta(VolunteerFilter.Meta):
        fields = ["q", "corps", "district", "status", "assigned"]

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["district"].extra["choices"] = [(d.code, d.name) for d in districts]
        for roster_filter in self.filters.values():
            roster_filter.label = capfirst(roster_filter.label)


class VolunteerForm(forms.Form):
    full_name = forms.CharField(label=capfirst(_("full name")), max_length=150)
    gender = forms.ChoiceField(label=capfirst(_("gender")), choices=Gender.choices)
    district = forms.ModelChoiceField(label=capfirst(_("kecamatan")), queryset=None)
    whatsapp = forms.CharField(
        label=capfirst(_("WhatsApp number")),
        max_length=30,
        required=False,
        help_text=_("E.g. 0812 3456 7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=capfirst(_("email")), required=False)
    home_village = forms.ModelChoiceField(
        label=capfirst(_("home village")), queryset=None, required=False
    )
    skills = forms.CharField(
        label=capfirst(_("skills")),
        max_length=300,
        required=False,
        help_text=_("Comma-separated."),
    )
    status = forms.ChoiceField(
        label=capfirst(_("status")), choices=VolunteerStatus.choices, initial=VolunteerStatus.ACTIVE
    )
    joined_on = forms.DateField(label=capfirst(_("joined on")), widget=DateInput, required=False)
    left_on = forms.DateField(label=capfirst(_("left on")), widget=DateInput, required=False)

    def __init__(self, *args, districts, volunteer: Volunteer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts.order_by("name")
        villages = Q(district__in=districts)
        if volunteer is not None and volunteer.home_village_id:
            # Kept as a choice: a home village outside the editor's kecamatan (set by an official
            # or the import) would otherwise be blanked by the next save of the record.
            villages |= Q(pk=volunteer.home_village_id)
        self.fields["home_village"].queryset = (
            Village.objects.filter(villages)
            .select_related("district")
            .order_by("district__name", "name")
        )
        self.fields["home_village"].label_from_instance = lambda village: (
            f"{village.name} ({village.district.name})"
        )

    @classmethod
    def initial_from(cls, volunteer: Volunteer) -> dict:
        return {field: getattr(volunteer, field) for field in cls.base_fields}


class MembershipForm(forms.Form):
    corps = forms.ModelChoiceField(label=capfirst(_("corps")), queryset=Corps.objects.all())
    level = forms.ModelChoiceField(
        label=capfirst(_("level")),
        queryset=CorpsLevel.objects.select_related("corps"),
        required=False,
        help_text=_("Pandu Digital: Purwa, Madya or Utama."),
    )
    komisariat = forms.CharField(label=capfirst(_("komisariat")), max_length=100, required=False)
    position = forms.CharField(label=capfirst(_("position")), max_length=100, required=False)
    appointing_village = forms.ModelChoiceField(
        label=capfirst(_("appointing village")),
        queryset=None,
        required=False,
        help_text=_("Kader Digital: the village that appointed the volunteer."),
    )
    decree_number = forms.CharField(
        label=capfirst(_("decree number")), max_length=100, required=False
    )
    decree_date = forms.DateField(
        label=capfirst(_("decree date")), widget=DateInput, required=False
    )
    since = forms.DateField(label=capfirst(_("member since")), widget=DateInput, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].label_from_instance = lambda level: f"{level.corps.name}: {level.name}"
        self.fields["appointing_village"].queryset = villages


class VolunteerLoginForm(forms.Form):
    username = forms.CharField(
        label=capfirst(_("username")),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=capfirst(_("password")),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=capfirst(_("password again")),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class AssignmentForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=capfirst(_("volunteer")), queryset=None)
    village = forms.ModelChoiceField(label=capfirst(_("village")), queryset=None)
    programme = forms.ModelChoiceField(label=capfirst(_("programme")), queryset=None)
    role = forms.ChoiceField(
        label=capfirst(_("role")), choices=AssignmentRole.choices, initial=AssignmentRole.MAIN
    )
    starts_on = forms.DateField(label=capfirst(_("from")), widget=DateInput)
    ends_on = forms.DateField(
        label=capfirst(_("until")),
        widget=DateInput,
        required=False,
        help_text=_("Empty while the assignment runs."),
    )

    def __init__(self, *args, volunteers, villages, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda village: (
            f"{village.name} ({village.district.name})"
        )
        self.fields["programme"].queryset = programmes


class EndAssignmentForm(forms.Form):
    ends_on = forms.DateField(label=capfirst(_("last day")), widget=DateInput)


class AssignmentListFilter(forms.Form):
    programme = forms.ModelChoiceField(
        label=capfirst(_("programme")),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("All programmes"),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
