"""The dashboard pages (officials, kecamatan officers, administrators) and the public programme
page. Thin: check the area, read the cached figures, render."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from portal.dashboard import public
from portal.dashboard.actions import version_keys as rollup_version_keys
from portal.dashboard.charts import trend_chart
from portal.dashboard.forms import DashboardFilterForm
from portal.dashboard.selectors import (
    CACHE_SECONDS,
    Area,
    cached_area,
    cached_dashboard_figures,
    dashboard_scope,
    default_period,
    figures_cache_key,
    has_dashboard,
    home_area_codes,
    latest_report,
    village_enrolments,
)
from portal.lib import api_cache
from portal.notifications.models import unread_cache_key
from services.forms.tracking import TrackingLookupForm
from services.views.letters import LetterLookupForm
from villages.models import EnrolmentStatus

LEVEL_URLS = {
    "regency": "dashboard:regency",
    "district": "dashboard:district",
    "village": "dashboard:village",
}


def area_url(level: str, code: str) -> str:
    return reverse(LEVEL_URLS[level], args=[code])


def trend_charts(trend: list[dict]) -> dict:
    return {
        "visits": trend_chart(
            title=gettext("Mentoring visits and participants per month"),
            months=trend,
            series=[
                ("visits", gettext("Visits")),
                ("participants_women", gettext("Women")),
                ("participants_men", gettext("Men")),
            ],
        ),
        "requests": trend_chart(
            title=gettext("Service requests per month"),
            months=trend,
            series=[
                ("requests_filed", gettext("Filed")),
                ("requests_completed", gettext("Completed")),
                ("requests_on_time", gettext("Completed on time")),
            ],
        ),
    }


def _map_context(area: Area, filters: dict) -> dict | None:
    """The map's GeoJSON (the existing boundary API, cached there) and the two layers from the
    rollups (visits in the period, request backlog), fetched by the browser after the page."""
    if area.level not in ("regency", "district", "village"):
        return None
    if area.level == "village":
        geojson = reverse("api:village-boundary-detail", args=[area.code])
    else:
        query = {area.level: area.code, "zoom": 10 if area.level == "regency" else 12}
        if filters["programme_id"]:
            query["programme"] = filters["programme_id"]
        geojson = f"{reverse('api:village-boundary-list')}?{urlencode(query)}"
    layers = {
        "area": area.code,
        "start": filters["start"].strftime("%Y-%m"),
        "end": filters["end"].strftime("%Y-%m"),
    }
    if filters["programme_id"]:
        layers["programme"] = filters["programme_id"]
    return {
        "map_id": "dashboard-map",
        "geojson_url": geojson,
        "layers_url": f"{reverse('api:dashboard-map-layers')}?{urlencode(layers)}",
    }


def _bound_form(request, area: Area) -> DashboardFilterForm:
    # Always bound: an empty query string is valid and means the defaults.
    form = DashboardFilterForm(request.GET, area=area)
    form.is_valid()
    return form


# Stands for the CSRF token in a stored page; each answer gets a freshly masked token of its own.
CSRF_PLACEHOLDER = "csrf-token-of-this-response"


# Besides the rollups, the page shows the user, their roles and areas, region names (the
# signed-in user's apps) and the latest report; requests and visits only through the rollups.
PAGE_LABELS = (*api_cache.USER_LABELS, "reports")


def _area_page(request, code: str | None, level: str | None = None):
    """The page of the area with this code (None: the country; 404 unless it is of `level`),
    stored whole per user and URL while nothing it shows has changed: the apps of `PAGE_LABELS`,
    the area's rollups and the user's unread count. A repeated look costs one cache read. Not
    stored with messages to show."""
    rendered = None

    def render_page():
        nonlocal rendered
        area = cached_area(code)
        if area is None or (level and area.level != level):
            raise Http404
        rendered = _render_area(request, area)
        return rendered.content, rendered.status_code == 200

    if not settings.API_READ_CACHE or len(get_messages(request)):
        render_page()
    else:
        content = api_cache.versioned(
            api_cache.read_key(request),
            render_page,
            PAGE_LABELS,
            other_state=(
                *rollup_version_keys(code[:5] if code else None),
                unread_cache_key(request.user.pk),
            ),
            timeout=CACHE_SECONDS,
        )
    # A miss answers with the page just rendered (whatever its status), a hit with its content.
    return _with_csrf_token(request, rendered if rendered is not None else HttpResponse(content))


def _with_csrf_token(request, response):
    if CSRF_PLACEHOLDER.encode() in response.content:
        token = get_token(request).encode()
        response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), token)
    return response


def _render_area(request, area: Area):
    context = {
        "area": area,
        "child_level": area.child_level,
        "statuses": EnrolmentStatus,
        "csrf_token": CSRF_PLACEHOLDER,
    }
    form = None
    if request.GET:
        form = context["form"] = _bound_form(request, area)
        if form.errors:
            return render(request, "dashboard/area.html", context, status=400)
        kecamatan = form.cleaned_data.get("kecamatan")
        if kecamatan:
            # The kecamatan filter is its drill-down, keeping the other filters.
            query = request.GET.copy()
            query.pop("kecamatan", None)
            url = area_url("district", kecamatan)
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        filters = form.filters()
    else:
        # No query string: the form's defaults, without building the form (its choices and
        # validation cost more than the rest of a warm page); it is rendered only when the
        # cached filter bar is missing.
        start, end = default_period()
        filters = {"programme_id": None, "start": start, "end": end}
    context.update(
        latest_report=latest_report(
            user=request.user, area=area, programme_id=filters["programme_id"]
        ),
        filter_query=urlencode(
            {
                key: value
                for key, value in (
                    ("programme", filters["programme_id"] or ""),
                    ("start", filters["start"].strftime("%Y-%m")),
                    ("end", filters["end"].strftime("%Y-%m")),
                )
                if value
            }
        ),
    )
    # The figures' part of the page and the filter form are the same for everyone who sees the
    # area: rendered once per figures version, query and language, they make a repeated look
    # cheap (Django's widget templates alone cost more than the rest of the page).
    key = f"{figures_cache_key(area=area, **filters)}:{get_language()}"
    query = hashlib.sha256(urlencode(sorted(request.GET.lists()), doseq=True).encode())
    filters_key = f"{key}:filters:{query.hexdigest()[:24]}"
    filters_html = cache.get(filters_key)
    if filters_html is None:
        filters_html = render_to_string(
            "dashboard/includes/filters.html",
            {"form": form or _bound_form(request, area)},
            request=request,
        )
        cache.set(filters_key, filters_html, CACHE_SECONDS)
    key = f"{key}:body"
    body = cache.get(key)
    if body is None:
        figures = cached_dashboard_figures(area=area, **filters)
        body = render_to_string(
            "dashboard/includes/body.html",
            {
                **context,
                "figures": figures,
                "kpis": figures["kpis"],
                "charts": trend_charts(figures["trend"]),
                "map": _map_context(area, filters),
                "enrolments": village_enrolments(area.code) if area.level == "village" else None,
            },
            request=request,
        )
        cache.set(key, body, CACHE_SECONDS)
    context.update(body=mark_safe(body), filters_html=mark_safe(filters_html), figures=True)
    return render(request, "dashboard/area.html", context)


@require_GET
@login_required
def dashboard_home(request):
    """The user's own area: the country for administrators, else their kabupaten or kecamatan
    (a list when they hold several). 403 for roles without a dashboard."""
    if not has_dashboard(request.user):
        raise PermissionDenied(gettext("The dashboard is for officials and kecamatan officers."))
    codes = home_area_codes(request.user)
    if codes is None:
        return _area_page(request, None)
    if len(codes) == 1:
        return _area_page(request, codes[0])
    areas = [
        (area, area_url(area.level, area.code))
        for area in (cached_area(code) for code in codes)
        if area
    ]
    return render(request, "dashboard/choose.html", {"areas": areas})


def _area_view(level: str):
    @require_GET
    @login_required
    def view(request, code: str):
        if not dashboard_scope(request.user).covers(code):
            raise Http404
        return _area_page(request, code, level)

    view.__name__ = f"{level}_dashboard"
    return view


regency_dashboard = _area_view("regency")
district_dashboard = _area_view("district")
village_dashboard = _area_view("village")


@require_GET
def public_index(request):
    return render(request, "public/index.html", {"regencies": public.regency_list()})


@require_GET
def public_regency(request, code: str):
    page = public.regency_page(code)
    if page is None:
        raise Http404
    return render(
        request,
        "public/regency.html",
        {
            "page": page,
            "tracking_form": TrackingLookupForm(),
            "letter_form": LetterLookupForm(),
            "charts": trend_charts(page["trend"]),
            "map": {
                "map_id": "public-map",
                "geojson_url": reverse("public:regency-map", args=[code]),
            },
        },
    )


@require_GET
def public_regency_map(request, code: str):
    from django.http import JsonResponse

    collection = public.regency_map(code)
    if collection is None:
        raise Http404
    response = JsonResponse(collection)
    response["Cache-Control"] = f"public, max-age={public.CACHE_SECONDS}"
    return response
