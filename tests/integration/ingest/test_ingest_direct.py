"""Enterprise web form and major-project labour demand go through the same pipeline; the demo loader
loads the real postings through it too."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from core.enterprises.models import Enterprise
from core.identity import credit_code_check_char
from core.projects.models import LabourDemand, MajorProject
from core.postings.models import Posting, PostingSource
from indexer.intake import publish_labour_demand, submit_enterprise_posting

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"


def _enterprise(session, name="临沂市兰山区示例机械制造有限公司"):
    code17 = "91371302MA3C00001"
    ent = Enterprise(name=name, normalized_name="兰山区示例机械制造", credit_code=code17 + credit_code_check_char(code17),
                     region_code="371302")
    session.add(ent)
    session.flush()
    return ent


FORM = {"title": "数控车床操作工", "description": "操作数控车床加工零件，能看懂图纸，两班倒，包住宿。", "pay_min": "6000",
        "pay_max": "8000", "pay_unit": "month", "headcount": "5", "education": "初中", "experience": "1年以上",
        "employment_type": "full_time", "welfare": "五险一金,包住宿", "region_code": "371302"}


def test_enterprise_form_becomes_a_posting_of_that_enterprise(db_session):
    ent = _enterprise(db_session)
    posting, issues = submit_enterprise_posting(db_session, ent.id, dict(FORM), user_id=None)
    assert posting is not None, issues
    db_session.commit()
    assert posting.enterprise_id == ent.id and posting.title == "数控车床操作工"
    assert str(posting.status) in {"published", "pending_review"}
    src = db_session.scalar(select(PostingSource).where(PostingSource.posting_id == posting.id))
    assert src.channel.code == "enterprise-direct" and src.raw["enterprise_id"] == ent.id
    assert db_session.scalar(select(func.count()).select_from(Enterprise)) == 1  # no duplicate enterprise


def test_enterprise_form_refusals_come_back_as_issues(db_session):
    ent = _enterprise(db_session)
    posting, issues = submit_enterprise_posting(db_session, ent.id, {**FORM, "title": ""}, user_id=None)
    assert posting is None and issues[0].code == "missing_title" and issues[0].field == "title"
    posting, issues = submit_enterprise_posting(db_session, 999999, dict(FORM), user_id=None)
    assert posting is None and issues[0].code == "unknown_enterprise"


def test_discriminatory_form_is_not_published(db_session):
    ent = _enterprise(db_session)
    posting, issues = submit_enterprise_posting(
        db_session, ent.id, {**FORM, "title": "前台文员", "description": "限女性，已婚已育优先，身高160以上"}, user_id=None)
    assert posting is None or str(posting.status) == "pending_review"
    assert any(i.severity in {"hold", "reject"} for i in issues)


def test_labour_demand_line_becomes_a_posting_and_is_linked(db_session):
    ent = _enterprise(db_session)
    project = MajorProject(name="临沂港综合物流园区项目", region_code="371302", enterprise_id=ent.id, total_investment=150000)
    db_session.add(project)
    db_session.flush()
    line = LabourDemand(project_id=project.id, title="钢筋工", headcount=30, pay_text="300元/天",
                        requirements="有建筑工地经验，能吃苦", start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 12, 31))
    db_session.add(line)
    db_session.flush()
    posting, issues = publish_labour_demand(db_session, line.id)
    assert posting is not None, issues
    db_session.commit()
    assert line.posting_id == posting.id and posting.enterprise_id == ent.id
    assert "临沂港综合物流园区项目" in posting.description and posting.headcount == 30
    # publishing again updates (or leaves) the same posting
    again, _ = publish_labour_demand(db_session, line.id)
    assert again.id == posting.id
    assert db_session.scalar(select(func.count()).select_from(Posting)) == 1


def test_demo_loader_loads_real_postings_idempotently(db_session):
    from indexer.demo import load_demo_postings

    calls = []
    first = load_demo_postings(db_session, SAMPLES, sample=True, limit=150, progress=lambda *a: calls.append(a))
    assert set(first["files"]) == {"jobhunting-2024-2025.jsonl.gz", "zhilian-30cities-2022.jsonl.gz"}
    t = first["totals"]
    assert t["received"] == 300 and t["accepted"] + t["held"] + t["merged"] + t["rejected"] == 300
    # The January 2026 notice holds what the real sets lack: the jobhunting set has no headcount at all,
    # most zhilian search-list rows no job description; the rest are mostly clean and publish.
    assert t["accepted"] > 20 and t["held"] > 150
    assert calls and calls[-1][0] == 150
    demo = db_session.scalar(select(func.count()).select_from(Posting).where(Posting.is_demo.is_(True)))
    assert demo == t["accepted"] + t["held"]
    second = load_demo_postings(db_session, SAMPLES, sample=True, limit=150)
    assert second["totals"]["unchanged"] == 300 - t["rejected"]
    assert db_session.scalar(select(func.count()).select_from(Posting)) == demo
