"""API over village profiles and IDM scores: `/api/villages/{code}/profile/` and `/api/idm-scores/`.

Reads are scoped by `visible_to`; writes go through the actions, which refuse (403) those who may
see a village but not change it.
"""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from villages.actions.profiles import PROFILE_FIELDS, record_idm_score, update_village_profile
from villages.models import IdmScore, Village, VillageProfile
from villages.permissions import can_edit_village_profile
from villages.selectors.profiles import CONTACT_FIELDS


class VillageSummarySerializer(serializers.ModelSerializer):
    """A row of the village list, with its connectivity and latest IDM (from annotations)."""

    connectivity = serializers.SerializerMethodField()
    latest_idm_year = serializers.IntegerField(read_only=True, allow_null=True)
    latest_idm_score = serializers.DecimalField(
        max_digits=5, decimal_places=4, read_only=True, allow_null=True
    )
    latest_idm_status = serializers.CharField(
        source="latest_idm_status_code", read_only=True, allow_null=True
    )

    class Meta:
        model = Village
        fields = [
            "code",
            "name",
            "kind",
            "district",
            "connectivity",
            "latest_idm_year",
            "latest_idm_score",
            "latest_idm_status",
        ]

    def get_connectivity(self, village) -> str:
        try:
            return village.profile.connectivity
        except VillageProfile.DoesNotExist:
            return ""


class VillageProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageProfile
        fields = ["village", *PROFILE_FIELDS, "updated_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Contacts are personal data: only those who may edit the profile see them.
        if not self.context.get("show_contacts"):
            for name in CONTACT_FIELDS:
                data.pop(name, None)
        return data


class UpdateVillageProfileInputSerializer(serializers.ModelSerializer):
    """Any subset of the profile's fields; the model's validators apply."""

    class Meta:
        model = VillageProfile
        fields = list(PROFILE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in PROFILE_FIELDS}


class VillageProfileActionsMixin:
    """`GET/PATCH /api/villages/{code}/profile/` for the village viewset."""

    @extend_schema(
        methods=["GET"],
        responses=VillageProfileSerializer,
        description="The village's profile; the contact phones only for those who may edit it.",
    )
    @extend_schema(
        methods=["PATCH"],
        request=UpdateVillageProfileInputSerializer,
        responses=VillageProfileSerializer,
        description="Change some profile fields: 403 for those who may see but not edit.",
    )
    @action(detail=True, methods=["get", "patch"], url_path="profile", filterset_class=None)
    def profile(self, request, code=None):
        village = self.get_object()
        if request.method == "PATCH":
            serializer = UpdateVillageProfileInputSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            profile = update_village_profile(
                village=village, actor=request.user, **serializer.validated_data
            )
        else:
            profile = VillageProfile.objects.filter(village=village).first() or VillageProfile(
                village=village
            )
        context = {"show_contacts": can_edit_village_profile(request.user, village)}
        return Response(VillageProfileSerializer(profile, context=context).data)


class IdmScoreSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id", read_only=True)
    status = serializers.CharField(source="status_code", read_only=True, allow_null=True)
    status_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = IdmScore
        fields = ["id", "village", "year", "score", "status", "status_name"]


class RecordIdmScoreInputSerializer(serializers.Serializer):
    village = serializers.CharField(max_length=13)
    year = serializers.IntegerField(min_value=2015, max_value=2100)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=0, max_value=1, coerce_to_string=False
    )


class IdmScoreFilter(django_filters.FilterSet):
    village = django_filters.CharFilter(field_name="village_id")
    year = django_filters.NumberFilter()

    class Meta:
        model = IdmScore
        fields = ["village", "year"]


class IdmScoreViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Yearly IDM scores of the villages the user may see, each with its status band."""

    scoped_model = IdmScore
    serializer_class = IdmScoreSerializer
    filterset_class = IdmScoreFilter

    def scope_queryset(self, queryset):
        return queryset.with_status().order_by("village_id", "-year")

    @extend_schema(request=RecordIdmScoreInputSerializer, responses={201: IdmScoreSerializer})
    def create(self, request, *args, **kwargs):
        """Record a village's score for a year (replacing that year's score)."""
        serializer = RecordIdmScoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        village = get_object_or_404(Village.objects.visible_to(request.user), pk=data["village"])
        idm_score = record_idm_score(
            village=village, year=data["year"], score=data["score"], actor=request.user
        )
        return Response(IdmScoreSerializer(idm_score).data, status=status.HTTP_201_CREATED)
