"""Train the project's own small Chinese sentence encoder from the postings it holds.

A fresh offline machine has no Chinese model, so JobLink fits one: a tokenizer learnt from the corpus
(BPE, jieba words, or both: ``fit_tokenizer``), a sentence-transformers ``StaticEmbedding`` (mean of
token vectors) over it, trained with ``MultipleNegativesRankingLoss`` (in-batch negatives, both
directions; with ``hard_negatives``, also a hard negative: the same kind of text from the same city's
posting of another kind of job) on pairs mined from real postings: title<->description, title<->skills,
title<->its category (the posting's occupation, or a site's own job category), titles of the same
category (synonyms), a title<->the occupation (职业分类大典) name it contains, and each occupation
name<->its parent group's name; with ``extra_pairs``, also title<->its first requirement sentence and
title<->the company's industry. The classification has names only, so no title<->occupation
definition pairs can be mined. Held-out postings (``CorpusPosting.held_out``) are never trained on.

It takes plain records (``train_on_postings``): ``joblink matcher train`` hands it the published
postings from the database (``core.matching.corpus``); the offline evaluations read the raw public
data sets instead (``train_encoder``).

The result is an ordinary sentence-transformers model directory (loadable with
``SentenceTransformer(path)``) plus ``joblink_model.json`` and a README model card.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from matching.corpus import CorpusPosting, Occupation, iter_postings, load_occupations, occupations_file, posting_files
from matching.text import DESCRIPTION_CHARS, core_title, normalise, posting_text, segment

MODEL_FAMILY = "joblink-zh-static"


@dataclass
class TrainResult:
    output_dir: str
    model_version: str
    pairs: int
    hard_negatives: int
    vocab_size: int
    dim: int
    epochs_run: int
    seconds: float
    postings_used: int
    evaluation: dict = field(default_factory=dict)


_REQUIREMENT = re.compile(r"(?:任职要求|任职资格|任职条件|岗位要求|职位要求|招聘要求|应聘要求|任职需求)\s*[:：]?")
_SENTENCE_END = re.compile(r"[。；;！!\n]|\s\d+\s*[、.．)）]|\s[（(]\d+[)）]|\s[-•·]")
_ITEM_START = re.compile(r"^[\s:：\-•·]*(?:\d+\s*[、.．)）]|[（(]\d+[)）])?\s*")
# Sentences that say only what every posting says (schooling, age) teach the encoder nothing of the job.
_GENERIC = re.compile(r"^(?:全日制|统招|国家)?(?:学历|年龄|性别|身体|大专|本科|中专|高中|初中|硕士|博士|\d+\s*(?:岁|周岁))")
REQUIREMENT_CHARS = 120
# Pairs of these kinds get a hard negative: the same kind of text from another posting of the same
# city whose job is of another kind (a 保安 description for a 普工 title, both in 东莞).
_NEGATIVE_KINDS = ("description", "skills", "requirement", "category", "industry")


def requirement_sentence(description: str) -> str:
    """The first requirement after the description's 任职要求/岗位要求 heading that is about the job, not
    only schooling or age ('' if none): '任职要求：1、大专以上学历；2、会开叉车，有仓库工作经验' ->
    '会开叉车，有仓库工作经验'."""
    text = description or ""
    m = _REQUIREMENT.search(text)
    if not m:
        return ""
    rest = text[m.end():]
    for _ in range(4):
        rest = _ITEM_START.sub("", rest)
        cut = _SENTENCE_END.search(rest)
        sentence = normalise(rest[: cut.start()] if cut else rest)[:REQUIREMENT_CHARS]
        if len(sentence) >= 6 and not _GENERIC.match(sentence):
            return sentence
        if not cut:
            break
        rest = rest[cut.end():]
    return ""


def job_kind(p: CorpusPosting, names: set[str] = frozenset(), longest: int = 0) -> str:
    """What kind of job a posting is, for choosing negatives of another kind: its category, else the
    longest occupation name its title contains, else the last word of its title (工程师, 普工, 保安)."""
    if p.category:
        return p.category
    title = core_title(p.title)
    name = contained_name(title, names, longest) if names else ""
    if name:
        return name
    words = segment(title)
    return words[-1] if words else title


def _positives(p: CorpusPosting, extra_pairs: bool = True) -> list[tuple[str, str]]:
    """(kind of pair, positive text) for one posting's title."""
    out = []
    if len(p.description) > 20:
        out.append(("description", normalise(p.description)[:DESCRIPTION_CHARS]))
        requirement = requirement_sentence(p.description) if extra_pairs else ""
        if requirement:
            out.append(("requirement", requirement))
    skills = [s for s in p.skills if s and not s[0].isdigit()]
    if skills:
        out.append(("skills", " ".join(skills)))
    if p.category:
        out.append(("category", p.category))
    if p.industry and extra_pairs:
        out.append(("industry", p.industry))
    return out


