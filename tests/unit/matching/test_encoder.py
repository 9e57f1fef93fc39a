"""The in-domain encoder trains on a tiny real corpus and learns something a bug would destroy."""
import json
from pathlib import Path

import numpy as np
import pytest

from matching.corpus import iter_postings
from matching.encoder import Encoder, ModelNotFound, load_encoder
from matching.training import mine_pairs, train_encoder

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "matching"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    result = train_encoder(FIXTURES, out, epochs=12, dim=64, vocab_size=3000, batch_size=64,
                           learning_rate=0.05, time_budget_s=None, log=lambda _: None)
    return out, result


def test_both_posting_formats_are_read():
    postings = list(iter_postings(FIXTURES))
    assert len(postings) == 700
    zl = [p for p in postings if p.source == "zhilian"]
    assert len(zl) == 300 and all(p.category for p in zl)
    assert sum(len(p.description) > 20 for p in postings if p.source != "zhilian") == 400


def test_pairs_skip_held_out_postings():
    postings = list(iter_postings(FIXTURES))
    held = {p.title for p in postings if p.held_out} - {p.title for p in postings if not p.held_out}
    pairs = mine_pairs(postings)
    assert pairs and not any(a in held for a, _ in pairs)


def test_saved_model_loads_with_its_version_and_card(tiny_model):
    out, result = tiny_model
    meta = json.loads((out / "joblink_model.json").read_text(encoding="utf-8"))
    assert meta["model_version"] == result.model_version and meta["dim"] == 64
    assert "title_to_description_mrr@10" in meta["evaluation"]
    assert result.model_version in (out / "README.md").read_text(encoding="utf-8")
    enc = load_encoder(out)
    assert enc.version == result.model_version
    v = enc.encode(["普工", "电工"])
    assert v.shape == (2, 64) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_a_title_is_nearer_its_own_description_than_a_random_one(tiny_model):
    out, _ = tiny_model
    enc = Encoder(out)
    postings = [p for p in iter_postings(FIXTURES) if len(p.description) > 60 and not p.held_out][:200]
    t = enc.encode([p.title for p in postings])
    d = enc.encode([p.description[:300] for p in postings])
    sims = t @ d.T
    own = np.diag(sims)
    rng = np.random.default_rng(0)
    other = sims[np.arange(len(postings)), (np.arange(len(postings)) + rng.integers(1, len(postings), len(postings)))
                 % len(postings)]
    assert (own > other).mean() > 0.85
    # and a retrieval a random encoder cannot do: the own description in the top 10 of 200 most of the time
    rank = (sims >= own[:, None]).sum(axis=1)
    assert (rank <= 10).mean() > 0.5


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFound, match="joblink matcher train"):
        Encoder(tmp_path / "nothing")
