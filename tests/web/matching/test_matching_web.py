"""The commissioner's ranked list, overrides, the jobseeker's recommendations and the matching API."""
from __future__ import annotations

from sqlalchemy import func, select


def test_commissioner_sees_ranked_seekers_with_explanations_and_policy(client, login_as, matcher, make_posting,
                                                                       make_seeker, db_session):
    from core.audit.models import AuditEvent
    from core.matching.models import RankedListRecord

    posting = make_posting(title="电焊工", region_code="440106", description="钢结构焊接", target_groups=["veteran"])
    welder = make_seeker(name="王焊工", titles=["电焊工"])
    veteran = make_seeker(name="赵老兵", titles=["保安"], groups=["veteran"])
    login_as("commissioner", region_code="440100")
    resp = client.get(f"/commissioner/matching/postings/{posting.id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "王焊工" in html and "赵老兵" in html  # full names inside the jurisdiction
    assert "已执行重点群体保障" in html and "退役军人不少于30%" in html
    assert "职业匹配" in html and "薪酬" in html and "群体政策" in html
    assert db_session.scalar(select(func.count()).select_from(RankedListRecord)
                             .where(RankedListRecord.posting_id == posting.id)) == 1
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "view_ranked_list"))
    assert event is not None and event.subject_id == posting.id and "phone" in event.fields
    for person in (welder, veteran):  # and each person shown, with the fields shown
        (read,) = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "jobseeker",
                                                              AuditEvent.subject_id == person.id)).all()
        assert read.action == "read" and {"name", "phone", "id_number"} <= set(read.fields)
    listing = client.get("/commissioner/matching/").get_data(as_text=True)
    assert f"/commissioner/matching/postings/{posting.id}" in listing


def test_other_jurisdiction_is_refused(client, login_as, matcher, make_posting):
    posting = make_posting(title="电焊工", region_code="440106")
    login_as("commissioner", region_code="370100")
    assert client.get(f"/commissioner/matching/postings/{posting.id}").status_code == 403
    assert client.get(f"/api/v1/postings/{posting.id}/matches").status_code == 403


def test_exclude_needs_a_reason_then_leaves_the_list(client, login_as, matcher, make_posting, make_seeker,
                                                     db_session):
    from core.matching.models import MatchOverride

    posting = make_posting(title="电焊工", region_code="440106")
    a = make_seeker(name="甲焊工", titles=["电焊工"])
    make_seeker(name="乙焊工", titles=["电焊工"])
    login_as("commissioner", region_code="440100")
    url = f"/commissioner/matching/postings/{posting.id}/override"
    resp = client.post(url, data={"jobseeker_id": a.id, "action": "exclude", "reason": ""}, follow_redirects=True)
    assert "必须填写理由" in resp.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(MatchOverride)) == 0
    resp = client.post(url, data={"jobseeker_id": a.id, "action": "exclude", "reason": "本人已表示不考虑"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "本人已表示不考虑" in html
    assert f'id="seeker-{a.id}"' not in html and "乙焊工" in html
    client.post(url, data={"jobseeker_id": a.id, "action": "clear"})
    assert f'id="seeker-{a.id}"' in client.get(f"/commissioner/matching/postings/{posting.id}").get_data(as_text=True)


def test_enterprise_api_masks_profiles_until_the_jobseeker_applies(client, login_as, matcher, make_posting,
                                                                   make_seeker, db_session):
    from core.applications.models import Application

    from core.audit.models import AuditEvent
    from core.enums import ApplicationStatus

    user = login_as("enterprise")
    user.enterprise.verification_status = "verified"  # profiles open to enterprises are open to verified ones
    posting = make_posting(title="电焊工", region_code="440106", enterprise_id=user.enterprise_id)
    applied = make_seeker(name="孙应聘", titles=["电焊工"], phone="13811112222")
    # "visible to enterprises" lets them find the profile, not reach the person (the leak of issue 10)
    quiet = make_seeker(name="周未投", titles=["电焊工"], phone="13833334444", consent_visible_to_enterprises=True)
    withdrew = make_seeker(name="吴撤回", titles=["电焊工"], phone="13855556666", consent_visible_to_enterprises=True)
    db_session.add(Application(jobseeker_id=applied.id, posting_id=posting.id))
    db_session.add(Application(jobseeker_id=withdrew.id, posting_id=posting.id, status=ApplicationStatus.WITHDRAWN))
    db_session.commit()
    resp = client.get(f"/api/v1/postings/{posting.id}/matches")
    assert resp.status_code == 200
    items = {i["id"]: i for i in resp.get_json()["items"]}
    assert items[applied.id]["profile"]["name"] == "孙应聘" and items[applied.id]["applied"]
    assert items[applied.id]["profile"]["phone"] == "13811112222" and items[applied.id]["profile"]["id_number_masked"]
    for other in (quiet, withdrew):
        profile = items[other.id]["profile"]
        assert profile["name"] != other.name and profile["masked"] and not items[other.id]["applied"]
    assert "13833334444" not in resp.get_data(as_text=True) and "13855556666" not in resp.get_data(as_text=True)
    shown = {e.subject_id: e.fields for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "jobseeker", AuditEvent.actor_user_id == user.id))}
    assert set(shown) == set(items)  # every person in the answer is in the audit trail
    assert "phone" in shown[applied.id] and "phone_masked" in shown[quiet.id]
    assert all(i["explanation"] and "rank" in i for i in items.values())
    other = make_posting(title="保安", region_code="440106")  # not this enterprise's
    assert client.get(f"/api/v1/postings/{other.id}/matches").status_code == 403


def test_jobseeker_sees_recommended_posts(client, seeker_with_profile, matcher, make_posting, db_session):
    near = make_posting(title="电焊工", region_code="371302", description="钢结构焊接，电焊")
    far = make_posting(title="电焊工（外地）", region_code="110105", description="钢结构焊接")
    user, seeker = seeker_with_profile()
    seeker.consent_recommendation = True
    seeker.desired_titles = ["电焊工"]
    db_session.commit()
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert f'id="posting-{near.id}"' in html and f'id="posting-{far.id}"' not in html and "推荐理由" in html
    api = client.get(f"/api/v1/jobseekers/{seeker.id}/recommendations").get_json()
    assert [i["id"] for i in api["items"]] == [near.id]
    seeker.consent_recommendation = False
    db_session.commit()
    assert "您已关闭智能推荐" in client.get("/seeker/recommendations").get_data(as_text=True)
    assert client.get(f"/api/v1/jobseekers/{seeker.id + 1000}/recommendations").status_code in (403, 404)


def test_commissioner_can_set_a_group_policy_on_the_page(client, login_as, matcher, make_posting, make_seeker):
    posting = make_posting(title="电焊工", region_code="440106", description="钢结构焊接")
    for i in range(4):
        make_seeker(name=f"焊工{i}", titles=["电焊工"])
    grad = make_seeker(name="毕业生小林", titles=["文员"], skills=["办公软件"], groups=["graduate"])
    login_as("commissioner", region_code="440100")
    plain = client.get(f"/commissioner/matching/postings/{posting.id}").get_data(as_text=True)
    assert "名单完全按匹配度排序" in plain
    html = client.get(f"/commissioner/matching/postings/{posting.id}?group=graduate&share=0.5&k=2").get_data(as_text=True)
    assert "专员设定" in html and "高校毕业生不少于50%" in html
    assert f'id="seeker-{grad.id}"' in html  # floor(0.5*2) = 1 graduate in a top 2