def contained_name(title: str, names: set[str], longest: int) -> str:
    """The longest occupation name inside ``title`` (the leftmost of equal length), or ''."""
    for size in range(min(longest, len(title)), 2, -1):
        for i in range(len(title) - size + 1):
            if title[i:i + size] in names:
                return title[i:i + size]
    return ""


@dataclass
class _Anchored:
    title: str
    pair_kind: str
    text: str
    city: str
    job_kind: str


def mine_examples(
    postings: Sequence[CorpusPosting], occupations: Sequence[Occupation] = (), seed: int = 0,
    synonyms_per_category: int = 40, hard_negatives: bool = True, extra_pairs: bool = True,
) -> list[tuple[str, ...]]:
    """Training examples from training postings (held-out ones are skipped): (anchor, positive) pairs,
    and (anchor, positive, negative) triplets where a hard negative was found (``hard_negatives``):
    the same kind of text from a posting of the same city whose job is of another kind.
    ``extra_pairs``: also title <-> requirement sentence and title <-> company industry."""
    rng = random.Random(seed)
    names = {o.name for o in occupations if o.level == 4 and len(o.name) >= 3}
    longest = max((len(n) for n in names), default=0)
    anchored: list[_Anchored] = []
    by_category: dict[str, list[str]] = defaultdict(list)
    for p in postings:
        if p.held_out:
            continue
        kind = job_kind(p, names, longest) if hard_negatives else ""
        anchored += [_Anchored(p.title, pk, text, p.city, kind) for pk, text in _positives(p, extra_pairs)]
        if p.category:
            by_category[p.category].append(core_title(p.title))
    pool = _negative_pool(anchored) if hard_negatives else {}
    examples: list[tuple[str, ...]] = []
    for a in anchored:
        negative = _hard_negative(pool, a, rng) if hard_negatives else None
        examples.append((a.title, a.text, negative) if negative else (a.title, a.text))
    for category, titles in by_category.items():
        titles = list(dict.fromkeys(titles))
        rng.shuffle(titles)
        for a, b in zip(titles[:synonyms_per_category], titles[1 : synonyms_per_category + 1]):
            if a != b:
                examples.append((a, b))
    examples += _occupation_pairs(postings, occupations, names, longest)
    rng.shuffle(examples)
    return examples


def mine_pairs(
    postings: Sequence[CorpusPosting], occupations: Sequence[Occupation] = (), seed: int = 0,
    synonyms_per_category: int = 40,
) -> list[tuple[str, str]]:
    """(anchor, positive) text pairs from training postings (held-out ones are skipped)."""
    return [(e[0], e[1]) for e in mine_examples(postings, occupations, seed, synonyms_per_category,
                                                  hard_negatives=False, extra_pairs=False)]


def _occupation_pairs(postings, occupations, names: set[str], longest: int) -> list[tuple[str, str]]:
    """Each occupation name with its parent group's, and a title with the occupation name it contains."""
    pairs: list[tuple[str, str]] = []
    if not occupations:
        return pairs
    by_code = {o.code: o for o in occupations}
    for o in occupations:
        parent = by_code.get(o.code.rsplit("-", 1)[0]) if "-" in o.code else None
        if parent and parent.name != o.name:
            pairs.append((o.name, parent.name))
    seen_titles: set[str] = set()
    for p in postings:
        if p.held_out or p.title in seen_titles:
            continue
        seen_titles.add(p.title)
        name = contained_name(p.title, names, longest)
        if name:
            pairs.append((p.title, name))
    return pairs


