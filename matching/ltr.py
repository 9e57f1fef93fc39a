"""The learned ranking: a LightGBM lambdarank model over the features the transparent score already
has, plus BM25 and the encoder's similarity, saved beside the encoder (``<model>/ranker/``).

The hand-set score (``matching.scoring``) stays the fallback and the baseline: a list is re-ranked by
the learned model only when one is saved and the setting asks for it. Each item's explanation is
still given in words: LightGBM's per-item feature contributions (``pred_contrib``) pick which of the
reasons in ``matching.reasons`` come first, and a staff sentence names the strongest ones.

Training data are generated jobseekers with labelled pools of real postings (``generated_cases``;
docs/matching.md says how each label is decided). The evaluation's postings (``CorpusPosting.held_out``)
are never used for training, and the benchmark cross-fits by city so no evaluated jobseeker's city
was seen in training either (``city_fold``).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.categories import CategoryModel, text_of
from matching.profiles import PostingProfile, SeekerProfile
from matching.reasons import MAX_REASONS, _close_to_words, _pay, _place, _same_work, _skills
from matching.scoring import matched_skills
from matching.text import core_title, segment

RANKER_DIR = "ranker"
MODEL_FILE = "model.txt"
META_FILE = "ranker.json"
# The transparent score's features (matching.scoring), the score itself, the lexical and place
# signals the score does not have, and whether the texts name the same kind of job
# (matching.categories, learnt with the ranker).
SCORE_FEATURES = ("semantic", "occupation", "skills", "education_experience", "pay", "distance")
FEATURES = SCORE_FEATURES + ("hand_score", "bm25", "bm25_share", "same_city", "title_similarity", "title_bm25",
                              "title_overlap", "skill_hits", "skill_overlap", "category", "category_parent")
# What each feature means to a reader (staff sentence); never a field name on a page.
FEATURE_WORDS = {
    "semantic": "岗位内容与求职意向相近", "occupation": "职业对口", "skills": "技能用得上",
    "education_experience": "学历与经验符合", "pay": "薪酬合适", "distance": "距离近",
    "hand_score": "综合评分高", "bm25": "岗位用词与求职意向一致", "bm25_share": "岗位用词与求职意向一致",
    "same_city": "在同一城市", "title_similarity": "岗位名称与想做的工作相近",
    "title_bm25": "岗位名称与想做的工作用词一致", "title_overlap": "岗位名称与想做的工作用字相同",
    "skill_hits": "技能用得上", "skill_overlap": "技能用得上", "category": "与想做的工作是同一类",
    "category_parent": "与想做的工作属于同一大类",
}
# Bumped when a feature is computed differently: a ranker saved with another version is not used.
# 2: BM25 counts the query's words in the texts (``substring_bm25``) instead of segmenting them.
FEATURES_VERSION = 2
PARAMS = dict(objective="lambdarank", n_estimators=300, learning_rate=0.05, num_leaves=15, min_child_samples=20,
              subsample=0.8, subsample_freq=1, colsample_bytree=0.9, reg_lambda=1.0, random_state=0, n_jobs=1,
              deterministic=True, force_row_wise=True, verbose=-1)

EDU = {"不限": 0, "初中及以下": 2, "中专/中技": 3, "高中": 3, "中技": 3, "中专": 3, "大专": 4, "本科": 5, "硕士": 6, "博士": 7}
EDU_NAMES = ("none", "primary", "junior", "senior", "associate", "bachelor", "master", "doctor")


# -- features -----------------------------------------------------------------------------------
def query_text(seeker: SeekerProfile) -> str:
    return " ".join(list(seeker.desired_titles) + list(seeker.skills))


def posting_words(p: PostingProfile) -> str:
    return f"{p.title} {' '.join(p.skills)} {p.description}"


def bm25_scores(seeker: SeekerProfile, postings: Sequence[PostingProfile]) -> np.ndarray:
    """BM25 of the person's titles and skills against each posting, with statistics of this list."""
    return substring_bm25(segment(query_text(seeker)), [posting_words(p) for p in postings])


