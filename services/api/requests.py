from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from services.models import ServiceRequest


class ServiceRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRequest
        fields = ["id", "tracking_code", "status"]


class ServiceRequestViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = ServiceRequest
    serializer_class = ServiceRequestSerializer
