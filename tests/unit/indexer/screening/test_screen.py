"""Screening: discriminatory requirements, fees, pay, identity, contacts — and negations that must not trip."""
import datetime as dt

import pytest

from core.identity import credit_code_check_char
from indexer.drafts import PostingDraft
from indexer.normalise import make_context, normalise
from indexer.intake import screen
from indexer.screening import read_rules_file, rules_from_dict, validate_rules

VALID_CODE = "91440300MA5F" + "0A1B2"
VALID_CODE = VALID_CODE + credit_code_check_char(VALID_CODE)


def posting(ctx, description="负责仓库货物收发、盘点和出入库登记", title="仓库管理员", pay_text="5000-7000元/月", region="广州·天河区",
            credit_code=VALID_CODE, headcount_text="3", education_text="高中", **kw):
    # headcount and requirements given: every posting must carry them (the January 2026 notice)
    d = PostingDraft(channel_code="c", external_id="1", raw={}, title=title, description=description,
                     headcount_text=headcount_text, education_text=education_text,
                     pay_text=pay_text, region_text=region, credit_code=credit_code, company_name="某某物流有限公司",
                     **kw)
    return normalise(d, ctx)


def reasons(result):
    return {r.code for r in result.reasons if r.severity != "info"}


def test_shipped_rules_are_valid():
    assert validate_rules(read_rules_file()) == []


# -- texts that must trip, with the span that did ------------------------------------------------
TRIPS = [
    ("仅限男性，能吃苦耐劳", "discrimination_gender", "仅限男性"),
    ("女士优先，形象好", "discrimination_gender", "女士优先"),
    ("性别：男，年龄20-40岁", "discrimination_gender", "性别：男"),
    ("招男工若干，夜班", "discrimination_gender", "招男工"),
    ("男18-45岁，女18-40岁", "discrimination_gender", "男18-45岁"),
    ("已婚已育优先", "discrimination_marital", "已婚已育"),
    ("限未婚，两年内无生育计划", "discrimination_marital", "未婚"),
    ("要求汉族", "discrimination_ethnicity", "要求汉族"),
    ("少数民族勿扰", "discrimination_ethnicity", "少数民族勿扰"),
    ("限本地户口，外地人勿扰", "discrimination_region", "限本地户口"),
    ("本市户籍优先", "discrimination_region", "本市户籍优先"),
    ("不招河南人", "discrimination_region", "不招河南人"),
    ("乙肝携带者勿扰", "discrimination_hepatitis_b", "乙肝携带者勿扰"),
    ("入职需做乙肝五项检查", "discrimination_hepatitis_b", "乙肝五项检查"),
    ("入职体检含孕检", "discrimination_pregnancy_test", "孕检"),
    ("入职需缴纳押金300元", "fee_or_deposit", "缴纳押金"),
    ("服装费自理", "fee_or_deposit", "服装费自理"),
    ("先交培训费2000元，结业后安排工作", "fee_or_deposit", "先交培训费"),
    ("加微信详聊：abc12345", "contact_off_platform", "加微信"),
    ("QQ：123456789", "contact_off_platform", "QQ：123456789"),
    ("ＶＸ号：jobs2025", "contact_off_platform", "ＶＸ号：jobs2025"),     # full width
    ("手机刷单，日赚300+", "suspected_fraud", "刷单"),
    ("招收童工", "child_labour", "童工"),
    ("当天安排宿舍。押金100", "fee_or_deposit", "押金100"),
    ("体检费45元，商保90元/月", "fee_or_deposit", "体检费45元"),
    ("要求：男18-48岁之间，身高1.65以上", "discrimination_gender", "男18-48岁"),
    ("男女不限，未婚优先", "discrimination_marital", "未婚"),
    ("有意向可以加微信详聊张主任", "contact_off_platform", "加微信"),
]


