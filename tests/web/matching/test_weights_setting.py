"""MATCHER_WEIGHTS (read from the environment by load_config, see tests/unit/webapp/test_config.py)
is what the app's ranker scores with."""
from __future__ import annotations

import pytest


@pytest.fixture
def weights_setting(app):
    from webapp.matching.runtime import reset_ranker

    def use(value: str | None) -> None:
        app.config["MATCHER_WEIGHTS"] = value
        reset_ranker(app)

    old = app.config.get("MATCHER_WEIGHTS")
    yield use
    use(old)


def test_the_ranker_scores_with_the_configured_weights(app, matcher, weights_setting):
    from matching.profiles import MatchWeights
    from webapp.matching.runtime import get_ranker

    weights_setting(None)
    assert get_ranker(app).weights == MatchWeights()
    weights_setting('{"semantic": 0.6, "distance": 0}')
    ranker = get_ranker(app)
    assert ranker.weights.semantic == 0.6 and ranker.weights.distance == 0.0
    assert ranker.weights.occupation == MatchWeights().occupation  # unnamed features keep their default


def test_unknown_weight_names_are_refused(app, matcher, weights_setting):
    from webapp.matching.runtime import get_ranker

    weights_setting('{"semantics": 0.6}')
    with pytest.raises(ValueError, match="unknown matcher weights"):
        get_ranker(app)
