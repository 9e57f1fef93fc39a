"""Train the project's own small Chinese sentence encoder from the postings it holds.

A fresh offline machine has no Chinese model, so JobLink fits one: a BPE tokenizer learnt from the
corpus, a sentence-transformers ``StaticEmbedding`` (mean of token vectors) over it, trained with
``MultipleNegativesRankingLoss`` (in-batch negatives, both directions) on pairs mined from real
postings: title<->description, title<->skills, title<->its category (the posting's occupation, or a
site's own job category), titles of the same category (synonyms), a title<->the occupation (职业分类大典)
name it contains, and each occupation name<->its parent group's name. Held-out postings
(``CorpusPosting.held_out``) are never trained on.

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
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from matching.corpus import CorpusPosting, Occupation, iter_postings, load_occupations, occupations_file, posting_files
from matching.text import DESCRIPTION_CHARS, core_title, normalise, posting_text

MODEL_FAMILY = "joblink-zh-static"


@dataclass
class TrainResult:
    output_dir: str
    model_version: str
    pairs: int
    vocab_size: int
    dim: int
    epochs_run: int
    seconds: float
    postings_used: int
    evaluation: dict = field(default_factory=dict)


def mine_pairs(
    postings: Sequence[CorpusPosting], occupations: Sequence[Occupation] = (), seed: int = 0,
    synonyms_per_category: int = 40,
) -> list[tuple[str, str]]:
    """(anchor, positive) text pairs from training postings (held-out ones are skipped)."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    by_category: dict[str, list[str]] = defaultdict(list)
    detailed = sorted((o for o in occupations if o.level == 4 and len(o.name) >= 2), key=lambda o: -len(o.name))
    for p in postings:
        if p.held_out:
            continue
        title = p.title
        if len(p.description) > 20:
            pairs.append((title, normalise(p.description)[:DESCRIPTION_CHARS]))
        skills = [s for s in p.skills if s and not s[0].isdigit()]
        if skills:
            pairs.append((title, " ".join(skills)))
        if p.category:
            pairs.append((title, p.category))
            by_category[p.category].append(core_title(title))
    for category, titles in by_category.items():
        titles = list(dict.fromkeys(titles))
        rng.shuffle(titles)
        for a, b in zip(titles[:synonyms_per_category], titles[1 : synonyms_per_category + 1]):
            if a != b:
                pairs.append((a, b))
    if occupations:
        by_code = {o.code: o for o in occupations}
        for o in occupations:
            parent = by_code.get(o.code.rsplit("-", 1)[0]) if "-" in o.code else None
            if parent and parent.name != o.name:
                pairs.append((o.name, parent.name))
        # A title that names an occupation (longest name first) is paired with it.
        names = [o.name for o in detailed if len(o.name) >= 3]
        seen_titles: set[str] = set()
        for p in postings:
            if p.held_out or p.title in seen_titles:
                continue
            seen_titles.add(p.title)
            for name in names:
                if name in p.title:
                    pairs.append((p.title, name))
                    break
    rng.shuffle(pairs)
    return pairs


def fit_tokenizer(texts: Sequence[str], vocab_size: int = 24000):
    """A BPE tokenizer fitted to the corpus: Chinese runs merge into words the data repeats."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False)]
    )
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=3, limit_alphabet=6000, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def _batches(pairs: list[tuple[int, int]], batch_size: int, rng: random.Random) -> list[list[tuple[int, int]]]:
    """In-batch negatives need distinct texts in a batch: a repeated text would be its own negative."""
    order = pairs[:]
    rng.shuffle(order)
    batches, current, used = [], [], set()
    deferred: list[tuple[int, int]] = []
    for pair in order:
        if pair[0] in used or pair[1] in used:
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
                if d[0] in used or d[1] in used:
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
    pairs = mine_pairs(postings, occupations, seed=hp.seed)
    log(f"{len(postings)} postings, {len(occupations)} occupations -> {len(pairs)} training pairs")
    tokenizer, texts, token_ids = _tokenise(pairs, occupations, hp, rng)
    log(f"tokenizer: {tokenizer.get_vocab_size()} tokens; {len(texts)} distinct texts tokenised "
        f"in {time.perf_counter() - started:.0f}s")
    index = {t: i for i, t in enumerate(texts)}
    id_pairs = [(index[a], index[b]) for a, b in pairs]
    model, static = _new_model(tokenizer, hp.dim)
    deadline = None if time_budget_s is None else started + time_budget_s
    epochs_run = _fit(model, id_pairs, token_ids, hp, rng, deadline, log, started)
    digest = hashlib.sha256(static.embedding.weight.detach().numpy().tobytes()).hexdigest()[:10]
    today = dt.datetime.now(dt.UTC)
    result = TrainResult(
        output_dir=str(output_dir),
        model_version=f"{MODEL_FAMILY}-{today:%Y%m%d}-{digest}",
        pairs=len(pairs),
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


def _tokenise(pairs: list[tuple[str, str]], occupations: Sequence[Occupation], hp: Hyperparameters,
              rng: random.Random):
    """The tokenizer fitted to the pairs' texts, the distinct texts, and each text's token ids."""
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    # The vocabulary is learnt from a sample: the merges a corpus repeats show up in any large sample,
    # and BPE training time grows with the text fed to it.
    corpus_for_vocab = rng.sample(texts, min(len(texts), hp.vocab_sample)) + [o.name for o in occupations]
    tokenizer = fit_tokenizer(corpus_for_vocab, vocab_size=hp.vocab_size)
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


def _fit(model, id_pairs: list[tuple[int, int]], token_ids: list, hp: Hyperparameters, rng: random.Random,
         deadline: float | None, log: Callable[[str], None], started: float) -> int:
    """Train with in-batch negatives (both directions) and a decaying learning rate; returns the
    number of epochs run (fewer when the deadline passes)."""
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
            loss = loss_fn([features([a for a, _ in batch]), features([b for _, b in batch])], None)
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

JobLink's in-domain Chinese sentence encoder (sentence-transformers `StaticEmbedding` over a BPE
tokenizer fitted to the corpus, {meta['dim']} dimensions, {meta['vocab_size']} tokens). Trained on CPU by
`joblink matcher train` (`matching.training.train_on_postings`) on {meta['trained_at']} in {meta['seconds']} s.

Load it with `SentenceTransformer("{meta['output_dir']}")`, or set `MATCHER_MODEL` to this directory.

## Data

- Postings: {meta['source']}; {meta['postings_used']} postings trained on, 10 % held out by a hash of
  the posting id.
- {meta['pairs']} (anchor, positive) pairs: title<->description head, title<->skills, title<->site category,
  same-category titles, title<->contained occupation name, occupation<->parent group.

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
