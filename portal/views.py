from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.lib.health import broker_state, database_state


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
    return render(request, "portal/home.html")
