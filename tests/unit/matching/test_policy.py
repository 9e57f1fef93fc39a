"""The priority-group representation guarantee on adversarial pools."""
import math
import random

import pytest

from matching.policy import apply_group_policy
from matching.profiles import GroupPolicy


def check_prefixes(top, groups_of, policy, pool_ids):
    """Every prefix i holds >= min(floor(p*i), members in pool) of each target group."""
    for g, p in policy.shares.items():
        in_pool = sum(1 for c in pool_ids if g in groups_of.get(c, ()))
        count = 0
        for i, cid in enumerate(top, start=1):
            count += g in groups_of.get(cid, ())
            assert count >= min(math.floor(p * i + 1e-9), in_pool), (g, i, top)


def same_signature_in_relevance_order(top, groups_of, policy, ranked):
    pos = {c: i for i, c in enumerate(ranked)}
    sig = {c: frozenset(set(groups_of.get(c, ())) & set(policy.shares)) for c in top}
    for a in range(len(top)):
        for b in range(a + 1, len(top)):
            if sig[top[a]] == sig[top[b]]:
                assert pos[top[a]] < pos[top[b]], (top[a], top[b])


def test_members_at_the_bottom_are_promoted_just_enough():
    ranked = [f"s{i:02d}" for i in range(30)]
    groups_of = {c: (["graduate"] if i >= 25 else []) for i, c in enumerate(ranked)}
    policy = GroupPolicy({"graduate": 0.2})
    top, report = apply_group_policy(ranked, groups_of, policy, 10)
    check_prefixes(top, groups_of, policy, ranked)
    # floor(0.2*i) reaches 1 at i=5 and 2 at i=10: exactly two graduates, at positions 5 and 10.
    assert [i for i, c in enumerate(top, 1) if groups_of[c]] == [5, 10]
    assert top[4] == "s25" and top[9] == "s26"
    assert report.outcomes[0].met and report.outcomes[0].achieved == 2
    assert report.moved > 0 and "高校毕业生不少于20%" in report.summary


def test_tiny_group_is_fully_used_and_the_shortfall_reported():
    ranked = [f"s{i:02d}" for i in range(20)]
    groups_of = {c: (["veteran"] if c in ("s18", "s19") else []) for c in ranked}
    policy = GroupPolicy({"veteran": 0.5})
    top, report = apply_group_policy(ranked, groups_of, policy, 10)
    check_prefixes(top, groups_of, policy, ranked)
    assert "s18" in top and "s19" in top and top.index("s18") < top.index("s19")
    outcome = report.outcomes[0]
    assert outcome.in_pool == 2 and outcome.required == 5 and outcome.achieved == 2 and not outcome.met
    assert "仅有2名" in outcome.note and "未满足" in report.summary


def test_no_qualified_members_leaves_relevance_order():
    ranked = list(range(15))
    groups_of = {c: [] for c in ranked}
    policy = GroupPolicy({"disabled": 0.3})
    top, report = apply_group_policy(ranked, groups_of, policy, 10)
    assert top == list(range(10))
    assert report.moved == 0 and report.outcomes[0].in_pool == 0 and not report.outcomes[0].met


def test_ties_keep_a_deterministic_relevance_order_inside_the_group():
    # All candidates equally relevant: the caller's order (id order on ties) is kept within groups.
    ranked = ["a", "b", "c", "d", "e", "f", "g", "h"]
    groups_of = {"a": [], "b": [], "c": [], "d": [], "e": ["migrant_worker"], "f": ["migrant_worker"],
                 "g": ["migrant_worker"], "h": []}
    policy = GroupPolicy({"migrant_worker": 0.5})
    top, _ = apply_group_policy(ranked, groups_of, policy, 6)
    check_prefixes(top, groups_of, policy, ranked)
    assert [c for c in top if groups_of[c]] == ["e", "f", "g"]
    assert [c for c in top if not groups_of[c]] == ["a", "b", "c"]
    again, _ = apply_group_policy(ranked, groups_of, policy, 6)
    assert again == top


def test_several_groups_each_get_their_share():
    ranked = list(range(40))
    groups_of = {c: [] for c in ranked}
    for c in (30, 31, 32, 33, 34, 35):
        groups_of[c] = ["graduate"]
    for c in (36, 37, 38, 39):
        groups_of[c] = ["land_lost_farmer"]
    policy = GroupPolicy({"graduate": 0.3, "land_lost_farmer": 0.2})
    top, report = apply_group_policy(ranked, groups_of, policy, 10)
    check_prefixes(top, groups_of, policy, ranked)
    same_signature_in_relevance_order(top, groups_of, policy, ranked)
    assert sum(groups_of[c] == ["graduate"] for c in top) == 3
    assert sum(groups_of[c] == ["land_lost_farmer"] for c in top) == 2
    assert all(o.met for o in report.outcomes)


def test_share_of_one_takes_only_members_while_they_last():
    ranked = list(range(10))
    groups_of = {c: (["graduate"] if c in (7, 8) else []) for c in ranked}
    top, report = apply_group_policy(ranked, groups_of, GroupPolicy({"graduate": 1.0}), 5)
    assert top[:2] == [7, 8] and top[2:] == [0, 1, 2]
    assert not report.outcomes[0].met


@pytest.mark.parametrize("seed", range(60))
def test_random_adversarial_pools(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    ranked = list(range(n))
    names = ["graduate", "veteran", "disabled", "land_lost_farmer"]
    targets = rng.sample(names, rng.randint(1, 3))
    shares = {}
    left = 1.0
    for g in targets:
        p = round(rng.uniform(0.05, left), 2)
        if p <= 0:
            break
        shares[g] = p
        left -= p
    policy = GroupPolicy(shares)
    # members are rare and pushed towards the bottom; some belong to two groups
    groups_of = {}
    for c in ranked:
        gs = [g for g in names if rng.random() < 0.08 + 0.25 * c / max(n, 1)]
        groups_of[c] = gs
    k = rng.randint(1, n)
    top, report = apply_group_policy(ranked, groups_of, policy, k)
    assert len(top) == k and len(set(top)) == k
    check_prefixes(top, groups_of, policy, ranked)
    same_signature_in_relevance_order(top, groups_of, policy, ranked)
    assert not report.prefix_violations


def test_invalid_share_is_refused():
    with pytest.raises(ValueError):
        GroupPolicy({"graduate": 1.5})
