"""Screening (岗位信息发布审核): what is wrong with a normalised posting, as reasons; what they mean
(publish, hold for review, reject) is decided once, in ``indexer.intake.decide``.

Text rules (discrimination, fees and deposits, off-platform contacts, fraud) are data in
``data/screening/rules.json`` or, once seeded, in the ``screening_rules`` table an administrator
edits; structured checks (pay missing or under the provincial minimum wage, invalid credit code, HR
firm without a licence, normalisation problems) are parameterised by the same rule set's settings.
Every reason is an ``Issue`` with a stable code, a Chinese message, the field and the span in that
field's text, so the review page can highlight it.
"""
from __future__ import annotations

import re

from core.identity import is_valid_credit_code
from indexer.drafts import Issue, NormalisedPosting

from .required import missing_required
from .rules import _NOT_COVERED, DEFAULT_RULES_PATH, RuleSet, TextRule, fold, read_rules_file, rules_from_dict, validate_rules

_AGE_RANGE = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:周)?岁?\s*(?:-|~|～|至|到|—)\s*(\d{1,2})\s*(?:周)?岁")
_NOT_APPLICANT = re.compile(r"儿童|孩子|幼|少儿|学生|宝宝|小朋友|青少年|婴|学员|小学|初中|患者|老人|孩|宝贝|青年")
_NEGOTIABLE = re.compile(r"面议|面谈|协商|议定|可谈")
_YOUNGEST_APPLICANT_AGE = 12  # a range starting lower describes pupils or patients, not applicants
_cache: dict[str, RuleSet] = {}


def load_rules(session=None, path=None, refresh: bool = False) -> RuleSet:
    """The rule set: from the database when a session is given and rules have been seeded there,
    else from the shipped file. Cached per source; ``refresh`` reloads after an admin edit."""
    if session is not None:
        from sqlalchemy import inspect

        from core.screening.services import rules_document

        # Before the migration that creates the table, the shipped file is the rule set.
        # (on the session's own connection: a second one would wait behind this session's write lock)
        doc = rules_document(session) if inspect(session.connection()).has_table("screening_rules") else None
        if doc:
            key = f"db:{doc.get('revision', '')}"
            if refresh or key not in _cache:
                _cache[key] = rules_from_dict(doc, source="database")
            return _cache[key]
    key = f"file:{path or DEFAULT_RULES_PATH}"
    if refresh or key not in _cache:
        _cache[key] = rules_from_dict(read_rules_file(path or DEFAULT_RULES_PATH), source="file")
    return _cache[key]


def clear_rules_cache() -> None:
    _cache.clear()


def _text_reasons(title: str | None, description: str | None, rules: RuleSet) -> list[Issue]:
    out: list[Issue] = []
    texts = {"title": title or "", "description": description or ""}
    prepared = {k: rules.prepare(v) for k, v in texts.items() if v}
    if not rules.prefilter:
        for rule in rules.text_rules:
            if not rule.enabled:
                continue
            for fld in rule.fields:
                if fld not in prepared:
                    continue
                for start, end, matched in rules.find(rule, texts[fld], prepared=prepared[fld]):
                    out.append(Issue(rule.code, rule.message, fld, rule.severity, (start, end), matched))
        return out
    # One scan of each text for all rules' triggers; a rule the scan covers runs only on the texts
    # where one of its triggers occurs. The loop stays per rule, in rule order, so reasons keep their order.
    triggered = {k: rules.triggered(v) for k, v in prepared.items()}
    hit = set().union(*triggered.values())
    covered_by_scan = rules._covered
    for rule in rules.text_rules:
        if not rule.enabled:
            continue
        rid = id(rule)
        if covered_by_scan.get(rid, _NOT_COVERED) is rule._triggers:   # never None there
            if rid not in hit:
                continue
            for fld in rule.fields:
                if fld in triggered and rid in triggered[fld]:
                    for start, end, matched in rules.matches(rule, texts[fld], prepared[fld]):
                        out.append(Issue(rule.code, rule.message, fld, rule.severity, (start, end), matched))
            continue
        for fld in rule.fields:   # no triggers, or not in the scan (enabled or added since): on its own
            if fld in prepared:
                for start, end, matched in rules.find(rule, texts[fld], prepared=prepared[fld]):
                    out.append(Issue(rule.code, rule.message, fld, rule.severity, (start, end), matched))
    return out


def _age_reasons(title: str | None, description: str | None, rules: RuleSet) -> list[Issue]:
    min_age = int(rules.age_rules.get("min_legal_age", 16))
    severity = rules.age_rules.get("child_labour_severity", "reject")
    out = []
    for fld, text in (("title", title or ""), ("description", description or "")):
        if "岁" not in text:
            continue
        masked = fold(text)
        for m in _AGE_RANGE.finditer(masked):
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo >= min_age or lo < _YOUNGEST_APPLICANT_AGE or lo >= hi or _NOT_APPLICANT.search(masked[m.end(): m.end() + 8]):
                continue
            before = masked[max(0, m.start() - 8): m.start()]
            if re.search(r"(服务|招收|面向|针对|适合)[^，。]{0,6}$", before) and "年龄" not in before:
                continue
            out.append(Issue(
                "child_labour", f"年龄下限 {lo} 岁低于法定最低就业年龄 {min_age} 岁（劳动法第十五条）",
                fld, severity, (m.start(), m.end()), text[m.start(): m.end()],
            ))
    return out


