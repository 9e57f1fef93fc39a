"""Piece rates (计件, issue #12) as real postings write them: unit ``piece``, the rate per piece as the
amounts, no monthly equivalent unless the posting states its monthly earnings; and screening's
missing-pay check leaves a stated rate alone. Texts quoted from ../shared/data/postings (ids given)."""
import datetime as dt

import pytest

from indexer.drafts import PostingDraft
from indexer.normalise import make_context, normalise, parse_pay
from indexer.normalise.pay import piece_rate, piece_work, stated_rate
from indexer.screening import check

PAY_TEXTS = [
    # text, rate min, rate max, monthly min, monthly max
    ("0.5元/件", 0.5, 0.5, None, None),
    ("计件0.06元—0.15元/件", 0.06, 0.15, None, None),            # 51JOB_160811792
    ("多劳多得 每件2元", 2, 2, None, None),
    ("每件2-3元", 2, 3, None, None),
    ("计件工资", None, None, None, None),
    ("按件计酬", None, None, None, None),
    ("计件工资多劳多得", None, None, None, None),                # 智联 40311729809
    ("计件，月收入6000-8000", None, None, 6000, 8000),
    ("0.5元/件，多劳多得，月入6000-8000", 0.5, 0.5, 6000, 8000),
    ("底薪2000元，超出工资计件无上限，多劳多得", None, None, 2000, None),   # 51JOB_159666411
    ("计件工资9—18K", None, None, 9000, 18000),                  # 51JOB_160838605
    ("计件，6人间", None, None, None, None),                     # a count is no month's pay
]


@pytest.mark.parametrize("text, lo, hi, mlo, mhi", PAY_TEXTS)
def test_piece_pay_texts(text, lo, hi, mlo, mhi):
    r = parse_pay(text)
    assert r.unit == "piece" and not r.unparsable, r
    assert (r.min, r.max) == (lo, hi)
    assert (r.monthly_min, r.monthly_max) == (mlo, mhi)


@pytest.mark.parametrize("text", ["8千-1.2万/月", "3000一个月", "150元/天", "面议", "11件"])
def test_other_pay_is_not_piece(text):
    assert parse_pay(text).unit != "piece"


def test_a_channel_that_says_piece_sends_a_bare_rate():
    r = parse_pay("0.5", context_unit="piece")
    assert (r.unit, r.min, r.monthly_min, r.unparsable) == ("piece", 0.5, None, False)
    assert parse_pay("800", context_unit="piece").unparsable        # no piece costs 800: a person reads it
    assert parse_pay("计件1000元/件").unparsable


@pytest.mark.parametrize("title, expected", [
    ("招聘6-10元每单日均300-400", (6, 10)),      # 智联 (title)
    ("济南招美团送餐员可周结！7元/单！", (7, 7)),    # ZHILIAN_40647660801
    ("计件0.5元/件", (0.5, 0.5)),
    ("纯外勤单车计件 6k 早八晚五", None),           # 智联: 6k is a month, not 6 yuan a piece
    ("招200一个月", None),
])
def test_a_rate_in_a_title(title, expected):
    r = piece_rate(title)
    assert (None if r is None else (r.min, r.max)) == expected
    s = stated_rate(title)
    assert s is None or s.unit != "piece" or (s.min, s.max) == expected


@pytest.mark.parametrize("title, paid_by_piece", [
    ("普工，计件，食品厂", True), ("高薪计件汽配厂", True), ("小时工+计件", True),     # 智联 titles
    ("10块一单酒店配送小物品", True),                                              # BOSS
    ("计件工资核算员", False), ("生产数据分析主管", False), ("普工 包吃住", False),
])
def test_a_title_naming_piece_work(title, paid_by_piece):
    assert piece_work(title) is paid_by_piece


def _draft(title, pay_text=None, pay_unit="month", **kw):
    return PostingDraft(channel_code="zhilian", external_id=title, raw={}, title=title, company_name="某厂",
                        region_text="深圳", pay_text=pay_text, pay_unit=pay_unit, **kw)


def _normalise(draft):
    return normalise(draft, make_context(today=dt.date(2025, 3, 10)))


def test_a_title_saying_piece_keeps_the_channel_band_as_stated_monthly_earnings():
    n = _normalise(_draft("普工，计件，食品厂", "5千-7千"))          # 智联 40317984001
    assert (n.pay_unit, n.pay_min, n.pay_max) == ("piece", None, None)
    assert (n.pay_monthly_min, n.pay_monthly_max) == (5000, 7000)


def test_a_title_rate_with_a_channel_band():
    n = _normalise(_draft("招聘6-10元每单日均300-400", "1.1万-1.7万"))
    assert (n.pay_unit, n.pay_min, n.pay_max, n.pay_monthly_min, n.pay_monthly_max) == ("piece", 6, 10, 11000, 17000)


def test_a_day_rate_in_the_title_still_wins_and_month_titles_stay_monthly():
    assert _normalise(_draft("仓库看守380一天", "8001-9000")).pay_unit == "day"
    assert _normalise(_draft("普工 包吃住", "6001-8000")).pay_unit == "month"


def _pay_codes(draft):
    return [i.code for i in check(_normalise(draft), "public_agency") if i.field == "pay"]


def test_missing_pay_leaves_a_stated_rate_alone_and_holds_a_bare_piece_posting():
    assert _pay_codes(_draft("贴标员", "0.5元/件", pay_unit=None)) == []
    assert _pay_codes(_draft("普工，计件，食品厂", "5千-7千")) == []
    assert _pay_codes(_draft("打包员", "计件工资，多劳多得", pay_unit=None)) == ["pay_missing"]
    assert _pay_codes(_draft("打包员", None, pay_unit=None)) == ["pay_missing"]
