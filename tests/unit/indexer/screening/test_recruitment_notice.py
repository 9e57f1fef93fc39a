"""The January 2026 notice (《关于规范网络平台招聘类信息发布的通知》): the elements every posting must
carry, each held with a reason naming it; "高薪/保录"-style hooks flagged as a text rule (data)."""
import pytest

from indexer.drafts import PostingDraft
from indexer.intake import screen
from indexer.intake.decide import judge_text
from indexer.normalise import normalise
from indexer.screening import read_rules_file, rules_from_dict

FULL = dict(title="仓库管理员", description="负责仓库货物收发、盘点和出入库登记", company_name="广州市示例仓储有限公司",
            headcount_text="3", education_text="高中", region_text="广州·天河区", pay_text="5000-7000元/月")


def _screen(ctx, rules, **fields):
    d = PostingDraft(channel_code="c", external_id="1", raw={}, **dict(FULL, **fields))
    return screen(normalise(d, ctx), "public_agency", "trusted", None, rules)


def test_a_posting_carrying_every_element_publishes(ctx, rules):
    assert _screen(ctx, rules).outcome == "publish"


@pytest.mark.parametrize("fields,code,words", [
    (dict(headcount_text=None), "headcount_missing", "未写明招聘人数"),
    (dict(description="", education_text=None), "job_content_missing", "未写明工作内容"),
    (dict(description="急招", education_text=None), "job_content_missing", "未写明工作内容"),
    (dict(education_text=None), "requirements_missing", "未写明岗位要求"),
    (dict(company_name=None), "employer_info_missing", "未写明用人单位名称"),
])
def test_a_missing_element_holds_saying_which(ctx, rules, fields, code, words):
    r = _screen(ctx, rules, **fields)
    assert r.outcome == "hold"
    [hit] = [x for x in r.reasons if x.code == code]
    assert hit.severity == "hold" and hit.message.startswith(words)
    assert "关于规范网络平台招聘类信息发布的通知" in hit.message and "请" in hit.message   # what to do


def test_headcount_as_若干_and_requirements_in_the_text_count(ctx, rules):
    assert _screen(ctx, rules, headcount_text="若干").outcome == "publish"
    r = _screen(ctx, rules, education_text=None, description="负责叉车装卸，要求持叉车证，能适应倒班")
    assert r.outcome == "publish", [(x.code, x.message) for x in r.reasons]


def test_missing_pay_and_place_are_the_existing_reasons_not_repeated(ctx, rules):
    r = _screen(ctx, rules, pay_text=None, region_text=None)
    codes = [x.code for x in r.reasons]
    assert "pay_missing" in codes and "region_missing" in codes and "workplace_missing" not in codes
    # an address alone is a place of work
    assert "workplace_missing" not in [x.code for x in _screen(ctx, rules, region_text=None, address="天河路1号").reasons]


def test_required_elements_are_settings_an_admin_can_relax(ctx):
    data = read_rules_file()
    data["settings"]["required_fields_not_checked"] = ["headcount_missing"]
    relaxed = rules_from_dict(data)
    d = PostingDraft(channel_code="c", external_id="1", raw={}, **dict(FULL, headcount_text=None))
    assert screen(normalise(d, ctx), "public_agency", "trusted", None, relaxed).outcome == "publish"


HOOKS = [
    ("高薪诚聘仓库管理员", "高薪诚聘"),
    ("本公司高薪招聘普工", "高薪招聘"),
    ("名校保录取，报名即可", "保录取"),
    ("培训后包过，考证无忧", "包过"),
    ("100%录用，包入职", "100%录用"),
    ("轻松月入过万，多劳多得", "轻松月入"),
    ("在家兼职日赚500", "日赚500"),
    ("月薪过万不是梦", "月薪过万"),
    ("ＶＩＰ班保过", "保过"),
]


@pytest.mark.parametrize("text,evidence", HOOKS)
def test_hooks_are_held_with_the_words_that_tripped(rules, text, evidence):
    d = judge_text("负责仓库收发货。" + text, rules)
    hits = [x for x in d.reasons if x.code == "misleading_hook"]
    assert d.outcome == "hold" and hits
    assert any(evidence in h.evidence or h.evidence in evidence for h in hits)
    assert "高薪" in hits[0].message and "保录" in hits[0].message


@pytest.mark.parametrize("text", [
    "谨防高薪陷阱，本单位不收取任何费用",
    "确保过程文件符合研发流程",
    "熟练掌握打包工作webpack",
    "提供包工作餐，包住",
    "春节包过年回家路费",
    "高薪技术企业，五险一金",
    "月薪5000-7000元，按时发放",
])
def test_ordinary_words_are_no_hooks(rules, text):
    assert not [x for x in judge_text(text, rules).reasons if x.code == "misleading_hook"]


def test_the_hook_rule_is_data_in_the_rules_file():
    [rule] = [r for r in read_rules_file()["text_rules"] if r["code"] == "misleading_hook"]
    assert rule["severity"] == "hold" and rule["triggers"]
