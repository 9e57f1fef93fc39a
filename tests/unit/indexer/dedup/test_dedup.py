"""Near-duplicate detection on real postings: the same job across channels merges, different jobs
of one enterprise stay apart, the index survives a restart, and it never compares all pairs."""
import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

import core.all_models  # noqa: F401  (complete metadata)
from core.db import Base, make_engine
from core.dedup.models import DedupFingerprint
from core.enterprises.models import Enterprise
from core.postings.models import Posting
from indexer.dedup import DedupIndex, fingerprint_fields, normalize_company_name, normalize_title, same_job

SAMPLE = Path(__file__).resolve().parents[4] / "data" / "samples" / "jobhunting-2024-2025.jsonl.gz"

# 51JOB_100449800 from the shared postings
JAVA_DESC = ("岗位职责：\n1、项目相关技术文档的编制；\n2、软件代码的编写、调试及后期维护；\n3、软件安装、部署等集成工作；\n"
             "4、软件支持服务工作。\n\n岗位要求：\n\n1、计算机相关专业毕业，本科以上学历；\n2、具有扎实的JAVA基础；\n"
             "3、熟悉一种及以上主流的关系型数据库；\n4、具有一定的js、css基础；\n5、有责任心、团队合作精神，良好的沟通能力，逻辑思维强；\n"
             "6、熟练掌握J2EE框架、JAVA语言，可熟练使用相关框架进行开发，具有1年以上相关工作经验；\n7、熟悉数据库编程，熟悉SQL Server或Oracle的开发；")
COMPANY = "昆明安泰得软件股份有限公司"


def fp(title="Java开发工程师-急招", desc=JAVA_DESC, company=COMPANY, code=None, region="530100", occ="2-02-10-03"):
    return fingerprint_fields(title, desc, company, code, region, occ)


@pytest.mark.parametrize("name,key", [
    ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统"),
    ("腾讯计算机系统（深圳）有限公司", "腾讯计算机系统"),
    ("昆明安泰得软件股份有限公司", "安泰得软件"),
    ("广东省广州市番禺区某某电子厂", "某某电子厂"),
    ("ＡＢＣ Co., Ltd.", "abc"),
    ("原泰科技", "原泰科技"),
])
def test_company_names(name, key):
    assert normalize_company_name(name) == key


@pytest.mark.parametrize("title,key", [
    ("急招！Java开发工程师（双休）8-12K", "java开发工程师"),
    ("JAVA开发工程师(J10554)", "java开发工程师"),
    ("普工/操作工", "普工操作工"),
])
def test_titles(title, key):
    assert normalize_title(title) == key


SAME = [
    dict(title="JAVA开发工程师"),                                              # re-typed title
    dict(desc=JAVA_DESC.replace("\n", " ").replace("；", ";")),               # reformatted text
    dict(desc=JAVA_DESC[: len(JAVA_DESC) * 2 // 3]),                           # trimmed description
    dict(company="安泰得软件"),                                                 # short company name
    dict(region="530102"),                                                     # city vs county inside it
    dict(desc=""),                                                             # search-list channel: title only
]


@pytest.mark.parametrize("variant", SAME)
def test_same_job_variants_merge(variant):
    idx = DedupIndex()
    idx.add(1, fp())
    assert idx.find(fp(**variant)) == 1


DIFFERENT = [
    dict(title="Python开发工程师"),                                            # same boilerplate, other job
    dict(title="销售经理", occ="4-01-02-01"),
    dict(company="昆明另一家软件有限公司"),                                      # other enterprise, same text
    dict(region="440106"),                                                     # same job title in another city
    dict(code="91530100MA6K0000X0"),                                           # credit codes that differ
]


@pytest.mark.parametrize("variant", DIFFERENT)
def test_different_jobs_stay_apart(variant):
    idx = DedupIndex()
    idx.add(1, fp(code="91530100MA6K1234X1") if "code" in variant else fp())
    assert idx.find(fp(**variant)) is None


def test_districts_that_differ_are_different_jobs():
    a, b = fp(region="530102"), fp(region="530103")
    assert same_job(a, b)[0] is False


def test_canonical_is_the_first_and_remove_forgets():
    idx = DedupIndex()
    idx.add(7, fp())
    idx.add(9, fp(title="JAVA开发工程师"))
    assert idx.find(fp()) in (7, 9)
    idx.remove(7)
    idx.remove(9)
    assert idx.find(fp()) is None and len(idx) == 0


def _norm_desc(text):
    import re

    return re.sub(r"[\s\W_]+", "", text or "")


def test_real_repeats_merge_when_the_text_is_the_same_and_stay_apart_when_it_is_not():
    """The shipped sample's title+company+area repeats: those whose descriptions are identical are
    one job listed twice; those whose descriptions share nothing are different jobs of a large
    enterprise under one title (京东, 网易, 蚂蚁集团 ...) that exact title matching would wrongly merge."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    idx = DedupIndex()
    first: dict[tuple, dict] = {}
    same = merged_same = different = merged_different = 0
    for i, r in enumerate(rows):
        f = fingerprint_fields(r["title"], r.get("description"), r.get("company"), None, None, None)
        hit = idx.find(f)
        key = (r["title"], r.get("company"), r.get("area"))
        prev = first.get(key)
        if prev is not None and prev["desc"] and _norm_desc(r.get("description")):
            a, b = prev["desc"], _norm_desc(r.get("description"))
            grams_a = {a[k:k + 4] for k in range(len(a) - 3)}
            grams_b = {b[k:k + 4] for k in range(len(b) - 3)}
            if a == b:
                same += 1
                merged_same += hit == prev["id"]
            elif grams_a and grams_b and len(grams_a & grams_b) / len(grams_a | grams_b) < 0.1:
                different += 1
                merged_different += hit is not None
        if prev is None:
            first[key] = {"id": i, "desc": _norm_desc(r.get("description"))}
        if hit is None:
            idx.add(i, f)
    assert same >= 3 and different >= 3
    assert merged_same == same
    assert merged_different == 0
    # enterprise-scoped LSH: a few verifications per posting, not the n^2/2 pairs
    assert idx.comparisons < len(rows) * 2


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'dedup.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def test_index_survives_a_restart(session):
    p = Posting(title="Java开发工程师", description=JAVA_DESC)
    session.add(p)
    session.flush()
    idx = DedupIndex()
    idx.add(p.id, fp(), session=session)      # the row is written in the caller's transaction
    session.commit()
    assert session.get(DedupFingerprint, p.id) is not None

    restarted = DedupIndex.load(session)
    assert restarted.find(fp(title="JAVA开发工程师")) == p.id
    assert DedupIndex.find_in_db(session, fp(title="JAVA开发工程师")) == p.id
    assert DedupIndex.find_in_db(session, fp(title="Python开发工程师")) is None


def test_load_fingerprints_postings_without_a_row(session):
    ent = Enterprise(name=COMPANY, normalized_name="安泰得软件")
    session.add(ent)
    session.flush()
    p = Posting(title="Java开发工程师", description=JAVA_DESC, enterprise_id=ent.id, region_code=None,
                status="published")
    session.add(p)
    session.commit()
    idx = DedupIndex()
    idx.load(session, persist_missing=True)
    assert idx.find(fp()) == p.id
    session.commit()
    assert session.get(DedupFingerprint, p.id) is not None