def substring_bm25(terms: Sequence[str], texts: Sequence[str], k1: float = 1.5, b: float = 0.75) -> np.ndarray:
    """Okapi BM25 of the query's words (``terms``, segmented) in each of ``texts``, a word's count in a
    text being how often it occurs in it, and a text's length its characters; document frequencies
    and the mean length from ``texts`` themselves.

    Only the query is segmented: the texts are long and different for each person (the candidates
    come from a pool of 100,000), so segmenting them cost 60 ms a request, where counting a handful
    of words in them costs under one. A word counted inside a longer one (销售 in 销售经理) counts,
    as it should for Chinese."""
    terms = sorted({t for t in terms if t})
    out = np.zeros(len(texts))
    if not terms or not texts:
        return out
    lowered = [(t or "").lower() for t in texts]
    tf = np.array([[t.count(w) for w in terms] for t in lowered], dtype=np.float64)
    lengths = np.array([len(t) for t in lowered], dtype=np.float64)
    n = len(lowered)
    df = (tf > 0).sum(axis=0)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * lengths / (lengths.mean() or 1.0))
    return (tf * (k1 + 1) / (tf + norm[:, None]) * idf).sum(axis=1)


def _bigrams(text: str) -> set[str]:
    t = "".join(text.split())
    return {t[i:i + 2] for i in range(len(t) - 1)} or set(t)


def title_features(seeker: SeekerProfile, postings: Sequence[PostingProfile], encoder=None) -> np.ndarray:
    """(encoder similarity, BM25, character-pair overlap) of the person's desired titles and each
    posting's title; the similarity is 0 without an encoder."""
    wish = " ".join(core_title(t) for t in seeker.desired_titles if t)
    titles = [core_title(p.title) for p in postings]
    out = np.zeros((len(postings), 3))
    if not wish or not postings:
        return out
    if encoder is not None:
        v = encoder.encode([wish] + titles)
        out[:, 0] = v[1:] @ v[0]
    out[:, 1] = substring_bm25(segment(wish), titles)
    w = _bigrams(wish)
    out[:, 2] = [len(w & _bigrams(t)) / len(w | _bigrams(t)) if t else 0.0 for t in titles]
    return out


def list_features(seeker: SeekerProfile, postings: Sequence[PostingProfile], score_features: Sequence[dict],
                  hand_scores: Sequence[float], bm25: np.ndarray | None = None, encoder=None,
                  categories: CategoryModel | None = None) -> np.ndarray:
    """One row per posting, columns ``FEATURES``. ``score_features``/``hand_scores``: what
    ``matching.scoring.score_pair`` gave each pair; ``bm25``: scores over a wider pool (else this list);
    ``encoder``: the matcher's encoder (for the titles' similarity); ``categories``: the kinds of job
    learnt with the ranker (without it both category columns are 0)."""
    n = len(postings)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x
    bm = bm25_scores(seeker, postings) if bm25 is None else np.asarray(bm25, dtype=np.float64)
    top = float(bm.max()) if bm.max() > 0 else 1.0
    city = (seeker.region_code or "")[:4]
    for i, (p, f) in enumerate(zip(postings, score_features)):
        x[i, :len(SCORE_FEATURES)] = [float(f[name]) for name in SCORE_FEATURES]
        x[i, 6] = float(hand_scores[i])
        x[i, 7] = bm[i]
        x[i, 8] = bm[i] / top
        x[i, 9] = 1.0 if city and (p.region_code or "")[:4] == city else 0.0
    x[:, 10:13] = title_features(seeker, postings, encoder)
    have = {h.strip().lower() for h in list(seeker.skills) + list(seeker.certificates) if h and h.strip()}
    for i, p in enumerate(postings):
        hits, _wanted = matched_skills(seeker, p)
        tags = {w.strip().lower() for w in p.skills if w and w.strip()}
        x[i, 13] = len(hits)
        x[i, 14] = len(have & tags) / len(have | tags) if have | tags else 0.0
    if categories is not None:
        wish = text_of(" ".join(core_title(t) for t in seeker.desired_titles if t), seeker.skills)
        x[:, 15], x[:, 16] = categories.agreement(wish, [text_of(core_title(p.title), p.skills) for p in postings])
    return x


