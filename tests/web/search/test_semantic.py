"""Search by meaning (issue #12): the postings' vectors in the index, the query's vector from the same
model, fused with the words (indexer.search.fusion) — through the API and the page.

The model is a real sentence-transformers folder (static embedding + normalisation) built here with
known vectors, so what it finds is decided by the test: one character per idea (焊/氩/弧 welding,
保/卫 guarding), every other character knows nothing."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.search.semantic import StaticModel, posting_vectors, query_encoder
from indexer.worker import load_documents, rebuild

IDEAS = {"焊": 0, "氩": 0, "弧": 0, "保": 1, "卫": 1}


@pytest.fixture(scope="module")
def meaning_model(tmp_path_factory):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    vocab = {"[UNK]": 0, **{ch: i + 1 for i, ch in enumerate(IDEAS)}}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = BertNormalizer(handle_chinese_chars=True, lowercase=False)  # one token per Chinese character
    tok.pre_tokenizer = BertPreTokenizer()
    weights = np.zeros((len(vocab), 4), dtype=np.float32)
    for ch, idea in IDEAS.items():
        weights[vocab[ch], idea] = 1.0
    out = tmp_path_factory.mktemp("meaning-model")
    SentenceTransformer(modules=[StaticEmbedding(tok, embedding_weights=weights), Normalize()]).save(str(out))
    return out


@pytest.fixture
def with_model(app, meaning_model, monkeypatch):
    from webapp.matching.runtime import reset_ranker

    monkeypatch.setitem(app.config, "MATCHER_MODEL", str(meaning_model))
    reset_ranker(app)
    yield meaning_model
    reset_ranker(app)


@pytest.fixture
def postings(app, db_session, index, make_posting, with_model):
    from webapp.matching.runtime import get_ranker

    made = {
        "welder": make_posting("电焊工", description="钢结构厂电焊"),
        "argon": make_posting("钢结构师傅", description="氩弧操作，钢结构厂"),  # no word of 电焊工
        "guard": make_posting("门卫", description="小区门岗值守"),
    }
    with app.app_context():
        vectors = posting_vectors(get_ranker(app))
        assert rebuild(db_session, index, "postings", vectors=vectors) == 3
    return made


def search(client, **params):
    r = client.get("/api/v1/postings/search", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def test_a_posting_without_the_words_is_found_by_its_meaning(client, postings):
    data = search(client, q="电焊工")
    items = {i["id"]: i for i in data["items"]}
    assert list(items) == [postings["welder"].id, postings["argon"].id]  # the guard is far in meaning
    assert items[postings["welder"].id]["related"] is False
    assert items[postings["argon"].id]["related"] is True
    assert "<mark>" not in (items[postings["argon"].id]["title_html"] or "")
    assert "<mark>" not in (items[postings["argon"].id]["snippet_html"] or "")
    assert data["total"] == 2


def test_the_page_says_which_postings_are_only_similar(client, postings):
    html = client.get("/search", query_string={"q": "想找电焊工工作"}).get_data(as_text=True)
    assert "钢结构师傅" in html and html.count("类似工作") == 1


def test_explicit_sort_stays_the_words_alone(client, postings):
    ids = [i["id"] for i in search(client, q="电焊工", sort="newest")["items"]]
    assert ids == [postings["welder"].id]


def test_without_a_model_the_words_alone(app, client, postings, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MATCHER_MODEL", str(tmp_path / "no-model"))
    data = search(client, q="电焊工")
    assert [i["id"] for i in data["items"]] == [postings["welder"].id] and data["total"] == 1


def test_documents_carry_the_models_vectors(app, db_session, postings):
    from webapp.matching.runtime import get_ranker

    with app.app_context():
        docs, _ = load_documents(db_session, "posting", [postings["argon"].id, postings["guard"].id],
                                 vectors=posting_vectors(get_ranker(app)))
    by_id = {d["id"]: d["vector"] for d in docs}
    assert by_id[postings["argon"].id] == pytest.approx([1.0, 0.0, 0.0, 0.0])
    assert by_id[postings["guard"].id] == pytest.approx([0.0, 1.0, 0.0, 0.0])


def test_the_query_vector_is_the_models_own(meaning_model):
    from matching.encoder import Encoder

    texts = ["电焊工", "氩弧 保卫", "普工"]
    assert StaticModel.fits(meaning_model)
    assert np.allclose(StaticModel(meaning_model).encode(texts), Encoder(meaning_model).encode(texts), atol=1e-6)
    encode = query_encoder(meaning_model)
    assert encode("普工") is None  # nothing the model knows: no vector, words alone
    assert encode("电焊工") == pytest.approx((1.0, 0.0, 0.0, 0.0))
