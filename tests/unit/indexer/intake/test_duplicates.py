"""The probable-duplicate band through the pipeline: a record with the title of an existing posting of
the same enterprise but only partly overlapping text is not merged; it becomes its own posting held
for review (even from a trusted channel) with a ``probable_duplicate`` reason naming the other one.
A clear duplicate still merges."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.outbox.models import OutboxEvent
from core.postings.models import Posting, PostingSource
from indexer.intake import IntakeOptions, Pipeline
from indexer.sources import spreadsheet

COMMON = "负责仓库货物收发、盘点和台账登记，熟悉WMS系统，能适应倒班，有叉车证优先。"
ROUTINE = "每月按时完成库存盘点，协助主管做好出入库单据的核对与归档工作，保持库区整洁有序。"
CAMPUS = "本岗位为校园招聘，面向应届毕业生，入职后安排带教和轮岗，表现优秀者可转入管理培训生序列。"
RAW = {"岗位名称": "仓管员", "单位名称": "广州市示例仓储有限公司", "工作地区": "广州市白云区", "工资待遇": "5000-6000元/月",
       "招聘人数": "2", "岗位职责": COMMON + ROUTINE}


def _one(session, raw, channel, number, **kw):
    [r] = Pipeline(session, IntakeOptions(format="spreadsheet", **kw)).process_batch([spreadsheet.record_to_draft(raw, channel, number)])
    return r


@pytest.mark.parametrize("mode", ["memory", "db"])
def test_probable_duplicate_is_held_naming_the_other_posting(db_session, make_channel, mode):
    make_channel("agency-a", "public_agency", "trusted")
    make_channel("agency-b", "public_agency", "trusted")
    a = _one(db_session, dict(RAW, 岗位编号="A-1"), "agency-a", 2, dedup_mode=mode)
    assert a.outcome == "accepted"

    b = _one(db_session, dict(RAW, 岗位编号="B-1", 岗位职责=COMMON + CAMPUS), "agency-b", 2, dedup_mode=mode)
    assert b.outcome == "held" and b.posting_id != a.posting_id
    p = db_session.get(Posting, b.posting_id)
    assert p.status == "pending_review" and p.published_at is None
    [reason] = [r for r in p.review_reasons if r["code"] == "probable_duplicate"]
    assert reason["duplicate_of"] == a.posting_id and reason["field"] == "dedup" and reason["severity"] == "hold"
    assert f"可能与岗位 #{a.posting_id} 重复（标题相同，描述相似度 0." in reason["message"]
    assert any(r["code"] == "probable_duplicate" for r in b.reasons)
    # held, so nothing is sent to the search index for it
    assert not db_session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.entity_id == p.id))

    # a clear duplicate still merges into the first posting
    c = _one(db_session, dict(RAW, 岗位编号="B-2"), "agency-b", 3, dedup_mode=mode)
    assert c.outcome == "merged" and c.posting_id == a.posting_id
    assert db_session.scalar(select(func.count()).select_from(PostingSource)
                             .where(PostingSource.posting_id == a.posting_id)) == 2


def test_a_closed_posting_is_no_probable_duplicate(db_session, make_channel):
    make_channel("agency-a", "public_agency", "trusted")
    a = _one(db_session, dict(RAW, 岗位编号="A-1"), "agency-a", 2)
    db_session.get(Posting, a.posting_id).status = "withdrawn"
    db_session.commit()
    b = _one(db_session, dict(RAW, 岗位编号="A-2", 岗位职责=COMMON + CAMPUS), "agency-a", 3)
    assert b.outcome == "accepted"
    assert not any(r["code"] == "probable_duplicate" for r in db_session.get(Posting, b.posting_id).review_reasons)


def test_a_replay_of_the_held_posting_stays_an_update(db_session, make_channel):
    make_channel("agency-a", "public_agency", "trusted")
    a = _one(db_session, dict(RAW, 岗位编号="A-1"), "agency-a", 2)
    raw_b = dict(RAW, 岗位编号="A-2", 岗位职责=COMMON + CAMPUS)
    b = _one(db_session, raw_b, "agency-a", 3)
    assert b.outcome == "held"
    again = _one(db_session, dict(raw_b, 工资待遇="5500-6500元/月"), "agency-a", 3)
    assert again.outcome == "updated" and again.posting_id == b.posting_id != a.posting_id
