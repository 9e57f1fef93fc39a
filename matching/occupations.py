"""Occupation coding: a title to the national occupational classification (职业分类大典 2022) code.

A title that contains a detailed occupation's name (longest name first) takes that code; otherwise
the encoder picks the detailed occupation whose name is nearest the title. The confidence is the
cosine similarity (1.0 for a name match).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.corpus import Occupation


@dataclass(slots=True)
class CodedTitle:
    code: str
    name: str
    confidence: float
    method: str  # "name" | "embedding"


class OccupationCoder:
    def __init__(self, occupations: Sequence[Occupation], encoder=None, min_name_chars: int = 2):
        self.detailed = [o for o in occupations if o.level == 4]
        self.by_length = sorted((o for o in self.detailed if len(o.name) >= min_name_chars), key=lambda o: -len(o.name))
        self.encoder = encoder
        self._vectors = encoder.encode([o.name for o in self.detailed]) if encoder is not None else None

    def code(self, titles: Sequence[str], use_names: bool = True) -> list[CodedTitle | None]:
        out: list[CodedTitle | None] = [None] * len(titles)
        pending = []
        for i, title in enumerate(titles):
            hit = next((o for o in self.by_length if o.name in title), None) if use_names else None
            if hit:
                out[i] = CodedTitle(hit.code, hit.name, 1.0, "name")
            else:
                pending.append(i)
        if pending and self._vectors is not None:
            q = self.encoder.encode([titles[i] for i in pending])
            sims = q @ self._vectors.T
            best = np.argmax(sims, axis=1)
            for i, j, row in zip(pending, best, sims):
                o = self.detailed[int(j)]
                out[i] = CodedTitle(o.code, o.name, float(row[j]), "embedding")
        return out
