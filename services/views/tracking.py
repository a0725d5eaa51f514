"""Public tracking pages (no login): a citizen types the code on their receipt and sees where
their request is. Lookups are limited per client address (services.throttle), shared with the
API."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from services.forms.tracking import TrackingLookupForm
from services.throttle import count_lookup
from services.tracking import normalise_tracking_code, public_tracking


def _public(response):
    # A tracking page is for the applicant holding the receipt, not for search engines or caches.
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response


# POST, not GET: citizens sometimes type their NIK into the box, and a GET would put it in the
# address (history, server logs).
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def tracking_lookup_view(request):
    form = TrackingLookupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        code = normalise_tracking_code(form.cleaned_data["code"])
        if code is not None:
            return redirect("tracking:detail", code)
        form.add_error("code", gettext("A tracking code has twelve letters and digits."))
    if form.is_bound and form.errors:
        # What was typed is not shown back: it may be a NIK (or someone else's code).
        form.data = form.data.copy()
        form.data["code"] = ""
    return _public(render(request, "services/tracking_lookup.html", {"form": form}))


@require_GET
def tracking_detail_view(request, code: str):
    wait = count_lookup(request)
    if wait is not None:
        response = render(request, "services/tracking_limited.html", status=429)
        response["Retry-After"] = str(wait)
        return _public(response)
    tracking = public_tracking(code)
    response = render(
        request,
        "services/tracking_detail.html",
        {"tracking": tracking, "code": code, "form": TrackingLookupForm()},
        status=200 if tracking else 404,
    )
    return _public(response)
