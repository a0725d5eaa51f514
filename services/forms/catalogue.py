"""HTML forms for the catalogue; they parse input, services.actions.catalogue decides."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from services.actions.catalogue import SERVICE_TYPE_FIELDS
from services.models import ServiceType


class ServiceTypeForm(forms.Form):
    """The model's fields, parsed only: a plain Form rather than a ModelForm, so that the
    action's rules (e.g. a letter code for a letter-issuing type) reach the page as its field
    errors, not as the model constraint's page-wide one."""

    def __init__(self, *args, service_type: ServiceType | None = None, **kwargs):
        if service_type is not None:
            kwargs.setdefault("initial", model_to_dict(service_type, fields=SERVICE_TYPE_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(ServiceType, fields=SERVICE_TYPE_FIELDS))


class VillageServicesForm(forms.Form):
    offered = forms.ModelMultipleChoiceField(
        label=capfirst(_("services offered")),
        queryset=ServiceType.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Citizens can file requests only for the services the village offers."),
    )

    def __init__(self, *args, offered: list[ServiceType], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offered"].initial = [service_type.pk for service_type in offered]