# -- the model ------------------------------------------------------------------------------------
@dataclass
class LearnedRanker:
    booster: object  # lightgbm.Booster
    meta: dict
    categories: CategoryModel | None = None  # the kinds of job its category features were computed with

    @classmethod
    def train(cls, groups: Sequence[tuple[np.ndarray, Sequence[int]]], meta: dict | None = None,
              params: dict | None = None, categories: CategoryModel | None = None) -> "LearnedRanker":
        """``groups``: (feature rows, graded labels 0-3) per jobseeker, computed with ``categories``."""
        import lightgbm as lgb

        groups = [(x, y) for x, y in groups if len(y) >= 2]
        if not groups:
            raise ValueError("没有可供学习的名单（招聘数据里同一城市、同一类别的岗位太少）")
        x = np.vstack([g[0] for g in groups])
        y = np.concatenate([np.asarray(g[1], dtype=np.int32) for g in groups])
        model = lgb.LGBMRanker(**(params or PARAMS))
        model.fit(x, y, group=[len(g[1]) for g in groups], feature_name=list(FEATURES))
        info = dict(meta or {})
        info.update(features=list(FEATURES), features_version=FEATURES_VERSION, lists=len(groups), rows=int(len(y)),
                    trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    labels={str(k): int((y == k).sum()) for k in sorted(set(y.tolist()))},
                    categories=len(categories.classes) if categories is not None else 0)
        return cls(model.booster_, info, categories)

    # One thread: a request's list is a hundred rows, and a server's workers already take the cores
    # (LightGBM's default, a thread per core, waits on busy cores for longer than it computes).
    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.booster.predict(x, num_threads=1) if len(x) else np.zeros(0)

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per item and feature, how much it moved the learned score (last column: the base value)."""
        if not len(x):
            return np.zeros((0, len(FEATURES) + 1))
        return self.booster.predict(x, pred_contrib=True, num_threads=1)

    def save(self, model_dir: str | Path) -> Path:
        """Into ``<model_dir>/ranker``, whole: the files are written to a folder beside it that then
        takes its place, so a server starting meanwhile reads the old ranker or the new one (or, for
        the instant between the two renames, none: the hand-set score), never a mix."""
        import os
        import shutil
        import tempfile

        folder = Path(model_dir) / RANKER_DIR
        folder.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{RANKER_DIR}-new-", dir=folder.parent))
        self.booster.save_model(str(fresh / MODEL_FILE))
        if self.categories is not None:
            self.categories.save(fresh)
        (fresh / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")
        old = folder.with_name(f".{RANKER_DIR}-old-{os.getpid()}")
        if folder.exists():
            os.replace(folder, old)
        os.replace(fresh, folder)
        shutil.rmtree(old, ignore_errors=True)
        return folder

    @classmethod
    def load(cls, model_dir: str | Path) -> "LearnedRanker | None":
        """The ranker saved beside the encoder in ``model_dir``; None when there is none (or it was
        trained on other features, on features computed another way, or with another encoder than
        the one now in ``model_dir``), so callers fall back to the hand-set score."""
        folder = Path(model_dir) / RANKER_DIR
        if not (folder / MODEL_FILE).exists() or not (folder / META_FILE).exists():
            return None
        import lightgbm as lgb

        from matching.encoder import model_version

        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        categories = CategoryModel.load(folder)
        if (meta.get("features") != list(FEATURES) or meta.get("features_version", 1) != FEATURES_VERSION
                or (meta.get("categories") and categories is None)):
            return None
        if meta.get("encoder") not in (None, "none", model_version(model_dir)):
            return None  # learnt on another encoder's similarities: the model beside it was trained again
        return cls(lgb.Booster(model_file=str(folder / MODEL_FILE)), meta, categories)


# -- explanation in words ---------------------------------------------------------------------------
_REASON_OF = {"occupation": "work", "semantic": "words", "bm25": "words", "bm25_share": "words",
              "title_similarity": "title", "title_bm25": "title", "title_overlap": "title",
              "distance": "place", "same_city": "place", "skills": "skills", "skill_hits": "skills",
              "skill_overlap": "skills", "pay": "pay", "category": "title", "category_parent": "title"}


def reasons_from_contributions(seeker: SeekerProfile, posting: PostingProfile, contrib: np.ndarray,
                               similarity: float, occupation_names: dict[str, str] | None = None,
                               you: str = "您") -> list[str]:
    """The reasons of ``matching.reasons`` in the order of what raised this item's learned score most."""
    names = occupation_names or {}
    makers = {"work": lambda: _same_work(seeker, posting, names, you),
              "words": lambda: _close_to_words(max(similarity, 0.5), you),
              "place": lambda: _place(seeker, posting, you), "skills": lambda: _skills(seeker, posting, you),
              "pay": lambda: _pay(seeker, posting, you),
              "title": lambda: _same_work(seeker, posting, names, you) or _title_words(seeker, posting, you)}
    order = np.argsort(-np.asarray(contrib[:len(FEATURES)]), kind="stable")
    out: list[str] = []
    for i in order:
        if contrib[i] <= 0:
            break
        kind = _REASON_OF.get(FEATURES[i])
        sentence = makers[kind]() if kind else None
        if sentence and sentence not in out:
            out.append(sentence)
    if not out:
        out = [f"和{you}写的求职意向有相近之处"]
    return out[:MAX_REASONS]


