"""What the encoder learns from, mined from real posting rows (data/samples): hard negatives are the
same kind of text from the same city but another kind of job, requirement sentences and company
industries become pairs, held-out postings never appear, and the jieba-word and union vocabularies
give an ordinary model folder that loads and encodes."""
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from matching.corpus import iter_postings
from matching.encoder import load_encoder
from matching.training import (
    _batches,
    fit_tokenizer,
    job_kind,
    mine_examples,
    mine_pairs,
    requirement_sentence,
    train_on_postings,
)
from matching.text import DESCRIPTION_CHARS, core_title, normalise

SAMPLES = Path(__file__).resolve().parents[3] / "data" / "samples"


@pytest.fixture(scope="module")
def postings():
    return list(iter_postings(SAMPLES))


@pytest.fixture(scope="module")
def examples(postings):
    return mine_examples(postings, seed=0, hard_negatives=True, extra_pairs=True)


def _by_text(postings):
    """Which training postings a text (description head, skills, category, industry...) comes from."""
    where = defaultdict(list)
    for p in postings:
        if p.held_out:
            continue
        where[normalise(p.description)[:DESCRIPTION_CHARS]].append(p)
        where[" ".join(s for s in p.skills if s and not s[0].isdigit())].append(p)
        where[requirement_sentence(p.description)].append(p)
        for text in (p.category, p.industry):
            where[text].append(p)
    return where


def test_a_hard_negative_is_the_same_kind_of_text_from_the_same_city_but_another_job(postings, examples):
    triplets = [e for e in examples if len(e) == 3]
    assert len(triplets) > len(examples) / 3
    by_title = defaultdict(list)
    for p in postings:
        if not p.held_out:
            by_title[p.title].append(p)
    where = _by_text(postings)
    same_city = other_kind = 0
    for title, positive, negative in triplets:
        assert negative != positive
        anchors, sources = by_title[title], where[negative]
        assert anchors and sources, (title, negative)
        cities = {p.city for p in anchors}
        same_city += any(p.city in cities for p in sources)
        kinds = {job_kind(p) for p in anchors}
        other_kind += any(job_kind(p) not in kinds for p in sources)
    # a city with a single posting of that kind of text draws from any city
    assert same_city / len(triplets) > 0.9
    assert other_kind / len(triplets) > 0.95


def test_held_out_postings_are_never_anchors_positives_or_negatives(postings, examples):
    # a training posting's title without its decoration may read like a held-out title: that is not one
    training_titles = {t for p in postings if not p.held_out for t in (p.title, core_title(p.title))}
    held = {p.title for p in postings if p.held_out} - training_titles
    held_texts = {normalise(p.description)[:DESCRIPTION_CHARS] for p in postings
                  if p.held_out and len(p.description) > 20}
    held_texts -= {normalise(p.description)[:DESCRIPTION_CHARS] for p in postings if not p.held_out}
    assert held and held_texts
    assert not any(e[0] in held for e in examples)
    assert not any(t in held_texts for e in examples for t in e[1:])


def test_requirement_sentences_and_industries_are_paired_with_titles(postings, examples):
    pairs = {(e[0], e[1]) for e in examples}
    with_requirement = [p for p in postings if not p.held_out and requirement_sentence(p.description)]
    assert len(with_requirement) > 500
    assert sum((p.title, requirement_sentence(p.description)) in pairs for p in with_requirement) > 0.95 * len(
        with_requirement)
    zhilian = [p for p in postings if not p.held_out and p.industry]
    assert len(zhilian) > 1000 and all(p.source == "zhilian" for p in zhilian)
    assert sum((p.title, p.industry) in pairs for p in zhilian) > 0.95 * len(zhilian)
    # today's pairs (mine_pairs) have neither, but for an industry named like the site's category
    plain = set(mine_pairs(postings))
    assert sum((p.title, p.industry) in plain for p in zhilian) < 0.1 * len(zhilian)
    assert not any((p.title, requirement_sentence(p.description)) in plain for p in with_requirement)


def test_the_requirement_sentence_is_about_the_job_not_schooling():
    text = "岗位职责：负责仓库收发货。任职要求：1、高中以上学历；2、会开叉车，有仓库工作经验；3、能吃苦"
    assert requirement_sentence(text) == "会开叉车，有仓库工作经验"
    assert requirement_sentence("负责仓库收发货，会开叉车") == ""


def test_batches_never_repeat_a_text_and_keep_pairs_and_triplets_apart():
    import random

    rng = random.Random(0)
    items = [(i, i + 1000) for i in range(300)] + [(i, i + 2000, (i * 7) % 50 + 3000) for i in range(300)]
    batches = _batches(items, 32, rng)
    assert sum(len(b) for b in batches) > 0.9 * len(items)
    for batch in batches:
        assert len({len(e) for e in batch}) == 1
        texts = [t for e in batch for t in e]
        assert len(texts) == len(set(texts))


@pytest.mark.parametrize("vocabulary", ["words", "union"])
def test_word_vocabularies_segment_into_words(postings, vocabulary):
    texts = [p.title for p in postings] + [p.description[:300] for p in postings if p.description][:1500]
    tok = fit_tokenizer(texts, vocab_size=4000, vocabulary=vocabulary)
    tokens = tok.encode("招聘仓库管理员", add_special_tokens=False).tokens
    assert "仓库" in tokens or "仓库管理员" in tokens or "仓库管理" in tokens, tokens
    assert "".join(tokens) == "招聘仓库管理员"


def test_a_jieba_word_model_is_an_ordinary_model_folder(postings, tmp_path):
    result = train_on_postings(postings[:600] + postings[-300:], [], tmp_path, source="test", vocabulary="words",
                               hard_negatives=True, extra_pairs=True,
                               epochs=1, dim=16, vocab_size=2000, batch_size=64, time_budget_s=None,
                               log=lambda _: None)
    assert result.hard_negatives > 0
    encoder = load_encoder(tmp_path)
    v = encoder.encode(["普工", "仓库管理员"])
    assert v.shape == (2, 16) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_reciprocal_ranks_count_ties_against_the_gold_document():
    from matching.evaluation import mrr_recall_at_k, reciprocal_ranks

    scores = np.array([[0.9, 0.1, 0.2], [0.5, 0.5, 0.1], [0.3, 0.8, 0.7]])
    assert reciprocal_ranks(scores, k=10).tolist() == [1.0, 0.5, 0.5]
    assert reciprocal_ranks(scores, k=1).tolist() == [1.0, 0.0, 0.0]
    assert mrr_recall_at_k(scores, k=1) == (pytest.approx(1 / 3), pytest.approx(1 / 3))
