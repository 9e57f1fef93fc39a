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
    placement = _Placement(ranked_ids, groups_of, policy.shares, k)
    out = [placement.place(i) for i in range(1, k + 1)]
    return [ranked_ids[pos] for pos in out], _report(placement, out, policy)


class _Placement:
    """Filling positions 1..k in turn: which candidates are taken and how many of each target group
    the prefix holds so far."""

    def __init__(self, ranked_ids: list, groups_of: dict, shares: dict[str, float], k: int):
        self.ranked_ids, self.shares, self.k = ranked_ids, shares, k
        self.targets = list(shares)
        self.group_index = {g: n for n, g in enumerate(self.targets)}
        self.members: dict[str, list[int]] = {g: [] for g in self.targets}  # relevance-ordered positions
        self.pos_groups: list[list[int]] = []  # per position, the indexes of its target groups
        for pos, cid in enumerate(ranked_ids):
            mine = [g for g in groups_of.get(cid, ()) if g in self.members]
            for g in mine:
                self.members[g].append(pos)
            self.pos_groups.append([self.group_index[g] for g in mine])
        self.in_pool = {g: len(self.members[g]) for g in self.targets}
        self.taken = [False] * len(ranked_ids)
        self.cursor = {g: 0 for g in self.targets}  # next untaken member index per group
        self.overall = 0  # the most relevant untaken candidate
        # req_table[g, j]: members of group g required in a prefix of length j (capped by the pool)
        self.req_table = np.array([[self.req(g, j) for j in range(k + 1)] for g in self.targets], dtype=np.int64)
        self.counts = np.zeros(len(self.targets), dtype=np.int64)

    def req(self, g: str, i: int) -> int:
        return min(_required(self.shares[g], i), self.in_pool[g])

    def next_member(self, g: str) -> int | None:
        lst, cur = self.members[g], self.cursor[g]
        while cur < len(lst) and self.taken[lst[cur]]:
            cur += 1
        self.cursor[g] = cur
        return lst[cur] if cur < len(lst) else None

    def feasible_after(self, pos: int, i: int) -> bool:
        """After putting ranked_ids[pos] at position i, can prefixes i..k still all be met?

        Conservative: it counts one slot per missing member of each group (a candidate in two
        groups could fill both), so a 'yes' is always right.
        """
        have = self.counts.copy()
        for n in self.pos_groups[pos]:
            have[n] += 1
        need = np.maximum(self.req_table[:, i:] - have[:, None], 0).sum(axis=0)
        return bool((need <= np.arange(0, self.k - i + 1)).all())

    def place(self, i: int) -> int:
        """The candidate for position i: the most relevant one that keeps every later prefix
        satisfiable, else a promoted group member."""
        while self.overall < len(self.ranked_ids) and self.taken[self.overall]:
            self.overall += 1
        choice = self.overall if self.feasible_after(self.overall, i) else self._promote(i)
        self.taken[choice] = True
        for n in self.pos_groups[choice]:
            self.counts[n] += 1
        return choice

    def _promote(self, i: int) -> int:
        """The best remaining member among groups still short at the tightest prefix; among those,
        the most relevant one."""
        options = [pos for g in self.targets if (pos := self.next_member(g)) is not None and self.feasible_after(pos, i)]
        if not options:  # shares summing past 1: no order meets all; serve the most urgent group
            urgent = sorted(
                (g for g in self.targets if self.next_member(g) is not None),
                key=lambda g: (self.counts[self.group_index[g]] - self.req(g, i), self.next_member(g)),
            )
            options = [self.next_member(urgent[0])] if urgent else [self.overall]
        return min(options)


def _report(placement: _Placement, out: list[int], policy: GroupPolicy) -> PolicyReport:
    """Per group, what the pool held and the top k achieved, and every prefix left short."""
    targets, k, in_pool = placement.targets, placement.k, placement.in_pool
    violations = []
    running = {g: 0 for g in targets}
    for i, pos in enumerate(out, start=1):
        for n in placement.pos_groups[pos]:
            running[targets[n]] += 1
        violations.extend((g, i) for g in targets if running[g] < placement.req(g, i))
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
    return PolicyReport(True, policy.name, k, outcomes, moved, violations, summary)
