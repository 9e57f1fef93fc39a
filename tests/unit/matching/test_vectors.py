"""Exact and IVF vector search: same answers when every list is probed; scopes and masks respected."""
import numpy as np

from matching.vectors import VectorIndex, normalise_rows


def data(n=3000, d=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, d))
    x = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, d))
    return normalise_rows(x), rng.integers(0, 5, n) * 100 + 4400  # five "cities"


def brute(x, q, k, rows):
    s = x[rows] @ q
    order = np.lexsort((rows, -s))[:k]
    return rows[order]


def test_ivf_with_every_list_probed_equals_exact():
    x, parts = data()
    index = VectorIndex(x, parts, nlist=32, build_ivf=True)
    q = x[7]
    exact = index.search(q, 50, mode="exact")
    full = index.search(q, 50, mode="ann", nprobe=32)
    assert exact.mode == "exact" and full.mode == "ann"
    assert list(exact.ids) == list(full.ids) == list(brute(x, q, 50, np.arange(len(x))))
    partial = index.search(q, 50, mode="ann", nprobe=8)
    assert partial.scanned < len(x) and len(set(partial.ids) & set(exact.ids)) >= 40


def test_partition_and_mask_restrict_the_answer():
    x, parts = data(seed=1)
    index = VectorIndex(x, parts, build_ivf=False)
    allowed = np.ones(len(x), dtype=bool)
    allowed[::2] = False
    q = x[11]
    res = index.search(q, 30, partitions=[4600], allowed=allowed)
    rows = np.nonzero((parts == 4600) & allowed)[0]
    assert list(res.ids) == list(brute(x, q, 30, rows))
    assert set(parts[res.ids]) == {4600} and allowed[res.ids].all()
    assert index.search(q, 5, partitions=[9999]).ids.size == 0
    np.testing.assert_allclose(index.vectors_of(np.array([3, 5])), x[[3, 5]])
