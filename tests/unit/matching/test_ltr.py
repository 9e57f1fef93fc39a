"""The learned ranker: it must beat a shuffled order on a small synthetic labelled set, it never
learns from the evaluation's postings or cities, it is saved beside the model and loads back, and
each item's explanation is still in words."""
import json
import random
import re
import zlib

import numpy as np
import pytest

from matching.corpus import CorpusPosting, Occupation
from matching.evaluation import ndcg_at_k
from matching.ltr import (FEATURES, LearnedRanker, case_lists, city_fold, generated_cases, list_features,
                          rank_postings, reasons_from_contributions, staff_sentence, substring_bm25, training_corpus)
from matching.occupations import OccupationCoder
from matching.profiles import PostingProfile, SeekerProfile
from matching.ranker import Ranker

WORK = {"电工": ("6-31-01-03", "配电 维修 电工证 线路"), "焊工": ("6-18-02-04", "焊接 氩弧焊 钢结构 焊工证"),
        "保安": ("4-07-05-01", "巡逻 门岗 监控 保安证"), "保洁": ("4-09-08-01", "清洁 卫生 打扫 保洁"),
        "厨师": ("4-03-02-01", "炒菜 厨房 烹饪 健康证"), "收银": ("4-01-02-04", "收银 结账 超市 收款"),
        "仓库管理员": ("4-02-06-01", "仓库 盘点 出入库 叉车"), "快递员": ("4-02-07-08", "派件 快递 收件 电动车")}
CITIES = {"广州": "4401", "深圳": "4403", "佛山": "4406", "东莞": "4419", "长沙": "4301", "武汉": "4201",
          "杭州": "3301", "南京": "3201"}


