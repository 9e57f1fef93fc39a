"""The partner refresh API: a channel extends its postings by its own external ids; an expired posting
is published again (version bumped, outbox event, audit); other channels' ids stay invisible."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.db import utcnow
from core.enums import PostingStatus
from core.channels.services import issue_api_key
from core.outbox.models import OutboxEvent
from core.postings.models import Posting
from core.validity.services import MAX_VALIDITY_DAYS, expire_postings

FIX = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"
PUSH = "/api/v1/partner/postings"
BATCH = "/api/v1/partner/postings/refresh"


def _url(external_id: str) -> str:
    return f"/api/v1/partner/postings/{external_id}/refresh"


def _records(n: int = 3) -> list[dict]:
    return json.loads((FIX / "partner_batch.json").read_text(encoding="utf-8"))["postings"][:n]


def _keyed(db_session, make_channel, code="hr-firm"):
    ch = make_channel(code, "hr_firm", "trusted", licence_number="（粤）人服证字〔2020〕第0101000123号")
    key = issue_api_key(db_session, ch)
    db_session.commit()
    return ch, key


def _push(client, key, records) -> dict[str, int]:
    resp = client.post(PUSH, json={"postings": records}, headers={"X-API-Key": key})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    results = resp.get_json()["results"]
    assert all(r["outcome"] in {"accepted", "held"} for r in results), results
    return {r["external_id"]: r["posting_id"] for r in results}


def _published(client, db_session, key, n=3) -> dict[str, int]:
    ids = _push(client, key, _records(n))
    for pid in ids.values():  # the test needs live postings whatever the screening held
        db_session.get(Posting, pid).status = PostingStatus.PUBLISHED
    db_session.commit()
    return ids


def _events(db_session, pid: int) -> int:
    return db_session.scalar(select(func.count()).select_from(OutboxEvent).where(
        OutboxEvent.entity == "posting", OutboxEvent.entity_id == pid))


def _today() -> dt.date:
    return utcnow().date()


def test_expired_posting_is_published_again_with_the_new_date(client, db_session, make_channel):
    ch, key = _keyed(db_session, make_channel)
    ids = _published(client, db_session, key)
    pid = ids["P-001"]
    db_session.get(Posting, pid).valid_until = _today() - dt.timedelta(days=3)
    db_session.commit()
    assert pid in expire_postings(db_session)
    db_session.commit()
    p = db_session.get(Posting, pid)
    assert p.status == PostingStatus.EXPIRED
    version, events = p.version, _events(db_session, pid)

    until = _today() + dt.timedelta(days=30)
    resp = client.post(_url("P-001"), json={"valid_until": until.isoformat()}, headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body == {"external_id": "P-001", "posting_id": pid, "status": "published",
                    "valid_until": until.isoformat(), "version": version + 1}
    db_session.expire_all()
    p = db_session.get(Posting, pid)
    assert (p.status, p.valid_until, p.version) == (PostingStatus.PUBLISHED, until, version + 1)
    assert _events(db_session, pid) == events + 1
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "posting",
                                                        AuditEvent.subject_id == pid)).all()
    assert any(a.actor_role == f"channel:{ch.id}" and until.isoformat() in a.purpose for a in audit)
    # the neighbours were not touched
    assert db_session.get(Posting, ids["P-002"]).valid_until != until


def test_wrong_key_is_refused_and_nothing_changes(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    pid = _published(client, db_session, key, 1)["P-001"]
    before = db_session.get(Posting, pid).valid_until
    until = (_today() + dt.timedelta(days=20)).isoformat()
    for headers in ({}, {"X-API-Key": "jl_wrong"}, {"X-API-Key": key + "x"}, {"Authorization": "Bearer nope"}):
        for url, payload in ((_url("P-001"), {"valid_until": until}),
                             (BATCH, {"items": [{"external_id": "P-001", "valid_until": until}]})):
            resp = client.post(url, json=payload, headers=headers)
            assert resp.status_code == 401
            assert resp.get_json()["error"]["code"] == "invalid_api_key"
    db_session.expire_all()
    assert db_session.get(Posting, pid).valid_until == before


def test_another_channels_key_gets_404_for_this_external_id(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    pid = _published(client, db_session, key, 1)["P-001"]
    before = db_session.get(Posting, pid).valid_until
    _other, other_key = _keyed(db_session, make_channel, code="other-firm")
    until = (_today() + dt.timedelta(days=20)).isoformat()
    resp = client.post(_url("P-001"), json={"valid_until": until}, headers={"X-API-Key": other_key})
    assert resp.status_code == 404
    err = resp.get_json()["error"]
    assert err["code"] == "unknown_external_id" and err["field"] == "external_id"
    # indistinguishable from an id no channel ever sent: nothing leaks about the other channel's postings
    nobody = client.post(_url("P-998"), json={"valid_until": until}, headers={"X-API-Key": other_key})
    assert nobody.status_code == 404
    assert nobody.get_json() == json.loads(resp.get_data(as_text=True).replace("P-001", "P-998"))
    batch = client.post(BATCH, json={"items": [{"external_id": "P-001", "valid_until": until}]},
                        headers={"X-API-Key": other_key}).get_json()
    assert batch["refreshed"] == 0 and batch["results"][0]["error"]["code"] == "unknown_external_id"
    # an id nobody sent is just as unknown to the owner
    assert client.post(_url("P-999"), json={"valid_until": until}, headers={"X-API-Key": key}).status_code == 404
    db_session.expire_all()
    assert db_session.get(Posting, pid).valid_until == before


def test_bad_bodies_and_dates_name_the_field(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    pid = _published(client, db_session, key, 1)["P-001"]
    before = db_session.get(Posting, pid).valid_until
    h = {"X-API-Key": key}

    r = client.post(_url("P-001"), data="{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"
    r = client.post(_url("P-001"), data="valid_until=2026-12-01", headers={**h, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = client.post(_url("P-001"), json=["2026-12-01"], headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "valid_until"
    r = client.post(_url("P-001"), json={}, headers=h)
    assert r.status_code == 400
    assert r.get_json()["error"] == {"code": "missing_valid_until", "field": "valid_until",
                                     "message": r.get_json()["error"]["message"]}
    for bad in ("2026-13-01", "tomorrow", "2026/12/01", "20261201", 20261201, "2026-02-30"):
        r = client.post(_url("P-001"), json={"valid_until": bad}, headers=h)
        assert r.status_code == 400, bad
        err = r.get_json()["error"]
        assert err["code"] == "invalid_valid_until" and err["field"] == "valid_until", bad
        assert "YYYY-MM-DD" in err["message"]

    past = (_today() - dt.timedelta(days=1)).isoformat()
    r = client.post(_url("P-001"), json={"valid_until": past}, headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["message"] == "有效期不能早于今天"

    latest = _today() + dt.timedelta(days=MAX_VALIDITY_DAYS)
    r = client.post(_url("P-001"), json={"valid_until": (latest + dt.timedelta(days=1)).isoformat()}, headers=h)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "invalid_valid_until" and err["field"] == "valid_until"
    assert latest.isoformat() in err["message"]
    db_session.expire_all()
    assert db_session.get(Posting, pid).valid_until == before
    # the last allowed day itself is fine
    r = client.post(_url("P-001"), json={"valid_until": latest.isoformat()}, headers=h)
    assert r.status_code == 200 and r.get_json()["valid_until"] == latest.isoformat()


def test_a_withdrawn_posting_is_refused_with_409(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    pid = _published(client, db_session, key, 1)["P-001"]
    closed = {**_records(1)[0], "status": "closed"}
    resp = client.post(PUSH, json={"postings": [closed]}, headers={"X-API-Key": key})
    assert resp.get_json()["results"][0]["status"] == "withdrawn"
    db_session.expire_all()
    p = db_session.get(Posting, pid)
    assert p.status == PostingStatus.WITHDRAWN
    version, events = p.version, _events(db_session, pid)

    r = client.post(_url("P-001"), json={"valid_until": (_today() + dt.timedelta(days=10)).isoformat()},
                    headers={"X-API-Key": key})
    assert r.status_code == 409
    assert r.get_json()["error"]["code"] == "cannot_refresh"
    db_session.expire_all()
    p = db_session.get(Posting, pid)
    assert (p.status, p.version) == (PostingStatus.WITHDRAWN, version)
    assert _events(db_session, pid) == events


def test_batch_refresh_reports_each_item_and_keeps_the_good_ones(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    ids = _published(client, db_session, key, 3)
    db_session.get(Posting, ids["P-003"]).status = PostingStatus.FILLED
    db_session.get(Posting, ids["P-002"]).valid_until = _today() - dt.timedelta(days=1)
    db_session.commit()
    expire_postings(db_session)
    db_session.commit()
    until = (_today() + dt.timedelta(days=60)).isoformat()
    items = [
        {"external_id": "P-001", "valid_until": until},
        {"external_id": "P-002", "valid_until": until},
        {"external_id": "P-001", "valid_until": until},        # twice in one batch
        {"external_id": "P-003", "valid_until": until},        # filled
        {"external_id": "P-404", "valid_until": until},        # never sent
        {"external_id": "P-001"},                              # (duplicate wins over the missing date)
        {"valid_until": until},
        "P-001",
        {"external_id": "P-002", "valid_until": "2099-01-01"},  # duplicate too
    ]
    resp = client.post(BATCH, json={"items": items}, headers={"X-API-Key": key})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert (body["received"], body["refreshed"], body["rejected"]) == (9, 2, 7)
    res = body["results"]
    assert [r["index"] for r in res] == list(range(9))
    assert [r["outcome"] for r in res[:2]] == ["refreshed", "refreshed"]
    assert res[1]["status"] == "published" and res[1]["valid_until"] == until
    codes = [r["error"]["code"] for r in res[2:]]
    assert codes == ["duplicate_external_id", "cannot_refresh", "unknown_external_id", "duplicate_external_id",
                     "missing_external_id", "malformed_item", "duplicate_external_id"]
    db_session.expire_all()
    assert db_session.get(Posting, ids["P-002"]).status == PostingStatus.PUBLISHED
    assert str(db_session.get(Posting, ids["P-002"]).valid_until) == until
    assert db_session.get(Posting, ids["P-003"]).status == PostingStatus.FILLED


def test_bad_batches_are_refused_whole(client, db_session, make_channel):
    _ch, key = _keyed(db_session, make_channel)
    h = {"X-API-Key": key}
    r = client.post(BATCH, data="[", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "malformed_json"
    r = client.post(BATCH, json={"items": []}, headers=h)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "empty_batch"
    r = client.post(BATCH, json={"items": {"P-001": "2026-01-01"}}, headers=h)
    assert r.status_code == 400 and r.get_json()["error"] == {
        "code": "invalid_batch", "field": "items", "message": r.get_json()["error"]["message"]}
    r = client.post(BATCH, json={"items": [{"external_id": str(i), "valid_until": "2026-01-01"} for i in range(1001)]},
                    headers=h)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "batch_too_large"


def test_refresh_shares_the_push_apis_rate_limit(app_factory, tmp_path, limiter_guard):
    from core.all_models import metadata
    from core.channels.services import create_channel
    from webapp.extensions import db

    app = app_factory(f"sqlite:///{tmp_path / 'rl.db'}", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        metadata.create_all(db.engine)
        key = issue_api_key(db.session, create_channel(db.session, "rl-refresh", "限流测试渠道", "hr_market"))
        db.session.commit()
        c, h = app.test_client(), {"X-API-Key": key}
        codes = [c.post(PUSH, json={"postings": []}, headers=h).status_code for _ in range(60)]
        codes += [c.post(_url("P-1"), json={}, headers=h).status_code for _ in range(30)]
        codes += [c.post(BATCH, json={"items": []}, headers=h).status_code for _ in range(31)]
        # refused (a bad body, or P-1 unknown to the channel), but all drawn from the channel's budget
        assert set(codes[:120]) <= {400, 404} and 429 not in codes[:120] and codes[120] == 429
        assert c.post(_url("P-1"), json={}, headers=h).status_code == 429
        # a wrong key has its address's budget, not the channel's
        assert c.post(_url("P-1"), json={}, headers={"X-API-Key": key[:10] + "forged"}).status_code == 401


def test_batch_service_keeps_the_single_refresh_rules(db_session, client, make_channel):
    from core.errors import NotFound, PermissionDenied
    from core.validity.services import refresh_channel_postings

    ch, key = _keyed(db_session, make_channel)
    ids = _published(client, db_session, key, 2)
    stranger = make_channel("stranger", "hr_firm", "trusted", licence_number="x")
    until = _today() + dt.timedelta(days=10)
    before = {pid: db_session.get(Posting, pid).version for pid in ids.values()}
    out = refresh_channel_postings(db_session, stranger.id, [(ids["P-001"], until), (10**9, until)])
    assert isinstance(out[0], PermissionDenied) and isinstance(out[1], NotFound)
    assert db_session.get(Posting, ids["P-001"]).version == before[ids["P-001"]]
    too_far = _today() + dt.timedelta(days=MAX_VALIDITY_DAYS + 1)
    out = refresh_channel_postings(db_session, ch.id, [(ids["P-001"], too_far), (ids["P-002"], until)],
                                   actor_role=f"channel:{ch.id}")
    assert out[0].code == "invalid_valid_until" and out[0].field == "valid_until"
    assert isinstance(out[1], Posting) and out[1].valid_until == until
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(Posting, ids["P-001"]).version == before[ids["P-001"]]
    assert db_session.get(Posting, ids["P-002"]).version == before[ids["P-002"]] + 1
