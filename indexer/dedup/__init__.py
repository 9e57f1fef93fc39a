"""Near-duplicate detection: the same job from several channels (or twice from one) -> one posting.

Never all-pairs. A posting is fingerprinted once (``fingerprint``): its enterprise keys (unified
social credit code and normalised company name), region, occupation, a normalised title, and a
MinHash signature of its jieba-segmented title and description. ``DedupIndex`` files the signature
under LSH band keys *scoped by enterprise*, so only postings of the same enterprise that share a band
(or the exact normalised title) are ever compared; each candidate is then verified — compatible
region, similar title, similar text — so different jobs of one enterprise stay apart.

Persistence: ``DedupIndex.add(..., session=s)`` writes a ``DedupFingerprint`` row in the caller's
transaction; ``DedupIndex.load(session)`` rebuilds the in-memory index after a restart, and
``find_in_db`` answers from the table alone (blocking on the indexed enterprise keys) for processes
that keep no index in memory.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from core.enterprises.names import normalize_company_name
from indexer.drafts import NormalisedPosting

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
TEXT_CHARS = 1000          # description head used for the signature: enough to tell jobs apart

_rng = np.random.default_rng(20241122)  # fixed: signatures are persisted and must stay comparable
# multiply-shift hashing: (a*x + b) mod 2**64, top 32 bits; a odd and 64-bit so the product wraps
_A = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_EMPTY = np.full(NUM_PERM, 2**32 - 1, dtype=np.uint32)

# Bracketed parts that only decorate a title: reference codes "(J10554)" and perks "（双休）". Other
# bracketed parts are kept: 区域销售经理（西南） and 区域销售经理（华南） are two jobs.
_BRACKET = re.compile(r"[(（\[【<《]([^)）\]】>》]{0,30})[)）\]】>》]")
_DECORATION = re.compile(
    r"^\s*[a-z]{0,3}-?\d{3,}\s*$|双休|五险|六险|包吃|包住|急|高薪|底薪|提成|福利|补贴|薪|周末|社保|公积金|"
    r"长白班|借支|入职|直招|直聘|日结|周结|可实习|应届|校招|社招|可远程|远程|包|奖金|餐补"
)
_TITLE_NOISE = re.compile(
    r"急招|急聘|诚聘|高薪|直招|招聘|包吃住|包住|包吃|五险一金|双休|"
    r"\d+(?:\.\d+)?\s*[k千万w]?\s*(?:-|~|至)?\s*\d*(?:\.\d+)?\s*[k千万w]?(?:元|/月|/天|薪|以上)?"
)
_PUNCT = re.compile(r"[\s\W_]+")
_jieba = None


def _tokenizer():
    global _jieba
    if _jieba is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def normalize_title(title: str | None) -> str:
    """急招！Java开发工程师（双休）8-12K -> java开发工程师"""
    t = unicodedata.normalize("NFKC", title or "").lower()
    t = _BRACKET.sub(lambda m: " " if _DECORATION.search(m.group(1)) else f" {m.group(1)} ", t)
    t = _TITLE_NOISE.sub(" ", t)
    return _PUNCT.sub("", t)


def _title_grams(key: str) -> frozenset[str]:
    return frozenset(key[i: i + 2] for i in range(len(key) - 1)) or frozenset([key])


# How the description is cut into shingles: "jieba" (word bigrams of the jieba segmentation) or
# "char" (character 4-grams of the text without punctuation, hashed in numpy). bench/dedup_quality.py
# measures both (see docs/dedup.md); char shingling is the default because it is several times
# faster at the same quality. The title always adds its character bigrams.
SHINGLING = "char"
_K = np.uint64(0x100000001B3)   # FNV prime: rolling polynomial hash of code points


def _char_ngrams(text: str, n: int, salt: int) -> np.ndarray:
    c = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if c.size == 0:
        return np.empty(0, dtype=np.uint64)
    n = min(n, c.size)
    m = c.size - n + 1
    h = np.full(m, np.uint64(salt), dtype=np.uint64)
    for k in range(n):
        h = h * _K + c[k: k + m]
    return h


_TITLE_SALT2 = np.uint64(0x5851F42D4C957F2D)
_TITLE_SALT3 = np.uint64(0x14057B7EF767814F)
# Full-width ASCII (ＪＡＶＡ, １２３) to ASCII; cheaper than NFKC over a whole description.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_NEEDS_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _fold_width(text: str) -> str:
    return text.translate(_WIDTH) if _NEEDS_WIDTH.search(text) else text


def _str_hashes(items) -> np.ndarray:
    return np.fromiter((zlib.crc32(s.encode("utf-8")) for s in set(items)), dtype=np.uint64)


def _shingles(title_key: str, description: str, mode: str | None = None) -> np.ndarray:
    """64-bit hashes of the shingles of the description head plus the title's character bigrams
    (so two jobs sharing a boilerplate description still differ)."""
    text = _fold_width((description or "")[:TEXT_CHARS]).lower()
    if (mode or SHINGLING) == "jieba":
        words = [w for w in _tokenizer().lcut(text, HMM=False) if not _PUNCT.fullmatch(w)]
        body = _str_hashes([f"{a}|{b}" for a, b in zip(words, words[1:])] if len(words) > 2 else words)
    else:
        body = _char_ngrams(_PUNCT.sub("", text), 4, 1)
    # the title weighs as several shingles: its bigrams under three salts. Repeated shingles need
    # no de-duplication: a minimum over a multiset is the minimum over the set.
    grams = _char_ngrams(title_key, 2, 2)
    return np.concatenate([body, grams, grams ^ _TITLE_SALT2, grams ^ _TITLE_SALT3])


def minhash(hashes: np.ndarray) -> np.ndarray:
    if hashes.size == 0:
        return _EMPTY.copy()
    h = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return h.min(axis=0).astype(np.uint32)


@dataclass
class Fingerprint:
    enterprise_keys: tuple[str, ...]      # ("cc:9144...", "nm:腾讯计算机系统")
    credit_code: str | None
    region_code: str | None
    occupation_code: str | None
    title_key: str
    signature: np.ndarray = field(repr=False)
    has_text: bool = False                # the description contributed (not title only)
    pay_monthly_min: float | None = None
    pay_monthly_max: float | None = None

    def band_keys(self) -> list:
        """LSH keys, scoped by enterprise: one per band of the signature and enterprise key, plus one
        per (enterprise, exact normalised title). Computed once per fingerprint."""
        keys = self.__dict__.get("_keys")
        if keys is None:
            sig = self.signature.astype(np.uint64).reshape(BANDS, ROWS)
            h = np.full(BANDS, np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
            for r in range(ROWS):
                h = h * _K + sig[:, r]
            h = h + _BAND_SALT
            keys = []
            for ek in self.enterprise_keys:
                ekh = np.uint64((zlib.crc32(ek.encode("utf-8")) * 0xC2B2AE3D27D4EB4F) & 0xFFFFFFFFFFFFFFFF)
                keys.extend((h ^ ekh).tolist())
                keys.append((ek, self.title_key))
            self.__dict__["_keys"] = keys
        return keys


_BAND_SALT = np.arange(BANDS, dtype=np.uint64) * np.uint64(0x27D4EB2F165667C5)


def fingerprint_fields(title: str | None, description: str | None, company_name: str | None,
                       credit_code: str | None, region_code: str | None, occupation_code: str | None,
                       pay_monthly_min: float | None = None, pay_monthly_max: float | None = None,
                       company_normalized_name: str | None = None, shingling: str | None = None) -> Fingerprint:
    keys = []
    cc = (credit_code or "").strip().upper() or None
    if cc:
        keys.append(f"cc:{cc}")
    nm = company_normalized_name or normalize_company_name(company_name)
    if nm:
        keys.append(f"nm:{nm}")
    if not keys:
        keys.append("none:")
    tkey = normalize_title(title)
    desc = (description or "").strip()
    return Fingerprint(
        enterprise_keys=tuple(keys), credit_code=cc, region_code=region_code, occupation_code=occupation_code,
        title_key=tkey, signature=minhash(_shingles(tkey, desc, shingling)), has_text=len(desc) >= 20,
        pay_monthly_min=pay_monthly_min, pay_monthly_max=pay_monthly_max,
    )


def fingerprint(n: NormalisedPosting) -> Fingerprint:
    return fingerprint_fields(
        n.title, n.description, n.company_name, n.credit_code, n.region_code, n.occupation_code,
        n.pay_monthly_min, n.pay_monthly_max, n.company_normalized_name,
    )


# -- batches ---------------------------------------------------------------------------------------
# ``fingerprint`` spends most of its time in numpy's per-call overhead on small arrays (a few hundred
# shingles) and in folding full-width characters one by one. ``fingerprint_many`` computes the same
# signatures for a whole batch with a handful of numpy calls over all the texts at once; the results
# are bit-identical to ``fingerprint`` (tests/unit/indexer/dedup/test_fingerprint_many.py).

_BATCH_POSTINGS = 2048        # postings whose texts are hashed together (~8 MB of code points at most)
_MINHASH_SHINGLES = 1 << 18   # shingles per minhash block: one 2 MB buffer, reused for each permutation
_kept_bmp: np.ndarray | None = None


def _kept_chars(c: np.ndarray) -> np.ndarray:
    """For every code point, whether ``_PUNCT`` keeps it (it removes \\s, \\W and _). The answer comes
    from the pattern itself, applied once to every character of the BMP (and to the few others seen)."""
    global _kept_bmp
    if _kept_bmp is None:
        _kept_bmp = _kept_by_punct(np.arange(0x10000, dtype=np.uint32))
    if c.size == 0 or int(c.max()) <= 0xFFFF:
        return _kept_bmp[c]
    keep = _kept_bmp[np.minimum(c, 0xFFFF)]
    big = c > 0xFFFF
    if big.any():
        u = np.unique(c[big])
        keep[big] = np.isin(c[big], u[_kept_by_punct(u)])
    return keep


def _kept_by_punct(cps: np.ndarray) -> np.ndarray:
    one = re.compile(_PUNCT.pattern.rstrip("+"))
    marked = one.sub("\0", "".join(map(chr, cps.tolist())))   # removed characters -> NUL (itself removed)
    return np.frombuffer(marked.encode("utf-32-le"), dtype=np.uint32) != 0


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32), lens


def _description_heads(descs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points ``_shingles`` hashes, ``_PUNCT.sub("", _fold_width(d[:TEXT_CHARS]).lower())``,
    for all descriptions at once, and their lengths. Folding commutes with ``lower`` and with the
    punctuation removal (checked for every code point), so it is done on the kept code points."""
    c, lens = _code_points([d[:TEXT_CHARS].lower() for d in descs])
    keep = _kept_chars(c)
    c = c[keep]
    wide = (c >= 0xFF01) & (c <= 0xFF5E)
    c[wide] -= np.uint32(0xFEE0)
    c[c == 0x3000] = 0x20   # never kept (a space); here only to mirror _WIDTH
    bounds = np.concatenate([[0], np.cumsum(lens)])                     # where each text starts
    kept_before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])  # kept characters before i
    return c, np.diff(kept_before[bounds])


