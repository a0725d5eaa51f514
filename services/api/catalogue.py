from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from services.models import ServiceType


class ServiceTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceType
        fields = ["id", "code", "name"]


class ServiceTypeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = ServiceType
    serializer_class = ServiceTypeSerializer
