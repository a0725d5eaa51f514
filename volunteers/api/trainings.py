"""Scoped API over trainings and their registrations, and the public certificate check.

Writes go through volunteers.actions.trainings, which check permission (403) after the scoped
fetch (404).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from portal.lib.api import ScopedViewSetMixin
from villages.models import Regency
from volunteers.actions.trainings import (
    cancel_registration,
    create_training,
    issue_certificate,
    normalise_certificate_code,
    record_attendance,
    register_for_training,
    update_training,
)
from volunteers.models import (
    Attendance,
    Corps,
    CorpsLevel,
    Registration,
    Training,
    TrainingKind,
    Volunteer,
)
from volunteers.permissions import can_manage_training
from volunteers.views.trainings import with_counts

# Trainings


class RegistrationSerializer(serializers.ModelSerializer):
    training_title = serializers.CharField(source="training.title", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    certificate_pdf = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "training",
            "training_title",
            "volunteer",
            "volunteer_name",
            "attendance",
            "registered_at",
            "completed_at",
            "certificate_code",
            "certificate_pdf",
        ]

    def get_certificate_pdf(self, registration) -> str | None:
        """The certificate's download URL (holder and training managers), or null."""
        if not registration.certificate_code:
            return None
        url = reverse("volunteers:certificate-pdf", args=[registration.certificate_code])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class TrainingSerializer(serializers.ModelSerializer):
    corps = serializers.SlugRelatedField(slug_field="code", read_only=True)
    registered_count = serializers.IntegerField(read_only=True)
    attended_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "title",
            "kind",
            "organiser",
            "regency",
            "corps",
            "awards_level",
            "starts_on",
            "ends_on",
            "place",
            "capacity",
            "description",
            "registered_count",
            "attended_count",
        ]


class TrainingFilter(django_filters.FilterSet):
    regency = django_filters.CharFilter(field_name="regency_id")
    corps = django_filters.CharFilter(field_name="corps__code")
    upcoming = django_filters.BooleanFilter(
        method="filter_upcoming", label="Not yet ended (true) or ended (false)."
    )

    class Meta:
        model = Training
        fields = ["regency", "corps", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(ends_on__gte=today) if value else queryset.filter(ends_on__lt=today)


class CreateTrainingInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=TrainingKind.choices)
    organiser = serializers.CharField(max_length=100)
    regency = serializers.CharField(help_text="Regency code, e.g. 35.05.")
    corps = serializers.CharField(
        required=False, allow_null=True, help_text="Corps code, e.g. pandu-digital."
    )
    awards_level = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a level of the corps."
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    description = serializers.CharField(required=False, allow_blank=True)


class UpdateTrainingInputSerializer(CreateTrainingInputSerializer):
    """The same fields; PATCH sends only those that change."""


class RegisterForTrainingInputSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The volunteer to register (training managers); yourself when left out.",
    )


class TrainingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Trainings of the user's regency, with registration counts; POST creates one and PATCH
    changes one (the regency's officials); POST {id}/register/ registers a volunteer."""

    scoped_model = Training
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        return with_counts(queryset.select_related("corps")).order_by("-starts_on", "pk")

    def _related(self, data: dict) -> dict:
        """The input with region, corps and level ids turned into objects (404 when unknown)."""
        user = self.request.user
        if "regency" in data:
            data["regency"] = get_object_or_404(
                Regency.objects.visible_to(user), pk=data["regency"]
            )
        if data.get("corps") is not None:
            data["corps"] = get_object_or_404(Corps, code=data["corps"])
        if data.get("awards_level") is not None:
            data["awards_level"] = get_object_or_404(CorpsLevel, pk=data["awards_level"])
        return data

    def _respond(self, training, status_code):
        training = self.get_queryset().get(pk=training.pk)
        return Response(self.get_serializer(training).data, status=status_code)

    @extend_schema(request=CreateTrainingInputSerializer, responses=TrainingSerializer)
    def create(self, request):
        serializer = CreateTrainingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self._related(dict(serializer.validated_data))
        training = create_training(actor=request.user, **data)
        return self._respond(training, status.HTTP_201_CREATED)

    @extend_schema(request=UpdateTrainingInputSerializer, responses=TrainingSerializer)
    def partial_update(self, request, pk=None):
        training = self.get_object()
        serializer = UpdateTrainingInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = self._related(dict(serializer.validated_data))
        training = update_training(training=training, actor=request.user, **data)
        return self._respond(training, status.HTTP_200_OK)

    @extend_schema(
        request=RegisterForTrainingInputSerializer,
        responses={201: RegistrationSerializer},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        training = self.get_object()
        serializer = RegisterForTrainingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        volunteer = self._registrant(training, serializer.validated_data.get("volunteer"))
        registration = register_for_training(
            training=training, volunteer=volunteer, actor=request.user
        )
        return Response(
            RegistrationSerializer(registration, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _registrant(self, training: Training, volunteer_id: int | None) -> Volunteer:
        """The named volunteer (training managers only: 403 for anyone else, whether or not that
        volunteer exists), else the user's own roster record."""
        user = self.request.user
        own = Volunteer.objects.filter(user=user).first()
        if volunteer_id is None or (own is not None and own.pk == volunteer_id):
            if own is None:
                raise PermissionDenied(gettext("Only volunteers on the roster can register."))
            return own
        if not can_manage_training(user, training):
            raise PermissionDenied(gettext("You may register only yourself for this training."))
        return get_object_or_404(Volunteer.objects.visible_to(user), pk=volunteer_id)


# Registrations


class RegistrationFilter(django_filters.FilterSet):
    training = django_filters.NumberFilter(field_name="training_id")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id")

    class Meta:
        model = Registration
        fields = ["training", "volunteer"]


class RecordAttendanceInputSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=Attendance.choices)


class RegistrationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A volunteer's own registrations, and those of the trainings of a roster manager's area.
    DELETE cancels one; POST {id}/attendance/ and {id}/certificate/ are for training managers."""

    scoped_model = Registration
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter

    def scope_queryset(self, queryset):
        return queryset.select_related("training", "volunteer").order_by("pk")

    def perform_destroy(self, instance):
        cancel_registration(registration=instance, actor=self.request.user)

    @extend_schema(request=RecordAttendanceInputSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        registration = self.get_object()
        serializer = RecordAttendanceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = record_attendance(
            registration=registration,
            attendance=serializer.validated_data["attendance"],
            actor=request.user,
        )
        return Response(self.get_serializer(registration).data)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def certificate(self, request, pk=None):
        """Issue the certificate (again: the same code); the answer holds the code and PDF URL."""
        registration = issue_certificate(registration=self.get_object(), actor=request.user)
        return Response(self.get_serializer(registration).data)


# The public certificate check


class CertificateVerificationSerializer(serializers.Serializer):
    """Only what the paper itself shows: no contacts, no ids."""

    valid = serializers.BooleanField()
    code = serializers.CharField()
    holder = serializers.CharField()
    training = serializers.CharField()
    organiser = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    issued_on = serializers.DateField()


class CertificateVerifyThrottle(ScopedRateThrottle):
    """The scope's rate read at each request (not once at import), so that settings changes,
    tests' included, apply."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class CertificateVerifyView(APIView):
    """Public, on purpose: anyone holding a certificate may check its code. Throttled per
    address, though 60-bit codes cannot be guessed anyway."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [CertificateVerifyThrottle]
    throttle_scope = "certificate-verify"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="As printed, any case, with or without dashes.",
            )
        ],
        responses={
            200: CertificateVerificationSerializer,
            404: OpenApiResponse(description="No certificate has this code."),
        },
        auth=[],
    )
    def get(self, request, code: str):
        normalised = normalise_certificate_code(code)
        registration = (
            Registration.objects.filter(certificate_code=normalised)
            .select_related("training", "volunteer")
            .first()
            if normalised
            else None
        )
        if registration is None:
            raise NotFound(gettext("There is no certificate with this code."))
        training = registration.training
        data = {
            "valid": True,
            "code": registration.certificate_code,
            "holder": registration.volunteer.full_name,
            "training": training.title,
            "organiser": training.organiser,
            "starts_on": training.starts_on,
            "ends_on": training.ends_on,
            "issued_on": timezone.localdate(registration.completed_at),
        }
        return Response(CertificateVerificationSerializer(data).data)
