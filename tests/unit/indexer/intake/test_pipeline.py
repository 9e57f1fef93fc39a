"""The pipeline end to end on real-format files: persistence with sources and outbox in one
transaction, idempotent replays, duplicates, enterprises, rejected records kept and retried."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from core.channels.models import Channel
from core.enterprises.models import Enterprise
from core.ingest.models import IngestRun, RejectedRecord
from core.outbox.models import OutboxEvent
from core.postings.models import Posting, PostingSource
from indexer.intake import IntakeOptions, Pipeline, prepare, retry_rejected
from indexer.sources import jobhunting, spreadsheet

FIX = Path(__file__).resolve().parents[3] / "fixtures" / "ingest"


def _ingest_sheet(session, name, channel_code, **kw):
    _table, drafts = spreadsheet.read(FIX / name, channel_code)
    return Pipeline(session, IntakeOptions(format=spreadsheet.FORMAT, source_name=name, **kw)).ingest(drafts, channel_code)


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_xlsx_upload_persists_postings_sources_and_outbox(db_session, make_channel):
    ch = make_channel("hrm-gz", "hr_market", "trusted", region_code="440100")
    s = _ingest_sheet(db_session, "hr_market_postings.xlsx", "hrm-gz")
    d = s.as_dict()
    assert d["received"] == 26
    by_row = {r["record"]: r for r in d["results"]}
    # the bad rows
    assert by_row[23]["outcome"] == "rejected" and by_row[23]["reasons"][0]["code"] == "missing_title"
    assert by_row[25]["outcome"] == "rejected" and by_row[25]["reasons"][0]["code"] == "duplicate_external_id"
    assert "第 3 条" in by_row[25]["reasons"][0]["message"]
    assert d["duplicates_in_batch"] == 1
    assert by_row[26]["outcome"] in {"held", "rejected"}  # 限女性，未婚
    assert by_row[26]["reasons"]
    # every stored posting has its source, published ones an outbox upsert
    sources = _count(db_session, PostingSource, PostingSource.channel_id == ch.id)
    assert sources == d["accepted"] + d["held"] + d["merged"]
    published = list(db_session.scalars(select(Posting.id).where(Posting.channel_id == ch.id,
                                                                 Posting.status == "published")))
    assert published
    events = set(db_session.scalars(select(OutboxEvent.entity_id).where(OutboxEvent.entity == "posting",
                                                                        OutboxEvent.operation == "upsert")))
    assert set(published) <= events
    held = list(db_session.scalars(select(Posting).where(Posting.channel_id == ch.id, Posting.status == "pending_review")))
    assert all(p.review_reasons for p in held)
    assert not (set(p.id for p in held) & events)  # nothing unreviewed is sent to the index
    # kept for re-processing, with the row number and the row as received
    kept = list(db_session.scalars(select(RejectedRecord).where(RejectedRecord.channel_id == ch.id)))
    assert {r.record_number for r in kept} >= {23, 25}
    assert all(r.raw and r.format == "spreadsheet" for r in kept)
    # each new posting got the id of its own row (bulk insert ids are matched back, not assumed)
    for r in d["results"]:
        if r["outcome"] in {"accepted", "held"}:
            src = db_session.scalar(select(PostingSource).where(PostingSource.channel_id == ch.id,
                                                                PostingSource.external_id == r["external_id"]))
            assert src.posting_id == r["posting_id"]
            assert db_session.get(Posting, r["posting_id"]).title == src.raw["岗位名称"]
    run = db_session.get(IngestRun, d["run_id"])
    assert run.status == "done" and run.received == 26 and run.rejected == d["rejected"]


def test_script_in_text_is_stored_as_text(db_session, make_channel):
    make_channel("hrm-gz", "hr_market", "trusted")
    d = _ingest_sheet(db_session, "hr_market_postings.xlsx", "hrm-gz").as_dict()
    row = next(r for r in d["results"] if r["record"] == 24)
    assert row.get("posting_id"), row
    p = db_session.get(Posting, row["posting_id"])
    assert p.description.startswith("<script>alert('x')</script>")


def test_gb18030_csv_and_replay_is_idempotent(db_session, make_channel):
    make_channel("agency", "public_agency", "trusted")
    first = _ingest_sheet(db_session, "agency_postings_gb18030.csv", "agency").as_dict()
    assert first["received"] == 17 and first["rejected"] == 0 or first["rejected"] <= 2
    n_postings, n_sources = _count(db_session, Posting), _count(db_session, PostingSource)
    n_events = _count(db_session, OutboxEvent)
    again = _ingest_sheet(db_session, "agency_postings_gb18030.csv", "agency").as_dict()
    stored_first = first["accepted"] + first["held"] + first["merged"]
    assert again["unchanged"] == stored_first
    assert again["accepted"] == again["held"] == again["merged"] == 0
    assert (_count(db_session, Posting), _count(db_session, PostingSource)) == (n_postings, n_sources)
    assert _count(db_session, OutboxEvent) == n_events  # nothing changed, nothing to index


def test_changed_replay_updates_the_posting_and_bumps_its_version(db_session, make_channel):
    make_channel("agency", "public_agency", "trusted")
    raw = {"岗位编号": "A-1", "岗位名称": "保洁员", "单位名称": "广州市示例物业管理有限公司", "工作地区": "广州市天河区",
           "工资待遇": "4000-4500元/月", "岗位职责": "负责写字楼公共区域保洁"}
    pipe = Pipeline(db_session, IntakeOptions(format="spreadsheet"))
    [r1] = pipe.process_batch([spreadsheet.record_to_draft(raw, "agency", 2)])
    assert r1.outcome in {"accepted", "held"}
    raw2 = {**raw, "工资待遇": "4500-5000元/月"}
    [r2] = Pipeline(db_session, IntakeOptions(format="spreadsheet")).process_batch([spreadsheet.record_to_draft(raw2, "agency", 2)])
    assert r2.outcome == "updated" and r2.posting_id == r1.posting_id
    p = db_session.get(Posting, r1.posting_id)
    assert p.version == 2 and p.pay_text == "4500-5000元/月"
    assert _count(db_session, PostingSource, PostingSource.posting_id == p.id) == 1


def test_same_job_from_two_channels_becomes_one_posting_with_two_sources(db_session, make_channel):
    make_channel("agency-a", "public_agency", "trusted")
    make_channel("agency-b", "hr_market", "trusted")
    raw = {"岗位名称": "仓管员", "单位名称": "广州市示例仓储有限公司", "工作地区": "广州市白云区", "工资待遇": "5000-6000元/月",
           "岗位职责": "负责仓库货物收发、盘点和台账登记，熟悉WMS系统，能适应倒班，有叉车证优先"}
    [a] = Pipeline(db_session, IntakeOptions(format="spreadsheet")).process_batch([spreadsheet.record_to_draft(raw, "agency-a", 2)])
    [b] = Pipeline(db_session, IntakeOptions(format="spreadsheet")).process_batch([spreadsheet.record_to_draft(dict(raw), "agency-b", 2)])
    assert b.outcome == "merged" and b.posting_id == a.posting_id
    channels = set(db_session.scalars(select(PostingSource.channel_id).where(PostingSource.posting_id == a.posting_id)))
    assert len(channels) == 2
    # a different job of the same enterprise stays apart
    other = {**raw, "岗位名称": "财务会计", "岗位职责": "负责总账、报税和成本核算，持初级会计证"}
    [c] = Pipeline(db_session, IntakeOptions(format="spreadsheet")).process_batch([spreadsheet.record_to_draft(other, "agency-b", 3)])
    assert c.outcome in {"accepted", "held"} and c.posting_id != a.posting_id


def test_enterprise_is_found_by_credit_code_then_by_name(db_session, make_channel):
    make_channel("hrm-gz", "hr_market", "trusted")
    _ingest_sheet(db_session, "hr_market_postings.xlsx", "hrm-gz")
    # one enterprise per credit code, however many postings
    dup_codes = db_session.execute(
        select(Enterprise.credit_code, func.count()).where(Enterprise.credit_code.is_not(None))
        .group_by(Enterprise.credit_code).having(func.count() > 1)
    ).all()
    assert dup_codes == []
    before = _count(db_session, Enterprise)
    _ingest_sheet(db_session, "hr_market_postings.xlsx", "hrm-gz")
    assert _count(db_session, Enterprise) == before


def test_unknown_channel_rejections_are_kept_and_retry_resolves_them(db_session, make_channel):
    ch = make_channel("agency", "public_agency", "trusted")
    ch.active = False
    db_session.commit()
    d = _ingest_sheet(db_session, "training_postings_utf8bom.csv", "agency").as_dict()
    assert d["rejected"] == 10 and d["rejected_records"][0]["reasons"][0]["code"] == "unknown_channel"
    assert _count(db_session, RejectedRecord, RejectedRecord.state == "open") == 10
    db_session.get(Channel, ch.id).active = True
    db_session.commit()
    out = retry_rejected(db_session)
    assert out["retried"] == 10 and out["resolved"] == 10 and out["still_rejected"] == 0
    assert _count(db_session, RejectedRecord, RejectedRecord.state == "open") == 0
    assert _count(db_session, PostingSource, PostingSource.channel_id == ch.id) == 10
    # retrying again finds nothing and creates nothing
    assert retry_rejected(db_session)["retried"] == 0


def test_malformed_json_line_is_kept_and_the_rest_loads(db_session):
    from indexer.demo import ensure_demo_channels

    channels = ensure_demo_channels(db_session)
    drafts = jobhunting.read(jobhunting.open_lines(FIX / "jobhunting_lines.jsonl"), channels.get, channels["BOSS"])
    d = Pipeline(db_session, IntakeOptions(format=jobhunting.FORMAT)).ingest(drafts).as_dict()
    assert d["received"] == 13
    bad = [r for r in d["rejected_records"] if r["reasons"][0]["code"] == "malformed_json"]
    assert [r["record"] for r in bad] == [6]
    kept = db_session.scalar(select(RejectedRecord).where(RejectedRecord.code == "malformed_json"))
    assert kept.raw_text.startswith('{"id": "BOSS_broken"') and kept.format == "jobhunting"
    assert d["accepted"] + d["held"] + d["merged"] >= 10


def test_a_conflict_from_a_concurrent_writer_sets_aside_only_that_record(db_session, make_channel, monkeypatch):
    """Another process stored one of the batch's external ids between our look-up and our insert:
    the unique (channel, external id) constraint refuses the batch; the pipeline retries record by
    record and keeps only the conflicting one as rejected."""
    make_channel("agency", "public_agency", "trusted")
    _table, drafts = spreadsheet.read(FIX / "training_postings_utf8bom.csv", "agency")
    drafts = list(drafts)
    Pipeline(db_session, IntakeOptions(format="spreadsheet")).process_batch([drafts[0]])  # "the other writer"
    pipe = Pipeline(db_session, IntakeOptions(format="spreadsheet"))
    real = prepare.existing_sources
    calls = {"n": 0}

    def blind_once(session, keys):
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(session, keys)  # the race: the first look-up misses the row

    monkeypatch.setattr(prepare, "existing_sources", blind_once)
    results = pipe.process_batch(drafts)
    assert len(results) == 10
    assert results[0].outcome == "unchanged"  # record by record, the look-up now sees it
    assert all(r.outcome in {"accepted", "held", "merged"} for r in results[1:])
    assert _count(db_session, PostingSource) == 10


def test_worker_processes_decide_exactly_as_one_process(db_session):
    """The CPU-bound stages may run in worker processes (bench, large CLI loads), overlapping with
    the previous batch's writes: same outcomes as one process, batch after batch."""
    import itertools

    from indexer.demo import ensure_demo_channels

    samples = Path(__file__).resolve().parents[4] / "data" / "samples" / "jobhunting-2024-2025.jsonl.gz"
    channels = ensure_demo_channels(db_session)

    def drafts():
        return list(itertools.islice(jobhunting.read(jobhunting.open_lines(samples), channels.get, channels["BOSS"]), 240))

    parallel = Pipeline(db_session, IntakeOptions(format=jobhunting.FORMAT, workers=2, batch_size=60))
    assert parallel.workers == 2
    first = parallel.ingest(drafts()).as_dict()
    assert first["received"] == 240 and first["accepted"] + first["held"] + first["merged"] + first["rejected"] == 240
    by_id = {r["external_id"]: (r["outcome"], r.get("status"), [x["code"] for x in r.get("reasons", [])])
             for r in first["results"]}
    # the same records through one process, after wiping them: identical decisions
    from sqlalchemy import delete

    from core.dedup.models import DedupFingerprint

    db_session.execute(delete(PostingSource))
    db_session.execute(delete(DedupFingerprint))
    db_session.execute(delete(OutboxEvent))
    db_session.execute(delete(Posting))
    db_session.commit()
    serial = Pipeline(db_session, IntakeOptions(format=jobhunting.FORMAT, workers=1, batch_size=60)).ingest(drafts()).as_dict()
    assert {r["external_id"]: (r["outcome"], r.get("status"), [x["code"] for x in r.get("reasons", [])])
            for r in serial["results"]} == by_id