def _title_words(seeker: SeekerProfile, posting: PostingProfile, you: str) -> str | None:
    wish = next((core_title(t) for t in seeker.desired_titles if t), "")
    return f"岗位名称和{you}想做的{wish}相近" if wish and posting.title else None


def staff_sentence(contrib: np.ndarray, top: int = 3) -> str:
    """One sentence for staff: which aspects raised (or lowered) the item in the learned order."""
    c = np.asarray(contrib[:len(FEATURES)])
    up = [FEATURE_WORDS[FEATURES[i]] for i in np.argsort(-c, kind="stable") if c[i] > 0.01]
    down = [FEATURE_WORDS[FEATURES[i]] for i in np.argsort(c, kind="stable") if c[i] < -0.01]
    up, down = list(dict.fromkeys(up))[:top], list(dict.fromkeys(down))[:2]
    text = "排序依据（由历史匹配数据学习得出）：" + ("、".join(up) + "使其排名靠前" if up else "各方面均无明显优势")
    if down:
        text += "；" + "、".join(f"{w}方面不足" for w in down)
    return text


# -- labelled training data ---------------------------------------------------------------------------
def city_fold(city: str, folds: int = 2) -> int:
    """A fixed fold per city name, so training and evaluation can use different cities."""
    return zlib.crc32(city.encode("utf-8")) % folds


def training_corpus(corpus: Sequence, evaluated_fold: int | None = None, folds: int = 2) -> list:
    """Postings a ranker may learn from: never a held-out (evaluation) posting and, when
    ``evaluated_fold`` is given, none from a city of that fold."""
    return [p for p in corpus if not p.held_out and (evaluated_fold is None or city_fold(p.city, folds) != evaluated_fold)]


