"""`joblink match ...`, overrides, stored lists and `joblink seekers import` against real databases."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select


def run_json(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.output)


def market(make_posting, make_seeker):
    posting = make_posting(title="电焊工", description="负责钢结构焊接，持焊工证优先", region_code="440106",
                           pay_monthly_min=5000, pay_monthly_max=7000, target_groups=["veteran"])
    welders = [make_seeker(name=f"焊工{i}", titles=["电焊工"], skills=["电焊", "焊工证"]) for i in range(4)]
    veteran = make_seeker(name="退役老兵", titles=["保安"], skills=["安保"], groups=["veteran"])
    pending = make_seeker(name="待核实", titles=["保安"], groups=["veteran"], verified=False)
    no_consent = make_seeker(name="不推荐", titles=["电焊工"], consent=False)
    elsewhere = make_seeker(name="外地", titles=["电焊工"], region_code="110105")
    return posting, welders, veteran, pending, no_consent, elsewhere


def test_match_seekers_json_applies_constraints_policy_and_stores_the_list(runner, matcher, make_posting,
                                                                           make_seeker, db_session):
    from core.matching.models import RankedListRecord

    posting, welders, veteran, pending, no_consent, elsewhere = market(make_posting, make_seeker)
    data = run_json(runner, ["match", "seekers", "--posting", str(posting.id), "--k", "10", "--json"])
    ids = [i["id"] for i in data["items"]]
    assert len(ids) == 6  # four welders, the veteran and the unverified one
    assert no_consent.id not in ids and elsewhere.id not in ids
    # the person who did not agree is counted, not silently missing (issue 13)
    assert data["filtered_out"] == {"不在岗位所在地区或通勤半径内": 1, "未同意接受智能推荐": 1}
    # 30 % for veterans: floor(0.3*i) >= 1 from i=4 on, so the verified veteran is within the first 4
    assert veteran.id in ids[:4]
    vet_item = next(i for i in data["items"] if i["id"] == veteran.id)
    assert vet_item["groups"] == ["veteran"] and "群体政策" in vet_item["explanation"]
    assert next(i for i in data["items"] if i["id"] == pending.id)["groups"] == []  # unverified: no policy credit
    for item in data["items"]:
        assert set(item) >= {"id", "rank", "score", "explanation", "groups"}
        assert "职业匹配" in item["explanation"] and "薪酬" in item["explanation"] and "距离" in item["explanation"]
    assert [i["rank"] for i in data["items"]] == list(range(1, len(ids) + 1))
    assert data["policy"]["applied"] and data["policy"]["outcomes"][0]["group"] == "veteran"
    record = db_session.get(RankedListRecord, data["record_id"])
    assert record.posting_id == posting.id and record.model_version == data["model_version"]
    assert record.input_versions["posting"] == {str(posting.id): posting.version}
    assert set(record.input_versions["jobseekers"]) == {str(i) for i in ids}


def test_overrides_pin_exclude_and_need_a_reason(runner, matcher, make_posting, make_seeker, db_session):
    from core.errors import DomainError
    from core.matching.services import set_override

    posting, welders, veteran, pending, no_consent, elsewhere = market(make_posting, make_seeker)
    with pytest.raises(DomainError, match="理由"):
        set_override(db_session, posting_id=posting.id, jobseeker_id=welders[0].id, action="exclude",
                     actor_user_id=None)
    set_override(db_session, posting_id=posting.id, jobseeker_id=welders[0].id, action="exclude",
                 actor_user_id=None, reason="已在其他岗位就业")
    set_override(db_session, posting_id=posting.id, jobseeker_id=pending.id, action="pin", actor_user_id=None)
    db_session.commit()
    data = run_json(runner, ["match", "seekers", "--posting", str(posting.id), "--k", "5", "--json"])
    ids = [i["id"] for i in data["items"]]
    assert welders[0].id not in ids
    assert data["excluded"] == [{"id": welders[0].id, "reason": "已在其他岗位就业"}]
    assert ids[0] == pending.id and "专员置顶至第1位" in data["items"][0]["explanation"]


def test_match_seekers_shows_people_masked_and_audits_them(runner, matcher, make_posting, make_seeker, db_session):
    from core.audit.models import AuditEvent

    posting, welders, *_ = market(make_posting, make_seeker)
    data = run_json(runner, ["match", "seekers", "--posting", str(posting.id), "--json"])
    profiles = {i["id"]: i["profile"] for i in data["items"]}
    first = welders[0]
    assert profiles[first.id]["name"] == "焊**" and profiles[first.id]["masked"]
    assert profiles[first.id]["phone"] == first.phone[:3] + "****" + first.phone[-4:]
    text = runner.invoke(args=["match", "seekers", "--posting", str(posting.id)]).output
    assert f"#{first.id} 焊** " in text and first.phone not in text and "焊工0" not in text
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "jobseeker",
                                                         AuditEvent.subject_id == first.id)).all()
    assert len(events) == 2 and all(e.actor_role == "command_line" and "phone_masked" in e.fields for e in events)


def test_match_postings_for_a_seeker_and_opt_out(runner, matcher, make_posting, make_seeker, db_session):
    weld = make_posting(title="电焊工", region_code="440106", description="钢结构焊接")
    far = make_posting(title="电焊工", region_code="110105", description="钢结构焊接")
    seeker = make_seeker(titles=["电焊工"])
    data = run_json(runner, ["match", "postings", "--seeker", str(seeker.id), "--json"])
    ids = [i["id"] for i in data["items"]]
    assert weld.id in ids and far.id not in ids
    seeker.consent_recommendation = False
    db_session.commit()
    data = run_json(runner, ["match", "postings", "--seeker", str(seeker.id), "--json"])
    assert data["items"] == []


def test_missing_posting_is_a_clean_error(runner, matcher):
    result = runner.invoke(args=["match", "seekers", "--posting", "999999", "--json"])
    assert result.exit_code == 1 and json.loads(result.output)["error"]["code"] == "posting_not_found"


ROSTER_HEADER = "姓名,身份证号码,联系电话,现居住地,学历,工作年限,期望岗位,期望月薪,技能特长/证书,个人简介,人员类别\n"


def test_roster_import_gb18030_with_rejected_rows_and_existing_people(runner, tmp_path, db_session):
    from core.seekers.models import Jobseeker
    from tests.web.conftest import make_id_number

    first, second = make_id_number("19990101", "440106"), make_id_number("19800202", "440111")
    rows = [
        f"王小明,{first},13800138000,广东省广州市天河区体育西路1号,本科,1年,电工,5千,电工证,2024年毕业,高校毕业生",
        f"陈大山,{second},13900139000,广州市白云区,初中,10,焊工,6000-8000,电焊,,被征地农民、农民工",
        "坏行,123,13900139001,广州市白云区,初中,2,焊工,6000,,,",
        f"张三,{make_id_number('19900101', '440106')},13700137000,广州市天河区,大学,3,文员,4000,,,外星人",
    ]
    path = tmp_path / "名单.csv"
    path.write_bytes((ROSTER_HEADER + "\n".join(rows) + "\n").encode("gb18030"))
    data = run_json(runner, ["seekers", "import", str(path), "--json"])
    assert data["rows"] == 4 and data["created"] == 2 and data["rejected"] == 2 and data["encoding"] == "gb18030"
    results = {r["row"]: r for r in data["results"]}
    assert results[2]["status"] == "created" and results[3]["status"] == "created"
    assert results[4]["errors"][0]["field"] == "id_number"
    assert results[5]["errors"][0]["code"] == "invalid_priority_group"
    wang = db_session.get(Jobseeker, results[2]["jobseeker_id"])
    assert wang.region_code == "440106" and wang.education == "bachelor" and wang.expected_pay_min == 5000
    assert wang.certificates == ["电工证"] and wang.group_values() == ["graduate"] and wang.origin == "roster"
    assert wang.desired_titles == ["电工"] and wang.desired_occupations
    chen = db_session.get(Jobseeker, results[3]["jobseeker_id"])
    assert chen.region_code == "440111" and sorted(chen.group_values()) == ["land_lost_farmer", "migrant_worker"]
    assert not chen.consent_recommendation
    # the same file again: both people now exist, nothing is duplicated
    again = run_json(runner, ["seekers", "import", str(path), "--json"])
    assert again["created"] == 0 and again["existing"] == 2
    assert {r["jobseeker_id"] for r in again["results"] if r["status"] == "existing"} == {wang.id, chen.id}
    assert db_session.scalar(select(Jobseeker.id).where(Jobseeker.name == "坏行")) is None


def test_training_into_a_side_folder_leaves_the_active_model_and_vectors_alone(runner, tmp_path, make_posting):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "matching" / "jobhunting-sample.jsonl"
    records = [json.loads(line) for line in fixture.read_text(encoding="utf-8").splitlines()[:60]]
    for rec in records:  # the model learns from the published postings JobLink holds
        make_posting(title=rec["title"], description=rec["description"] or rec["title"])
    make_posting(title="不发布的岗位", status="pending_review")
    out = tmp_path / "side-model"
    result = runner.invoke(args=["matcher", "train", "--demo", "--limit", "50", "--epochs", "1",
                                 "--output", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{"):])
    assert summary["active"] is False and summary["embeddings_marked_stale"] is None
    meta = json.loads((out / "joblink_model.json").read_text(encoding="utf-8"))
    assert meta["source"] == "50 published or held postings in the JobLink database"


def test_training_without_postings_says_what_to_do(runner, tmp_path):
    result = runner.invoke(args=["matcher", "train", "--demo", "--output", str(tmp_path / "m"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]["code"] == "no_postings"
    assert not (tmp_path / "m").exists()