class HashEncoder:
    """A stand-in encoder: bag of hashed characters (similar texts, similar vectors)."""

    version = "test-hash"

    def encode(self, texts):
        out = np.zeros((len(texts), 96), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t:
                out[i, zlib.crc32(ch.encode()) % 96] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def corpus(n=2600, seed=3):
    rng = random.Random(seed)
    names = list(WORK)
    out = []
    for i in range(n):
        cat, city = rng.choice(names), rng.choice(list(CITIES))
        words = WORK[cat][1].split()
        other = WORK[rng.choice(names)][1].split()
        # noisy text: the category's words, some of another's; one title in six says nothing of the work
        title = cat if rng.random() > 1 / 6 else rng.choice(["普工", "急招", "长期工"])
        desc = " ".join(rng.sample(words, 2) + rng.sample(other, 2))
        pay = rng.choice([3000, 4000, 5000, 6000, 8000])
        out.append(CorpusPosting(id=f"ZL_{i}", title=title, description=desc, category=cat, city=city,
                                 skills=rng.sample(words, 1), pay_min=pay, pay_max=pay + 1000,
                                 education=rng.choice(["不限", "高中", "大专"]), source="zhilian"))
    return out


@pytest.fixture(scope="module")
def setting():
    encoder = HashEncoder()
    occupations = [Occupation(code, name, 4) for name, (code, _w) in WORK.items()]
    coder = OccupationCoder(occupations, None)
    ranker = Ranker(encoder, occupation_names={o.code: o.name for o in occupations})
    data = corpus()
    return encoder, coder, ranker, data


def test_evaluation_postings_and_cities_never_in_training(setting):
    _enc, _coder, _ranker, data = setting
    held = [p for p in data if p.held_out]
    assert held and len(held) < len(data)
    for fold in (0, 1):
        evaluated = generated_cases([p for p in held if city_fold(p.city) == fold], CITIES, 30, random.Random(1), {})
        train = training_corpus(data, evaluated_fold=fold)
        trained = generated_cases(train, CITIES, 60, random.Random(2), {})
        eval_ids = {p.id for c in evaluated for p in c[1]} | {c[3].id for c in evaluated}
        train_ids = {p.id for c in trained for p in c[1]} | {c[3].id for c in trained}
        assert evaluated and trained
        assert not eval_ids & train_ids
        assert not {c[3].city for c in evaluated} & {p.city for p in train}
        assert not any(p.held_out for p in train)


def _ndcg_of(lists, scores_of):
    values = []
    for _seeker, _kept, x, y, gains_all in lists:
        order = np.argsort(-scores_of(x), kind="stable")
        values.append(ndcg_at_k([y[i] for i in order], gains_all))
    return float(np.mean(values))


def test_learned_ranker_beats_a_shuffled_order(setting, tmp_path):
    _enc, coder, ranker, data = setting
    held = [p for p in data if p.held_out and city_fold(p.city) == 0]
    train = generated_cases(training_corpus(data, evaluated_fold=0), CITIES, 60, random.Random(5), {})
    evaluated = generated_cases(held, CITIES, 30, random.Random(6), {})
    model = LearnedRanker.train([(x, y) for _s, _k, x, y, _a in case_lists(ranker, train, coder)])
    lists = case_lists(ranker, evaluated, coder)
    rng = np.random.default_rng(0)
    learned = _ndcg_of(lists, model.predict)
    shuffled = np.mean([_ndcg_of(lists, lambda x: rng.random(len(x))) for _ in range(5)])
    assert learned > shuffled + 0.15, (learned, shuffled)

    # saved beside the model, loaded back with the same predictions
    folder = model.save(tmp_path)
    assert (folder / "model.txt").exists() and (folder / "ranker.json").exists()
    again = LearnedRanker.load(tmp_path)
    x = lists[0][2]
    assert np.allclose(again.predict(x), model.predict(x))
    assert again.meta["features"] == list(FEATURES) and again.meta["lists"] == model.meta["lists"]
    assert LearnedRanker.load(tmp_path / "nothing") is None
    # saved again over it: the new files take the old ones' place whole, nothing left beside them
    model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranker"]
    assert np.allclose(LearnedRanker.load(tmp_path).predict(x), model.predict(x))

    # a ranker whose features were computed another way (before BM25 counted words in the texts) is
    # not used: its trees would read numbers of another scale
    meta_file = folder / "ranker.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    del meta["features_version"]
    meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    assert LearnedRanker.load(tmp_path) is None


def test_bm25_counts_the_query_words_in_the_texts():
    texts = ["招聘电工，持电工证，负责配电维修", "招聘保安，负责门岗巡逻", "电工学徒，包吃住", "保洁阿姨"]
    scores = substring_bm25(["电工", "电工证"], texts)
    # Okapi BM25 (k1 1.5, b 0.75) by hand: counts 2 (电工, also inside 电工证) and 1 (电工证) in the first text
    lengths = np.array([len(t) for t in texts], dtype=float)
    norm = 1.5 * (0.25 + 0.75 * lengths / lengths.mean())
    idf_electric, idf_licence = np.log(1 + (4 - 2 + 0.5) / 2.5), np.log(1 + (4 - 1 + 0.5) / 1.5)
    first = 2 * 2.5 / (2 + norm[0]) * idf_electric + 1 * 2.5 / (1 + norm[0]) * idf_licence
    assert np.isclose(scores[0], first) and np.isclose(scores[2], 2.5 / (1 + norm[2]) * idf_electric)
    assert scores[1] == scores[3] == 0
    assert scores[0] > scores[2]  # more of the words, and the rarer one
    # a word the texts lack adds nothing; upper case in a text is matched; no words, no texts: zeros
    assert np.allclose(substring_bm25(["电工", "焊工"], texts), substring_bm25(["电工"], texts))
    assert substring_bm25(["java"], ["Java 开发", "前端"])[0] > 0
    assert not substring_bm25([], texts).any() and len(substring_bm25(["电工"], [])) == 0


def _learned(setting, seed: int) -> LearnedRanker:
    _enc, coder, ranker, data = setting
    train = generated_cases(training_corpus(data), CITIES, 40, random.Random(seed), {})
    return LearnedRanker.train([(x, y) for _s, _k, x, y, _a in case_lists(ranker, train, coder)])


def _electrician() -> SeekerProfile:
    return SeekerProfile(id=1, desired_titles=["电工"], desired_occupations=["6-31-01-03"], region_code="440106",
                         skills=["电工证"], expected_pay_min=5000, consent_recommendation=True)


def test_explanation_in_words(setting):
    ranker = setting[2]
    model, seeker = _learned(setting, 7), _electrician()
    posting = PostingProfile(id=9, title="电工", description="配电 维修", region_code="440106",
                             occupation_code="6-31-01-03", pay_min=6000, pay_max=7000, skills=["电工证"])
    scored = ranker.score_pair(seeker, posting)
    x = list_features(seeker, [posting], [scored.features], [scored.score], encoder=ranker.encoder)
    contrib = model.contributions(x)[0]
    assert contrib.shape == (len(FEATURES) + 1,)
    assert np.isclose(contrib.sum(), model.predict(x)[0])
    reasons = reasons_from_contributions(seeker, posting, contrib, scored.features["semantic"],
                                         ranker.occupation_names)
    sentence = staff_sentence(contrib)
    assert 1 <= len(reasons) <= 3
    for text in reasons + [sentence]:
        assert not re.search(r"[A-Za-z_]|\d-\d\d", text), text
    assert any("想做的电工" in r or "区县" in r for r in reasons), reasons


def test_service_order_learned_or_hand_set(setting):
    _enc, coder, ranker, data = setting
    train = generated_cases(training_corpus(data), CITIES, 40, random.Random(8), {})
    model = LearnedRanker.train([(x, y) for _s, _k, x, y, _a in case_lists(ranker, train, coder)])
    seeker, postings, _labels, _seed = generated_cases([p for p in data if p.held_out], CITIES, 1,
                                                       random.Random(9), {})[0]
    case_lists(ranker, [(seeker, postings, _labels, _seed)], coder)  # codes the occupations
    hand = ranker.rank_postings_for_seeker(seeker, postings, k=5)
    fallback = rank_postings(ranker, None, seeker, postings, k=5)
    assert [i.id for i in fallback.items] == [i.id for i in hand.items]
    learned = rank_postings(ranker, model, seeker, postings, k=5)
    assert [i.rank for i in learned.items] == [1, 2, 3, 4, 5]
    full = ranker.rank_postings_for_seeker(seeker, postings, k=len(postings))
    by_id = {p.id: p for p in postings}
    x = list_features(seeker, [by_id[i.id] for i in full.items], [i.features for i in full.items],
                      [i.score for i in full.items], encoder=ranker.encoder)
    best = np.argsort(-model.predict(x), kind="stable")[:5]
    assert [i.id for i in learned.items] == [full.items[j].id for j in best]
    hand_words = {i.id: i.explanation for i in full.items}
    for item in learned.items:
        assert item.explanation[0].startswith("排序依据") and len(item.explanation) >= 6
        # the score's own sentences, written for the shown items only, are those the score gives them
        assert item.explanation[1:] == hand_words[item.id]
        assert not re.search(r"[A-Za-z_]", "".join(item.explanation))


def test_the_shortage_catalogue_still_counts_in_the_learned_order(setting):
    """A post of a catalogue occupation goes ahead of its twin that is not in it (the learned model
    never saw a catalogue), but not ahead of a clearly better fit; weight 0 switches it off."""
    from dataclasses import replace as copy

    from matching.profiles import MatchWeights

    ranker = setting[2]
    model, seeker = _learned(setting, 8), _electrician()
    best = PostingProfile(id=1, title="电工", description="配电 维修 电工证 线路", region_code="440106",
                          occupation_code="6-31-01-03", pay_min=7000, pay_max=8000, skills=["电工证"])
    twin = PostingProfile(id=2, title="保洁", description="清洁 卫生 打扫", region_code="440106",
                          occupation_code="4-09-08-01", pay_min=3000, pay_max=3500, skills=["保洁"])
    twins = [twin, copy(twin, id=3, shortage=True), copy(twin, id=4, title="保安", occupation_code="4-07-05-01")]
    order = [i.id for i in rank_postings(ranker, model, seeker, [best, *twins], k=4).items]
    assert order[0] == 1 and order.index(3) < order.index(2)  # the better fit first; the catalogue twin ahead
    old = ranker.weights
    try:
        ranker.weights = MatchWeights(shortage=0.0)
        off = [i.id for i in rank_postings(ranker, model, seeker, [best, *twins], k=4).items]
        scored = [ranker.score_pair(seeker, p) for p in twins[:2]]
    finally:
        ranker.weights = old
    x = list_features(seeker, twins[:2], [s.features for s in scored], [s.score for s in scored],
                      encoder=ranker.encoder)
    learned = model.predict(x)
    assert learned[0] == learned[1] and off.index(2) < off.index(3)  # twins again: in the order of their ids
