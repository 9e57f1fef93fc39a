"""The login rate limit with Redis storage (as configured in docker-compose): counters live in Redis,
so several gunicorn workers — here, two app instances — share one budget."""
from __future__ import annotations

import uuid

import pytest

REDIS_URL = "redis://127.0.0.1:6379/15"
PASSWORD = "Qing-Shui-He-Pan-2026"


def _redis_or_skip():
    import os

    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:
        if os.environ.get("CI"):
            pytest.fail("Redis is not reachable at 127.0.0.1:6379")
        pytest.skip("Redis not reachable at 127.0.0.1:6379")


@pytest.fixture
def limiter_guard():
    from webapp.extensions import limiter

    saved = limiter.enabled
    yield
    limiter.enabled = saved


def _app(tmp_path, name, prefix):
    from core.accounts.services import create_user
    from core.all_models import metadata
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}",
        "INSTANCE_PATH": str(tmp_path / name), "SEARCH_BACKEND": "null", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT": "4 per minute",
        "SECRET_KEY": "k", "JOBLINK_PII_KEY": "q0ngtt8xiqsQ2qXEMo2s6lhZC7U2S8m1QzVhM1F4y3I=", "JOBLINK_PII_HASH_KEY": "h",
    })
    with app.app_context():
        metadata.create_all(db.engine)
        from sqlalchemy import select

        from core.accounts.models import User

        if db.session.scalar(select(User).where(User.username == "zhaoliu")) is None:
            create_user(db.session, username="zhaoliu", password=PASSWORD, role="jobseeker")
            db.session.commit()
    return app


def test_two_workers_share_one_login_budget_in_redis(tmp_path, limiter_guard):
    _redis_or_skip()
    prefix = f"joblink-test-{uuid.uuid4().hex[:8]}"
    first, second = _app(tmp_path, "w1", prefix), _app(tmp_path, "w2", prefix)
    a, b = first.test_client(), second.test_client()
    bad = {"username": "zhaoliu", "password": "wrong-password-0000"}
    codes = [a.post("/login", data=bad).status_code, b.post("/login", data=bad).status_code,
             a.post("/login", data=bad).status_code, b.post("/login", data=bad).status_code,
             a.post("/login", data=bad).status_code, b.post("/login", data=bad).status_code]
    assert codes == [400, 400, 400, 400, 429, 429]
    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
    assert keys, "the limiter's counters are not in Redis"
    redis.Redis.from_url(REDIS_URL).delete(*keys)