@pytest.mark.parametrize("text,code,span_text", TRIPS)
def test_rules_trip_with_span(ctx, rules, text, code, span_text):
    desc = "岗位职责：负责仓库收发货。\n任职要求：" + text + "。"
    r = screen(posting(ctx, desc), "public_agency", "trusted", None, rules)
    hits = [x for x in r.reasons if x.code == code]
    assert hits, r.reasons
    assert r.outcome in ("hold", "reject")
    h = hits[0]
    assert h.field == "description"
    assert desc[h.span[0]:h.span[1]] == h.evidence
    assert span_text in h.evidence or h.evidence in span_text


# -- negations and neutral phrases (real strings from the shared postings) ------------------------
NEUTRAL = [
    "1、性别不限，年龄18-30岁，高中及以上学历；",
    "男女不限，能吃苦耐劳",
    "不限男女，有无经验均可",
    "无需押金，不收取任何费用",
    "公司提供免费培训，带薪培训",
    "入职无需缴纳任何保证金及各项费用",
    "入职体检费用公司报销",
    "免费提供住宿，免费工作餐",
    "凡是收取押金的都是骗子，请求职者谨防诈骗",
    "户籍不限，可协助落户",
    "婚否不限",
    "负责投标保证金、履约保证金的缴纳与退还",
    "负责商户意向签约及保证金收缴等工作",
    "单身员工提供员工宿舍",
    "乙肝携带者可",
    "负责3-16岁少儿英语教学",
    "熟悉微信小程序开发与企业微信接入",
    "缴纳五险一金，社保缴纳基数按实际工资",
    "熟悉element/vxe-table/eCharts",
    "女装店导购，负责女装陈列",
    # real postings that tripped an earlier version of the rules
    "收费情况 是否收费：无任何收费及押金。",
    "——不向求职者收取任何费用与押金 小时工24元/小时",
    "我司从未要求应聘者缴纳任何形式的押金、保证金、推荐费、介绍费、招待费、活动费、中介费等费用，敬请广大应聘者注意",
    "本工作无任何报名费，入会费，保证金等，完全免费。",
    "福利：带薪年假/婚育假，婚育津贴",
    "团队活动：生日聚会、单身联谊活动",
    "每天有25条精准客户资源，客户主动加微信",
    "不外出不加微信在办公室办公",
    "教职工子女优先入学，享受超低折扣",
    "1）性别:男/女不限，年龄:23-35岁",
    "有户外活动宣传销售经验者优先",
    "2、审核的内容包括童工，强迫劳工，歧视",
    "熟悉本地人文地理及政策法规",
    "正式国家单位年龄：男女18-40周岁",
    "跟踪投标工作的后续进行，保证金跟踪管理，办理退款等",
    "京东集团内部直招！正式工！不收推荐费！！中介费！！",
]


@pytest.mark.parametrize("text", NEUTRAL)
def test_negations_and_neutral_phrases_do_not_trip(ctx, rules, text):
    r = screen(posting(ctx, "岗位职责：负责仓库收发货。\n" + text), "public_agency", "trusted", None, rules)
    assert r.outcome == "publish", [(x.code, x.evidence) for x in r.reasons]


def test_title_is_screened_too(ctx, rules):
    r = screen(posting(ctx, "", title="招聘保安（限男性）"), "public_agency", "trusted", None, rules)
    hit = next(x for x in r.reasons if x.code == "discrimination_gender")
    assert hit.field == "title" and hit.evidence == "限男性"


# -- structured checks ----------------------------------------------------------------------------
def test_invalid_credit_code_rejects(ctx, rules):
    bad = VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")
    r = screen(posting(ctx, credit_code=bad), "enterprise_direct", "trusted", None, rules)
    assert r.outcome == "reject" and "invalid_credit_code" in reasons(r)


def test_missing_credit_code_only_informs(ctx, rules):
    r = screen(posting(ctx, credit_code=None), "public_agency", "trusted", None, rules)
    assert r.outcome == "publish"
    assert any(x.code == "credit_code_missing" and x.severity == "info" for x in r.reasons)


