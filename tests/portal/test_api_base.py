"""What every API endpoint shares: token auth, the scoping door, errors, the schema and docs."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import get_resolver
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from portal.lib.api import ScopedViewSetMixin, exception_handler
from portal.urls import router


@pytest.fixture
def api():
    return APIClient()


def test_a_token_is_issued_for_the_right_password_and_then_authenticates(api, secretary, regions):
    response = api.post(
        "/api/auth/token/",
        {"username": "secretary", "password": "rahasia-desa-2026"},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    villages = api.get("/api/villages/").json()["results"]
    assert [village["code"] for village in villages] == ["35.05.01.2001"]


def test_a_wrong_password_gets_no_token(api, secretary):
    response = api.post(
        "/api/auth/token/", {"username": "secretary", "password": "salah"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_unknown_token_is_refused(api, regions):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert api.get("/api/villages/").status_code == 401


def test_repeated_wrong_passwords_lock_the_token_endpoint_too(api, secretary, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "secretary", "password": "salah"}, format="json")
    response = api.post(
        "/api/auth/token/",
        {"username": "secretary", "password": "rahasia-desa-2026"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "token" not in response.json()
    assert "locked" in response.json()["detail"]


def test_every_registered_viewset_takes_its_rows_from_the_scoping_door():
    for prefix, viewset, _basename in router.registry:
        assert issubclass(viewset, ScopedViewSetMixin), f"/api/{prefix}/ bypasses visible_to()"
        assert viewset.get_queryset is ScopedViewSetMixin.get_queryset, prefix
        assert hasattr(viewset.scoped_model.objects, "visible_to"), prefix


def test_a_viewset_overriding_get_queryset_is_refused_at_class_creation():
    with pytest.raises(TypeError, match="get_queryset"):

        class LeakyViewSet(ScopedViewSetMixin, APIView):
            def get_queryset(self):
                return []


def test_a_django_validation_error_becomes_a_400_naming_the_field():
    request = APIRequestFactory().get("/")
    response = exception_handler(
        ValidationError({"nik": ["NIK harus 16 digit."]}), {"request": request, "view": None}
    )
    assert response.status_code == 400
    assert response.data == {"nik": ["NIK harus 16 digit."]}

    response = exception_handler(
        ValidationError("Status tidak boleh berubah."), {"request": request}
    )
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Status tidak boleh berubah."]}


def test_the_openapi_schema_lists_the_region_endpoints(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/villages/", "/api/villages/{code}/", "/api/auth/token/"):
        assert path in paths


def test_the_api_docs_load_nothing_from_another_host(api, official):
    api.force_authenticate(official)
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []


def test_every_api_url_but_token_schema_and_docs_requires_authentication(api, regions):
    public = {"auth/token/", "schema/", "docs/"}
    resolver = get_resolver()
    api_patterns = next(p for p in resolver.url_patterns if str(p.pattern) == "api/")
    for pattern in api_patterns.url_patterns:
        route = str(pattern.pattern)
        if route in public or "<" in route or "(?P" in route:
            continue
        assert api.get(f"/api/{route}").status_code in (401, 403), route
