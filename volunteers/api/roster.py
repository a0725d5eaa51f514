"""Scoped API over the roster (volunteers and their corps memberships) and assignments.

Writes go through volunteers.actions.roster, which check permission (403) after the scoped fetch
(404). References in a request body are looked up among the rows the user sees, so an unknown
and an out-of-scope reference both get a 400 naming the field.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from villages.models import District, Enrolment, Programme, Village
from volunteers.actions.roster import (
    assign_volunteer,
    create_volunteer,
    end_assignment,
    update_volunteer,
)
from volunteers.filters import VolunteerFilter
from volunteers.models import (
    Assignment,
    AssignmentRole,
    Gender,
    Membership,
    Volunteer,
    VolunteerStatus,
)
from volunteers.permissions import can_see_volunteer_contacts
from volunteers.selectors import villages_without_main_mentor


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a row of `model` that the requesting user sees."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.all(), **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)


# Volunteers


class MembershipSerializer(serializers.ModelSerializer):
    corps = serializers.CharField(source="corps.code", read_only=True)
    corps_name = serializers.CharField(source="corps.name", read_only=True)
    level = serializers.CharField(source="level.name", read_only=True, default=None)

    class Meta:
        model = Membership
        fields = [
            "corps",
            "corps_name",
            "level",
            "komisariat",
            "position",
            "appointing_village",
            "decree_number",
            "decree_date",
            "since",
        ]
        read_only_fields = fields


class VolunteerSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)
    whatsapp = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "full_name",
            "gender",
            "district",
            "district_name",
            "home_village",
            "skills",
            "status",
            "joined_on",
            "left_on",
            "whatsapp",
            "email",
            "has_login",
            "memberships",
        ]
        read_only_fields = fields

    def _contacts_shown(self, volunteer) -> bool:
        # From the user's cached role areas: no query per row.
        return can_see_volunteer_contacts(self.context["request"].user, volunteer)

    def get_whatsapp(self, volunteer) -> str | None:
        """Only to the volunteer themself and those who look after them; null otherwise."""
        return volunteer.whatsapp if self._contacts_shown(volunteer) else None

    def get_email(self, volunteer) -> str | None:
        """Only to the volunteer themself and those who look after them; null otherwise."""
        return volunteer.email if self._contacts_shown(volunteer) else None

    def get_has_login(self, volunteer) -> bool:
        return volunteer.user_id is not None


class CreateVolunteerInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    gender = serializers.ChoiceField(choices=Gender.choices)
    district = VisibleRelatedField(District, help_text="Kecamatan code, e.g. 35.05.01.")
    whatsapp = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    home_village = VisibleRelatedField(
        Village, required=False, allow_null=True, help_text="Village code."
    )
    skills = serializers.CharField(max_length=300, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=VolunteerStatus.choices, required=False)
    joined_on = serializers.DateField(required=False, allow_null=True)
    left_on = serializers.DateField(required=False, allow_null=True)


class UpdateVolunteerInputSerializer(CreateVolunteerInputSerializer):
    """Any of the fields (validated with partial=True); those left out stay as they are."""


class VolunteerViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The volunteers the user sees, with their memberships; contacts only where allowed. POST
    adds one and PATCH changes one (roster managers of the kecamatan)."""

    scoped_model = Volunteer
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.select_related("district").prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("corps", "level"))
        )

    def _respond(self, volunteer, status_code):
        volunteer = self.get_queryset().get(pk=volunteer.pk)
        return Response(self.get_serializer(volunteer).data, status=status_code)

    @extend_schema(request=CreateVolunteerInputSerializer, responses=VolunteerSerializer)
    def create(self, request):
        serializer = CreateVolunteerInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        volunteer = create_volunteer(actor=request.user, **serializer.validated_data)
        return self._respond(volunteer, status.HTTP_201_CREATED)

    @extend_schema(request=UpdateVolunteerInputSerializer, responses=VolunteerSerializer)
    def partial_update(self, request, pk=None):
        volunteer = self.get_object()
        serializer = UpdateVolunteerInputSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        volunteer = update_volunteer(
            volunteer=volunteer, actor=request.user, **serializer.validated_data
        )
        return self._respond(volunteer, status.HTTP_200_OK)