def _negative_pool(anchored: Sequence[_Anchored]) -> dict:
    """(pair kind, city) -> [(job kind, text)], and (pair kind, '') -> the same over every city."""
    pool: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for a in anchored:
        if a.pair_kind in _NEGATIVE_KINDS:
            pool[(a.pair_kind, a.city)].append((a.job_kind, a.text))
            pool[(a.pair_kind, "")].append((a.job_kind, a.text))
    return pool


def _hard_negative(pool: dict, a: _Anchored, rng: random.Random, tries: int = 8) -> str | None:
    """A text of the same pair kind from the same city (any city when it has none) whose posting is a
    job of another kind; None when a few draws find none."""
    candidates = pool.get((a.pair_kind, a.city)) if a.city else None
    if not candidates or len(candidates) < 2:
        candidates = pool.get((a.pair_kind, ""))
    if not candidates:
        return None
    for _ in range(tries):
        kind, text = candidates[rng.randrange(len(candidates))]
        if kind != a.job_kind and text != a.text:
            return text
    return None


def fit_tokenizer(texts: Sequence[str], vocab_size: int = 24000, vocabulary: str = "bpe"):
    """The tokenizer the encoder's token vectors belong to, fitted to the corpus:

    - ``bpe``: byte-pair merges learnt from the corpus (Chinese runs merge into the words it repeats);
    - ``words``: jieba's words of the corpus (the ``vocab_size`` most frequent seen at least 3 times)
      plus every character, segmented by the most probable path over their frequencies — jieba's own
      method, in a form a sentence-transformers folder can hold (no Python at load time);
    - ``union``: the BPE tokens and the jieba words in one vocabulary, segmented the same way.
    """
    if vocabulary == "bpe":
        return _bpe_tokenizer(texts, vocab_size)
    if vocabulary not in ("words", "union"):
        raise ValueError(f"unknown vocabulary {vocabulary!r}: bpe, words or union")
    counts = _jieba_counts(texts)
    words = [w for w, c in counts.most_common() if c >= 3 and len(w) > 1][:vocab_size]
    vocab = Counter({w: counts[w] for w in words})
    for text in texts:  # every character stays reachable, so a rare one never hides its neighbours
        for ch in _NFKC(text):
            if not ch.isspace():
                vocab[ch] += 1
    if vocabulary == "union":
        bpe = _bpe_tokenizer(texts, vocab_size)
        for enc in bpe.encode_batch(list(texts), add_special_tokens=False):
            vocab.update(enc.tokens)
    return _unigram_tokenizer(vocab)


def _NFKC(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _jieba_counts(texts: Sequence[str]) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(segment(_NFKC(text)))
    return counts


def _pre_tokenised(tok):
    from tokenizers import normalizers, pre_tokenizers

    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False)]
    )
    return tok


def _bpe_tokenizer(texts: Sequence[str], vocab_size: int):
    from tokenizers import Tokenizer, models, trainers

    tok = _pre_tokenised(Tokenizer(models.BPE()))
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=3, limit_alphabet=6000, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def _unigram_tokenizer(counts: Counter):
    """Most-probable-path segmentation over ``counts`` (log relative frequency per token)."""
    from tokenizers import Tokenizer, models

    total = float(sum(counts.values())) or 1.0
    vocab = [("[UNK]", math.log(0.5 / total))] + [(t, math.log(c / total)) for t, c in counts.most_common()]
    return _pre_tokenised(Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False)))


def _batches(examples: list[tuple[int, ...]], batch_size: int, rng: random.Random) -> list[list[tuple[int, ...]]]:
    """Batches of examples of one length (pairs, or triplets with their negative). In-batch negatives
    need distinct texts in a batch: a repeated text would be its own negative."""
    batches: list[list[tuple[int, ...]]] = []
    for size in sorted({len(e) for e in examples}):
        batches += _distinct_batches([e for e in examples if len(e) == size], batch_size, rng)
    rng.shuffle(batches)
    return batches


