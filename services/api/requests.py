"""Scoped API over citizen service requests: list, detail, filing, and one POST endpoint per
workflow transition (`/api/service-requests/{id}/verify/` …).

Reads show the NIK masked; only `POST {id}/nik/` returns it whole, recorded, to the handling
secretary. Writes go through services.actions.requests, which check permission (403) after the
scoped fetch (404).
"""

from __future__ import annotations

import django_filters
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from portal.lib.api_cache import CachedReadMixin
from services.actions import requests as actions
from services.models import (
    ACTIVE_STATUSES,
    Attachment,
    Letter,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    ServiceType,
    Sex,
)
from villages.models import Village


def _url(serializer, name: str, args) -> str | None:
    """An absolute URL of a staff page, or None while that page does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


# Output


class ServiceRequestSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    service_type_name = serializers.CharField(source="service_type.name", read_only=True)
    masked_nik = serializers.CharField(read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "tracking_code",
            "village",
            "village_name",
            "service_type",
            "service_type_name",
            "applicant_name",
            "masked_nik",
            "nik_is_temporary",
            "status",
            "due_on",
            "is_overdue",
            "forwarded_to",
            "submitted_at",
            "completed_at",
        ]

    def get_is_overdue(self, service_request) -> bool:
        return service_request.is_overdue()


# The columns the list reads (masked_nik needs the NIK).
LIST_FIELDS = [
    "tracking_code",
    "village",
    "service_type",
    "applicant_name",
    "nik",
    "nik_is_temporary",
    "status",
    "due_on",
    "forwarded_to",
    "submitted_at",
    "completed_at",
]


class RequestEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = RequestEvent
        fields = ["from_status", "to_status", "note", "actor_name", "created_at"]

    def get_actor_name(self, event) -> str | None:
        if event.actor is None:
            return None
        return event.actor.full_name or event.actor.get_username()


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "label", "content_type", "size_bytes", "uploaded_at", "download_url"]

    def get_download_url(self, attachment) -> str | None:
        """The scoped staff download (never the media URL)."""
        return _url(
            self,
            "services:attachment-download",
            [attachment.service_request_id, attachment.pk],
        )


class LetterSummarySerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = ["number", "issued_at", "pdf_url"]

    def get_pdf_url(self, letter) -> str | None:
        return _url(self, "services:letter-pdf", [letter.service_request_id])


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    events = RequestEventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    letter = serializers.SerializerMethodField()

    class Meta(ServiceRequestSerializer.Meta):
        fields = [
            *ServiceRequestSerializer.Meta.fields,
            "applicant_sex",
            "applicant_phone",
            "dusun",
            "rt",
            "rw",
            "address",
            "purpose",
            "applicant_note",
            "events",
            "attachments",
            "letter",
        ]

    @extend_schema_field(LetterSummarySerializer(allow_null=True))
    def get_letter(self, service_request) -> dict | None:
        try:
            letter = service_request.letter
        except Letter.DoesNotExist:
            return None
        return LetterSummarySerializer(letter, context=self.context).data


class RevealedNikSerializer(serializers.Serializer):
    nik = serializers.CharField()


# Input


class FileRequestInputSerializer(serializers.Serializer):
    village = serializers.CharField(help_text="Village code, e.g. 35.05.01.2001.")
    service_type = serializers.PrimaryKeyRelatedField(queryset=ServiceType.objects.all())
    applicant_name = serializers.CharField(max_length=150)
    nik = serializers.CharField(max_length=32, help_text="16 digits; spaces and dots ignored.")
    purpose = serializers.CharField()
    applicant_sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    applicant_phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text="WhatsApp number; the applicant gets the tracking code and status messages.",
    )
    dusun = serializers.CharField(required=False, allow_blank=True, max_length=100)
    rt = serializers.CharField(required=False, allow_blank=True, max_length=3)
    rw = serializers.CharField(required=False, allow_blank=True, max_length=3)
    address = serializers.CharField(required=False, allow_blank=True, max_length=250)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Multipart only."
    )
    attachment_labels = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        help_text="The document name of each attachment, in the same order (KTP, KK, …).",
    )


class ReturnRequestInputSerializer(serializers.Serializer):
    missing = serializers.CharField(help_text="What the applicant must bring.")


class RejectRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CancelRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ForwardRequestInputSerializer(serializers.Serializer):
    forwarded_to = serializers.CharField(max_length=150, help_text="e.g. Kecamatan Wonodadi.")


class TransitionNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AddAttachmentInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=150, help_text="e.g. KTP, KK.")
    file = serializers.FileField()


# Filters


class ServiceRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    village = django_filters.CharFilter(field_name="village_id")
    district = django_filters.CharFilter(method="filter_district", label="Kecamatan code")
    service_type = django_filters.NumberFilter(field_name="service_type_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    q = django_filters.CharFilter(method="filter_q", label="Tracking code or name")

    class Meta:
        model = ServiceRequest
        fields = ["status", "village", "district", "service_type", "overdue", "q"]

    def filter_district(self, queryset, name, value):
        return queryset.filter(village__code__startswith=f"{value}.")

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=ACTIVE_STATUSES, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(tracking_code__iexact=value) | Q(applicant_name__icontains=value))


# Views


def _transition_schema(input_serializer=None):
    return extend_schema(request=input_serializer, responses=ServiceRequestDetailSerializer)


@method_decorator(sensitive_post_parameters("nik"), name="dispatch")
class ServiceRequestViewSet(
    CachedReadMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Requests of the villages in the user's area, overdue first, then by due date; POST files
    one (the village's secretary), and `{id}/<transition>/` moves it through the workflow."""

    scoped_model = ServiceRequest
    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilter
    cache_labels = ("services",)  # besides the user's apps: villages are among those
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scope_queryset(self, queryset):
        if self.action != "list":
            return queryset.select_related("village", "service_type", "letter").prefetch_related(
                Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
                "attachments",
            )
        overdue_first = Case(
            When(status__in=ACTIVE_STATUSES, due_on__lt=timezone.localdate(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        # The page's villages and services are fetched by key after the page: joined, the
        # planner would join every request of the area before sorting out the 50 shown.
        queryset = queryset.only(*LIST_FIELDS).prefetch_related(
            Prefetch("village", queryset=Village.objects.only("name")),
            Prefetch("service_type", queryset=ServiceType.objects.only("name")),
        )
        return queryset.alias(overdue_first=overdue_first).order_by("overdue_first", "due_on", "pk")

    def get_serializer_class(self):
        return ServiceRequestSerializer if self.action == "list" else ServiceRequestDetailSerializer

    def _respond(self, service_request, status_code=status.HTTP_200_OK):
        service_request = self.get_queryset().get(pk=service_request.pk)
        return Response(self.get_serializer(service_request).data, status=status_code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=FileRequestInputSerializer, responses=ServiceRequestDetailSerializer)
    @sensitive_variables()
    def create(self, request):
        data = dict(self._input(FileRequestInputSerializer))
        village = get_object_or_404(Village.objects.visible_to(request.user), pk=data["village"])
        files = data.pop("attachments", [])
        labels = data.pop("attachment_labels", [])
        labels = [*labels, *[""] * (len(files) - len(labels))]
        service_request = actions.file_request(
            **{**data, "village": village},
            attachments=list(zip(labels, files, strict=False)),
            actor=request.user,
        )
        return self._respond(service_request, status.HTTP_201_CREATED)

    @_transition_schema(TransitionNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        note = self._input(TransitionNoteInputSerializer)["note"]
        service_request = actions.verify_request(
            service_request=self.get_object(), note=note, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(ReturnRequestInputSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_applicant(self, request, pk=None):
        missing = self._input(ReturnRequestInputSerializer)["missing"]
        service_request = actions.return_request(
            service_request=self.get_object(), missing=missing, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(RejectRequestInputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        reason = self._input(RejectRequestInputSerializer)["reason"]
        service_request = actions.reject_request(
            service_request=self.get_object(), reason=reason, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(CancelRequestInputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = self._input(CancelRequestInputSerializer)["reason"]
        service_request = actions.cancel_request(
            service_request=self.get_object(), reason=reason, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(TransitionNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def process(self, request, pk=None):
        note = self._input(TransitionNoteInputSerializer)["note"]
        service_request = actions.start_processing(
            service_request=self.get_object(), note=note, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(ForwardRequestInputSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        forwarded_to = self._input(ForwardRequestInputSerializer)["forwarded_to"]
        service_request = actions.forward_request(
            service_request=self.get_object(), forwarded_to=forwarded_to, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(TransitionNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        note = self._input(TransitionNoteInputSerializer)["note"]
        service_request = actions.receive_back(
            service_request=self.get_object(), note=note, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(TransitionNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def ready(self, request, pk=None):
        note = self._input(TransitionNoteInputSerializer)["note"]
        service_request = actions.mark_ready(
            service_request=self.get_object(), note=note, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(TransitionNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        note = self._input(TransitionNoteInputSerializer)["note"]
        service_request = actions.complete_request(
            service_request=self.get_object(), note=note, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(TransitionNoteInputSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        note = self._input(TransitionNoteInputSerializer)["note"]
        service_request = actions.resubmit_request(
            service_request=self.get_object(), note=note, actor=request.user
        )
        return self._respond(service_request)

    @_transition_schema(AddAttachmentInputSerializer)
    @action(detail=True, methods=["post"], url_path="attachments", url_name="attachments")
    def add_attachment(self, request, pk=None):
        data = self._input(AddAttachmentInputSerializer)
        service_request = actions.add_attachment(
            service_request=self.get_object(),
            label=data["label"],
            uploaded_file=data["file"],
            actor=request.user,
        )
        return self._respond(service_request, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RevealedNikSerializer)
    @action(detail=True, methods=["post"], url_path="nik", url_name="nik")
    @sensitive_variables()
    def reveal_nik(self, request, pk=None):
        """The full NIK, for the village's secretary only; every call is recorded."""
        nik = actions.reveal_nik(service_request=self.get_object(), actor=request.user)
        response = Response(RevealedNikSerializer({"nik": nik}).data)
        response["Cache-Control"] = "no-store"
        return response