# Assignments


class AssignmentSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "volunteer",
            "volunteer_name",
            "village",
            "village_name",
            "programme",
            "programme_name",
            "role",
            "starts_on",
            "ends_on",
            "is_current",
        ]
        read_only_fields = fields

    def get_is_current(self, assignment) -> bool:
        return assignment.is_current()


class AssignmentFilter(django_filters.FilterSet):
    """`?volunteer=12&village=35.05.01.2001&programme=3&current=true`; `current` means today's
    (Asia/Jakarta)."""

    volunteer = django_filters.NumberFilter(field_name="volunteer_id")
    village = django_filters.CharFilter(field_name="village_id")
    programme = django_filters.NumberFilter(field_name="programme_id")
    current = django_filters.BooleanFilter(method="filter_current")

    class Meta:
        model = Assignment
        fields = ["volunteer", "village", "programme", "current"]

    def filter_current(self, queryset, name, value):
        current = Assignment.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class AssignVolunteerInputSerializer(serializers.Serializer):
    volunteer = VisibleRelatedField(Volunteer)
    village = VisibleRelatedField(Village, help_text="Village code, e.g. 35.05.01.2001.")
    programme = VisibleRelatedField(Programme)
    role = serializers.ChoiceField(choices=AssignmentRole.choices, default=AssignmentRole.MAIN)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class EndAssignmentInputSerializer(serializers.Serializer):
    ends_on = serializers.DateField(
        required=False, help_text="The last day of the assignment; today when left out."
    )


class UnmentoredVillagesInputSerializer(serializers.Serializer):
    programme = VisibleRelatedField(Programme, required=False, help_text="Only this programme.")


class UnmentoredVillageSerializer(serializers.ModelSerializer):
    """An active enrolment whose village has no main mentor today."""

    enrolment = serializers.IntegerField(source="pk", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    district_name = serializers.CharField(source="village.district.name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "enrolment",
            "village",
            "village_name",
            "district_name",
            "programme",
            "programme_name",
        ]
        read_only_fields = fields


class AssignmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Mentoring assignments the user sees; POST assigns a volunteer, POST …/end/ ends an
    assignment, GET unmentored-villages/ lists the active pilot villages without a main mentor
    (roster managers of the village's kecamatan)."""

    scoped_model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def scope_queryset(self, queryset):
        return queryset.select_related("volunteer", "village", "programme").order_by("pk")

    def _respond(self, assignment, status_code):
        assignment = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(assignment).data, status=status_code)

    @extend_schema(request=AssignVolunteerInputSerializer, responses=AssignmentSerializer)
    def create(self, request):
        serializer = AssignVolunteerInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = assign_volunteer(actor=request.user, **serializer.validated_data)
        return self._respond(assignment, status.HTTP_201_CREATED)

    @extend_schema(request=EndAssignmentInputSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        serializer = EndAssignmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = end_assignment(
            assignment=assignment,
            ends_on=serializer.validated_data.get("ends_on", timezone.localdate()),
            actor=request.user,
        )
        return self._respond(assignment, status.HTTP_200_OK)

    @extend_schema(
        parameters=[UnmentoredVillagesInputSerializer],
        responses=UnmentoredVillageSerializer(many=True),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="unmentored-villages",
        filterset_class=None,
        pagination_class=None,
    )
    def unmentored_villages(self, request):
        serializer = UnmentoredVillagesInputSerializer(
            data=request.query_params, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        enrolments = villages_without_main_mentor(
            user=request.user, programme=serializer.validated_data.get("programme")
        )
        return Response(UnmentoredVillageSerializer(enrolments, many=True).data)
