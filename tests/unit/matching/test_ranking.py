"""Hard constraints, the transparent score, explanations and both ranking directions."""
import datetime as dt

import numpy as np
import pytest

from matching.constraints import FilterConfig, internship_eligible, rejection_reason
from matching.profiles import GroupPolicy, MatchWeights, PostingProfile, SeekerProfile
from matching.ranker import Ranker
from matching.scoring import occupation_agreement

TODAY = dt.date(2026, 11, 22)


def unit(*xs):
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def seeker(id, **kw):
    base = dict(id=id, region_code="440106", consent_recommendation=True, embedding=unit(1, 0, 0),
                desired_titles=["电工"], desired_occupations=["6-31-01-03"], education="senior")
    base.update(kw)
    return SeekerProfile(**base)


def posting(**kw):
    base = dict(id="p1", title="电工", description="负责厂区配电维护，持低压电工证", region_code="440106",
                occupation_code="6-31-01-03", occupation_name="电工", pay_min=6000, pay_max=8000,
                education="junior", skills=["电工证"], lat=23.12, lon=113.36, embedding=unit(1, 0, 0))
    base.update(kw)
    return PostingProfile(**base)


def test_consent_availability_region_and_radius():
    p = posting()
    assert rejection_reason(seeker(1, consent_recommendation=False), p, TODAY) == "no_consent"
    assert rejection_reason(seeker(2, availability="unavailable"), p, TODAY) == "unavailable"
    assert rejection_reason(seeker(3, region_code="440306"), p, TODAY) == "region"  # Shenzhen vs Guangzhou
    # another city, but 10 km away: inside the default 30 km commute radius
    assert rejection_reason(seeker(4, region_code="441900", lat=23.05, lon=113.45), p, TODAY) is None
    # the same, with a 5 km commute limit of their own
    assert rejection_reason(seeker(5, region_code="441900", lat=23.05, lon=113.45, max_commute_km=5), p,
                            TODAY) == "region"
    # another province, but Guangdong (440000) is among the regions they would work in
    assert rejection_reason(seeker(6, region_code="430102", desired_regions=["440000"]), p, TODAY) is None
    assert rejection_reason(seeker(7, region_code="430102", desired_regions=["440300"]), p, TODAY) == "region"
    assert rejection_reason(seeker(8), p, TODAY) is None


def test_internship_eligibility():
    cfg = FilterConfig()
    assert internship_eligible(SeekerProfile(1, graduation_year=2024), TODAY, cfg)  # two years out
    assert not internship_eligible(SeekerProfile(2, graduation_year=2023, birth_date=dt.date(1998, 1, 1)), TODAY, cfg)
    assert internship_eligible(SeekerProfile(3, birth_date=dt.date(2004, 12, 1)), TODAY, cfg)  # 21, unemployed
    assert not internship_eligible(SeekerProfile(4, birth_date=dt.date(2004, 12, 1), availability="employed_open"),
                                   TODAY, cfg)
    assert not internship_eligible(SeekerProfile(5, birth_date=dt.date(2010, 12, 1)), TODAY, cfg)  # 15
    assert internship_eligible(SeekerProfile(6, birth_date=dt.date(2001, 11, 23)), TODAY, cfg)  # still 24
    assert not internship_eligible(SeekerProfile(7, birth_date=dt.date(2001, 11, 22)), TODAY, cfg)  # 25 today
    p = posting(employment_type="internship")
    assert rejection_reason(seeker(8, graduation_year=2020, birth_date=dt.date(1997, 1, 1)), p, TODAY) == "internship"


def test_occupation_agreement_levels():
    assert occupation_agreement(["6-31-01-03"], "6-31-01-03") == (1.0, "detail")
    assert occupation_agreement(["6-31-01-09"], "6-31-01-03") == (0.7, "minor")
    assert occupation_agreement(["6-31-02-01"], "6-31-01-03") == (0.4, "middle")
    assert occupation_agreement(["4-01-02-01"], "6-31-01-03") == (0.0, "none")
    assert occupation_agreement([], "6-31-01-03") == (0.0, "none")


