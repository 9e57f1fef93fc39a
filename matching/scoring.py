"""The transparent re-ranking score: named features in [0, 1], a weighted mean, and the Chinese
sentences that explain each feature's value to the person reading the list."""
from __future__ import annotations

import math
from dataclasses import dataclass

from matching.constraints import distance_km
from matching.profiles import EDUCATION_ORDER, MatchWeights, PostingProfile, SeekerProfile, education_rank

EDU_LABELS = dict(zip(EDUCATION_ORDER, ("学历不限", "小学", "初中", "高中/中专", "大专", "本科", "硕士", "博士")))


@dataclass(slots=True)
class Scored:
    score: float
    features: dict[str, float]
    explanation: list[str]


def occupation_agreement(desired: list[str], code: str | None) -> tuple[float, str]:
    """1 same detailed code, 0.7 same minor group, 0.4 same middle group, 0 otherwise."""
    if not code or not desired:
        return 0.0, "none"
    best, level = 0.0, "none"
    parts = code.split("-")
    for d in desired:
        dp = (d or "").split("-")
        if len(parts) >= 4 and dp[:4] == parts[:4]:
            return 1.0, "detail"
        if len(parts) >= 3 and len(dp) >= 3 and dp[:3] == parts[:3] and best < 0.7:
            best, level = 0.7, "minor"
        elif len(parts) >= 2 and len(dp) >= 2 and dp[:2] == parts[:2] and best < 0.4:
            best, level = 0.4, "middle"
    return best, level


def _norm(s: str) -> str:
    return (s or "").strip().lower()


def matched_skills(seeker: SeekerProfile, posting: PostingProfile) -> tuple[list[str], list[str]]:
    """Seeker skills/certificates the posting asks for (its skill list, else its title and text)."""
    have = [s for s in list(seeker.skills) + list(seeker.certificates) if s and s.strip()]
    wanted = [s for s in posting.skills if s and s.strip()]
    if wanted:
        hits = [w for w in wanted if any(_norm(h) in _norm(w) or _norm(w) in _norm(h) for h in have)]
        return hits, wanted
    text = _norm(posting.title + " " + posting.description)
    hits = [h for h in have if len(_norm(h)) >= 2 and _norm(h) in text]
    return hits, []


def score_pair(
    seeker: SeekerProfile,
    posting: PostingProfile,
    similarity: float,
    weights: MatchWeights | dict[str, float],
    occupation_names: dict[str, str] | None = None,
    explain: bool = True,
) -> Scored:
    """Features, score and (when ``explain``) the Chinese explanation of one pair. Ranking scores
    every candidate without the sentences and explains only the items it returns."""
    sem = max(0.0, min(1.0, float(similarity)))
    occ, level = occupation_agreement(seeker.desired_occupations, posting.occupation_code)
    hits, wanted = matched_skills(seeker, posting)
    edu, exp, need_exp = _education_experience(seeker, posting)
    offered, expected = posting.pay_max or posting.pay_min, seeker.expected_pay_min
    distance, d, place = _distance(seeker, posting)
    features = {
        "semantic": sem,
        "occupation": occ,
        "skills": len(hits) / len(wanted) if wanted else min(1.0, len(hits) / 2),
        "education_experience": 0.5 * edu + 0.5 * exp,
        "pay": _pay(offered, expected),
        "distance": distance,
        "shortage": 1.0 if posting.shortage else 0.0,
    }
    w = weights if isinstance(weights, dict) else weights.as_dict()  # callers ranking many pass a dict
    score = sum(w[name] * features[name] for name in w) / sum(w.values())
    if not explain:
        return Scored(score, features, [])
    why = [
        _occupation_sentence(seeker, posting, sem, level, occupation_names or {}),
        _skills_sentence(hits, wanted),
        _education_experience_sentence(seeker, posting, edu, exp, need_exp),
        _pay_sentence(posting, offered, expected),
        _distance_sentence(d, place),
    ]
    if posting.shortage:
        why.append(shortage_sentence(w.get("shortage", 0.0)))
    return Scored(score, features, why)


def shortage_sentence(weight: float) -> str:
    """Staff's line for a post of a published shortage occupation; it says 优先推荐 only when the
    weight makes it true."""
    return "本地紧缺工种，优先推荐" if weight > 0 else "本地紧缺工种（当前设置不参与排序）"


