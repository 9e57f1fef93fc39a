"""Text the matcher embeds or segments: one place builds a posting's and a jobseeker's text."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

DESCRIPTION_CHARS = 300  # the head of a description carries the duties; the tail is boilerplate

_WS = re.compile(r"\s+")
# Title decoration that says nothing about the job: pay adverts, urgency, perks in brackets.
_DECOR = re.compile(r"[（(【\[].*?[）)】\]]|急招|诚聘|高薪|包吃住|五险一金|双休|\d+[kK千万元+-]*")


def normalise(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def core_title(title: str) -> str:
    """The job name inside a decorated title: '4000无责底薪+免费住宿+客户代表' keeps its words."""
    out = _DECOR.sub(" ", title or "")
    out = re.sub(r"[+＋/|｜,，、!！~\-—]+", " ", out)
    return normalise(out) or normalise(title)


def posting_text(title: str, description: str = "", skills: Iterable[str] = (), occupation_name: str = "") -> str:
    parts = [normalise(title)]
    if occupation_name:
        parts.append(occupation_name)
    skills = [s for s in skills if s]
    if skills:
        parts.append(" ".join(skills))
    if description:
        parts.append(normalise(description)[:DESCRIPTION_CHARS])
    return " ".join(parts)


def seeker_text(
    desired_titles: Iterable[str] = (),
    skills: Iterable[str] = (),
    certificates: Iterable[str] = (),
    summary: str = "",
    occupation_names: Iterable[str] = (),
) -> str:
    parts = [" ".join(t for t in desired_titles if t)]
    parts += [" ".join(o for o in occupation_names if o)]
    parts += [" ".join(s for s in list(skills) + list(certificates) if s)]
    if summary:
        parts.append(normalise(summary)[:DESCRIPTION_CHARS])
    return normalise(" ".join(p for p in parts if p))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def segment(text: str) -> list[str]:
    """jieba words (search mode off), lower-cased, without spaces and punctuation."""
    jieba = _jieba()
    return [w for w in (t.strip().lower() for t in jieba.lcut(text or "")) if w and re.search(r"\w", w)]