def _distinct_batches(pairs: list[tuple[int, ...]], batch_size: int, rng: random.Random) -> list[list[tuple[int, ...]]]:
    order = pairs[:]
    rng.shuffle(order)
    batches, current, used = [], [], set()
    deferred: list[tuple[int, ...]] = []
    for pair in order:
        if any(t in used for t in pair):
            deferred.append(pair)
            continue
        current.append(pair)
        used.update(pair)
        if len(current) == batch_size:
            batches.append(current)
            current, used = [], set()
            # retry what was deferred, once per batch boundary
            retry, deferred = deferred, []
            for d in retry:
                if any(t in used for t in d):
                    deferred.append(d)
                else:
                    current.append(d)
                    used.update(d)
    if len(current) >= 8:
        batches.append(current)
    return batches


@dataclass(frozen=True)
class Hyperparameters:
    epochs: int = 2
    dim: int = 256
    vocab_size: int = 24000
    batch_size: int = 1024
    learning_rate: float = 0.1
    vocab_sample: int = 40000
    seed: int = 0
    # Compared in docs/matching.md ("The encoder re-trained"): jieba words lost to BPE, and hard
    # negatives with the extra pairs gained 3 % MRR@10 (interval 0.998-1.069) for about twice the work
    # per epoch and no better learned ranking, so the defaults stay BPE and plain pairs.
    vocabulary: str = "bpe"  # "bpe", "words" (jieba) or "union" (both); see fit_tokenizer
    hard_negatives: bool = False
    extra_pairs: bool = False  # title <-> requirement sentence and title <-> company industry


def train_encoder(
    data: str | Path = "../shared/data",
    output_dir: str | Path = "instance/models/joblink-zh",
    limit: int | None = None,
    **settings,
) -> TrainResult:
    """Train on the raw public data sets under ``data`` (``matching.corpus`` reads them): what the
    offline evaluations (bench/) and the library's own tests use. ``limit`` caps the postings read per
    file. The product trains on the postings it holds (``train_on_postings``, ``joblink matcher train``)."""
    postings = list(iter_postings(data, limit=limit))
    if not postings:
        raise ValueError(f"no postings found under {data}")
    occ_path = occupations_file(data)
    files = ", ".join(str(p) for p in posting_files(data))
    source = f"files {files} (limit per file: {limit}); occupation names: {occ_path}"
    return train_on_postings(postings, load_occupations(occ_path) if occ_path else [], output_dir,
                             source=source, **settings)


def train_on_postings(
    postings: Sequence[CorpusPosting],
    occupations: Sequence[Occupation],
    output_dir: str | Path,
    *,
    source: str,
    time_budget_s: float | None = 540.0,
    log: Callable[[str], None] = print,
    **hyperparameters,
) -> TrainResult:
    """Fit the tokenizer and the encoder on plain posting records; save to ``output_dir``.

    ``source`` says where the records came from (for the model card). ``time_budget_s`` stops training
    at the step that crosses it, so a slow or busy machine still finishes in time with a usable model.
    Other keywords are ``Hyperparameters`` fields."""
    import torch

    hp = Hyperparameters(**hyperparameters)
    started = time.perf_counter()
    torch.manual_seed(hp.seed)
    rng = random.Random(hp.seed)
    if not postings:
        raise ValueError("no postings to train on")
    pairs = mine_examples(postings, occupations, seed=hp.seed, hard_negatives=hp.hard_negatives,
                          extra_pairs=hp.extra_pairs)
    triplets = sum(len(e) == 3 for e in pairs)
    log(f"{len(postings)} postings, {len(occupations)} occupations -> {len(pairs)} training pairs "
        f"({triplets} with a hard negative)")
    tokenizer, texts, token_ids = _tokenise(pairs, occupations, hp, rng)
    log(f"tokenizer ({hp.vocabulary}): {tokenizer.get_vocab_size()} tokens; {len(texts)} distinct texts "
        f"tokenised in {time.perf_counter() - started:.0f}s")
    index = {t: i for i, t in enumerate(texts)}
    id_pairs = [tuple(index[t] for t in e) for e in pairs]
    model, static = _new_model(tokenizer, hp.dim)
    deadline = None if time_budget_s is None else started + time_budget_s
    epochs_run = _fit(model, id_pairs, token_ids, hp, rng, deadline, log, started)
    digest = hashlib.sha256(static.embedding.weight.detach().numpy().tobytes()).hexdigest()[:10]
    today = dt.datetime.now(dt.UTC)
    result = TrainResult(
        output_dir=str(output_dir),
        model_version=f"{MODEL_FAMILY}-{today:%Y%m%d}-{digest}",
        pairs=len(pairs),
        hard_negatives=triplets,
        vocab_size=tokenizer.get_vocab_size(),
        dim=hp.dim,
        epochs_run=epochs_run,
        seconds=round(time.perf_counter() - started, 1),
        postings_used=sum(not p.held_out for p in postings),
        evaluation=quick_evaluation(model, postings),
    )
    log(f"held-out evaluation: {result.evaluation}")
    _save(model, result, hp, source, trained_at=today)
    return result


