from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from volunteers.models import Visit


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "volunteer", "village", "visited_on", "status"]


class VisitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Visit
    serializer_class = VisitSerializer