def test_hr_firm_without_licence_holds(ctx, rules):
    r = screen(posting(ctx), "hr_firm", "trusted", None, rules)
    assert r.outcome == "hold" and "hr_firm_without_licence" in reasons(r)
    assert screen(posting(ctx), "hr_firm", "trusted", "(粤)人服证字〔2023〕第0100000001号", rules).outcome == "publish"
    with_record_licence = posting(ctx, licence_number="(粤)人服证字〔2023〕第0100000002号")
    assert screen(with_record_licence, "hr_firm", "trusted", None, rules).outcome == "publish"


@pytest.mark.parametrize("pay_text,code", [(None, "pay_missing"), ("面议", "pay_negotiable")])
def test_missing_or_negotiable_pay_holds(ctx, rules, pay_text, code):
    r = screen(posting(ctx, pay_text=pay_text), "public_agency", "trusted", None, rules)
    assert r.outcome == "hold" and code in reasons(r)


@pytest.mark.parametrize("pay_text,region,below", [
    ("1500-1600元/月", "广州·天河区", True),       # under Guangdong's lowest tier
    ("2000-2300元/月", "上海-浦东新区", True),      # under Shanghai's
    ("2000-2300元/月", "广州·天河区", False),
    ("60元/天", "深圳", True),                     # 60 x 21.75 = 1305 a month
    ("15元/小时", "北京-朝阳区", True),             # under Beijing's hourly minimum
    ("25元/小时", "广州·天河区", False),
])
def test_minimum_wage(ctx, rules, pay_text, region, below):
    r = screen(posting(ctx, pay_text=pay_text, region=region), "public_agency", "trusted", None, rules)
    assert ("pay_below_minimum" in reasons(r)) is below


def test_child_labour_age_range_rejects_but_pupils_do_not(ctx, rules):
    r = screen(posting(ctx, "年龄14-18岁，能吃苦"), "public_agency", "trusted", None, rules)
    assert r.outcome == "reject" and "child_labour" in reasons(r)
    r = screen(posting(ctx, "年龄16-45岁"), "public_agency", "trusted", None, rules)
    assert "child_labour" not in reasons(r)
    r = screen(posting(ctx, "负责12-15岁学生的课后辅导"), "public_agency", "trusted", None, rules)
    assert "child_labour" not in reasons(r)


@pytest.mark.parametrize("trust,outcome,code", [
    ("trusted", "publish", None), ("standard", "hold", "channel_not_trusted"), ("low", "hold", "channel_requires_review"),
])
def test_trust_levels(ctx, rules, trust, outcome, code):
    r = screen(posting(ctx), "public_agency", trust, None, rules)
    assert r.outcome == outcome
    if code:
        assert code in reasons(r)


def test_normalisation_problems_hold(ctx, rules):
    r = screen(posting(ctx, region="鼓楼区"), "public_agency", "trusted", None, rules)
    assert r.outcome == "hold" and "region_ambiguous" in reasons(r)


def test_admin_extends_rules_as_data(ctx):
    data = read_rules_file()
    data["text_rules"].append({
        "code": "requires_own_vehicle", "category": "other", "severity": "hold",
        "message": "要求自备车辆", "patterns": ["自备(车辆|电动车)"], "exceptions": [], "fields": ["description"],
    })
    data["settings"]["auto_publish_trust_levels"] = ["trusted", "standard"]
    extended = rules_from_dict(data)
    r = screen(posting(ctx, "需自备电动车"), "public_agency", "standard", None, extended)
    assert r.outcome == "hold" and "requires_own_vehicle" in reasons(r)
    assert screen(posting(ctx, "负责仓库收发货，包吃住"), "public_agency", "standard", None, extended).outcome == "publish"


def test_invalid_admin_regex_is_reported():
    data = read_rules_file()
    data["text_rules"][0]["patterns"].append("(未闭合")
    assert any("正则表达式无效" in p for p in validate_rules(data))