def _tokenise(pairs: list[tuple[str, ...]], occupations: Sequence[Occupation], hp: Hyperparameters,
              rng: random.Random):
    """The tokenizer fitted to the pairs' texts, the distinct texts, and each text's token ids."""
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    # The vocabulary is learnt from a sample: the merges a corpus repeats show up in any large sample,
    # and BPE training time grows with the text fed to it.
    corpus_for_vocab = rng.sample(texts, min(len(texts), hp.vocab_sample)) + [o.name for o in occupations]
    tokenizer = fit_tokenizer(corpus_for_vocab, vocab_size=hp.vocab_size, vocabulary=hp.vocabulary)
    encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
    return tokenizer, texts, [np.asarray(e.ids, dtype=np.int64) for e in encoded]


def _new_model(tokenizer, dim: int):
    """A sentence-transformers model: the mean of token vectors (randomly initialised), normalised."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    static = StaticEmbedding(tokenizer, embedding_dim=dim)
    with torch.no_grad():
        static.embedding.weight.normal_(0.0, 0.1)
    return SentenceTransformer(modules=[static, Normalize()], device="cpu"), static


def _fit(model, id_pairs: list[tuple[int, ...]], token_ids: list, hp: Hyperparameters, rng: random.Random,
         deadline: float | None, log: Callable[[str], None], started: float) -> int:
    """Train with in-batch negatives (both directions; a triplet's hard negative joins the batch's
    candidates) and a decaying learning rate; returns the number of epochs run (fewer when the deadline passes)."""
    import torch
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    loss_fn = MultipleNegativesRankingLoss(model, scale=20.0, directions=("query_to_doc", "doc_to_query"))
    optimiser = torch.optim.Adam(model.parameters(), lr=hp.learning_rate)

    def features(ids: list[int]) -> dict:
        arrays = [token_ids[i] if len(token_ids[i]) else np.zeros(1, dtype=np.int64) for i in ids]
        lengths = [len(a) for a in arrays]
        offsets = torch.from_numpy(np.cumsum([0] + lengths[:-1]))
        return {"input_ids": torch.from_numpy(np.concatenate(arrays)), "offsets": offsets}

    model.train()
    epochs_run = 0
    for epoch in range(hp.epochs):
        batches = _batches(id_pairs, hp.batch_size, rng)
        total = 0.0
        for step, batch in enumerate(batches):
            for group in optimiser.param_groups:
                group["lr"] = hp.learning_rate * (1 - (epoch * len(batches) + step) / (hp.epochs * len(batches)) * 0.9)
            loss = loss_fn([features([e[c] for e in batch]) for c in range(len(batch[0]))], None)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
            if deadline is not None and time.perf_counter() > deadline:
                break  # a slow or busy machine still ends within its budget, with the steps it made
        epochs_run += 1
        log(f"epoch {epoch + 1}/{hp.epochs}: mean loss {total / max(len(batches), 1):.3f} "
            f"({time.perf_counter() - started:.0f}s)")
        if deadline is not None and time.perf_counter() > deadline:
            log("time budget reached; stopping early")
            break
    model.eval()
    return epochs_run


def _save(model, result: TrainResult, hp: Hyperparameters, source: str, trained_at: dt.datetime) -> None:
    """The model directory, its ``joblink_model.json`` and a README model card."""
    out = Path(result.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out), create_model_card=False)
    meta = {
        **asdict(result),
        "family": MODEL_FAMILY,
        "trained_at": trained_at.isoformat(timespec="seconds"),
        "source": source,
        "hyperparameters": {**asdict(hp), "loss": "MultipleNegativesRankingLoss(scale=20, symmetric)"},
    }
    (out / "joblink_model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "README.md").write_text(_model_card(meta), encoding="utf-8")


def quick_evaluation(model, postings: Sequence[CorpusPosting], sample: int = 2000, seed: int = 0) -> dict:
    """Held-out title->description MRR@10 / recall@10 and title->site-category accuracy."""
    rng = random.Random(seed)
    held = [p for p in postings if p.held_out and len(p.description) > 20 and p.source != "zhilian"]
    seen, unique = set(), []
    for p in held:  # identical descriptions would make the gold ambiguous
        key = p.description[:DESCRIPTION_CHARS]
        if key not in seen:
            seen.add(key)
            unique.append(p)
    rng.shuffle(unique)
    unique = unique[:sample]
    result: dict = {}
    if len(unique) >= 10:
        q = model.encode([p.title for p in unique], convert_to_numpy=True, normalize_embeddings=True)
        d = model.encode([posting_text("", p.description) for p in unique], convert_to_numpy=True,
                         normalize_embeddings=True)
        from matching.evaluation import mrr_recall_at_k

        mrr, rec = mrr_recall_at_k(q @ d.T, k=10)
        result.update({"title_to_description_mrr@10": round(mrr, 4), "title_to_description_recall@10": round(rec, 4),
                       "title_to_description_candidates": len(unique)})
    zl = [p for p in postings if p.held_out and p.category]
    if len(zl) >= 10:
        categories = sorted({p.category for p in postings if p.category})
        c = model.encode(categories, convert_to_numpy=True, normalize_embeddings=True)
        t = model.encode([p.title for p in zl], convert_to_numpy=True, normalize_embeddings=True)
        pred = np.argmax(t @ c.T, axis=1)
        acc = float(np.mean([categories[i] == p.category for i, p in zip(pred, zl)]))
        result.update({"title_to_category_accuracy": round(acc, 4), "categories": len(categories),
                       "category_queries": len(zl)})
    return result


def _model_card(meta: dict) -> str:
    ev = "\n".join(f"| {k} | {v} |" for k, v in meta.get("evaluation", {}).items())
    hp = "\n".join(f"| {k} | {v} |" for k, v in meta["hyperparameters"].items())
    return f"""# {meta['model_version']}

