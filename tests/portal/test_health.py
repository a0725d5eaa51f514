"""`/healthz` tells a load balancer whether the database and the broker are usable."""

import socket

import pytest


def a_closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_it_is_healthy_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_is_unhealthy_when_the_broker_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{a_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db(transaction=True)
def test_it_is_unhealthy_when_the_database_does_not_answer(client, settings):
    from django.db import connections

    connection = connections["default"]
    real_settings = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict["PORT"] = a_closed_port()
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.update(real_settings)
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process_and_health_says_so(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "eager"


def test_it_needs_no_login_and_answers_only_get(client, db):
    assert client.post("/healthz").status_code == 405