def _ngrams_many(c: np.ndarray, lens: np.ndarray, n: int, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """``_char_ngrams(t, n, salt)`` for every text (``c`` holds their code points end to end, ``lens``
    their lengths), concatenated, and how many hashes each text gave.

    The rolling hash runs once over the whole buffer; only windows lying inside one text are kept. A
    text shorter than ``n`` (but not empty) gives one hash of the whole text, as ``_char_ngrams`` does:
    that is the rolling hash at its first position after as many steps as the text has characters."""
    total = c.size
    counts = np.where(lens >= n, lens - n + 1, np.minimum(lens, 1))
    if total == 0:
        return np.empty(0, dtype=np.uint64), counts
    cp = np.zeros(total + n - 1, dtype=np.uint64)   # padded so every position has a full window
    cp[:total] = c
    starts = np.cumsum(lens) - lens
    h = np.full(total, np.uint64(salt), dtype=np.uint64)
    short = []
    for k in range(n):
        np.multiply(h, _K, out=h)
        np.add(h, cp[k: k + total], out=h)
        at = starts[lens == k + 1] if k + 1 < n else starts[:0]
        if at.size:
            short.append((at, h[at]))
    # a window starting at position p of a text of length L is whole when p <= L - n
    pos = np.arange(total, dtype=np.int64) - np.repeat(starts, lens)
    keep = pos <= np.repeat(lens - n, lens)
    for at, vals in short:
        h[at] = vals
        keep[at] = True
    return h[keep], counts


def _minhash_segments(shingles: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``minhash`` of each consecutive segment of ``shingles`` (``counts[i]`` long), shape (len, NUM_PERM).

    One permutation at a time over a block of whole segments (a 1-D buffer reused in place), then a
    minimum per segment. The shift by 32 comes after the minimum: flooring is monotonic, so the
    result is the same as ``minhash``'s."""
    out = np.empty((counts.size, NUM_PERM), dtype=np.uint32)
    out[:] = _EMPTY
    nonempty = np.flatnonzero(counts)
    if nonempty.size == 0:
        return out
    c = counts[nonempty]
    ends = np.cumsum(c)
    starts = ends - c
    buf = np.empty(min(int(ends[-1]), _MINHASH_SHINGLES), dtype=np.uint64)
    mins = np.empty((NUM_PERM, nonempty.size), dtype=np.uint64)
    i = 0
    while i < nonempty.size:
        lo = int(starts[i])
        # the segments that end inside the block (at least one, however long)
        j = max(int(np.searchsorted(ends, lo + _MINHASH_SHINGLES, side="right")), i + 1)
        hi = int(ends[j - 1])
        x = shingles[lo:hi]
        t = buf[: hi - lo] if hi - lo <= buf.size else np.empty(hi - lo, dtype=np.uint64)
        seg = starts[i:j] - lo
        for p in range(NUM_PERM):
            np.multiply(x, _A[p], out=t)
            np.add(t, _B[p], out=t)
            mins[p, i:j] = np.minimum.reduceat(t, seg)
        i = j
    out[nonempty] = (mins.T >> np.uint64(32)).astype(np.uint32)
    return out


def _fingerprint_chunk(norms: list[NormalisedPosting]) -> list[Fingerprint]:
    companies: dict[str | None, str] = {}
    titles: dict[str | None, str] = {}
    keys, descs = [], []
    for n in norms:
        descs.append((n.description or "").strip())
        tkey = titles.get(n.title)
        if tkey is None:
            tkey = titles[n.title] = normalize_title(n.title)
        keys.append(tkey)
    body, bc = _ngrams_many(*_description_heads(descs), 4, 1)
    grams, tc = _ngrams_many(*_code_points(keys), 2, 2)
    # per posting: its body shingles, then its title bigrams under the three salts (as _shingles)
    per = bc + 3 * tc
    seg = np.cumsum(per) - per
    shingles = np.empty(int(per.sum()), dtype=np.uint64)
    owner = np.repeat(np.arange(len(norms)), bc)
    shingles[seg[owner] + np.arange(body.size) - np.repeat(np.cumsum(bc) - bc, bc)] = body
    owner = np.repeat(np.arange(len(norms)), tc)
    dest = seg[owner] + bc[owner] + np.arange(grams.size) - np.repeat(np.cumsum(tc) - tc, tc)
    shingles[dest] = grams
    shingles[dest + tc[owner]] = grams ^ _TITLE_SALT2
    shingles[dest + 2 * tc[owner]] = grams ^ _TITLE_SALT3
    sigs = _minhash_segments(shingles, per)
    out = []
    for i, n in enumerate(norms):
        ek = []
        cc = (n.credit_code or "").strip().upper() or None
        if cc:
            ek.append(f"cc:{cc}")
        nm = n.company_normalized_name
        if not nm:
            nm = companies.get(n.company_name)
            if nm is None:
                nm = companies[n.company_name] = normalize_company_name(n.company_name)
        if nm:
            ek.append(f"nm:{nm}")
        if not ek:
            ek.append("none:")
        out.append(Fingerprint(
            enterprise_keys=tuple(ek), credit_code=cc, region_code=n.region_code, occupation_code=n.occupation_code,
            title_key=keys[i], signature=sigs[i].copy(), has_text=len(descs[i]) >= 20,
            pay_monthly_min=n.pay_monthly_min, pay_monthly_max=n.pay_monthly_max,
        ))
    return out


def fingerprint_many(norms: list[NormalisedPosting]) -> list[Fingerprint]:
    """``[fingerprint(n) for n in norms]`` — equal field for field, signatures bit for bit — computed
    for the whole batch at once: several times cheaper for the pipeline's batches of a thousand."""
    norms = list(norms)
    if SHINGLING == "jieba":
        return [fingerprint(n) for n in norms]
    out: list[Fingerprint] = []
    for i in range(0, len(norms), _BATCH_POSTINGS):
        out.extend(_fingerprint_chunk(norms[i: i + _BATCH_POSTINGS]))
    return out


# -- verification ----------------------------------------------------------------------------------

TITLE_MIN_SIMILARITY = 0.5
TEXT_MIN_SIMILARITY = 0.5


def signature_similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def title_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if len(a) >= 2 and len(b) >= 2 and (a in b or b in a):
        return 0.8
    ga, gb = _title_grams(a), _title_grams(b)
    return len(ga & gb) / len(ga | gb)


def regions_compatible(a: str | None, b: str | None) -> bool:
    """Same division, or one inside the other (a city-level code and a county in it)."""
    if not a or not b or a == b:
        return True

    def prefix(code: str) -> str:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
        return code

    pa, pb = prefix(a), prefix(b)
    return pa.startswith(pb) or pb.startswith(pa)


# The verdicts of ``verdict``. PROBABLE is the band the identical-title rule used to merge silently:
# identical normalised title and 0.3 <= text agreement < 0.5. A hand-labelled sample of it held
# different jobs (another team, campus vs experienced hire, short- vs long-term), so such a pair is no
# longer merged; the pipeline holds the newcomer for a reviewer, who merges it or lets it stand.
SAME = "same"
PROBABLE = "probable"
DIFFERENT = "different"
PROBABLE_MIN_SIMILARITY = 0.3


def verdict(a: Fingerprint, b: Fingerprint) -> tuple[str, float]:
    """``(SAME | PROBABLE | DIFFERENT, score)`` for two fingerprints; the score is 0.0 for DIFFERENT."""
    if a.credit_code and b.credit_code and a.credit_code != b.credit_code:
        return DIFFERENT, 0.0
    if not set(a.enterprise_keys) & set(b.enterprise_keys) or a.enterprise_keys == ("none:",):
        return DIFFERENT, 0.0
    if not regions_compatible(a.region_code, b.region_code):
        return DIFFERENT, 0.0
    ts = title_similarity(a.title_key, b.title_key)
    if ts < TITLE_MIN_SIMILARITY:
        return DIFFERENT, 0.0
    ss = signature_similarity(a.signature, b.signature)
    if a.has_text and b.has_text:
        if ss >= TEXT_MIN_SIMILARITY:
            result = SAME
        elif ts == 1.0 and ss >= PROBABLE_MIN_SIMILARITY:
            result = PROBABLE   # identical title, partly overlapping text: a reviewer decides
        else:
            return DIFFERENT, 0.0
    elif ts == 1.0:
        # one side has no description (search-list channels): the exact title must carry it
        result = SAME
    else:
        return DIFFERENT, 0.0
    if a.occupation_code and b.occupation_code and a.occupation_code != b.occupation_code and ts < 1.0:
        return DIFFERENT, 0.0
    return result, (ts + ss) / 2


def same_job(a: Fingerprint, b: Fingerprint) -> tuple[bool, float]:
    """Whether two fingerprints of one enterprise are surely the same job, and how sure (a PROBABLE
    pair is not: see ``verdict``)."""
    v, score = verdict(a, b)
    return v == SAME, score


def _keep_best(best: dict[str, tuple[int, float]], pid: int, v: str, score: float) -> None:
    """Keep the highest-scoring candidate per verdict; ties go to the oldest posting (the canonical
    one is the first received)."""
    if v not in (SAME, PROBABLE):
        return
    cur = best.get(v)
    if cur is None or score > cur[1] or (score == cur[1] and pid < cur[0]):
        best[v] = (pid, score)


class _hybridmethod:
    """``DedupIndex.load(session)`` builds a new index; ``index.load(session)`` fills that one."""

    def __init__(self, func):
        self.func = func

    def __get__(self, obj, cls):
        target = obj if obj is not None else cls()
        return lambda *a, **kw: self.func(target, *a, **kw)


class DedupIndex:
    """In-memory LSH index of fingerprints; ``find`` returns the canonical posting id of a duplicate."""

    fingerprint = staticmethod(fingerprint)
    fingerprint_many = staticmethod(fingerprint_many)

    def __init__(self) -> None:
        self._buckets: dict[str, list[int]] = defaultdict(list)
        self._fps: dict[int, Fingerprint] = {}
        self.comparisons = 0   # verification calls, for the benchmark's cost figures

    def __len__(self) -> int:
        return len(self._fps)

    def __contains__(self, posting_id: int) -> bool:
        return posting_id in self._fps

    def candidates(self, fp: Fingerprint) -> set[int]:
        out: set[int] = set()
        for key in fp.band_keys():
            out.update(self._buckets.get(key, ()))
        return out

    def find(self, fp: Fingerprint, exclude: int | None = None) -> int | None:
        """The canonical posting id of the best SAME match, or None."""
        found = self.matches(fp, exclude).get(SAME)
        return found[0] if found else None

    def find_probable(self, fp: Fingerprint, exclude: int | None = None) -> tuple[int, float] | None:
        """The best PROBABLE candidate (to be confirmed by a reviewer) and its score, or None."""
        return self.matches(fp, exclude).get(PROBABLE)

    def matches(self, fp: Fingerprint, exclude: int | None = None) -> dict[str, tuple[int, float]]:
        """The best SAME and the best PROBABLE candidate with their scores, from ONE pass over the
        candidates (the pipeline asks both questions of every new record)."""
        best: dict[str, tuple[int, float]] = {}
        for pid in self.candidates(fp):
            if pid == exclude:
                continue
            self.comparisons += 1
            _keep_best(best, pid, *verdict(fp, self._fps[pid]))
        return best

    def add(self, posting_id: int, fp: Fingerprint, session=None) -> None:
        if posting_id in self._fps:
            self.remove(posting_id)
        self._fps[posting_id] = fp
        for key in fp.band_keys():
            self._buckets[key].append(posting_id)
        if session is not None:
            save_fingerprint(session, posting_id, fp)

    def _add_rows(self, rows) -> None:
        if not rows:
            return
        sigs = np.frombuffer(b"".join(r.signature for r in rows), dtype=np.uint32).reshape(len(rows), NUM_PERM)
        h = np.full((len(rows), BANDS), np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
        bands = sigs.astype(np.uint64).reshape(len(rows), BANDS, ROWS)
        for r in range(ROWS):
            h = h * _K + bands[:, :, r]
        h = h + _BAND_SALT[None, :]
        fps = [fingerprint_from_row(r, sigs[i]) for i, r in enumerate(rows)]
        per_key: dict[str, list[int]] = defaultdict(list)
        for i, fp in enumerate(fps):
            for ek in fp.enterprise_keys:
                per_key[ek].append(i)
        keys: list[list] = [[] for _ in rows]
        for ek, idxs in per_key.items():
            ekh = np.uint64((zlib.crc32(ek.encode("utf-8")) * 0xC2B2AE3D27D4EB4F) & 0xFFFFFFFFFFFFFFFF)
            for i, band_row in zip(idxs, (h[idxs] ^ ekh).tolist()):
                keys[i].extend(band_row)
                keys[i].append((ek, fps[i].title_key))
        for row, fp, k in zip(rows, fps, keys):
            fp.__dict__["_keys"] = k
            if row.posting_id in self._fps:
                self.remove(row.posting_id)
            self._fps[row.posting_id] = fp
            for key in k:
                self._buckets[key].append(row.posting_id)

    def remove(self, posting_id: int) -> None:
        fp = self._fps.pop(posting_id, None)
        if fp is None:
            return
        for key in fp.band_keys():
            ids = self._buckets.get(key)
            if ids and posting_id in ids:
                ids.remove(posting_id)
                if not ids:
                    del self._buckets[key]

    @_hybridmethod
    def load(self, session, persist_missing: bool = False) -> "DedupIndex":
        """Fill the index from the ``dedup_fingerprints`` table (after a restart). Canonical postings
        without a fingerprint row (written by an older version, or by a caller that did not pass its
        session to ``add``) are fingerprinted from the posting itself, and saved when asked."""
        from sqlalchemy import select

        from core.dedup.models import DedupFingerprint
        from core.postings.models import Posting, PostingStatus

        # plain rows in chunks, band keys computed for a whole chunk at once: a province's index
        # loads in seconds
        result = session.execute(select(DedupFingerprint.__table__).execution_options(yield_per=5000))
        for chunk in result.partitions(5000):
            self._add_rows(chunk)
        live = [PostingStatus.PUBLISHED, PostingStatus.PENDING_REVIEW, PostingStatus.DRAFT]
        has_row = select(DedupFingerprint.posting_id).where(DedupFingerprint.posting_id == Posting.id).exists()
        q = select(Posting).where(Posting.status.in_(live), ~has_row).execution_options(yield_per=1000)
        for p in session.scalars(q):
            if p.id in self._fps:
                continue
            ent = p.enterprise
            fp = fingerprint_fields(
                p.title, p.description, ent.name if ent else None, ent.credit_code if ent else None,
                p.region_code, p.occupation_code, p.pay_monthly_min, p.pay_monthly_max,
            )
            self.add(p.id, fp, session=session if persist_missing else None)
        return self

    @staticmethod
    def find_in_db(session, fp: Fingerprint, exclude: int | None = None) -> int | None:
        """The same question answered from the table alone: block on the enterprise keys (indexed)."""
        found = DedupIndex.matches_in_db(session, fp, exclude).get(SAME)
        return found[0] if found else None

    @staticmethod
    def find_probable_in_db(session, fp: Fingerprint, exclude: int | None = None) -> tuple[int, float] | None:
        """``find_probable`` answered from the table alone."""
        return DedupIndex.matches_in_db(session, fp, exclude).get(PROBABLE)

    @staticmethod
    def matches_in_db(session, fp: Fingerprint, exclude: int | None = None) -> dict[str, tuple[int, float]]:
        """``matches`` answered from the table alone, in one query."""
        from sqlalchemy import or_, select

        from core.dedup.models import DedupFingerprint

        conds = []
        for k in fp.enterprise_keys:
            if k.startswith("cc:"):
                conds.append(DedupFingerprint.credit_code == k[3:])
            elif k.startswith("nm:"):
                conds.append(DedupFingerprint.company_key == k[3:])
        if not conds:
            return {}
        best: dict[str, tuple[int, float]] = {}
        for row in session.scalars(select(DedupFingerprint).where(or_(*conds)).order_by(DedupFingerprint.posting_id)):
            if row.posting_id == exclude:
                continue
            _keep_best(best, row.posting_id, *verdict(fp, fingerprint_from_row(row)))
        return best


def save_fingerprint(session, posting_id: int, fp: Fingerprint) -> None:
    from core.dedup.models import DedupFingerprint

    company_key = next((k[3:] for k in fp.enterprise_keys if k.startswith("nm:")), None)
    session.merge(DedupFingerprint(
        posting_id=posting_id, credit_code=fp.credit_code, company_key=company_key, region_code=fp.region_code,
        occupation_code=fp.occupation_code, title_key=fp.title_key[:200], signature=fp.signature.tobytes(),
        has_text=fp.has_text, pay_monthly_min=fp.pay_monthly_min, pay_monthly_max=fp.pay_monthly_max,
    ))


def fingerprint_from_row(row, signature: np.ndarray | None = None) -> Fingerprint:
    keys = []
    if row.credit_code:
        keys.append(f"cc:{row.credit_code}")
    if row.company_key:
        keys.append(f"nm:{row.company_key}")
    return Fingerprint(
        enterprise_keys=tuple(keys) or ("none:",), credit_code=row.credit_code, region_code=row.region_code,
        occupation_code=row.occupation_code, title_key=row.title_key or "",
        signature=signature if signature is not None else np.frombuffer(row.signature, dtype=np.uint32).copy(),
        has_text=bool(row.has_text),
        pay_monthly_min=row.pay_monthly_min, pay_monthly_max=row.pay_monthly_max,
    )


__all__ = [
    "Fingerprint", "DedupIndex", "fingerprint", "fingerprint_fields", "fingerprint_many", "normalize_company_name", "normalize_title",
    "same_job", "verdict", "SAME", "PROBABLE", "DIFFERENT", "title_similarity", "signature_similarity", "regions_compatible", "save_fingerprint",
    "fingerprint_from_row", "minhash",
]