def city_codes(data: Path) -> dict[str, str]:
    """City name (without 市) -> 4-digit region code, from the reference region files."""
    regions, out = Path(data) / "regions", {}
    with open(regions / "provinces.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["name"].endswith("市"):  # municipalities: 北京市 -> 1101
                out[row["name"][:-1]] = row["code"] + "01"
    with open(regions / "cities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["name"] != "市辖区":
                out.setdefault(row["name"].removesuffix("市"), row["code"])
    return out


def zhilian_subtypes(data: Path) -> dict[str, str]:
    """智联 posting id -> its site sub-category code (parent category = the first 8 characters)."""
    import gzip

    path, out = Path(data) / "postings" / "zhilian-30cities-2022.jsonl.gz", {}
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                out["ZL_" + str(rec.get("jobId"))] = str(rec.get("subJobTypeLevel") or "")
    return out


def train_from_files(data: Path, ranker, n_seekers: int = 800, seed: int = 11, log=None) -> "LearnedRanker":
    """A ranker learned from the posting files in ``data`` (never their held-out postings), with the
    app's encoder and occupation names (``ranker``)."""
    import random

    from matching.corpus import iter_postings, load_occupations, occupations_file
    from matching.occupations import OccupationCoder

    log = log or (lambda m: None)
    missing = [what for what, there in (
        ("职业分类（occupations/occupations-*.json）", occupations_file(data) is not None),
        ("行政区划（regions/provinces.csv 和 cities.csv）",
         (Path(data) / "regions" / "provinces.csv").exists() and (Path(data) / "regions" / "cities.csv").exists()),
    ) if not there]
    if missing:
        raise FileNotFoundError(f"{data} 下缺少{'、'.join(missing)}")
    occupations = load_occupations(occupations_file(data))
    corpus = training_corpus(list(iter_postings(data)))
    log(f"{len(corpus)} postings to learn from")
    subtype = zhilian_subtypes(data)
    cases = generated_cases(corpus, city_codes(data), n_seekers, random.Random(seed), subtype)
    log(f"{len(cases)} generated jobseekers with labelled lists")
    categories = train_categories(corpus, subtype)
    lists = case_lists(ranker, cases, OccupationCoder(occupations, ranker.encoder), categories=categories)
    return LearnedRanker.train([(x, y) for _s, _k, x, y, _a in lists],
                               meta={"encoder": getattr(ranker.encoder, "version", "none"), "source": str(data),
                                     "seed": seed}, categories=categories)


def train_categories(corpus: Sequence, subtype: dict[str, str]) -> CategoryModel:
    """The kinds of job, from the 智联 postings of ``corpus`` (title and skills -> site category; the
    parent category is the first 8 characters of the sub-category's code)."""
    return CategoryModel.train((text_of(core_title(p.title), p.skills), p.category, subtype.get(p.id, "")[:8])
                               for p in corpus if p.source == "zhilian" and p.category)


def generated_cases(corpus: Sequence, cities: dict[str, str], n_seekers: int, rng, subtype: dict[str, str]):
    """Jobseekers generated from 智联 postings (one per category and city), each with a labelled pool:
    3 same category and city and the pay and education fit, 2 same category and city, 1 same category
    elsewhere or the same parent category in the same city, 0 otherwise. Returns
    [(seeker, posting profiles, {posting id: label}, seed posting)]."""
    zl = [p for p in corpus if p.source == "zhilian" and p.category and cities.get(p.city)]
    by_cat_city, by_city = defaultdict(list), defaultdict(list)
    for p in zl:
        by_cat_city[(p.category, p.city)].append(p)
        by_city[p.city].append(p)
    raw = {p.id: p for p in zl}
    seeds = [p for p in zl if len(by_cat_city[(p.category, p.city)]) >= 4]
    rng.shuffle(seeds)
    used, cases = set(), []
    for seed in seeds:
        if (seed.category, seed.city) in used:
            continue
        used.add((seed.category, seed.city))
        same = [p for p in by_cat_city[(seed.category, seed.city)] if p.id != seed.id][:8]
        same_cat_other = [p for p in zl if p.category == seed.category and p.city != seed.city]
        rng.shuffle(same_cat_other)
        same_city_other = [p for p in by_city[seed.city] if p.category != seed.category]
        rng.shuffle(same_city_other)
        randoms = rng.sample(zl, min(12, len(zl)))
        pool = list({p.id: p for p in same + same_cat_other[:8] + same_city_other[:12] + randoms
                     if p.id != seed.id}.values())
        expected = seed.pay_min or None
        edu = max(EDU.get(seed.education, 0), 3)
        seeker = SeekerProfile(
            id=f"S{len(cases) + 1:03d}", desired_titles=[core_title(seed.title)], region_code=cities[seed.city] + "00",
            skills=seed.skills[:3], expected_pay_min=expected, education=EDU_NAMES[edu],
            experience_years=3, consent_recommendation=True, summary="",
        )
        parent = subtype.get(seed.id, "")[:8]
        labels = {p.id: _label(p, seed, expected, edu, parent, subtype.get(raw[p.id].id, "")[:8]) for p in pool}
        postings = [PostingProfile(id=p.id, title=p.title, description=p.description, region_code=cities[p.city] + "00",
                                   pay_min=p.pay_min, pay_max=p.pay_max, education=EDU_NAMES[EDU.get(p.education, 0)],
                                   skills=p.skills) for p in pool]
        cases.append((seeker, postings, labels, seed))
        if len(cases) >= n_seekers:
            break
    return cases


def _label(p, seed, expected, edu: int, seed_parent: str, parent: str) -> int:
    if p.category == seed.category and p.city == seed.city:
        fits = (p.pay_max is None or expected is None or p.pay_max >= expected) and EDU.get(p.education, 0) <= edu
        return 3 if fits else 2
    if p.category == seed.category:
        return 1
    if p.city == seed.city and parent == seed_parent:
        return 1
    return 0


def case_lists(ranker, cases, coder, today: dt.date = dt.date(2026, 1, 1), categories: CategoryModel | None = None):
    """For each case, what the matcher re-ranks: the postings its filters keep, with their features.
    Returns [(seeker, kept postings, feature rows, labels of the kept, labels of the whole pool)]."""
    out = []
    for seeker, postings, labels, _seed in cases:
        seeker.desired_occupations = [c.code for c in coder.code(seeker.desired_titles) if c]
        for p, c in zip(postings, coder.code([p.title for p in postings])):
            p.occupation_code = c.code if c else None
        ranked = ranker.rank_postings_for_seeker(seeker, postings, k=len(postings), today=today)
        by_id = {p.id: p for p in postings}
        kept = [by_id[i.id] for i in ranked.items]  # BM25's statistics from these, as in the service path
        x = list_features(seeker, kept, [i.features for i in ranked.items], [i.score for i in ranked.items],
                          encoder=ranker.encoder, categories=categories)
        out.append((seeker, kept, x, [labels[p.id] for p in kept], [labels[p.id] for p in postings]))
    return out


# -- the service path ------------------------------------------------------------------------------
def shortage_bonus(features: Sequence[dict], learned: np.ndarray, weights) -> np.ndarray:
    """The bureau's shortage catalogue in the learned order, which was trained on lists without one: a
    post of a catalogue occupation gains the share of the list's spread of learned scores that the
    hand-set score gives it of its whole range (``shortage`` / the sum of the weights, 0.05 / 1.05 by
    default). It goes ahead of posts that fit about equally, never ahead of a clearly better fit;
    weight 0 switches it off."""
    w = weights.as_dict()
    share = w.get("shortage", 0.0) / sum(w.values())
    flags = np.array([float(f.get("shortage", 0.0)) for f in features])
    if not len(learned) or share <= 0:
        return np.zeros(len(learned))
    return share * float(learned.max() - learned.min()) * flags


def rank_postings(ranker, model: "LearnedRanker | None", seeker: SeekerProfile, postings: Sequence[PostingProfile],
                  k: int = 20, **kwargs):
    """``ranker.rank_postings_for_seeker`` (filters, hand-set score, policy, explanation), re-ordered
    by ``model`` when there is one: every kept candidate is scored, the first ``k`` by the learned score
    are returned, each explanation led by the staff sentence of what raised it. Without a model this is
    the hand-set score's list unchanged (the fallback)."""
    if model is None:
        return ranker.rank_postings_for_seeker(seeker, postings, k=k, **kwargs)
    # every kept candidate is scored, but the score's sentences are written for the shown ones only
    ranked = ranker.rank_postings_for_seeker(seeker, postings, k=max(k, len(postings)), explain=False, **kwargs)
    if not ranked.items:
        return ranked
    by_id = {p.id: p for p in postings}
    kept = [by_id[i.id] for i in ranked.items]
    x = list_features(seeker, kept, [i.features for i in ranked.items], [i.score for i in ranked.items],
                      encoder=ranker.encoder, categories=model.categories)
    learned = model.predict(x)
    learned = learned + shortage_bonus([i.features for i in ranked.items], learned, ranker.weights)
    order = sorted(range(len(kept)), key=lambda i: (-learned[i], str(kept[i].id)))[:k]
    contrib = model.contributions(x[order])  # only the shown: contributions cost more than the prediction
    items = []
    for rank, (i, c) in enumerate(zip(order, contrib), start=1):
        item = ranked.items[i]
        item.rank = item.relevance_rank = rank
        item.explanation = ([staff_sentence(c)] + ranker.explain_posting(seeker, kept[i], item.features)
                            + list(item.explanation))
        items.append(item)
    ranked.items = items
    return ranked
