"""Every setting in ``webapp.config.SETTINGS`` reaches the app from the environment, and the README's
configuration table is the one SETTINGS renders."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.config import SETTINGS, load_config, settings_table

ROOT = Path(__file__).resolve().parents[3]
KEYS = {
    "SECRET_KEY": "test-secret-key-not-for-production",
    "JOBLINK_PII_KEY": "q0ngtt8xiqsQ2qXEMo2s6lhZC7U2S8m1QzVhM1F4y3I=",
    "JOBLINK_PII_HASH_KEY": "test-hash-key",
}
# A value unlike each default; a setting load_config drops leaves the config as it was.
PROBES = {"SESSION_COOKIE_SECURE": "1", "SEARCH_VECTOR_DIMS": "16", "MATCHER_WEIGHTS": '{"semantic": 0.5}'}


def test_readme_configuration_table_is_the_one_settings_renders():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, (
        "README.md's configuration table differs from webapp.config.SETTINGS; paste the output of\n"
        "python -c 'from webapp.config import settings_table; print(settings_table())'"
    )


def test_every_setting_is_documented_with_a_description():
    assert all(doc.strip() for _default, doc in SETTINGS.values())


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_read_from_the_environment_changes_the_config(name, tmp_path):
    base = load_config(tmp_path, env=dict(KEYS))
    probe = PROBES.get(name, f"probe-{name.lower()}")
    changed = load_config(tmp_path, env={**KEYS, name: probe})
    assert {k for k in base.keys() | changed.keys() if base.get(k) != changed.get(k)}, f"{name} is dropped"


def _app_from_env(monkeypatch, tmp_path, env: dict[str, str], **config):
    """An app whose settings all come from the environment, as in a deployment."""
    from webapp import create_app

    defaults = {**KEYS, "JOBLINK_INSTANCE": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}"}
    for name, value in {**defaults, **env}.items():
        monkeypatch.setenv(name, value)
    return create_app({"TESTING": True, **config})


def test_elasticsearch_prefix_and_vector_dims_reach_the_backend(monkeypatch, tmp_path):
    from indexer.search.elastic import ElasticsearchBackend

    app = _app_from_env(monkeypatch, tmp_path, {"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": "http://127.0.0.1:9",
                                                "ELASTICSEARCH_PREFIX": "bureau7", "SEARCH_VECTOR_DIMS": "24"})
    backend = app.extensions["search"]
    assert isinstance(backend, ElasticsearchBackend)
    assert backend.alias("postings") == "bureau7-postings"
    assert backend.vector_dims == {"postings": 24, "seekers": 24}


def test_instance_folder_database_and_session_cookie_come_from_the_environment(monkeypatch, tmp_path):
    from webapp.extensions import db

    app = _app_from_env(monkeypatch, tmp_path, {"SEARCH_BACKEND": "null", "SESSION_COOKIE_SECURE": "1"})
    assert Path(app.instance_path) == tmp_path / "instance"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        assert str(db.engine.url) == f"sqlite:///{tmp_path / 'env.db'}"


def test_partner_rate_limits_come_from_the_environment(monkeypatch, tmp_path, limiter_guard):
    from core.all_models import metadata
    from core.channels.services import create_channel, issue_api_key
    from webapp.extensions import db

    app = _app_from_env(monkeypatch, tmp_path, {"SEARCH_BACKEND": "null", "PARTNER_RATE_LIMIT": "2 per minute",
                                                "PARTNER_UNVERIFIED_RATE_LIMIT": "1 per minute",
                                                "RATELIMIT_STORAGE_URI": "memory://"}, RATELIMIT_ENABLED=True)
    with app.app_context():
        metadata.create_all(db.engine)
        key = issue_api_key(db.session, create_channel(db.session, "probe", "测试渠道", "hr_market"))
        db.session.commit()
        keys = [key] * 3 + ["jl_probe-key"] * 2
        codes = [app.test_client().post("/api/v1/partner/postings", json={"postings": []},
                                        headers={"X-API-Key": k}).status_code for k in keys]
    assert codes == [400, 400, 429, 401, 429]  # the channel's 2, then a wrong key's own 1
