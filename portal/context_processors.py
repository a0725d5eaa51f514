from villages.models import Role, role_areas


def navigation(request):
    """The signed-in user's roles, for the role-aware navigation.

    `nav_roles` is a callable so that pages which never show the navigation (the API, a redirect)
    cost nothing; it returns `Role` members, which compare equal to their values
    ("volunteer" in nav_roles) and carry a translated `label`. It reads the same cached role rows
    as scoping, so a page that scopes its rows pays no extra query for the menu.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def roles():
        held = {role for role, _code in role_areas(user)}
        return [role for role in Role if role in held]

    return {"nav_roles": roles}
