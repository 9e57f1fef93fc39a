"""Priority-group representation on the top k (DetConstSort-style, Geyik et al., KDD 2019).

Given candidates in relevance order and target groups with minimum shares p_g, build the top k so
that every prefix i holds at least floor(p_g * i) members of each group g, wherever the pool has
enough qualified members (the requirement is capped at the number the pool holds). Each position
takes the most relevant remaining candidate whose choice keeps every later prefix satisfiable;
only when that is impossible is a member of the most urgent group promoted. Hence:

- candidates with the same set of target groups keep their relevance order (in particular, within
  a group every single-group member stays in order, and non-members stay in order);
- nothing is boosted beyond what the constraint needs, and the report shows every move;
- when the pool cannot meet a share, the report says so per group.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from matching.profiles import GROUP_LABELS, GroupOutcome, GroupPolicy, PolicyReport


def _required(share: float, i: int) -> int:
    return math.floor(share * i + 1e-9)


def apply_group_policy(
    ranked_ids: Sequence, groups_of: dict, policy: GroupPolicy | None, k: int
) -> tuple[list, PolicyReport | None]:
    """Re-order the first k of ``ranked_ids`` (most relevant first) under ``policy``.

    ``groups_of`` maps an id to its (verified) priority groups. Returns the top-k ids and the report.
    """
    ranked_ids = list(ranked_ids)
    k = min(k, len(ranked_ids))
    if policy is None or not policy.shares:
        return ranked_ids[:k], None
    targets = list(policy.shares)
    members = {g: [] for g in targets}  # relevance-ordered positions in ranked_ids
    for pos, cid in enumerate(ranked_ids):
        for g in groups_of.get(cid, ()):
            if g in members:
                members[g].append(pos)
    in_pool = {g: len(members[g]) for g in targets}

    def req(g: str, i: int) -> int:
        return min(_required(policy.shares[g], i), in_pool[g])

    taken = [False] * len(ranked_ids)
    count = {g: 0 for g in targets}
    cursor = {g: 0 for g in targets}  # next untaken member index per group
    overall = 0
    out: list = []

    def next_member(g: str) -> int | None:
        lst = members[g]
        while cursor[g] < len(lst) and taken[lst[cursor[g]]]:
            cursor[g] += 1
        return lst[cursor[g]] if cursor[g] < len(lst) else None

    # req_table[g, j]: members of group g required in a prefix of length j (capped by the pool)
    req_table = np.array([[req(g, j) for j in range(k + 1)] for g in targets], dtype=np.int64)
    group_index = {g: n for n, g in enumerate(targets)}
    counts = np.zeros(len(targets), dtype=np.int64)

    def feasible_after(pos: int, i: int) -> bool:
        """After putting ranked_ids[pos] at position i, can prefixes i..k still all be met?

        Conservative: it counts one slot per missing member of each group (a candidate in two
        groups could fill both), so a 'yes' is always right.
        """
        have = counts.copy()
        for g in groups_of.get(ranked_ids[pos], ()):
            if g in group_index:
                have[group_index[g]] += 1
        need = np.maximum(req_table[:, i:] - have[:, None], 0).sum(axis=0)
        return bool((need <= np.arange(0, k - i + 1)).all())

    for i in range(1, k + 1):
        while overall < len(ranked_ids) and taken[overall]:
            overall += 1
        choice = overall if feasible_after(overall, i) else None
        if choice is None:
            # Promote the best remaining member among groups still short at the tightest prefix;
            # among those, the most relevant one.
            options = []
            for g in targets:
                pos = next_member(g)
                if pos is not None and feasible_after(pos, i):
                    options.append(pos)
            if not options:  # shares summing past 1: no order meets all; serve the most urgent group
                urgent = sorted(
                    (g for g in targets if next_member(g) is not None),
                    key=lambda g: (count[g] - req(g, i), next_member(g)),
                )
                options = [next_member(urgent[0])] if urgent else [overall]
            choice = min(options)
        taken[choice] = True
        out.append(choice)
        for g in groups_of.get(ranked_ids[choice], ()):
            if g in count:
                count[g] += 1
                counts[group_index[g]] += 1

    # Report: per group, and every prefix left short.
    violations = []
    running = {g: 0 for g in targets}
    for i, pos in enumerate(out, start=1):
        for g in groups_of.get(ranked_ids[pos], ()):
            if g in running:
                running[g] += 1
        for g in targets:
            if running[g] < req(g, i):
                violations.append((g, i))
    outcomes = []
    for g in targets:
        required = _required(policy.shares[g], k)
        achieved = running[g]
        label = GROUP_LABELS.get(g, g)
        if in_pool[g] < required:
            note = f"候选池中仅有{in_pool[g]}名符合条件的{label}，不足前{k}名所需的{required}名"
        elif achieved >= required:
            note = f"前{k}名中有{achieved}名{label}（要求至少{required}名）"
        else:
            note = f"{label}名额未能在所有前缀中满足（各群体比例之和超过100%）"
        outcomes.append(GroupOutcome(g, policy.shares[g], in_pool[g], required, achieved,
                                     achieved >= required and not any(v[0] == g for v in violations), note))
    moved = sum(1 for i, pos in enumerate(out) if pos != i)
    shares_text = "、".join(f"{GROUP_LABELS.get(g, g)}不少于{policy.shares[g]:.0%}" for g in targets)
    summary = (f"已执行重点群体保障{('（' + policy.name + '）') if policy.name else ''}：前{k}名的每个前缀中"
               f"{shares_text}（按⌊比例×名次⌋取整），群体内部保持相关度顺序；{moved}人次名次因此调整。")
    short = [o.note for o in outcomes if not o.met]
    if short:
        summary += "未满足：" + "；".join(short) + "。"
    report = PolicyReport(True, policy.name, k, outcomes, moved, violations, summary)
    return [ranked_ids[pos] for pos in out], report
