"""The shortage feature of the transparent score: a post of a published shortage occupation is put
ahead of an otherwise equal post when (and only when) its weight is above 0; it never outweighs a
clearly better fit, leaves the priority-group policy's guarantees alone, and is said in plain words."""
import datetime as dt

import numpy as np
import pytest

from matching.profiles import GroupPolicy, MatchWeights, PostingProfile, SeekerProfile
from matching.ranker import Ranker
from matching.reasons import reasons_for_seeker

TODAY = dt.date(2026, 12, 6)
V = np.array([1.0, 0.0, 0.0], dtype=np.float32)


def person(**kw):
    base = dict(id="s", region_code="440106", consent_recommendation=True, embedding=V.copy(),
                desired_titles=["焊工"], desired_occupations=["6-18-02-04"], education="senior", skills=["电焊"],
                expected_pay_min=6000)
    base.update(kw)
    return SeekerProfile(**base)


def post(id, **kw):
    base = dict(id=id, title="焊工", description="钢结构焊接", region_code="440106", occupation_code="6-18-02-04",
                occupation_name="焊工", pay_min=6000, pay_max=7000, education="junior", skills=["电焊"],
                embedding=V.copy())
    base.update(kw)
    return PostingProfile(**base)


def _order(weights: MatchWeights, postings) -> list:
    return [i.id for i in Ranker(weights=weights).rank_postings_for_seeker(person(), postings, k=5,
                                                                           today=TODAY).items]


def test_the_factor_reorders_only_when_its_weight_is_above_zero():
    # the same fit in every feature: without the factor the tie keeps a first (by id)
    a, b = post("a"), post("b", shortage=True)
    assert _order(MatchWeights(), [a, b]) == ["b", "a"]
    assert _order(MatchWeights(shortage=0.0), [a, b]) == ["a", "b"]
    b.shortage = False
    assert _order(MatchWeights(), [a, b]) == ["a", "b"]


def test_a_clearly_better_fit_stays_ahead():
    # b is a neighbouring occupation (same minor group: 0.7 of the occupation feature): 0.3 x 0.20 > 0.05
    a, b = post("a"), post("b", occupation_code="6-18-02-05", shortage=True)
    assert _order(MatchWeights(), [a, b]) == ["a", "b"]


def test_the_weight_is_configuration_and_zero_switches_it_off():
    assert MatchWeights().shortage == 0.05
    assert MatchWeights.from_config('{"shortage": 0}').shortage == 0.0
    with pytest.raises(ValueError):
        MatchWeights.from_config('{"shortage": -1}')


def test_staff_and_the_person_are_told_in_plain_words():
    a, b = post("a"), post("b", shortage=True)
    ranked = Ranker().rank_postings_for_seeker(person(), [a, b], k=5, today=TODAY)
    lines = {i.id: i.explanation for i in ranked.items}
    assert "本地紧缺工种，优先推荐" in lines["b"] and not any("紧缺" in x for x in lines["a"])
    off = Ranker(weights=MatchWeights(shortage=0)).rank_postings_for_seeker(person(), [b], k=5, today=TODAY)
    assert not any("优先推荐" in x for x in off.items[0].explanation)  # never claims what did not happen
    said = reasons_for_seeker(person(), b, 0.9, {})
    assert "这是本地紧缺的工作，用人单位正缺人" in said and len(said) <= 3
    assert not any("紧缺" in x for x in reasons_for_seeker(person(), a, 0.9, {}))


def test_people_for_a_post_keep_the_group_policy():
    """For one post the flag is the same for everyone: the order and the policy's quota do not move."""
    people = [person(id=f"s{i}", embedding=np.array([1.0, 0.1 * i, 0.0], dtype=np.float32),
                     groups=["veteran"] if i >= 6 else []) for i in range(8)]
    policy = GroupPolicy({"veteran": 0.3})
    plain = Ranker().rank_seekers_for_posting(post("p"), people, k=5, policy=policy, today=TODAY)
    short = Ranker().rank_seekers_for_posting(post("p", shortage=True), people, k=5, policy=policy, today=TODAY)
    assert [i.id for i in short.items] == [i.id for i in plain.items]
    assert sum("veteran" in i.groups for i in short.items) >= 1  # floor(0.3 x 5) = 1
    assert all("本地紧缺工种，优先推荐" in i.explanation for i in short.items)
