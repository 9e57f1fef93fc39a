"""The partner push API: per-channel key, idempotent by external id, per-record results, bad batches."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from core.channels.services import issue_api_key
from core.postings.models import Posting, PostingSource

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"
URL = "/api/v1/partner/postings"


def _batch():
    return json.loads((FIX / "partner_batch.json").read_text(encoding="utf-8"))


def _keyed(db_session, make_channel, code="hr-firm", kind="hr_firm", **kw):
    ch = make_channel(code, kind, "trusted", licence_number=kw.pop("licence_number", "（粤）人服证字〔2020〕第0101000123号"), **kw)
    key = issue_api_key(db_session, ch)
    db_session.commit()
    return ch, key


def test_wrong_or_missing_key_is_refused_and_nothing_is_stored(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    for headers in ({}, {"X-API-Key": "jl_wrong"}, {"X-API-Key": key + "x"}, {"Authorization": "Bearer nope"}):
        resp = client.post(URL, json=_batch(), headers=headers)
        assert resp.status_code == 401
        assert resp.get_json()["error"]["code"] == "invalid_api_key"
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) == 0


def test_batch_gets_one_result_per_record_and_a_replay_does_not_double(client, db_session, make_channel):
    ch, key = _keyed(db_session, make_channel)
    batch = _batch()
    resp = client.post(URL, json=batch, headers={"X-API-Key": key})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert [r["index"] for r in body["results"]] == list(range(len(batch["postings"])))
    assert [r["external_id"] for r in body["results"]] == [p["external_id"] for p in batch["postings"]]
    assert all(r["outcome"] in {"accepted", "held", "merged"} for r in body["results"])
    stored = db_session.scalar(select(func.count()).select_from(PostingSource).where(PostingSource.channel_id == ch.id))
    assert stored == len(batch["postings"])

    again = client.post(URL, json=batch, headers={"Authorization": f"Bearer {key}"}).get_json()
    assert again["unchanged"] == len(batch["postings"]) and again["accepted"] == 0
    assert db_session.scalar(select(func.count()).select_from(PostingSource).where(PostingSource.channel_id == ch.id)) == stored

    batch["postings"][0]["title"] += "（扩招）"
    third = client.post(URL, json=batch, headers={"X-API-Key": key}).get_json()
    assert third["updated"] == 1 and third["results"][0]["outcome"] == "updated"
    p = db_session.get(Posting, third["results"][0]["posting_id"])
    assert p.title.endswith("（扩招）")


def test_bad_records_inside_a_good_batch_are_reported_per_record(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    batch = _batch()["postings"][:3]
    batch.append({"title": "没有编号的岗位", "employer": {"name": "示例公司"}})
    batch.append(batch[0])  # the same external id twice
    batch.append("not an object")
    resp = client.post(URL, json={"postings": batch}, headers={"X-API-Key": key})
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert results[3]["outcome"] == "rejected" and results[3]["reasons"][0]["code"] == "missing_external_id"
    assert results[4]["outcome"] == "rejected" and results[4]["reasons"][0]["code"] == "duplicate_external_id"
    assert results[5]["outcome"] == "rejected" and results[5]["reasons"][0]["code"] == "malformed_record"
    assert all(r["outcome"] != "rejected" for r in results[:3])


def test_bad_batches(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    h = {"X-API-Key": key}
    r = client.post(URL, data="{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"
    r = client.post(URL, json={"postings": []}, headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "empty_batch"
    r = client.post(URL, json={"postings": {"a": 1}}, headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_batch"
    r = client.post(URL, json={"postings": [{"external_id": str(i)} for i in range(1001)]}, headers=h)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "batch_too_large"
    r = client.post(URL, data="x", headers={**h, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) == 0


def test_template_downloads_are_readable_spreadsheets(client):
    from core.tabular import read_table
    from indexer.sources.spreadsheet import COLUMNS

    x = client.get("/partner/template.xlsx")
    assert x.status_code == 200 and x.data[:2] == b"PK"
    assert read_table(x.data, COLUMNS, filename="t.xlsx").rows[0].values["title"] == "普工"
    c = client.get("/partner/template.csv?encoding=gb18030")
    assert c.status_code == 200
    assert read_table(c.data, COLUMNS, filename="t.csv").encoding == "gb18030"


def test_upload_page_requires_staff_and_ingests_a_file(client, db_session, make_channel, login_as):
    make_channel("agency", "public_agency", "trusted")
    assert client.get("/partner/upload").status_code in {302, 401}
    login_as("admin")
    with open(FIX / "agency_postings_gb18030.csv", "rb") as fh:
        resp = client.post("/partner/upload", data={"channel": "agency", "file": (fh, "岗位.csv")},
                           content_type="multipart/form-data")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "导入完成" in html
    assert db_session.scalar(select(func.count()).select_from(PostingSource)) >= 15

