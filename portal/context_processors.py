from functools import cache

from villages.models import Role, RoleAssignment


def navigation(request):
    """The signed-in user's roles, for the role-aware navigation.

    `nav_roles` is a callable so that pages which never show the navigation (the API, a redirect)
    cost no query; it returns `Role` members, which compare equal to their values
    ("volunteer" in nav_roles) and carry a translated `label`. One query, however often it is used.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def roles():
        held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        return [role for role in Role if role in held]

    return {"nav_roles": roles}
