"""Why a post is recommended, said to the jobseeker: two or three short reasons in second person,
in their own words ("与您想做的仓库管理员是同一类工作", "离您约 4.6 公里") — never a code, a score or a
field name. The staff's explanation (every feature, with figures) stays in ``matching.scoring``.
"""
from __future__ import annotations

from matching.constraints import distance_km
from matching.profiles import PostingProfile, SeekerProfile
from matching.scoring import matched_skills, occupation_agreement

MAX_REASONS = 3


def _same_work(seeker: SeekerProfile, posting: PostingProfile, names: dict[str, str], you: str) -> str | None:
    score, level = occupation_agreement(seeker.desired_occupations, posting.occupation_code)
    if score <= 0 or not posting.occupation_code:
        return None
    code = posting.occupation_code
    # the person's own words for the code that agreed (exactly, else the nearest level)
    parts = code.split("-")
    depth = {"detail": 4, "minor": 3, "middle": 2}[level]
    wish = next((c for c in seeker.desired_occupations if c.split("-")[:depth] == parts[:depth]), "")
    words = seeker.occupation_words.get(wish) or names.get(wish) or posting.occupation_name or names.get(code, "")
    if not words:
        return f"是{you}想做的那类工作" if level == "detail" else f"和{you}想做的工作属于相近的一类"
    whose = you + words[1:] if words.startswith("您") else f"{you}想做的{words}"  # "您提到的仓库、叉车" as it is
    if level == "detail":
        return f"与{whose}是同一类工作"
    return f"与{whose}属于相近的工作"


def _place(seeker: SeekerProfile, posting: PostingProfile, you: str) -> str | None:
    d = distance_km(seeker, posting)
    if d is not None:
        return f"离{you}约 {d:.1f} 公里" if d >= 1 else f"离{you}不到 1 公里"
    if seeker.region_code and posting.region_code:
        if seeker.region_code[:6] == posting.region_code[:6]:
            return f"就在{you}所在的区县"
        if seeker.region_code[:4] == posting.region_code[:4]:
            return f"在{you}所在的城市"
    return None


def _skills(seeker: SeekerProfile, posting: PostingProfile, you: str) -> str | None:
    hits, _wanted = matched_skills(seeker, posting)
    if not hits:
        return None
    return f"用得上{you}的{'、'.join(hits[:2])}"


def _pay(seeker: SeekerProfile, posting: PostingProfile, you: str) -> str | None:
    offered = posting.pay_max or posting.pay_min
    if offered and seeker.expected_pay_min and offered >= seeker.expected_pay_min:
        return f"工资能达到{you}期望的每月 {seeker.expected_pay_min:.0f} 元"
    return None


def _shortage(posting: PostingProfile) -> str | None:
    # true of the post whatever the ranking weights: the bureau listed the work as short of people.
    # Nothing is promised about pay or being hired.
    return "这是本地紧缺的工作，用人单位正缺人" if posting.shortage else None


def _close_to_words(similarity: float, you: str) -> str | None:
    return f"岗位内容和{you}写的求职意向很接近" if similarity >= 0.5 else None


def reasons_for_seeker(seeker: SeekerProfile, posting: PostingProfile, similarity: float,
                       occupation_names: dict[str, str] | None = None, you: str = "您") -> list[str]:
    """Up to three reasons, strongest first: the same work, the place, a shortage occupation of the
    published catalogue, skills, pay. When the occupations do not agree, how close the post's text is
    to what the person wrote stands in.
    ``you``: how the reader is named ("您" to the jobseeker, "此人" to a commissioner)."""
    names = occupation_names or {}
    work = _same_work(seeker, posting, names, you)
    found = [work or _close_to_words(similarity, you), _place(seeker, posting, you), _shortage(posting),
             _skills(seeker, posting, you), _pay(seeker, posting, you)]
    out = [r for r in found if r]
    if not out:
        out = [f"和{you}写的求职意向有相近之处"]
    return out[:MAX_REASONS]
