"""MATCHER_RANKER: 为我推荐 is ordered by the learned ranker saved beside the model when the setting says
``learned`` (the default; each item's explanation then led by what raised it), by the hand-set score
when it says ``score``, and when no usable ranker is saved."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.matching.pool import clear_pools
from matching.ltr import FEATURES, LearnedRanker


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    return folder


@pytest.fixture
def ranker_setting(app, model_copy):
    from webapp.matching.runtime import reset_ranker

    old = app.config.get("MATCHER_MODEL"), app.config.get("MATCHER_RANKER")

    def use(value: str) -> None:
        app.config["MATCHER_MODEL"], app.config["MATCHER_RANKER"] = str(model_copy), value
        reset_ranker(app)

    yield use
    app.config["MATCHER_MODEL"], app.config["MATCHER_RANKER"] = old
    reset_ranker(app)
    clear_pools()


def _contrarian_ranker() -> LearnedRanker:
    """A ranker that learnt the opposite of the hand-set score (the lower the score, the better), so
    which of the two ordered a list shows in the list."""
    rng = np.random.default_rng(0)
    column = FEATURES.index("hand_score")
    groups = []
    for _ in range(60):
        x = np.zeros((20, len(FEATURES)))  # only the hand-set score varies: the trees split on nothing else
        x[:, column] = rng.random(20)
        y = np.digitize(-x[:, column], np.quantile(-x[:, column], [0.25, 0.5, 0.75]))
        groups.append((x, y))
    return LearnedRanker.train(groups)


def _market(make_posting, db_session):
    titles = ["仓库管理员", "仓库保管员", "仓储主管", "物流仓管", "保安员", "快递员"]
    made = [make_posting(title=t, description=f"{t}，负责日常工作", region_code="371302") for t in titles]
    db_session.commit()
    return made


def _order(app, db_session, person) -> list:
    from core.matching.services import recommend_postings
    from webapp.matching.runtime import get_ranker

    clear_pools()
    return recommend_postings(db_session, person.id, get_ranker(app), k=6).ranked.items


def test_the_learned_order_when_chosen_and_saved(app, ranker_setting, model_copy, make_posting, make_seeker,
                                                 db_session):
    _market(make_posting, db_session)
    person = make_seeker(titles=["仓库管理员"], skills=["叉车"], region_code="371302")
    _contrarian_ranker().save(model_copy)

    ranker_setting("score")
    hand = _order(app, db_session, person)
    assert [i.score for i in hand] == sorted((i.score for i in hand), reverse=True)
    assert not hand[0].explanation[0].startswith("排序依据")

    ranker_setting("learned")
    learned = _order(app, db_session, person)
    assert {i.id for i in learned} == {i.id for i in hand}
    assert [i.score for i in learned] == sorted(i.score for i in learned)  # the contrarian's order
    assert [i.rank for i in learned] == list(range(1, len(learned) + 1))
    assert all(i.explanation[0].startswith("排序依据（由历史匹配数据学习得出）") for i in learned)

    # the default, with nothing set: the learned order
    from webapp.config import SETTINGS

    ranker_setting(None)
    assert SETTINGS["MATCHER_RANKER"][0] == "learned"
    assert [i.id for i in _order(app, db_session, person)] == [i.id for i in learned]


def test_the_hand_set_score_when_no_ranker_is_saved(app, ranker_setting, make_posting, make_seeker, db_session):
    from webapp.matching.runtime import get_ranker

    _market(make_posting, db_session)
    person = make_seeker(titles=["仓库管理员"], region_code="371302")
    ranker_setting("learned")
    assert get_ranker(app).learned is None
    items = _order(app, db_session, person)
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)


def test_an_unknown_choice_is_refused(app, ranker_setting):
    from webapp.matching.runtime import get_ranker

    ranker_setting("magic")
    with pytest.raises(ValueError, match="MATCHER_RANKER"):
        get_ranker(app)