def _province(code: str | None) -> str | None:
    return f"{code[:2]}0000" if code and len(code) == 6 else None


def _pay_reasons(posting: NormalisedPosting, rules: RuleSet) -> list[Issue]:
    out = []
    # a piece rate ("0.5元/件") or the monthly earnings a piece-paid posting states are pay written out
    has_numbers = any(v is not None for v in (posting.pay_min, posting.pay_max, posting.pay_monthly_min,
                                              posting.pay_monthly_max))
    text = (posting.pay_text or "").strip()
    if not has_numbers:
        if text and _NEGOTIABLE.search(text):
            out.append(Issue("pay_negotiable", "薪资为“面议”，未写明工资范围", "pay",
                             rules.setting("negotiable_pay_severity", "hold"), None, text))
        elif posting.pay_unit == "piece":
            out.append(Issue("pay_missing", "只写了计件，未写明每件多少钱，也未写明大约月收入", "pay",
                             rules.setting("missing_pay_severity", "hold"), None, text or None))
        elif not text:
            out.append(Issue("pay_missing", "未写明薪资待遇", "pay", rules.setting("missing_pay_severity", "hold")))
        return out
    province = _province(posting.region_code)
    floor = rules.minimum_wage.get(province or "")
    if not floor:
        return out
    top = posting.pay_monthly_max if posting.pay_monthly_max is not None else posting.pay_monthly_min
    if posting.pay_unit == "hour" and floor.get("hourly"):
        value = posting.pay_max if posting.pay_max is not None else posting.pay_min
        if value is not None and value < float(floor["hourly"]):
            out.append(Issue("pay_below_minimum",
                             f"时薪 {value:g} 元低于当地非全日制小时最低工资标准 {floor['hourly']} 元",
                             "pay", rules.setting("below_minimum_wage_severity", "hold"), None, text or None))
        return out
    if top is not None and top < float(floor["monthly"]):
        out.append(Issue("pay_below_minimum",
                         f"月薪（折算）最高 {top:g} 元低于当地月最低工资标准 {floor['monthly']} 元",
                         "pay", rules.setting("below_minimum_wage_severity", "hold"), None, text or None))
    return out


def _identity_reasons(posting: NormalisedPosting, channel_kind: str, channel_licence: str | None,
                      rules: RuleSet) -> list[Issue]:
    out = []
    code = (posting.credit_code or "").strip()
    if code:
        if not is_valid_credit_code(code):
            out.append(Issue("invalid_credit_code", f"统一社会信用代码“{code}”格式或校验位不正确", "credit_code",
                             rules.setting("invalid_credit_code_severity", "reject"), None, code))
    else:
        sev = rules.setting("missing_credit_code_severity", "info")
        out.append(Issue("credit_code_missing", "未提供用人单位统一社会信用代码", "credit_code", sev))
    if channel_kind in rules.setting("licence_required_channel_kinds", ["hr_firm"]):
        record_licence = getattr(posting.draft, "licence_number", None) if posting.draft else None
        if not (channel_licence or "").strip() and not (record_licence or "").strip():
            out.append(Issue("hr_firm_without_licence",
                             "人力资源服务机构未提供人力资源服务许可证编号（人力资源市场暂行条例第十八条）",
                             "licence_number", rules.setting("hr_firm_without_licence_severity", "hold")))
    return out


def text_findings(title: str | None, description: str | None, rules: RuleSet) -> list[Issue]:
    """What the text rules and the age check find in a title and a description (the rule tester
    asks this of a pasted text; ``check`` of every posting)."""
    return _text_reasons(title, description, rules) + _age_reasons(title, description, rules)


def check(posting: NormalisedPosting, channel_kind: str, channel_licence: str | None = None,
          rules: RuleSet | None = None) -> list[Issue]:
    """Screening's findings on a normalised posting: text rules, age, pay, identity, the elements
    every posting must carry. Deciding what they mean (publish, hold, reject) is
    ``indexer.intake.decide``'s, in one place."""
    rules = rules or load_rules()
    return (text_findings(posting.title, posting.description, rules) + _pay_reasons(posting, rules)
            + _identity_reasons(posting, str(channel_kind), channel_licence, rules)
            + missing_required(posting, rules))


__all__ = ["check", "text_findings", "load_rules", "clear_rules_cache", "RuleSet", "TextRule", "rules_from_dict", "read_rules_file",
           "validate_rules"]
