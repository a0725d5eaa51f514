"""Scoped API over programmes, enrolments, milestones and milestone progress.

Reads carry computed progress; writes go through the actions in villages.actions, which check
permission (403) after the scoped fetch (404).
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from villages.actions.programmes import (
    add_milestone,
    change_enrolment_status,
    create_programme,
    enrol_village,
    update_milestone_progress,
)
from villages.models import (
    Assessment,
    Enrolment,
    EnrolmentStatus,
    Milestone,
    MilestoneProgress,
    MilestoneState,
    Programme,
    Regency,
    Village,
)
from villages.selectors.programmes import enrolment_percent, percent, with_progress

# Programmes


class ProgrammeSerializer(serializers.ModelSerializer):
    enrolment_count = serializers.IntegerField(read_only=True)
    milestone_count = serializers.IntegerField(read_only=True)
    average_progress = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "slug",
            "owner_agency",
            "description",
            "regency",
            "starts_on",
            "ends_on",
            "enrolment_count",
            "milestone_count",
            "average_progress",
        ]

    def get_average_progress(self, programme) -> int:
        """% of the visible enrolments' milestones done (every enrolment has the same ones)."""
        return percent(programme.done_count, programme.enrolment_count * programme.milestone_count)


class ProgrammeFilter(django_filters.FilterSet):
    regency = django_filters.CharFilter(field_name="regency_id")

    class Meta:
        model = Programme
        fields = ["regency"]


def _count(queryset, group: str):
    rows = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class CreateProgrammeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    slug = serializers.SlugField(max_length=80)
    owner_agency = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    regency = serializers.CharField(help_text="Regency code, e.g. 35.05.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProgrammeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Programmes of the user's regency, with progress; POST creates one (regency officials)."""

    scoped_model = Programme
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter

    @extend_schema(request=CreateProgrammeInputSerializer, responses=ProgrammeSerializer)
    def create(self, request):
        serializer = CreateProgrammeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["regency"] = get_object_or_404(
            Regency.objects.visible_to(request.user), pk=data["regency"]
        )
        programme = create_programme(actor=request.user, **data)
        programme = self.get_queryset().get(pk=programme.pk)
        return Response(self.get_serializer(programme).data, status=status.HTTP_201_CREATED)

    def scope_queryset(self, queryset):
        user = self.request.user
        enrolments = Enrolment.objects.visible_to(user).filter(programme=OuterRef("pk"))
        done = MilestoneProgress.objects.visible_to(user).filter(
            enrolment__programme=OuterRef("pk"), state=MilestoneState.DONE
        )
        return queryset.annotate(
            enrolment_count=_count(enrolments, "programme"),
            milestone_count=_count(Milestone.objects.filter(programme=OuterRef("pk")), "programme"),
            done_count=_count(done, "enrolment__programme"),
        )


# Enrolments


class EnrolmentSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    cohort_name = serializers.CharField(source="cohort.name", read_only=True, default=None)
    milestones_total = serializers.IntegerField(read_only=True)
    milestones_done = serializers.IntegerField(read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "programme",
            "village",
            "village_name",
            "cohort",
            "cohort_name",
            "status",
            "enrolled_on",
            "baseline",
            "milestones_done",
            "milestones_total",
            "progress",
        ]

    def get_progress(self, enrolment) -> int:
        """% of the programme's milestones done."""
        return enrolment_percent(enrolment)


class EnrolmentFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter(field_name="programme_id")
    cohort = django_filters.NumberFilter(field_name="cohort_id")
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices)
    village = django_filters.CharFilter(field_name="village_id")

    class Meta:
        model = Enrolment
        fields = ["programme", "cohort", "status", "village"]


class EnrolVillageInputSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    village = serializers.CharField()
    cohort = serializers.IntegerField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, default="active")
    enrolled_on = serializers.DateField()


class ChangeEnrolmentStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    cohort = serializers.IntegerField(required=False, allow_null=True, default=None)
    baseline = serializers.IntegerField(required=False, allow_null=True, default=None)


class EnrolmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Enrolled villages in scope with their progress; POST enrols a village, PATCH changes the
    status or cohort (regency officials)."""

    scoped_model = Enrolment
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        return with_progress(queryset.select_related("village", "cohort")).order_by("pk")

    def _respond(self, enrolment, status_code):
        enrolment = self.get_queryset().get(pk=enrolment.pk)
        return Response(self.get_serializer(enrolment).data, status=status_code)

    @extend_schema(request=EnrolVillageInputSerializer, responses=EnrolmentSerializer)
    def create(self, request):
        serializer = EnrolVillageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        programme = get_object_or_404(
            Programme.objects.visible_to(request.user), pk=data["programme"]
        )
        village = get_object_or_404(Village.objects.visible_to(request.user), pk=data["village"])
        cohort = None
        if data["cohort"] is not None:
            cohort = get_object_or_404(programme.cohorts, pk=data["cohort"])
        enrolment = enrol_village(
            programme=programme,
            village=village,
            cohort=cohort,
            status=data["status"],
            enrolled_on=data["enrolled_on"],
            actor=request.user,
        )
        return self._respond(enrolment, status.HTTP_201_CREATED)

    @extend_schema(request=ChangeEnrolmentStatusInputSerializer, responses=EnrolmentSerializer)
    def partial_update(self, request, pk=None):
        enrolment = self.get_object()
        serializer = ChangeEnrolmentStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cohort = None
        if data["cohort"] is not None:
            cohort = get_object_or_404(enrolment.programme.cohorts, pk=data["cohort"])
        baseline = None
        if data["baseline"] is not None:
            baseline = get_object_or_404(
                Assessment.objects.visible_to(request.user), pk=data["baseline"]
            )
        enrolment = change_enrolment_status(
            enrolment=enrolment,
            status=data["status"],
            cohort=cohort,
            baseline=baseline,
            actor=request.user,
        )
        return self._respond(enrolment, status.HTTP_200_OK)


# Milestones


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "programme", "name", "description", "target_count", "order"]


class MilestoneFilter(django_filters.FilterSet):
    programme = django_filters.NumberFilter(field_name="programme_id")

    class Meta:
        model = Milestone
        fields = ["programme"]


class AddMilestoneInputSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    name = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    target_count = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    order = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class MilestoneViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones of the programmes in scope; POST adds one (regency officials)."""

    scoped_model = Milestone
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter

    @extend_schema(request=AddMilestoneInputSerializer, responses=MilestoneSerializer)
    def create(self, request):
        serializer = AddMilestoneInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["programme"] = get_object_or_404(
            Programme.objects.visible_to(request.user), pk=data["programme"]
        )
        milestone = add_milestone(actor=request.user, **data)
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)


# Milestone progress


class MilestoneProgressSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="enrolment.village_id", read_only=True)
    evidence_file = serializers.SerializerMethodField()

    def get_evidence_file(self, progress) -> str | None:
        """The scoped download URL (never the guessable media URL), or null."""
        if not progress.evidence_file:
            return None
        url = reverse("programmes:evidence-file", args=[progress.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    class Meta:
        model = MilestoneProgress
        fields = [
            "id",
            "enrolment",
            "village",
            "milestone",
            "state",
            "completed_on",
            "achieved_count",
            "evidence_url",
            "evidence_file",
            "note",
            "updated_at",
        ]


class UpdateMilestoneProgressInputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=MilestoneState.choices)
    completed_on = serializers.DateField(required=False, allow_null=True)
    achieved_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    evidence_url = serializers.URLField(required=False, allow_blank=True)
    evidence_file = serializers.FileField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class CreateMilestoneProgressInputSerializer(UpdateMilestoneProgressInputSerializer):
    enrolment = serializers.IntegerField()
    milestone = serializers.IntegerField()


class MilestoneProgressFilter(django_filters.FilterSet):
    enrolment = django_filters.NumberFilter(field_name="enrolment_id")
    village = django_filters.CharFilter(field_name="enrolment__village_id")
    milestone = django_filters.NumberFilter(field_name="milestone_id")
    state = django_filters.ChoiceFilter(choices=MilestoneState.choices)

    class Meta:
        model = MilestoneProgress
        fields = ["enrolment", "village", "milestone", "state"]


class MilestoneProgressViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Milestone progress of the villages in scope; POST records it for an (enrolment,
    milestone) pair, PATCH changes it; both accept multipart for an evidence file."""

    scoped_model = MilestoneProgress
    serializer_class = MilestoneProgressSerializer
    filterset_class = MilestoneProgressFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def scope_queryset(self, queryset):
        return queryset.select_related("enrolment").order_by("pk")

    def _save(self, *, enrolment, milestone, data, status_code):
        progress = update_milestone_progress(
            enrolment=enrolment,
            milestone=milestone,
            state=data["state"],
            completed_on=data.get("completed_on"),
            achieved_count=data.get("achieved_count"),
            evidence_url=data.get("evidence_url"),
            evidence_file=data.get("evidence_file"),
            note=data.get("note"),
            actor=self.request.user,
        )
        progress = self.get_queryset().get(pk=progress.pk)
        return Response(self.get_serializer(progress).data, status=status_code)

    @extend_schema(
        request=CreateMilestoneProgressInputSerializer, responses=MilestoneProgressSerializer
    )
    def create(self, request):
        serializer = CreateMilestoneProgressInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enrolment = get_object_or_404(
            Enrolment.objects.visible_to(request.user), pk=data["enrolment"]
        )
        milestone = get_object_or_404(
            Milestone.objects.filter(programme_id=enrolment.programme_id), pk=data["milestone"]
        )
        return self._save(
            enrolment=enrolment, milestone=milestone, data=data, status_code=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=UpdateMilestoneProgressInputSerializer, responses=MilestoneProgressSerializer
    )
    def partial_update(self, request, pk=None):
        progress = self.get_object()
        serializer = UpdateMilestoneProgressInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            "state": progress.state,
            "completed_on": progress.completed_on,
            "achieved_count": progress.achieved_count,
            **serializer.validated_data,
        }
        return self._save(
            enrolment=progress.enrolment,
            milestone=progress.milestone,
            data=data,
            status_code=status.HTTP_200_OK,
        )
