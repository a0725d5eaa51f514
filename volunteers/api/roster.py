from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from volunteers.models import Assignment, Volunteer


class VolunteerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Volunteer
        fields = ["id", "full_name"]


class VolunteerViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Volunteer
    serializer_class = VolunteerSerializer


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "volunteer", "village", "programme", "role", "starts_on", "ends_on"]


class AssignmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Assignment
    serializer_class = AssignmentSerializer