def test_seekers_for_posting_filters_scores_and_explains():
    p = posting()
    pool = [
        seeker("exact", skills=["电工证"], expected_pay_min=7000, lat=23.13, lon=113.35),
        seeker("related", desired_occupations=["6-31-02-01"], embedding=unit(1, 1, 0), expected_pay_min=9000),
        seeker("other", desired_occupations=["4-01-02-01"], desired_titles=["收银员"], embedding=unit(0, 1, 0)),
        seeker("no-consent", consent_recommendation=False),
        seeker("far", region_code="110105"),
    ]
    result = Ranker().rank_seekers_for_posting(p, pool, k=10, today=TODAY)
    assert [i.id for i in result.items] == ["exact", "related", "other"]
    assert result.filtered_out == {"未同意接受智能推荐": 1, "不在岗位所在地区或通勤半径内": 1}
    top = result.items[0]
    assert top.rank == 1 and top.features["occupation"] == 1.0 and top.features["skills"] == 1.0
    text = top.explanation_text
    assert "是同一职业" in text and "电工证" in text and "达到期望的7000元" in text and "公里" in text
    assert "低于期望的9000元" in result.items[1].explanation_text
    assert all(len(i.explanation) >= 6 for i in result.items)  # occupation, skills, edu, pay, distance, policy
    assert result.items[0].score > result.items[1].score > result.items[2].score


def test_weights_come_from_configuration_and_change_the_order():
    p = posting(pay_max=5000, pay_min=4000)
    a = seeker("cheap", embedding=unit(0.2, 1, 0), desired_occupations=[], expected_pay_min=3000)
    b = seeker("close", embedding=unit(1, 0, 0), desired_occupations=[], expected_pay_min=9000)
    semantic = Ranker(weights=MatchWeights.from_config('{"semantic": 1, "pay": 0, "occupation": 0, "skills": 0, '
                                                        '"education_experience": 0, "distance": 0}'))
    pay = Ranker(weights=MatchWeights.from_config({"semantic": 0, "pay": 1, "occupation": 0, "skills": 0,
                                                    "education_experience": 0, "distance": 0}))
    assert [i.id for i in semantic.rank_seekers_for_posting(p, [a, b], today=TODAY).items] == ["close", "cheap"]
    assert [i.id for i in pay.rank_seekers_for_posting(p, [a, b], today=TODAY).items] == ["cheap", "close"]
    with pytest.raises(ValueError):
        MatchWeights.from_config({"age": 1})


def test_policy_is_applied_and_shown_on_the_list():
    p = posting()
    pool = [seeker(f"s{i}", embedding=unit(1, 0.05 * i, 0)) for i in range(10)]
    pool[8].groups = ["graduate"]
    pool[9].groups = ["graduate"]
    result = Ranker().rank_seekers_for_posting(p, pool, k=4, policy=GroupPolicy({"graduate": 0.5}, "毕业生专场"),
                                               today=TODAY)
    ids = [i.id for i in result.items]
    assert ids == ["s0", "s8", "s1", "s9"]
    assert result.policy.applied and "毕业生专场" in result.policy.summary
    promoted = result.items[1]
    assert promoted.relevance_rank == 9 and "提前至第2位" in promoted.policy_effect
    assert "顺延" in result.items[2].policy_effect
    d = result.to_dict()
    assert d["items"][1]["groups"] == ["graduate"] and d["policy"]["outcomes"][0]["achieved"] == 2


def test_postings_for_seeker_and_opt_out():
    s = seeker("me", graduation_year=2015, birth_date=dt.date(1990, 1, 1), expected_pay_min=6000)
    postings = [
        posting(id="near"),
        posting(id="intern", employment_type="internship"),
        posting(id="elsewhere", region_code="310101", lat=31.2, lon=121.4),
        posting(id="weaker", embedding=unit(0, 1, 0), occupation_code="4-01-02-01", target_groups=["veteran"]),
    ]
    result = Ranker().rank_postings_for_seeker(s, postings, k=5, today=TODAY)
    assert [i.id for i in result.items] == ["near", "weaker"]
    assert "面向退役军人" in result.items[1].explanation_text
    s.consent_recommendation = False
    assert Ranker().rank_postings_for_seeker(s, postings, today=TODAY).items == []


def test_pool_path_matches_the_sequence_path():
    rng = np.random.default_rng(3)
    p = posting(embedding=unit(*rng.normal(size=8)))
    seekers = []
    for i in range(300):
        city = ["440106", "440305", "441900"][i % 3]
        seekers.append(SeekerProfile(i, region_code=city, consent_recommendation=i % 7 != 0,
                                     embedding=rng.normal(size=8).astype(np.float32),
                                     desired_regions=["440100"] if i % 11 == 0 else [],
                                     groups=["veteran"] if i % 13 == 0 else []))
    ranker = Ranker()
    policy = GroupPolicy({"veteran": 0.2})
    direct = ranker.rank_seekers_for_posting(p, seekers, k=30, policy=policy, today=TODAY)
    pooled = ranker.rank_seekers_for_posting(p, ranker.pool(seekers, today=TODAY), k=30, policy=policy, today=TODAY)
    assert [i.id for i in pooled.items] == [i.id for i in direct.items]
    assert all(s.region_code == "440106" or s.desired_regions for s in (seekers[i.id] for i in pooled.items))
