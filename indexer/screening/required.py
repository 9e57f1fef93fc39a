"""What every published posting must carry (人社部等五部门《关于规范网络平台招聘类信息发布的通知》,
January 2026): the employer's basic information, headcount, requirements, job content, place of work,
basic pay, and a validity date. A posting lacking one is held, and the reason says which, in words
both the reviewer and the enterprise can act on.

Basic pay is the pay check's (``pay_missing`` / ``pay_negotiable``), not repeated here. The validity
date is the normaliser's: a record without one gets the platform's default period, which the posting
page shows and the daily expiry enforces.
"""
from __future__ import annotations

import re

from indexer.drafts import Issue, NormalisedPosting

from .rules import RuleSet

NOTICE = "《关于规范网络平台招聘类信息发布的通知》"
# A requirement written into the description rather than the education/experience fields.
_REQUIREMENT_WORDS = re.compile(r"要求|任职|资格|条件|具备|具有|熟悉|熟练|掌握|经验|学历|持[^，。；\n]{0,15}证|优先"
                                r"|吃苦|耐劳|身体健康|责任心|意识强|服从|能适应|能力强|年龄")

# code, field, what is missing, what to write (the enterprise's words)
_ELEMENTS = (
    ("employer_info_missing", "company_name", "用人单位名称", "请填写招聘单位的全称"),
    ("headcount_missing", "headcount", "招聘人数", "请写明招几人，人数不定的写“若干”"),
    ("requirements_missing", "requirements", "岗位要求", "请写明学历、经验或技能等要求，没有要求的写“不限”"),
    ("job_content_missing", "description", "工作内容", "请写明这个岗位具体做什么"),
    ("workplace_missing", "region", "工作地点", "请写明在哪里上班（区县或详细地址）"),
    ("validity_missing", "valid_until", "信息有效期", "请写明招聘截止日期"),
)


def _present(posting: NormalisedPosting, rules: RuleSet) -> dict[str, bool]:
    draft = posting.draft
    description = (posting.description or "").strip()
    min_content = int(rules.setting("job_content_min_chars", 10))
    return {
        "employer_info_missing": bool((posting.company_name or "").strip()),
        "headcount_missing": posting.headcount is not None or bool((getattr(draft, "headcount_text", None) or "").strip()),
        "requirements_missing": bool(
            getattr(draft, "education_text", None) or getattr(draft, "experience_text", None)
            or posting.skills or _REQUIREMENT_WORDS.search(description)),
        "job_content_missing": len(description) >= min_content,
        "workplace_missing": bool(posting.region_code or (posting.address or "").strip()),
        "validity_missing": posting.valid_until is not None,
    }


def missing_required(posting: NormalisedPosting, rules: RuleSet) -> list[Issue]:
    """One reason per element the posting lacks (none already reported on the same field by the
    adapter, e.g. a spreadsheet row without a company name, which is refused)."""
    severity = rules.setting("required_field_severity", "hold")
    present = _present(posting, rules)
    known = {i.field for i in posting.issues if i.severity in ("hold", "reject")}
    out = []
    for code, fld, what, todo in _ELEMENTS:
        if present[code] or fld in known or code in set(rules.setting("required_fields_not_checked", [])):
            continue
        out.append(Issue(code, f"未写明{what}（{todo}；按{NOTICE}，发布的岗位须写明{what}）", fld, severity))
    return out


__all__ = ["missing_required", "NOTICE"]
