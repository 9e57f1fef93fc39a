"""Query understanding: filler dropped, places, types, benefits, exclusions, near me, corrections."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from indexer.search.understand import correct_latin, lexicon, understand


class Regions:
    """The directory's by_name, for a few places (the real directory is used in the web tests)."""

    def __init__(self):
        self.names = {
            "广州": [SimpleNamespace(code="440100", full_name="广东省广州市", level=2)],
            "深圳": [SimpleNamespace(code="440300", full_name="广东省深圳市", level=2)],
            "宝安": [SimpleNamespace(code="440306", full_name="广东省深圳市宝安区", level=3)],
        }

    def by_name(self, name):
        return self.names.get(name, [])


@pytest.mark.parametrize("text, words", [
    ("想找保安工作", ["保安"]),
    ("我想找个电工的工作", ["电工"]),
    ("有没有招电工的", ["电工"]),
    ("招聘普工", ["普工"]),
    ("找个离家近的工作", []),
])
def test_filler_and_intent_words_are_dropped(text, words):
    assert understand(text, Regions()).words == words


def test_place_becomes_the_region_and_is_not_a_required_word():
    u = understand("深圳 普工", Regions())
    assert u.region.code == "440300" and u.words == ["普工"]
    assert [(c.kind, c.source, c.label) for c in u.concepts] == [("place", "深圳", "广东省深圳市")]
    # a place chosen on the form wins: the word stays a word
    assert understand("深圳 普工", Regions(), find_place=False).words == ["深圳", "普工"]


@pytest.mark.parametrize("text", ["保安 广州 -夜班", "广州保安不要夜班", "广州 保安 不要 夜班"])
def test_exclusions(text):
    u = understand(text, Regions())
    assert u.words == ["保安"] and u.excluded == ["夜班"] and u.region.code == "440100"


def test_gig_words_become_type_and_pay_unit():
    u = understand("找个离家近的日结活", Regions())
    assert (u.employment_type, u.pay_unit, u.near, u.words) == ("gig", "day", True, [])
    assert understand("零工").employment_type == "gig"
    assert understand("兼职 服务员").employment_type == "part_time"
    assert understand("兼职", find_type=False).words == ["兼职"]


def test_benefits_become_the_welfare_words_postings_carry():
    u = understand("包吃住 普工 五险一金", Regions())
    assert u.words == ["普工"] and u.benefits == ["包吃", "包住", "五险一金"]
    assert u.text == "普工 包吃 包住 五险一金"


@pytest.mark.parametrize("word, fixed", [("jvaa", "java"), ("pyhton", "python"), ("baoan", "保安"),
                                         ("mysq", "mysql"), ("java", None), ("go", None), ("xyzzyq", None)])
def test_latin_corrections(word, fixed):
    assert correct_latin(word, lexicon()) == fixed


def test_corrections_are_offered_not_forced():
    u = understand("jvaa 开发")
    assert u.words == ["jvaa", "开发"] and u.corrections == {"jvaa": "java"}
    assert u.corrected_text() == "java 开发"
