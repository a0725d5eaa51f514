"""HTML forms for the request pages; they parse input, services.actions.requests decides."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from services.models import RequestStatus, ServiceType, Sex
from services.selectors import ALL_STATUSES
from villages.models import District, Village

MAX_FORM_ATTACHMENTS = 5
OTHER_DOCUMENT = _("Other document")


class DateInput(forms.DateInput):
    input_type = "date"


class RequestQueueForm(forms.Form):
    """The queue's filters, from the query string; all optional."""

    q = forms.CharField(
        label=capfirst(_("search")),
        required=False,
        max_length=150,
        help_text=_("A tracking code or part of the applicant's name."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=capfirst(_("status")), required=False)
    service_type = forms.ModelChoiceField(
        label=capfirst(_("service")),
        queryset=ServiceType.objects.none(),
        to_field_name="code",
        required=False,
    )
    village = forms.ModelChoiceField(
        label=capfirst(_("village")),
        queryset=Village.objects.none(),
        required=False,
    )
    overdue = forms.BooleanField(label=capfirst(_("overdue only")), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Open (not yet completed)")),
            *RequestStatus.choices,
            (ALL_STATUSES, _("All")),
        ]
        self.fields["service_type"].queryset = ServiceType.objects.all()
        self.fields["village"].queryset = villages


class FileRequestForm(forms.Form):
    """A request filed at the counter, with up to five documents, each labelled with one of the
    service's required documents. The NIK and the phone are checked by the action."""

    village = forms.ModelChoiceField(
        label=capfirst(_("village")), queryset=Village.objects.none(), to_field_name="code"
    )
    service_type = forms.ModelChoiceField(
        label=capfirst(_("service")), queryset=ServiceType.objects.none()
    )
    applicant_name = forms.CharField(label=capfirst(_("applicant's name")), max_length=150)
    nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        help_text=_("16 digits, from the applicant's KTP or KK."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_sex = forms.ChoiceField(
        label=capfirst(_("sex")), choices=[("", "---------"), *Sex.choices], required=False
    )
    applicant_phone = forms.CharField(
        label=capfirst(_("phone")),
        max_length=20,
        required=False,
        help_text=_(
            "A WhatsApp number: the applicant gets the tracking code and is told when the "
            "request is ready, returned or rejected."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    dusun = forms.CharField(label=capfirst(_("dusun")), max_length=100, required=False)
    rt = forms.CharField(label=_("RT"), max_length=3, required=False)
    rw = forms.CharField(label=_("RW"), max_length=3, required=False)
    address = forms.CharField(label=capfirst(_("address")), max_length=250, required=False)
    purpose = forms.CharField(
        label=capfirst(_("purpose")), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, villages, service_types, **kwargs):
        """`villages`: a queryset of the villages the user files for (one hides the field), or
        None for administrators, who type a village code."""
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        if villages is None:
            village.queryset = Village.objects.all()
            village.widget = forms.TextInput()
            village.label = capfirst(_("village code"))
            village.help_text = _("e.g. 35.05.01.2001")
        else:
            village.queryset = villages
            if len(villages) == 1:
                # Disabled: the one village is taken whatever the browser sends.
                village.initial = villages[0].code
                village.disabled = True
                village.widget = forms.HiddenInput()
        self.fields["service_type"].queryset = service_types
        documents = list(dict.fromkeys(doc for kind in service_types for doc in kind.document_list))
        label_choices = [("", "---------"), *((doc, doc) for doc in documents)]
        label_choices.append((str(OTHER_DOCUMENT), OTHER_DOCUMENT))
        for number in range(1, MAX_FORM_ATTACHMENTS + 1):
            self.fields[f"attachment_label_{number}"] = forms.ChoiceField(
                label=_("Document %(number)s") % {"number": number},
                choices=label_choices,
                required=False,
            )
            self.fields[f"attachment_file_{number}"] = forms.FileField(
                label=_("File %(number)s") % {"number": number},
                required=False,
                help_text=_("PDF, JPEG or PNG, at most 5 MB."),
                widget=forms.ClearableFileInput(
                    attrs={"accept": "application/pdf,image/jpeg,image/png"}
                ),
            )

    def clean(self):
        data = super().clean()
        service_type = data.get("service_type")
        for number in range(1, MAX_FORM_ATTACHMENTS + 1):
            label = data.get(f"attachment_label_{number}")
            upload = data.get(f"attachment_file_{number}")
            if upload and not label:
                self.add_error(
                    f"attachment_label_{number}", _("Choose which document this file is.")
                )
            elif label and not upload:
                self.add_error(f"attachment_file_{number}", _("Choose the file of this document."))
            elif (
                label
                and service_type
                and label != str(OTHER_DOCUMENT)
                and label not in service_type.document_list
            ):
                self.add_error(
                    f"attachment_label_{number}",
                    _("%(document)s is not a document of %(service)s.")
                    % {"document": label, "service": service_type.name},
                )
        return data

    def attachments(self) -> list[tuple[str, object]]:
        return [
            (self.cleaned_data[f"attachment_label_{n}"], self.cleaned_data[f"attachment_file_{n}"])
            for n in range(1, MAX_FORM_ATTACHMENTS + 1)
            if self.cleaned_data.get(f"attachment_file_{n}")
        ]

    def request_fields(self) -> dict:
        """The keyword arguments of `file_request`, but the actor and the attachments."""
        fields = [
            "village",
            "service_type",
            "applicant_name",
            "nik",
            "applicant_sex",
            "applicant_phone",
            "dusun",
            "rt",
            "rw",
            "address",
            "purpose",
        ]
        return {field: self.cleaned_data[field] for field in fields}


class MissingForm(forms.Form):
    missing = forms.CharField(
        label=capfirst(_("what is missing")),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the applicant on the tracking page; no personal data."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=capfirst(_("reason")),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the applicant on the tracking page; no personal data."),
    )


class ForwardForm(forms.Form):
    forwarded_to = forms.CharField(
        label=capfirst(_("forwarded to")),
        max_length=150,
        help_text=_("e.g. Kecamatan Wonodadi or Dukcapil."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=capfirst(_("note")), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AttachmentForm(forms.Form):
    label = forms.ChoiceField(label=capfirst(_("document")))
    file = forms.FileField(
        label=capfirst(_("file")),
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, service_type: ServiceType, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].choices = [
            *((doc, doc) for doc in service_type.document_list),
            (str(OTHER_DOCUMENT), OTHER_DOCUMENT),
        ]


class ComplianceForm(forms.Form):
    """The compliance table's period (default: this year) and, for officials, a kecamatan."""

    start = forms.DateField(label=capfirst(_("from")), widget=DateInput, required=False)
    end = forms.DateField(label=capfirst(_("to")), widget=DateInput, required=False)
    district = forms.ModelChoiceField(
        label=capfirst(_("kecamatan")),
        queryset=District.objects.none(),
        to_field_name="code",
        required=False,
    )

    def __init__(self, *args, districts, **kwargs):
        """`districts`: the kecamatan an official chooses from, None for administrators (who type
        a code), or an empty queryset for kecamatan officers (the field is left out)."""
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        if districts is None:
            district.queryset = District.objects.all()
            district.widget = forms.TextInput()
            district.help_text = _("A kecamatan code, e.g. 35.05.01.")
        elif districts.exists():
            district.queryset = districts
        else:
            del self.fields["district"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or datetime.date(today.year, 1, 1)
        data["end"] = data.get("end") or datetime.date(today.year, 12, 31)
        if data["start"] > data["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        data.setdefault("district", None)
        return data
