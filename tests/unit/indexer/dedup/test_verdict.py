"""The three-way verdict: a pair with an identical title and only partly overlapping text is PROBABLE
(sent to a reviewer), not SAME (merged); clear duplicates stay SAME and unrelated jobs DIFFERENT."""
import pytest
from sqlalchemy.orm import Session

import core.all_models  # noqa: F401  (complete metadata)
from core.db import Base, make_engine
from core.postings.models import Posting
from indexer.dedup import (DIFFERENT, PROBABLE, SAME, DedupIndex, fingerprint_fields, same_job,
                           signature_similarity, verdict)

COMPANY = "广州市示例仓储有限公司"
A = "负责仓库货物收发、盘点和台账登记，熟悉WMS系统，能适应倒班，有叉车证优先。"
ROUTINE = "每月按时完成库存盘点，协助主管做好出入库单据的核对与归档工作，保持库区整洁有序。"
CAMPUS = "本岗位为校园招聘，面向应届毕业生，入职后安排带教和轮岗，表现优秀者可转入管理培训生序列。"
OTHER = "负责总账、报税和成本核算，持初级会计证，熟悉金蝶或用友财务软件，三年以上制造业财务经验。"


def fp(title="仓管员", desc=A + ROUTINE, company=COMPANY, region="440111", occ=None):
    return fingerprint_fields(title, desc, company, None, region, occ)


def test_identical_title_with_partly_overlapping_text_is_probable_not_same():
    a, b = fp(), fp(desc=A + CAMPUS)
    ss = signature_similarity(a.signature, b.signature)
    assert 0.3 <= ss < 0.5           # the band the identical-title rule used to merge
    v, score = verdict(b, a)
    assert v == PROBABLE and score == pytest.approx((1.0 + ss) / 2)
    assert same_job(b, a) == (False, score)


def test_clear_duplicates_are_still_same():
    a = fp()
    for b in (fp(), fp(title="急招！仓管员（双休）"), fp(desc=(A + ROUTINE).replace("，", ",")), fp(desc="")):
        v, _ = verdict(b, a)
        assert v == SAME
        assert same_job(b, a)[0]


def test_unrelated_text_or_title_is_different():
    a = fp()
    assert verdict(fp(desc=OTHER), a) == (DIFFERENT, 0.0)               # same title, unrelated text
    assert verdict(fp(title="财务会计", desc=OTHER), a) == (DIFFERENT, 0.0)
    assert verdict(fp(company="广州市另一家物流有限公司"), a) == (DIFFERENT, 0.0)
    assert verdict(fp(region="310101"), a) == (DIFFERENT, 0.0)


def test_index_find_returns_only_sure_matches_and_find_probable_the_band():
    idx = DedupIndex()
    idx.add(1, fp())
    probable = fp(desc=A + CAMPUS)
    assert idx.find(probable) is None
    pid, score = idx.find_probable(probable)
    assert pid == 1 and 0.65 <= score < 0.75
    assert idx.find_probable(probable, exclude=1) is None
    # a clear duplicate is a sure match, not a probable one
    assert idx.find(fp()) == 1 and idx.find_probable(fp()) is None
    assert idx.find_probable(fp(desc=OTHER)) is None


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'verdict.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_db_mode_answers_the_same(session):
    p = Posting(title="仓管员", description=A + ROUTINE)
    session.add(p)
    session.flush()
    DedupIndex().add(p.id, fp(), session=session)
    session.commit()
    probable = fp(desc=A + CAMPUS)
    assert DedupIndex.find_in_db(session, probable) is None
    pid, score = DedupIndex.find_probable_in_db(session, probable)
    assert pid == p.id and score == pytest.approx(verdict(probable, fp())[1])
    assert DedupIndex.find_probable_in_db(session, probable, exclude=p.id) is None
    assert DedupIndex.find_in_db(session, fp()) == p.id
    assert DedupIndex.find_probable_in_db(session, fp()) is None
