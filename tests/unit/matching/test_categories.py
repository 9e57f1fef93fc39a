"""The kinds of job (matching/categories.py): learnt from postings whose category is known, the same
probabilities as scikit-learn's naive Bayes over TF-IDF, saved and read back without scikit-learn, and
used by the learned ranker (saved beside it; a ranker whose categories are missing is not loaded)."""
import random

import numpy as np
import pytest

from matching.categories import CategoryModel, text_of
from matching.ltr import FEATURES, LearnedRanker, case_lists, generated_cases, train_categories, training_corpus

from .test_ltr import CITIES, WORK, corpus, setting  # noqa: F401  (the module's fixture)

PARENT = {"电工": "P1", "焊工": "P1", "保安": "P2", "保洁": "P2", "厨师": "P3", "收银": "P3", "仓库管理员": "P4",
          "快递员": "P4"}


def examples(data):
    return [(text_of(p.title, p.skills), p.category, PARENT[p.category]) for p in data]


@pytest.fixture(scope="module")
def data():
    return corpus(n=1500, seed=11)


def test_it_tells_kinds_of_job_apart(data):
    train = [p for p in data if not p.held_out]
    model = CategoryModel.train(examples(train))
    held = [p for p in data if p.held_out and p.title == p.category]  # titles that say what the work is
    p = model.proba([text_of(x.title, x.skills) for x in held])
    assert np.allclose(p.sum(axis=1), 1.0)
    accuracy = np.mean([model.classes[i] == x.category for i, x in zip(p.argmax(axis=1), held)])
    assert accuracy > 0.9, accuracy
    same, parent = model.agreement("电工", ["电工 配电", "焊工 焊接", "保洁 打扫"])
    assert same[0] > 0.5 > same[1] and same[2] < 0.05
    assert parent[1] > parent[2]  # 焊工 is of the same parent kind as 电工, 保洁 is not


def test_the_same_probabilities_as_scikit_learn(data):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB

    train, held = [p for p in data if not p.held_out], [p for p in data if p.held_out]
    ours = CategoryModel.train(examples(train))
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    x = vec.fit_transform([text_of(p.title, p.skills) for p in train])
    nb = MultinomialNB(alpha=0.05).fit(x, [p.category for p in train])
    texts = [text_of(p.title, p.skills) for p in held]
    assert list(nb.classes_) == ours.classes
    assert np.allclose(ours.proba(texts), nb.predict_proba(vec.transform(texts)), atol=1e-6)


def test_saved_and_read_back(data, tmp_path):
    model = CategoryModel.train(examples(data))
    model.save(tmp_path)
    again = CategoryModel.load(tmp_path)
    texts = ["电工 电工证", "快递员", "急招"]
    assert again.classes == model.classes and np.allclose(again.proba(texts), model.proba(texts))
    assert CategoryModel.load(tmp_path / "nothing") is None
    with pytest.raises(ValueError):
        CategoryModel.train([])


def test_the_learned_ranker_keeps_its_categories(setting, tmp_path):  # noqa: F811
    _enc, coder, ranker, data = setting
    train_set = training_corpus(data)
    subtype = {p.id: PARENT[p.category] + "0000" for p in train_set}
    categories = train_categories(train_set, subtype)
    cases = generated_cases(train_set, CITIES, 40, random.Random(12), {})
    lists = case_lists(ranker, cases, coder, categories=categories)
    column = FEATURES.index("category")
    assert any(x[:, column].max() > 0.5 for _s, _k, x, _y, _a in lists)
    model = LearnedRanker.train([(x, y) for _s, _k, x, y, _a in lists], categories=categories)
    assert model.meta["categories"] == len(WORK)
    model.save(tmp_path)
    again = LearnedRanker.load(tmp_path)
    assert again.categories is not None and again.categories.classes == categories.classes
    (tmp_path / "ranker" / "categories.npz").unlink()
    assert LearnedRanker.load(tmp_path) is None  # its features cannot be computed: the hand-set score is used