def test_real_postings_outcomes_are_plausible(ctx, rules, real_drafts):
    out = [screen(normalise(d, ctx), "provincial_site", "trusted", None, rules) for d in real_drafts]
    # this set has no headcount at all (no such field, and under 3% of the descriptions say one): the
    # January 2026 notice holds every one of them until the headcount is given
    assert all("headcount_missing" in reasons(r) for r in out)
    published = sum(reasons(r) <= {"headcount_missing"} for r in out) / len(out)
    # otherwise the shared postings are mostly clean: most would publish; text rules trip on a small minority
    assert published > 0.7
    text_rule_hits = sum(any(x.field in ("title", "description") and x.severity != "info" for x in r.reasons)
                         for r in out) / len(out)
    assert text_rule_hits < 0.05


@pytest.fixture(scope="module")
def real_drafts():
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[4] / "data" / "samples" / "jobhunting-2024-2025.jsonl.gz"
    drafts = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= 1500:
                break
            r = json.loads(line)
            drafts.append(PostingDraft(
                channel_code="x", external_id=r["id"], raw=r, title=r["title"], description=r.get("description"),
                company_name=r.get("company"), region_text=r.get("area"), address=r.get("address"),
                pay_min=r.get("salary_min"), pay_max=r.get("salary_max"), education_text=r.get("education"),
            ))
    return drafts


# -- the shared trigger scan decides exactly as checking every rule on its own ---------------------
@pytest.fixture(scope="module")
def sample_postings():
    """Every record of the real sample files, through the channel adapters and the normaliser."""
    from pathlib import Path

    from indexer.sources import jobhunting, zhilian

    samples = Path(__file__).resolve().parents[4] / "data" / "samples"
    drafts = list(jobhunting.read(jobhunting.open_lines(samples / "jobhunting-2024-2025.jsonl.gz"),
                                  default_channel="jobhunting"))
    drafts += list(zhilian.read(jobhunting.open_lines(samples / "zhilian-30cities-2022.jsonl.gz"), "zhilian"))
    ctx = make_context(today=dt.date(2025, 3, 10))
    return [normalise(d, ctx) for d in drafts]


def _decision(result):
    return result.outcome, [(r.code, r.field, r.severity, r.span, r.evidence) for r in result.reasons]


def test_prefilter_decides_like_checking_every_rule_on_real_postings(sample_postings):
    fast = rules_from_dict(read_rules_file())
    reference = rules_from_dict(read_rules_file(), prefilter=False)
    postings = sample_postings
    assert len(postings) >= 4000
    text_hits = 0
    for p in postings:
        got = screen(p, "hr_firm", "trusted", None, fast)
        want = screen(p, "hr_firm", "trusted", None, reference)
        assert _decision(got) == _decision(want), p.title
        text_hits += any(r.field in ("title", "description") for r in want.reasons)
    assert text_hits > 50   # the comparison covers postings the text rules do flag


def test_fold_is_the_full_width_table(sample_postings):
    from indexer.screening.rules import _FOLD, fold

    texts = ["ＱＱ：１２３　微信（ｗｘ）", "无全角", ""] + [p.description or "" for p in sample_postings]
    assert all(fold(t) == t.translate(_FOLD) for t in texts)


def _tiny_rules(*rules):
    return rules_from_dict({"text_rules": [dict({"severity": "hold", "message": r["code"]}, **r) for r in rules],
                            "settings": {}, "neutral_phrases": []})


def _codes_and_spans(rules, text):
    return sorted((r.code, r.span) for r in _text_reasons_for(rules, text))


def _text_reasons_for(rules, text):
    d = PostingDraft(channel_code="c", external_id="1", raw={}, title="仓管员", description=text,
                     pay_text="5000-7000元/月", region_text="广州·天河区", credit_code=VALID_CODE)
    return [r for r in screen(normalise(d, make_context(today=dt.date(2025, 3, 10))), "public_agency", "trusted",
                              None, rules).reasons if r.code in {t.code for t in rules.text_rules}]