def _education_experience(seeker: SeekerProfile, posting: PostingProfile) -> tuple[float, float, int]:
    """(education met: 1, one level short: 0.5, else 0; share of the years asked for; years asked for)."""
    s_edu, p_edu = education_rank(seeker.education), education_rank(posting.education)
    edu = 1.0 if s_edu >= p_edu else (0.5 if s_edu == p_edu - 1 else 0.0)
    need_exp = posting.experience_years or 0
    exp = 1.0 if seeker.experience_years >= need_exp else seeker.experience_years / need_exp
    return edu, exp, need_exp


def _pay(offered: float | None, expected: float | None) -> float:
    if not offered or not expected:
        return 0.5
    if offered >= expected:
        return 1.0
    return max(0.0, 1.0 - 2.0 * (expected - offered) / expected)


def _distance(seeker: SeekerProfile, posting: PostingProfile) -> tuple[float, float | None, str]:
    """(feature, km when both have coordinates, else how the regions relate in words)."""
    d = distance_km(seeker, posting)
    if d is not None:
        return math.exp(-d / 15.0), d, ""
    if seeker.region_code and posting.region_code:
        if seeker.region_code[:6] == posting.region_code[:6]:
            return 0.8, None, "同一区县"
        if seeker.region_code[:4] == posting.region_code[:4]:
            return 0.6, None, "同一城市"
        return 0.3, None, "不同城市（在其意向地区内）"
    return 0.5, None, ""


def _occupation_sentence(seeker: SeekerProfile, posting: PostingProfile, sem: float, level: str,
                         names: dict[str, str]) -> str:
    closeness = f"岗位内容与求职者所写的相近程度{sem:.0%}"
    if not posting.occupation_code:
        return f"职业匹配：岗位还没有归入职业分类，按{closeness}判断"
    if not seeker.desired_occupations:
        return f"职业匹配：求职者没有写明想做的工作，按{closeness}判断"
    post_occ = posting.occupation_name or names.get(posting.occupation_code, "")
    wish = next((w for w in seeker.occupation_words.values() if not w.startswith("您")), "")
    wish_text = f"求职意向（{wish}）" if wish else "求职意向"
    text = {"detail": f"与{wish_text}是同一职业", "minor": f"与{wish_text}属于相近的职业",
            "middle": f"与{wish_text}属于同一大类的职业", "none": f"与{wish_text}不是同一类职业"}[level]
    return f"职业匹配：岗位职业{'“' + post_occ + '”' if post_occ else ''}{text}；{closeness}"


def _skills_sentence(hits: list[str], wanted: list[str]) -> str:
    if wanted:
        return f"技能：岗位要求的{len(wanted)}项中具备{len(hits)}项" + (f"（{'、'.join(hits[:5])}）" if hits else "")
    return f"技能：岗位描述提到其技能/证书{'、'.join(hits[:5])}" if hits else "技能：岗位描述未提到其技能或证书"


def _education_experience_sentence(seeker: SeekerProfile, posting: PostingProfile, edu: float, exp: float,
                                   need_exp: int) -> str:
    have = "未填学历" if seeker.education in (None, "", "none") else EDU_LABELS.get(seeker.education, "")
    edu_text = "学历满足" if edu == 1.0 else f"学历为{have}，低于要求的{EDU_LABELS.get(posting.education, '')}"
    exp_text = (f"经验{seeker.experience_years}年满足要求" if exp == 1.0 and need_exp else
                ("经验不限" if not need_exp else f"经验{seeker.experience_years}年，少于要求的{need_exp}年"))
    return f"学历与经验：{edu_text}，{exp_text}"


def _pay_sentence(posting: PostingProfile, offered: float | None, expected: float | None) -> str:
    pay_range = (f"{posting.pay_min:.0f}–{posting.pay_max:.0f}元/月" if posting.pay_min and posting.pay_max
                 else (f"{offered:.0f}元/月" if offered else "面议"))
    if not offered or not expected:
        return f"薪酬：岗位月薪{pay_range}，" + ("求职者未填期望薪资" if offered else "无法比较")
    if offered >= expected:
        return f"薪酬：岗位月薪{pay_range}，达到期望的{expected:.0f}元"
    return f"薪酬：岗位月薪{pay_range}，低于期望的{expected:.0f}元（差{(expected - offered) / expected:.0%}）"


def _distance_sentence(d: float | None, place: str) -> str:
    if d is not None:
        return f"距离：约{d:.1f}公里" if d >= 1 else "距离：不到1公里"
    if place:
        return f"距离：{place}（未提供精确位置）"
    return "距离：位置信息不全，无法计算"
