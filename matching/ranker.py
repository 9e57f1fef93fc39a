"""Two-stage ranking in both directions: hard constraints and nearest neighbours, then the
transparent score, the priority-group policy and an explanation on every item.

``Ranker.rank_seekers_for_posting`` and ``Ranker.rank_postings_for_seeker`` accept either a plain
sequence of profiles (what a database query returns) or a ``ProfilePool`` (pre-built arrays and a
vector index for large populations, see bench/match_speed.py).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from collections.abc import Sequence

import numpy as np

from matching.constraints import REASONS, FilterConfig, internship_eligible, rejection_reason
from matching.constraints import desired_prefix as _desired_prefix
from matching.policy import apply_group_policy
from matching.profiles import (
    GROUP_LABELS,
    GroupPolicy,
    MatchWeights,
    PostingProfile,
    RankedItem,
    RankedList,
    SeekerProfile,
)
from matching.scoring import score_pair
from matching.text import posting_text, seeker_text
from matching.vectors import VectorIndex, normalise_rows

RERANK_DEPTH = 100  # nearest neighbours re-scored per query (at least 3 x k)


def _city_key(code: str | None) -> int:
    return int(code[:4]) if code and len(code) >= 4 and code[:4].isdigit() else -1


def _prefixes(code: str) -> list[str]:
    code = (code or "").strip()
    return [code[:n] for n in (2, 4, 6) if len(code) >= n]


class ProfilePool:
    """Seekers or postings with their embeddings, arrays for vectorised filtering and a vector index."""

    def __init__(self, profiles: Sequence, embeddings: np.ndarray, today: dt.date | None = None,
                 filters: FilterConfig | None = None, build_ivf: bool | None = None):
        self.profiles = list(profiles)
        self.today = today or dt.date.today()
        self.filters = filters or FilterConfig()
        n = len(self.profiles)
        emb = normalise_rows(embeddings) if n else np.zeros((0, 1), dtype=np.float32)
        self.city = np.array([_city_key(p.region_code) for p in self.profiles], dtype=np.int64)
        self.lat = np.array([p.lat if p.lat is not None else np.nan for p in self.profiles], dtype=np.float64)
        self.lon = np.array([p.lon if p.lon is not None else np.nan for p in self.profiles], dtype=np.float64)
        self.is_seekers = bool(self.profiles) and isinstance(self.profiles[0], SeekerProfile)
        self.by_desired: dict[str, list[int]] = {}
        if self.is_seekers:
            self.base_ok = np.array(
                [(p.consent_recommendation or not self.filters.require_consent) and p.availability != "unavailable"
                 for p in self.profiles], dtype=bool)
            self.intern_ok = np.array([internship_eligible(p, self.today, self.filters) for p in self.profiles],
                                      dtype=bool)
            for i, p in enumerate(self.profiles):
                for code in p.desired_regions:
                    self.by_desired.setdefault(_desired_prefix(code), []).append(i)
            self.radius = np.array([p.max_commute_km if p.max_commute_km is not None
                                    else self.filters.default_radius_km for p in self.profiles])
            self.max_radius = float(self.radius.max()) if n else 0.0
        else:
            self.is_internship = np.array([p.employment_type == "internship" for p in self.profiles], dtype=bool)
        self.index = VectorIndex(emb, self.city, build_ivf=build_ivf)
        self.cities = sorted(set(self.city.tolist()))

    def __len__(self) -> int:
        return len(self.profiles)

    def near(self, lat: float | None, lon: float | None, radius_km: float) -> np.ndarray:
        """Rows within ``radius_km`` (bounding box first, then the great-circle distance)."""
        if lat is None or lon is None or not len(self.profiles):
            return np.empty(0, dtype=np.int64)
        dlat = radius_km / 111.0
        dlon = radius_km / (111.0 * max(0.1, np.cos(np.radians(lat))))
        box = np.nonzero((np.abs(self.lat - lat) <= dlat) & (np.abs(self.lon - lon) <= dlon))[0]
        if not len(box):
            return box
        p1, p2 = np.radians(lat), np.radians(self.lat[box])
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(self.lon[box] - lon) / 2) ** 2
        d = 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, a)))
        return box[d <= radius_km]


class Ranker:
    def __init__(self, encoder=None, weights: MatchWeights | None = None, filters: FilterConfig | None = None,
                 occupation_names: dict[str, str] | None = None, rerank_depth: int = RERANK_DEPTH):
        self.encoder = encoder
        self.weights = weights or MatchWeights()
        self.filters = filters or FilterConfig()
        self.occupation_names = occupation_names or {}
        self.rerank_depth = rerank_depth
        # ``interpret(text) -> [(occupation code, words)]``: reads occupations out of what people
        # write (titles, skills, self-descriptions). The application hands in the normaliser's
        # classifier; None reads nothing (only the codes a person chose count).
        self.interpret = None
        # The learned ranking (``matching.ltr.LearnedRanker``) that orders a person's posts when the
        # application chose it (MATCHER_RANKER); None: the hand-set score orders them.
        self.learned = None

    @property
    def model_version(self) -> str:
        return getattr(self.encoder, "version", "none")

    # -- embeddings ---------------------------------------------------------------------------
    def posting_text(self, p: PostingProfile) -> str:
        return posting_text(p.title, p.description, p.skills,
                            p.occupation_name or self.occupation_names.get(p.occupation_code or "", ""))

    def seeker_text(self, s: SeekerProfile) -> str:
        names = [self.occupation_names.get(c, "") for c in s.desired_occupations]
        return seeker_text(s.desired_titles, s.skills, s.certificates, s.summary, names)

    def embed(self, profiles: Sequence) -> np.ndarray:
        """Embeddings of ``profiles``, computing (and setting) the missing ones with the encoder."""
        missing = [p for p in profiles if p.embedding is None]
        if missing:
            if self.encoder is None:
                raise ValueError("profiles without embeddings need an encoder")
            texts = [self.seeker_text(p) if isinstance(p, SeekerProfile) else self.posting_text(p) for p in missing]
            for p, v in zip(missing, self.encoder.encode(texts)):
                p.embedding = v
        if not profiles:
            return np.zeros((0, 1), dtype=np.float32)
        return normalise_rows(np.vstack([p.embedding for p in profiles]))

    def score_pair(self, seeker: SeekerProfile, posting: PostingProfile):
        """The transparent score and explanation of one pair (e.g. a person a commissioner pinned)."""
        a, b = self.embed([seeker])[0], self.embed([posting])[0]
        return score_pair(seeker, posting, float(a @ b), self.weights, self.occupation_names)

    def pool(self, profiles: Sequence, today: dt.date | None = None, build_ivf: bool | None = None) -> ProfilePool:
        return ProfilePool(profiles, self.embed(profiles), today=today, filters=self.filters, build_ivf=build_ivf)

    # -- candidate generation -----------------------------------------------------------------
    def _seeker_candidates(self, posting: PostingProfile, pool: ProfilePool, q: np.ndarray, depth: int):
        allowed = pool.base_ok.copy()
        if posting.employment_type == "internship":
            allowed &= pool.intern_ok
        if not posting.region_code:
            res = pool.index.search(q, depth, None, allowed)
            return res
        city = _city_key(posting.region_code)
        extra = [np.asarray(pool.by_desired[p], dtype=np.int64) for p in _prefixes(posting.region_code)
                 if p in pool.by_desired]
        near = pool.near(posting.lat, posting.lon, float(pool.max_radius)) if len(pool) else np.empty(0, np.int64)
        if len(near):
            near = near[pool.city[near] != city]  # the city itself is searched whole
            if len(near):
                extra.append(near[_dist(posting.lat, posting.lon, pool.lat[near], pool.lon[near]) <= pool.radius[near]])
        res = pool.index.search(q, depth, [city], allowed)
        if extra:
            rows = np.unique(np.concatenate(extra))
            rows = rows[allowed[rows] & (pool.city[rows] != city)]
        else:
            rows = np.empty(0, dtype=np.int64)
        return _merge(res, rows, pool, q, depth)

    def _posting_candidates(self, seeker: SeekerProfile, pool: ProfilePool, q: np.ndarray, depth: int,
                            today: dt.date, exclude: np.ndarray | None = None):
        allowed = np.ones(len(pool), dtype=bool) if exclude is None else ~exclude
        if not internship_eligible(seeker, today, self.filters):
            allowed &= ~pool.is_internship
        parts = set()
        if seeker.region_code:
            parts.add(_city_key(seeker.region_code))
        for code in seeker.desired_regions:
            prefix = _desired_prefix(code)
            parts.update(c for c in pool.cities if str(c).startswith(prefix[:4]) or prefix.startswith(str(c)))
        parts.add(-1)  # postings with no place exclude no one
        radius = seeker.max_commute_km if seeker.max_commute_km is not None else self.filters.default_radius_km
        near = pool.near(seeker.lat, seeker.lon, radius)
        if not seeker.region_code and not seeker.desired_regions and seeker.lat is None:
            res = pool.index.search(q, depth, None, allowed)
            return res
        res = pool.index.search(q, depth, sorted(parts), allowed)
        extra_rows = near[allowed[near] & ~np.isin(pool.city[near], list(parts))] if len(near) else near
        return _merge(res, extra_rows, pool, q, depth)

    # -- ranking ------------------------------------------------------------------------------
    def rank_seekers_for_posting(self, posting: PostingProfile, seekers, k: int = 50,
                                 policy: GroupPolicy | None = None, today: dt.date | None = None) -> RankedList:
        today = today or dt.date.today()
        q = self.embed([posting])[0]
        filtered_out: Counter = Counter()
        if isinstance(seekers, ProfilePool):
            pool = seekers
            res = self._seeker_candidates(posting, pool, q, max(self.rerank_depth, 3 * k))
            candidates = [(pool.profiles[r], float(s)) for r, s in zip(res.ids, res.scores)]
            mode, considered = res.mode, res.scanned
        else:
            candidates, mode, considered = [], "exact", len(seekers)
            ok = []
            for s in seekers:
                reason = rejection_reason(s, posting, today, self.filters)
                if reason:
                    filtered_out[reason] += 1
                else:
                    ok.append(s)
            if ok:
                sims = self.embed(ok) @ q
                candidates = list(zip(ok, sims.tolist()))
        scored = []
        weights = self.weights.as_dict()
        for s, sim in candidates:
            if isinstance(seekers, ProfilePool):  # the arrays pre-filtered; re-check each pair exactly
                reason = rejection_reason(s, posting, today, self.filters)
                if reason:
                    filtered_out[reason] += 1
                    continue
            result = score_pair(s, posting, sim, weights, self.occupation_names, explain=False)
            scored.append((s, result))
        return self._finish("seekers_for_posting", posting.id, scored, k, policy, filtered_out, considered, mode,
                            groups=lambda s: list(s.groups),
                            explain=lambda s, r: self.explain_posting(s, posting, r.features))

    def candidates_for_seeker(self, seeker: SeekerProfile, pool: ProfilePool, today: dt.date | None = None,
                              depth: int | None = None, exclude: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Candidate generation alone: (pool row, similarity) of the nearest postings inside the
        person's region, desired regions and commute radius (internships only when eligible);
        ``exclude``: rows (a boolean mask) that are out of date."""
        q = self.embed([seeker])[0]
        res = self._posting_candidates(seeker, pool, q, depth or self.rerank_depth, today or dt.date.today(),
                                       exclude)
        return [(int(r), float(s)) for r, s in zip(res.ids, res.scores)]

    def rank_postings_for_seeker(self, seeker: SeekerProfile, postings, k: int = 20,
                                 today: dt.date | None = None, require_consent: bool | None = None,
                                 out_of: int | None = None, explain: bool = True) -> RankedList:
        """``require_consent=False``: a person reviews the list before anything reaches the jobseeker
        (a commissioner for a rostered person), so their consent to automated recommendation is not
        needed. ``out_of``: how many postings were open to them (for the filtered-out counts) when
        ``postings`` is only the candidate set. ``explain=False``: the items' explanations hold only
        the group-policy line (a caller that re-orders the list explains the shown items itself,
        with ``explain_posting``)."""
        today = today or dt.date.today()
        filtered_out: Counter = Counter()
        consent_needed = self.filters.require_consent if require_consent is None else require_consent
        if seeker.availability == "unavailable" or (consent_needed and not seeker.consent_recommendation):
            # The person opted out of automated recommendation (or is not looking): recommend nothing.
            # They can still search for posts themselves.
            reason = "no_consent" if consent_needed and not seeker.consent_recommendation else "unavailable"
            filtered_out[reason] += len(postings) if out_of is None else out_of
            return self._finish("postings_for_seeker", seeker.id, [], k, None, filtered_out, 0, "none",
                                groups=lambda p: list(p.target_groups))
        q = self.embed([seeker])[0]
        if isinstance(postings, ProfilePool):
            pool = postings
            res = self._posting_candidates(seeker, pool, q, max(self.rerank_depth, 3 * k), today)
            candidates = [(pool.profiles[r], float(s)) for r, s in zip(res.ids, res.scores)]
            mode, considered = res.mode, res.scanned
        else:
            candidates, mode, considered = [], "exact", len(postings)
            if postings:
                sims = self.embed(list(postings)) @ q
                candidates = list(zip(postings, sims.tolist()))
        scored = []
        weights = self.weights.as_dict()
        for p, sim in candidates:
            reason = rejection_reason(seeker, p, today, self.filters) if consent_needed else (
                rejection_reason(seeker, p, today, replace(self.filters, require_consent=False)))
            if reason in ("region", "internship"):
                filtered_out[reason] += 1
                continue
            scored.append((p, score_pair(seeker, p, sim, weights, self.occupation_names, explain=False)))
        return self._finish("postings_for_seeker", seeker.id, scored, k, None, filtered_out, considered, mode,
                            groups=lambda p: list(p.target_groups),
                            explain=(lambda p, r: self.explain_posting(seeker, p, r.features)) if explain else None)

    def explain_posting(self, seeker: SeekerProfile, posting: PostingProfile, features: dict) -> list[str]:
        """The transparent score's sentences for one ranked pair (``features``: what the score gave it)."""
        return score_pair(seeker, posting, features["semantic"], self.weights, self.occupation_names).explanation

    def _finish(self, direction, subject_id, scored, k, policy, filtered_out, considered, mode, groups,
                explain=None):
        scored.sort(key=lambda t: (-t[1].score, str(t[0].id)))
        by_id = {t[0].id: t for t in scored}
        relevance_rank = {t[0].id: i for i, t in enumerate(scored, start=1)}
        ids = [t[0].id for t in scored]
        groups_of = {t[0].id: groups(t[0]) for t in scored}
        top, report = apply_group_policy(ids, groups_of, policy, k)
        items = []
        for rank, cid in enumerate(top, start=1):
            profile, result = by_id[cid]
            rel = relevance_rank[cid]
            explanation = list(result.explanation) if result.explanation or explain is None else explain(profile, result)
            effect = ""
            if report is not None:
                targeted = [g for g in groups_of[cid] if g in policy.shares]
                label = "、".join(GROUP_LABELS.get(g, g) for g in targeted)
                if rank < rel:
                    effect = f"群体政策：作为{label}，按重点群体保障由相关度第{rel}位提前至第{rank}位"
                elif rank > rel:
                    effect = f"群体政策：为保障重点群体名额，由相关度第{rel}位顺延至第{rank}位"
                elif targeted:
                    effect = f"群体政策：属于保障对象（{label}），名次未因政策变化"
                else:
                    effect = "群体政策：名次未因政策变化"
            elif direction == "seekers_for_posting":
                effect = "群体政策：本名单未设置重点群体保障，按相关度排序"
            else:
                tg = "、".join(GROUP_LABELS.get(g, g) for g in groups_of[cid])
                effect = f"群体政策：该岗位面向{tg}" if tg else "群体政策：该岗位未指定重点群体"
            explanation.append(effect)
            items.append(RankedItem(cid, rank, rel, result.score, result.features, groups_of[cid], explanation,
                                    effect))
        readable = {REASONS.get(k_, k_): v for k_, v in filtered_out.items()}
        return RankedList(direction, subject_id, items, report, self.weights.as_dict(), self.model_version,
                          considered, readable, mode)


def _dist(lat, lon, lats, lons):
    p1, p2 = np.radians(lat), np.radians(lats)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def _merge(res, extra_rows: np.ndarray, pool: ProfilePool, q: np.ndarray, depth: int):
    if not len(extra_rows):
        return res
    sc = pool.index.vectors_of(extra_rows) @ q
    if len(sc) > depth:
        top = np.argpartition(-sc, depth - 1)[:depth]
        sc, extra_rows = sc[top], extra_rows[top]
    ids = np.concatenate([res.ids, extra_rows])
    scores = np.concatenate([res.scores, sc])
    order = np.lexsort((ids, -scores))[:depth]
    res.ids, res.scores = ids[order], scores[order]
    res.scanned += len(extra_rows)
    return res
