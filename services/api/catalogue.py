"""The catalogue API: service types for every signed-in user, edited by district officials;
which types a village offers, set by its secretary or the regency's officials."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from services.actions.catalogue import save_service_type, set_village_service
from services.catalogue import offered_service_types
from services.models import HandlingLevel, ServiceType, VillageService
from villages.models import Village


class ServiceTypeSerializer(serializers.ModelSerializer):
    required_documents = serializers.ListField(
        source="document_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = ServiceType
        fields = [
            "id",
            "code",
            "name",
            "description",
            "required_documents",
            "handling_level",
            "agency",
            "sla_working_days",
            "issues_letter",
            "letter_code",
            "letter_title",
            "letter_body",
            "is_active",
            "order",
        ]


class SaveServiceTypeInputSerializer(serializers.Serializer):
    """Omitted fields keep their value (PATCH) or the model's default (POST)."""

    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True)
    required_documents = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        help_text="One per document.",
    )
    handling_level = serializers.ChoiceField(choices=HandlingLevel.choices, required=False)
    agency = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sla_working_days = serializers.IntegerField(help_text="At least 1.")
    issues_letter = serializers.BooleanField(required=False)
    letter_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    letter_title = serializers.CharField(max_length=150, required=False, allow_blank=True)
    letter_body = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    order = serializers.IntegerField(min_value=0, required=False)

    def validate_required_documents(self, documents):
        return "\n".join(document.strip() for document in documents if document.strip())


class VillageServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = VillageService
        fields = ["village", "service_type", "is_offered"]


class SetVillageServiceInputSerializer(serializers.Serializer):
    village = serializers.CharField(help_text="Village code, e.g. 35.05.01.2001.")
    is_offered = serializers.BooleanField()


class ServiceTypeFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="is_active")
    village = django_filters.CharFilter(
        method="offered_in",
        label="Village code: only the active types that village offers (none if out of scope).",
    )

    class Meta:
        model = ServiceType
        fields = ["active", "village"]

    def offered_in(self, queryset, name, code):
        village = Village.objects.visible_to(self.request.user).filter(code=code).first()
        if village is None:
            return queryset.none()
        return queryset.filter(pk__in=offered_service_types(village).values("pk"))


class ServiceTypeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The catalogue; POST and PATCH for district officials, `village-setting` for whoever may
    choose a village's services."""

    scoped_model = ServiceType
    serializer_class = ServiceTypeSerializer
    filterset_class = ServiceTypeFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=SaveServiceTypeInputSerializer, responses=ServiceTypeSerializer)
    def create(self, request):
        serializer = SaveServiceTypeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service_type = save_service_type(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(service_type).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SaveServiceTypeInputSerializer, responses=ServiceTypeSerializer)
    def partial_update(self, request, pk=None):
        service_type = self.get_object()
        serializer = SaveServiceTypeInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        service_type = save_service_type(
            service_type=service_type, actor=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(service_type).data)

    @extend_schema(request=SetVillageServiceInputSerializer, responses=VillageServiceSerializer)
    @action(detail=True, methods=["post"], url_path="village-setting")
    def village_setting(self, request, pk=None):
        """Whether a village offers this type (its secretary, the regency's officials)."""
        service_type = self.get_object()
        serializer = SetVillageServiceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        village = get_object_or_404(Village.objects.visible_to(request.user), pk=data["village"])
        setting = set_village_service(
            village=village,
            service_type=service_type,
            is_offered=data["is_offered"],
            actor=request.user,
        )
        return Response(VillageServiceSerializer(setting).data)
