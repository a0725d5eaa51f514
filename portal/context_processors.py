from villages.models import RoleAssignment


def navigation(request):
    """The signed-in user's roles, for the role-aware navigation (one query, only when rendered)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles():
        return sorted({assignment.role for assignment in RoleAssignment.objects.filter(user=user)})

    return {"nav_roles": roles}