JobLink's in-domain Chinese sentence encoder (sentence-transformers `StaticEmbedding` over a
{meta['hyperparameters']['vocabulary']} tokenizer fitted to the corpus, {meta['dim']} dimensions,
{meta['vocab_size']} tokens). Trained on CPU by
`joblink matcher train` (`matching.training.train_on_postings`) on {meta['trained_at']} in {meta['seconds']} s.

Load it with `SentenceTransformer("{meta['output_dir']}")`, or set `MATCHER_MODEL` to this directory.

## Data

- Postings: {meta['source']}; {meta['postings_used']} postings trained on, 10 % held out by a hash of
  the posting id.
- {meta['pairs']} (anchor, positive) pairs, {meta['hard_negatives']} of them with a hard negative (the same kind
  of text from a posting of the same city and another kind of job): title<->description head,
  title<->skills, title<->site category, same-category titles, title<->contained occupation name,
  occupation<->parent group (with `extra_pairs` also title<->requirement sentence and
  title<->company industry).

## Training

| hyper-parameter | value |
| --- | --- |
{hp}
| epochs run | {meta['epochs_run']} |

## Evaluation (held-out postings)

| metric | value |
| --- | --- |
{ev}

## Limits

A bag of token vectors: it ignores word order and negation, and knows only the vocabulary of the
postings it saw. It is for candidate generation and one feature of a transparent score, never the
sole basis of a decision about a person.
"""
