from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.lib.health import broker_state, database_state
from villages.models import RoleAssignment


@require_GET
@never_cache
def healthz(request):
    """200 when the database and the broker are usable, 503 with the failing part otherwise."""
    checks = {"database": database_state(), "broker": broker_state()}
    healthy = all(state in ("ok", "eager") for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


@login_required
def home(request):
    """The user's roles, each with its area linked into the region browser."""
    assignments = (
        RoleAssignment.objects.filter(user=request.user)
        .select_related("regency", "district__regency", "village__district__regency")
        .order_by("role", "regency_id", "district_id", "village_id")
    )
    return render(request, "portal/home.html", {"assignments": assignments})
