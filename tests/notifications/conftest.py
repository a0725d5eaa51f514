"""A stand-in WhatsApp gateway: a real HTTP server on a free port that records what it was sent
and answers as told; and Celery run in-process for the tests that follow a task through."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from portal.celery import app as celery_app

GATEWAY_TOKEN = "token-rahasia-123"
# Short, so that the "sleeps past the timeout" answer costs the suite little.
GATEWAY_TIMEOUT = 0.5


class Gateway:
    """Answers each POST with the next of `answers` ("ok" once they run out):
    "ok", "refused" (200 with status false), "400", "500", "no-json", "sleep" (past the timeout),
    "close" (drops the connection without an answer). `delay` slows every answer down."""

    def __init__(self):
        self.answers: list[str] = []
        self.requests: list[SimpleNamespace] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with gateway.lock:
                    gateway.requests.append(
                        SimpleNamespace(
                            path=self.path,
                            headers=dict(self.headers),
                            json=json.loads(body),
                        )
                    )
                    answer = gateway.answers.pop(0) if gateway.answers else "ok"
                time.sleep(gateway.delay)
                if answer == "close":
                    self.close_connection = True
                    self.connection.close()
                    return
                if answer == "sleep":
                    time.sleep(GATEWAY_TIMEOUT * 3)
                    answer = "ok"
                status, payload = {
                    "ok": (200, {"status": True, "detail": "success! message in queue"}),
                    "refused": (200, {"status": False, "reason": "invalid token"}),
                    "400": (400, {"status": False, "reason": "target invalid"}),
                    "500": (500, {"status": False, "reason": "internal error"}),
                    "no-json": (200, None),
                }[answer]
                data = b"<html>ok</html>" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    with Gateway() as server:
        settings.WHATSAPP_GATEWAY_URL = server.url
        settings.WHATSAPP_GATEWAY_TOKEN = GATEWAY_TOKEN
        settings.WHATSAPP_GATEWAY_TIMEOUT = GATEWAY_TIMEOUT
        yield server


@pytest.fixture
def eager_celery():
    """Tasks run in-process when enqueued, as in the embedded default; nothing reaches the
    shared Redis broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def eager_retries(eager_celery):
    """In-process retries: Celery runs them at once (no backoff wait), but only when eager task
    errors are not propagated; with propagation the first retry escapes as `Retry`."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


class Broker:
    """Celery's broker switched off and on for a test: `down()` points it at a port where nothing
    listens (publishing not retried, so the test does not wait), `up()` back at the real Redis
    with the notification tasks routed to a queue of this test's own, so that a worker started
    by the test takes no other run's messages from the shared Redis. Everything is put back
    afterwards, and the app's connection pools and router rebuilt each time."""

    def __init__(self):
        conf = celery_app.conf
        self.saved = (
            conf.broker_url,
            conf.task_publish_retry,
            conf.task_always_eager,
            conf.task_routes,
        )
        self.queue = f"test-notifications-{uuid.uuid4().hex}"

    def _reset(self):
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)

    def down(self):
        celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
        celery_app.conf.task_publish_retry = False
        celery_app.conf.task_always_eager = False
        self._reset()

    def up(self):
        celery_app.conf.broker_url = self.saved[0]
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_routes = {"portal.notifications.tasks.*": {"queue": self.queue}}
        self._reset()

    def restore(self):
        conf = celery_app.conf
        (conf.broker_url, conf.task_publish_retry, conf.task_always_eager, conf.task_routes) = (
            self.saved
        )
        self._reset()


@pytest.fixture
def broker():
    switch = Broker()
    yield switch
    switch.restore()


@pytest.fixture
def broker_down(broker):
    """Celery's broker at a port where nothing listens, as when Redis is down."""
    broker.down()
    return broker
