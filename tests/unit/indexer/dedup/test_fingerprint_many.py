"""``fingerprint_many`` is ``fingerprint`` for a whole batch: every field equal and every signature
bit-identical, on real postings and on the texts where a batched rolling hash could slip (empty and
very short texts, full-width and non-BMP characters, neighbours in one buffer, block boundaries)."""
import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest

from indexer import dedup
from indexer.dedup import DedupIndex, fingerprint, fingerprint_many
from indexer.normalise import make_context, normalise
from indexer.sources import jobhunting, zhilian

SAMPLES = Path(__file__).resolve().parents[4] / "data" / "samples"


@pytest.fixture(scope="module")
def real():
    ctx = make_context()
    drafts = list(itertools.islice(jobhunting.read(jobhunting.open_lines(SAMPLES / "jobhunting-2024-2025.jsonl.gz"),
                                                   default_channel="bench-boss"), 500))
    drafts += list(itertools.islice(zhilian.read(jobhunting.open_lines(SAMPLES / "zhilian-30cities-2022.jsonl.gz"),
                                                 "bench-zhilian"), 300))
    return [normalise(d, ctx) for d in drafts]


FIELDS = ("enterprise_keys", "credit_code", "region_code", "occupation_code", "title_key", "has_text",
          "pay_monthly_min", "pay_monthly_max")


def differences(expected, got) -> list[str]:
    out = [f for f in FIELDS if getattr(expected, f) != getattr(got, f)]
    if got.signature.dtype != np.uint32 or got.signature.shape != (dedup.NUM_PERM,):
        out.append(f"signature {got.signature.dtype} {got.signature.shape}")
    elif not np.array_equal(expected.signature, got.signature):
        out.append(f"signature ({int(np.count_nonzero(expected.signature != got.signature))} of 64 differ)")
    return out


def assert_same_as_fingerprint(norms):
    got = fingerprint_many(norms)
    assert len(got) == len(norms)
    bad = {i: d for i, n in enumerate(norms) if (d := differences(fingerprint(n), got[i]))}
    assert not bad, f"{len(bad)} of {len(norms)} differ, e.g. {list(bad.items())[:3]}"
    return got


def test_comparison_sees_a_single_changed_signature_value(real):
    a = fingerprint(real[0])
    b = dataclasses.replace(a, signature=a.signature.copy())
    assert differences(a, b) == []
    b.signature[17] ^= 1
    assert differences(a, b) == ["signature (1 of 64 differ)"]


def test_real_postings_match_fingerprint(real):
    got = assert_same_as_fingerprint(real)
    # real texts: signatures are neither empty nor all alike, and each posting owns its array
    assert sum(fp.has_text for fp in got) > len(got) // 2
    assert len({fp.signature.tobytes() for fp in got}) > len(got) // 2
    assert not any(np.array_equal(fp.signature, dedup._EMPTY) for fp in got)
    assert not np.shares_memory(got[0].signature, got[1].signature)


def test_small_blocks_match_fingerprint(real, monkeypatch):
    # postings hashed in several chunks and minhashed in many blocks, one block smaller than a posting
    monkeypatch.setattr(dedup, "_BATCH_POSTINGS", 37)
    monkeypatch.setattr(dedup, "_MINHASH_SHINGLES", 150)
    assert_same_as_fingerprint(real[:200])


EDGE_TEXTS = [
    "", " ", "，。！", "a", "ab", "abc", "abcd", "招", "招聘", "招聘会", "  a  ", "a，b", "ＪＡＶＡ", "ａ", "１２",
    "ＪＡＶＡ开发工程师，熟悉ＳＱＬ　Ｓｅｒｖｅｒ", "𠀀", "𠀀𠀁", "a𠀀b", "😀", "岗位😀职责𠀀𠀁𠀂𠀃", "ΑΣ：b", "_x_",
    "İstanbul", "x" * 3000, "岗位职责：" * 300,
]
EDGE_TITLES = ["", "！", "x", "招", "𠀀", "Ａ", "ＡＢ", "急招！Java开发工程师（双休）8-12K", "招聘", "𠀀𠀁司机"]


@pytest.fixture(scope="module")
def edge(real):
    base = real[0]
    out = []
    for i, (title, desc) in enumerate(itertools.product(EDGE_TITLES, EDGE_TEXTS)):
        out.append(dataclasses.replace(
            base, title=title, description=desc, company_name=["某某公司", None, "ＡＢＣ Co., Ltd."][i % 3],
            company_normalized_name=None if i % 2 else base.company_normalized_name,
            credit_code=[None, " 91440300708461136t ", ""][i % 3], pay_monthly_min=None if i % 4 else 3000.0,
        ))
    return out


def test_edge_texts_in_one_batch(edge):
    got = assert_same_as_fingerprint(edge)
    empty = [fp for fp in got if fp.title_key == "" and fp.signature.tobytes() == dedup._EMPTY.tobytes()]
    assert empty   # empty title and no kept description characters: the empty signature


def test_edge_texts_mixed_with_real_postings(real, edge):
    assert_same_as_fingerprint([x for pair in zip(real, edge) for x in pair])


@pytest.mark.parametrize("desc", EDGE_TEXTS)
@pytest.mark.parametrize("title", ["", "x", "招", "𠀀", "Java开发"])
def test_batch_of_one(real, title, desc):
    assert_same_as_fingerprint([dataclasses.replace(real[1], title=title, description=desc)])


def test_empty_signature_is_a_copy(real):
    fp, = fingerprint_many([dataclasses.replace(real[0], title="", description="")])
    assert np.array_equal(fp.signature, dedup._EMPTY) and fp.signature is not dedup._EMPTY
    fp.signature[0] = 0
    assert dedup._EMPTY[0] == 2**32 - 1


def test_empty_list():
    assert fingerprint_many([]) == []


def test_exposed_on_the_index():
    assert DedupIndex.fingerprint_many is fingerprint_many
    assert DedupIndex().fingerprint_many is fingerprint_many


def test_jieba_mode_falls_back_to_fingerprint(real, monkeypatch):
    monkeypatch.setattr(dedup, "SHINGLING", "jieba")
    got = assert_same_as_fingerprint(real[:20])
    monkeypatch.setattr(dedup, "SHINGLING", "char")
    # jieba shingles differ from char shingles, so the fallback is what made them equal
    assert any(differences(g, c) for g, c in zip(got, fingerprint_many(real[:20])))


def test_description_heads_agree_with_shingles_text_for_every_character():
    # the batch folds full width after lower() and punctuation removal; _shingles folds first. That is
    # the same for every character (the first three planes whole, the others sampled).
    cps = [c for c in itertools.chain(range(0x40000), range(0x40000, 0x110000, 97)) if not 0xD800 <= c < 0xE000]
    chars = [chr(c) for c in cps]
    c, lens = dedup._description_heads(chars)
    expected = [dedup._PUNCT.sub("", dedup._fold_width(ch).lower()) for ch in chars]
    assert lens.tolist() == [len(e) for e in expected]
    assert c.tobytes() == "".join(expected).encode("utf-32-le")
