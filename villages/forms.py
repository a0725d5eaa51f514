"""Forms for the village pages; they validate input, the actions write it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.actions.profiles import PROFILE_FIELDS, check_umkm_counts
from villages.models import IdmScore, VillageProfile


def _formfield(field, **kwargs):
    # Village sites and social media pages are served over HTTPS.
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class VillageProfileForm(forms.ModelForm):
    class Meta:
        model = VillageProfile
        formfield_callback = _formfield
        fields = PROFILE_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("office_address", "agriculture", "livestock", "fisheries", "tourism")
        } | {
            "head_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "secretary_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def clean(self):
        cleaned_data = super().clean()
        try:
            check_umkm_counts(cleaned_data.get("umkm_count"), cleaned_data.get("umkm_online_count"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned_data

    def changes(self) -> dict:
        """The submitted values, for `update_village_profile`."""
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}


class IdmScoreForm(forms.Form):
    year = IdmScore._meta.get_field("year").formfield(label=_("Year"))
    score = IdmScore._meta.get_field("score").formfield(
        label=_("IDM score"), help_text=_("Between 0 and 1, e.g. 0.6512.")
    )
