"""The shortage catalogue over HTTP: an administrator publishes version 1, anyone reads it (page, XLSX,
API), and search tags postings of its occupations 紧缺."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from indexer.search.embedded import EmbeddedBackend
from indexer.worker import rebuild


@pytest.fixture
def no_catalogue(db_session):
    from sqlalchemy import delete

    from core.statistics.models import ShortageCatalogue

    db_session.execute(delete(ShortageCatalogue))
    db_session.flush()


def _publish_welders(client):
    assert client.post("/stats/catalogue/draft", data={"period": "2026-Q4"}).status_code == 303
    assert client.post("/stats/catalogue/draft/entries", data={"occupation": "焊工", "note": "招工难"}).status_code == 303
    resp = client.post("/stats/catalogue/draft/publish", data={"note": ""})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/stats/catalogue/v1")


def test_admin_publishes_version_one_and_everyone_reads_it(client, login_as, no_catalogue):
    login_as("admin")
    assert "目录尚未发布" in client.get("/stats/catalogue").get_data(as_text=True)
    _publish_welders(client)
    client.post("/logout")
    page = client.get("/stats/catalogue/v1").get_data(as_text=True)
    assert "第 1 版" in page and "焊工" in page and "人工补充" in page
    api = client.get("/api/v1/shortage-catalogue").get_json()
    assert api["version"] == 1 and api["entries"][0]["occupation_code"] == "6-18-02-04"
    assert api["entries"][0]["occupation"] == "焊工"
    rows = list(load_workbook(io.BytesIO(client.get("/stats/catalogue/v1.xlsx").data)).active.iter_rows(values_only=True))
    assert ("6-18-02-04", "焊工", "人工补充") == rows[3][:3]
    assert client.get("/stats/catalogue/v2").status_code == 404
    assert client.get("/api/v1/shortage-catalogue?version=2").status_code == 404
    assert client.get("/api/v1/shortage-catalogue?version=x").status_code == 400


def test_only_admins_edit_the_draft(client, login_as, no_catalogue):
    login_as("commissioner")
    assert client.post("/stats/catalogue/draft", data={"period": "2026-Q4"}).status_code == 403
    assert client.get("/stats/catalogue/draft").status_code == 403


def test_bad_occupation_is_told_in_words(client, login_as, no_catalogue):
    login_as("admin")
    client.post("/stats/catalogue/draft", data={"period": "2026-Q4"})
    client.post("/stats/catalogue/draft/entries", data={"occupation": "不存在的工种"})
    page = client.get("/stats/catalogue/draft").get_data(as_text=True)
    assert "没有找到这个职业" in page


def test_search_shows_the_shortage_tag(app, client, login_as, make_posting, no_catalogue, db_session, tmp_path,
                                       monkeypatch):
    backend = EmbeddedBackend(tmp_path / "search")
    monkeypatch.setitem(app.extensions, "search", backend)
    welder = make_posting("电焊工", occupation_code="6-18-02-04", region_code="630102")
    cook = make_posting("中式烹调师", occupation_code="4-03-02-01", region_code="630102")
    rebuild(db_session, backend, "postings")
    login_as("admin")
    _publish_welders(client)
    page = client.get("/search?region=630102").get_data(as_text=True)
    items = page.split('class="posting-item"')[1:]
    tagged = {("电焊工" in item, "紧缺" in item) for item in items}
    assert (True, True) in tagged and (False, False) in tagged
    assert welder.id and cook.id