def test_trigger_that_is_a_prefix_of_another_rules_trigger_at_the_same_place():
    # The scan reports the longest literal at a position (押金条); 押金 there is its prefix, and 金条
    # starts inside it: all three rules must still run.
    rules = _tiny_rules(
        {"code": "short", "patterns": ["押金"], "triggers": ["押金"]},
        {"code": "long", "patterns": ["押金条"], "triggers": ["押金条"]},
        {"code": "inner", "patterns": ["金条"], "triggers": ["金条"]},
    )
    text = "入职交押金条一张"
    assert _codes_and_spans(rules, text) == [("inner", (4, 6)), ("long", (3, 6)), ("short", (3, 5))]
    assert rules.triggered(rules.prepare(text)) == {id(r) for r in rules.text_rules}
    reference = rules_from_dict({"text_rules": [r.as_dict() for r in rules.text_rules]}, prefilter=False)
    assert _codes_and_spans(reference, text) == _codes_and_spans(rules, text)
    assert _codes_and_spans(rules, "押金") == [("short", (0, 2))]     # the shorter alone


def test_disabled_rule_does_not_trip_and_others_still_do():
    from indexer.screening import TextRule

    rules = _tiny_rules(
        {"code": "off", "patterns": ["押金条"], "triggers": ["押金条"], "enabled": False},
        {"code": "on", "patterns": ["押金"], "triggers": ["押金"]},
    )
    assert _codes_and_spans(rules, "交押金条") == [("on", (1, 3))]
    # switched on after the scan was built (not covered by it): checked on its own
    rules.text_rules[0].enabled = True
    assert _codes_and_spans(rules, "交押金条") == [("off", (1, 4)), ("on", (1, 3))]
    # switched off after the scan was built: its triggers still scanned, the rule skipped
    rules.text_rules[1].enabled = False
    assert _codes_and_spans(rules, "交押金条") == [("off", (1, 4))]
    # a rule added to the set afterwards is checked too
    rules.text_rules.append(TextRule(code="added", category="other", severity="hold", message="m",
                                     patterns=["金条"], triggers=["金条"]).compile())
    assert _codes_and_spans(rules, "交押金条") == [("added", (2, 4)), ("off", (1, 4))]


def test_required_literals_and_caseless_compile():
    import re

    from indexer.screening.rules import _compile, _required_literals

    age = _compile(r"(?<![\d])\d{2}\s*(周)?岁\s*(以下|以内|之内)")
    assert _required_literals(age) == (("岁",), ("以下", "以内", "之内"))
    assert not age.flags & re.IGNORECASE                     # nothing cased in it: the flag is a no-op
    assert _compile("(加)\\s*(微信|qq)").flags & re.IGNORECASE   # letters keep it
    assert _compile("[a-z]{2}岁").flags & re.IGNORECASE
    assert _required_literals(_compile("(近|[一二]\\s*年内?)(不|无)?要孩子")) == (("近", "年"), ("要孩子",))
    assert _required_literals(_compile("(男|女)?优先|qq")) == ()   # an alternative with no uncased literal
    rules = _tiny_rules({"code": "age", "patterns": [age.pattern]})
    assert _codes_and_spans(rules, "限35岁以下") == [("age", (1, 6))]
    assert _codes_and_spans(rules, "35岁左右") == []


def test_gate_only_skips_patterns_that_cannot_match():
    import re

    from indexer.screening.rules import _gate

    gate = _gate(re.compile(r"(?<![\d])1[3-9]\d[\s-]?\d{4}", re.I))
    assert gate is not None and gate.pattern == r"1[3-9][\d]"
    assert _gate(re.compile("押金|保证金", re.I)) is None            # no look-behind first: the engine is fast
    rules = _tiny_rules({"code": "phone", "patterns": [r"(?<![\d])1[3-9]\d{9}(?![\d])"]})
    assert _codes_and_spans(rules, "电话13812345678") == [("phone", (2, 13))]
    assert _codes_and_spans(rules, "电话12812345678") == []
