"""Pay text as real channels write it (智联 salary60, 51job 薪资, gig platforms) to numbers."""
import pytest

from indexer.normalise import parse_pay
from indexer.normalise.pay import DAYS_PER_MONTH, HOURS_PER_MONTH, pay_from_numbers

CASES = [
    # text, min, max, unit, monthly_min, monthly_max, months, negotiable
    ("8千-1.2万/月", 8000, 12000, "month", 8000, 12000, None, False),
    ("6000-8000元", 6000, 8000, "month", 6000, 8000, None, False),
    ("10-15K·13薪", 10000, 15000, "month", 10000, 15000, 13, False),
    ("15-25k·14薪", 15000, 25000, "month", 15000, 25000, 14, False),
    ("150元/天", 150, 150, "day", 150 * DAYS_PER_MONTH, 150 * DAYS_PER_MONTH, None, False),
    ("150-200/天", 150, 200, "day", 150 * DAYS_PER_MONTH, 200 * DAYS_PER_MONTH, None, False),
    ("25元/小时", 25, 25, "hour", 25 * HOURS_PER_MONTH, 25 * HOURS_PER_MONTH, None, False),
    ("3000以上", 3000, None, "month", 3000, None, None, False),
    ("5000元起", 5000, None, "month", 5000, None, None, False),
    ("3000以下", None, 3000, "month", None, 3000, None, False),
    ("年薪10万", 8333.33, 8333.33, "month", 8333.33, 8333.33, None, False),
    ("20-40万/年", 16666.67, 33333.33, "month", 16666.67, 33333.33, None, False),   # 51job
    ("1-1.5万/月", 10000, 15000, "month", 10000, 15000, None, False),               # 51job
    ("0.8-1万/月", 8000, 10000, "month", 8000, 10000, None, False),
    ("3千-6千", 3000, 6000, "month", 3000, 6000, None, False),                      # 智联
    ("1.3万-2.6万", 13000, 26000, "month", 13000, 26000, None, False),              # 智联
    ("6千-1.2万", 6000, 12000, "month", 6000, 12000, None, False),                  # 智联
    ("4000-6000元/月", 4000, 6000, "month", 4000, 6000, None, False),
    ("6000-1.2万", 6000, 12000, "month", 6000, 12000, None, False),                 # mixed units
    ("４０００－６０００元／月", 4000, 6000, "month", 4000, 6000, None, False),        # full-width
    ("8000~10000", 8000, 10000, "month", 8000, 10000, None, False),
    ("底薪3000+提成", 3000, None, "month", 3000, None, None, False),
]


@pytest.mark.parametrize("text,lo,hi,unit,mlo,mhi,months,negotiable", CASES)
def test_parse_pay_forms(text, lo, hi, unit, mlo, mhi, months, negotiable):
    r = parse_pay(text)
    assert not r.unparsable, r
    assert r.min == (pytest.approx(lo) if lo is not None else None)
    assert r.max == (pytest.approx(hi) if hi is not None else None)
    assert r.unit == unit
    assert r.monthly_min == (pytest.approx(mlo, abs=0.01) if mlo is not None else None)
    assert r.monthly_max == (pytest.approx(mhi, abs=0.01) if mhi is not None else None)
    assert r.months == months
    assert r.negotiable is negotiable


@pytest.mark.parametrize("text", ["面议", "薪资面议", "待遇面议", "薪资可谈"])
def test_negotiable_has_no_numbers_and_is_not_unparsable(text):
    r = parse_pay(text)
    assert r.negotiable and not r.unparsable
    assert r.min is None and r.max is None and r.monthly_min is None


@pytest.mark.parametrize("text", ["看能力", "abc", "待定", "3元/月", "99999999元/月"])
def test_unparsable_text_is_kept_and_flagged(text):
    r = parse_pay(text)
    assert r.unparsable
    assert r.text == text


def test_annual_pay_is_flagged_and_unit_from_text_beats_magnitude():
    assert parse_pay("年薪10万").annual is True
    assert parse_pay("300元/月").unit == "month"           # small but the text says month
    assert parse_pay("300").unit == "day"                  # no unit: magnitude
    assert parse_pay("300").unit_inferred is True
    assert parse_pay("300", context_unit="hour").unit == "hour"  # the channel's unit wins


def test_reversed_range_is_swapped():
    r = parse_pay("8000-6000")
    assert (r.min, r.max) == (6000, 8000) and "swapped" in r.notes


def test_numbers_from_a_channel():
    r = pay_from_numbers(6000, 8000, None, 13)
    assert (r.unit, r.monthly_min, r.monthly_max, r.months) == ("month", 6000, 8000, 13)
    r = pay_from_numbers(200, 150, "day")
    assert (r.min, r.max, r.monthly_max) == (150, 200, pytest.approx(200 * 21.75))


def test_real_zhilian_salary_texts_parse(zhilian_salary_texts):
    bad = [t for t in zhilian_salary_texts if parse_pay(t).unparsable]
    # every distinct salary text in the shipped 智联 sample is understood
    assert bad == []


@pytest.fixture(scope="module")
def zhilian_salary_texts():
    import gzip
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[4] / "data" / "samples" / "zhilian-30cities-2022.jsonl.gz"
    texts = set()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line).get("salary60")
            if t:
                texts.add(t)
    assert len(texts) > 50
    return sorted(texts)
