"""Education, experience, headcount, employment type, dates: the vocabularies real channels use."""
import datetime as dt

import pytest

from core.enums import Education, EmploymentType
from indexer.normalise import (
    parse_date,
    parse_datetime,
    parse_education,
    parse_employment_type,
    parse_experience,
    parse_headcount,
    parse_tags,
)


@pytest.mark.parametrize("text,value", [
    ("本科", Education.BACHELOR), ("统招本科", Education.BACHELOR), ("大学本科", Education.BACHELOR),
    ("大专", Education.ASSOCIATE), ("大学专科", Education.ASSOCIATE), ("['大专']", Education.ASSOCIATE),
    ("高中", Education.SENIOR), ("中专/中技", Education.SENIOR), ("中技/中专", Education.SENIOR),
    ("中等专科", Education.SENIOR), ("普通高中", Education.SENIOR), ("职业高中", Education.SENIOR),
    ("技工学校", Education.SENIOR), ("初中", Education.JUNIOR), ("初中及以下", Education.NONE),
    ("小学", Education.PRIMARY), ("硕士", Education.MASTER), ("硕士研究生", Education.MASTER),
    ("EMBA", Education.MASTER), ("博士", Education.DOCTOR), ("博士研究生", Education.DOCTOR),
    ("学历不限", Education.NONE), ("不限制", Education.NONE), ("不限", Education.NONE), ("其他", Education.NONE),
    (None, Education.NONE), ("", Education.NONE),
])
def test_education(text, value):
    assert parse_education(text) == value


def test_education_unreadable_is_none():
    assert parse_education("看情况") is None


@pytest.mark.parametrize("text,years,ok", [
    ("不限", None, True), ("无经验", None, True), ("1年以下", None, True), ("1-3年", 1, True), ("3-5年", 3, True),
    ("5-10年", 5, True), ("10年以上", 10, True), ("1年工作经验", 1, True), ("三年以上", 3, True),
    ("两年", 2, True), ("应届毕业生", None, True), (0, None, True), (3, 3, True), (None, None, True),
    ("资深", None, False),
])
def test_experience(text, years, ok):
    assert parse_experience(text) == (years, ok)


@pytest.mark.parametrize("text,count,ok", [
    ("若干", None, True), ("若干人", None, True), ("3", 3, True), ("招3人", 3, True), ("2人", 2, True),
    ("999", None, True), ("不限", None, True), ("五名", 5, True), (10, 10, True), (None, None, True),
    ("很多", None, False),
])
def test_headcount(text, count, ok):
    assert parse_headcount(text) == (count, ok)


@pytest.mark.parametrize("text,pay_unit,title,value", [
    ("全职", None, None, EmploymentType.FULL_TIME), ("兼职/临时", None, None, EmploymentType.PART_TIME),
    ("实习", None, None, EmploymentType.INTERNSHIP), ("校园", None, None, EmploymentType.INTERNSHIP),
    (None, "day", None, EmploymentType.GIG), (None, None, "顺丰分拣日结 一天160 包吃", EmploymentType.GIG),
    (None, None, "普工", EmploymentType.FULL_TIME), ("零工", None, None, EmploymentType.GIG),
])
def test_employment_type(text, pay_unit, title, value):
    assert parse_employment_type(text, pay_unit, title) == value


TODAY = dt.date(2025, 3, 10)


@pytest.mark.parametrize("text,value", [
    ("2024-12-14 10:18:23", dt.datetime(2024, 12, 14, 10, 18, 23)),
    ("2019-09-13", dt.datetime(2019, 9, 13)),
    ("['2019-09-13']", None),
    ("2019/9/5", dt.datetime(2019, 9, 5)),
    ("2024年3月1日", dt.datetime(2024, 3, 1)),
    ("2024-03-01T08:00:00Z", dt.datetime(2024, 3, 1, 8)),
    ("09-05", dt.datetime(2024, 9, 5)),        # no year: the latest such day not after today
    ("03-01", dt.datetime(2025, 3, 1)),
    ("今天", dt.datetime(2025, 3, 10)),
    ("3天前", dt.datetime(2025, 3, 7)),
    ("昨天", dt.datetime(2025, 3, 9)),
    ("2月30日", None),
    ("不详", None),
])
def test_dates(text, value):
    assert parse_datetime(text, TODAY) == value


def test_parse_date_returns_date():
    assert parse_date("2025-04-30", TODAY) == dt.date(2025, 4, 30)


@pytest.mark.parametrize("value,tags", [
    ("五险一金,周末双休", ["五险一金", "周末双休"]),
    ("[{'state': 0, 'value': '五险一金'}, {'state': 0, 'value': '年底双薪'}]", ["五险一金", "年底双薪"]),
    (["包吃", "包住", "包吃"], ["包吃", "包住"]),
    (None, []),
])
def test_tags(value, tags):
    assert parse_tags(value) == tags
