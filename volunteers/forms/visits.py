"""HTML forms for mentoring visits; they parse input, volunteers.actions.visits decides."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import DateInput
from villages.models import Dimension, District, Village
from volunteers.models import ActivityType, Visit, VisitStatus
from volunteers.photos import MAX_PHOTOS_PER_VISIT


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one input; each is checked by the action, not here."""

    def __init__(self, *args, **kwargs):
        attrs = {"accept": "image/*", "capture": "environment", "multiple": True}
        kwargs.setdefault("widget", PhotoInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(file, initial) for file in files if file]


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, village):
        return f"{village.name} ({village.district.name})"


class VisitForm(forms.Form):
    """A visit as the volunteer types it on a phone; the hidden fields are filled by
    static/js/visit-draft.js (position, and the id that makes a resubmission harmless)."""

    village = VillageChoiceField(label=capfirst(_("village")), queryset=Village.objects.none())
    visited_on = forms.DateField(label=capfirst(_("date")), widget=DateInput)
    duration_minutes = forms.IntegerField(
        label=capfirst(_("duration (minutes)")), min_value=1, max_value=24 * 60
    )
    activities = forms.MultipleChoiceField(
        label=capfirst(_("activities")),
        choices=ActivityType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    pillars = forms.MultipleChoiceField(
        label=capfirst(_("pillars addressed")),
        choices=Dimension.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    participants_female = forms.IntegerField(label=capfirst(_("women")), min_value=0, initial=0)
    participants_male = forms.IntegerField(label=capfirst(_("men")), min_value=0, initial=0)
    participants_youth = forms.IntegerField(
        label=capfirst(_("of whom young people")),
        min_value=0,
        initial=0,
        help_text=_("Aged 16 to 30, counted in the above."),
    )
    summary = forms.CharField(
        label=capfirst(_("summary")), widget=forms.Textarea(attrs={"rows": 4})
    )
    follow_ups = forms.CharField(
        label=capfirst(_("follow-ups")),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    photos = MultiplePhotoField(label=capfirst(_("photos")), required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput)
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per form, in the request's language (a lazy text formatted at import would
        # be frozen in whatever language was active then).
        self.fields["photos"].help_text = gettext(
            "JPEG, PNG or WebP, at most 8 MB each and %(max)s a visit."
        ) % {"max": MAX_PHOTOS_PER_VISIT}
        self.fields["village"].queryset = villages
        self.fields["visited_on"].initial = timezone.localdate
        for name in (
            "duration_minutes",
            *(f"participants_{k}" for k in ("female", "male", "youth")),
        ):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    @classmethod
    def for_visit(cls, visit: Visit, *args, **kwargs):
        """The form of an existing visit, filled with its values."""
        initial = {field: getattr(visit, field) for field in cls.base_fields if field != "photos"}
        initial["village"] = visit.village_id
        return cls(*args, initial=initial, **kwargs)


class ReturnVisitForm(forms.Form):
    reason = forms.CharField(
        label=capfirst(_("reason for returning")),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the volunteer should correct."),
    )


class AddPhotoForm(forms.Form):
    photo = forms.FileField(
        label=capfirst(_("photo")),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


def _visible_districts(request):
    if request is None:
        return District.objects.none()
    return District.objects.visible_to(request.user).order_by("name")


class VisitListFilter(django_filters.FilterSet):
    """`?status=submitted&district=35.05.01&doubtful=on` for the visit list page."""

    status = django_filters.ChoiceFilter(label=capfirst(_("status")), choices=VisitStatus.choices)
    district = django_filters.ModelChoiceFilter(
        label=capfirst(_("kecamatan")),
        queryset=_visible_districts,
        field_name="village__district",
    )
    doubtful = django_filters.BooleanFilter(
        label=capfirst(_("doubtful position only")),
        widget=forms.CheckboxInput,
        method="filter_doubtful",
    )

    class Meta:
        model = Visit
        fields = ["status", "district", "doubtful"]

    def filter_doubtful(self, queryset, name, value):
        return queryset.doubtful() if value else queryset
