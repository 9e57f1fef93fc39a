"""Fixtures for intake tests: channels of each kind, and a real local HTTP feed server."""
from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


@pytest.fixture
def make_channel(db_session):
    from core.channels.services import create_channel

    def _make(code: str, kind: str = "public_agency", trust: str = "standard", **kwargs):
        ch = create_channel(db_session, code, kwargs.pop("name", code), kind, trust_level=trust, **kwargs)
        db_session.commit()
        return ch

    return _make


def _ts(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


class FeedServer:
    """Serves ``items`` as the JobLink feed (docs/feeds.md). ``fail_pages`` maps a request number
    (1-based, counted over the server's life) to a failure: "http500", "malformed", "hang"."""

    def __init__(self, items: list[dict]):
        self.items = items
        self.requests: list[dict] = []
        self.fail_requests: dict[int, str] = {}
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                server.requests.append(q)
                failure = server.fail_requests.get(len(server.requests))
                if failure == "http500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if failure == "hang":
                    server.release.wait(10)
                    return
                since = q.get("updated_since")
                page, size = int(q.get("page", 1)), int(q.get("page_size", 100))
                rows = sorted((it for it in server.items if not since or _ts(it["updated_at"]) >= _ts(since)),
                              key=lambda it: (_ts(it["updated_at"]), it.get("id") or it.get("task_id")))
                chunk = rows[(page - 1) * size: page * size]
                body = {"page": page, "page_size": size, "total": len(rows), "has_more": page * size < len(rows),
                        "items": chunk}
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                if failure == "malformed":
                    data = data[: len(data) // 2]
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    servers = []

    def _start(items):
        s = FeedServer(items).start()
        servers.append(s)
        return s

    yield _start
    for s in servers:
        s.stop()


def load_items(name: str) -> list[dict]:
    return json.loads((FIX / name).read_text(encoding="utf-8"))
