"""The one edge check every adapter ends with (indexer.sources.base.edge_checked over
core.textfields): invisible characters removed, each field within its limit, links http(s) only,
tags bounded, valid_until within the refresh horizon; problems are the record's Issues."""
from __future__ import annotations

import datetime as dt

import pytest

from core.textfields import FIELD_LIMITS, clean_text
from indexer.drafts import PostingDraft
from indexer.sources import enterprise_form, feeds, jobhunting, partner, spreadsheet, zhilian
from indexer.sources.base import edge_checked

TODAY = dt.date(2026, 12, 6)


def _draft(**fields) -> PostingDraft:
    return PostingDraft(channel_code="c", external_id=fields.pop("external_id", "E-1"), raw={}, **fields)


def _codes(draft: PostingDraft) -> list[tuple[str, str]]:
    return [(i.code, i.severity) for i in draft.issues]


@pytest.mark.parametrize("raw, single, multi", [
    ("焊\x00工", "焊工", "焊工"),
    ("\u202e工焊", "工焊", "工焊"),
    ("电\u200b工\u2066（持证）\u2069", "电工（持证）", "电工（持证）"),
    ("\ufeff 普工 \u00ad", "普工", "普工"),
    ("第一行\r\n第二行\t完", "第一行 第二行 完", "第一行\r\n第二行\t完"),
    ("\u200b\u200c\u200d\u2060", "", ""),
])
def test_clean_text_removes_what_hides_or_reorders_text(raw, single, multi):
    assert clean_text(raw) == single
    assert clean_text(raw, multiline=True) == multi


def test_every_field_is_cleaned_and_an_invisible_title_is_no_title():
    d = edge_checked(_draft(title="\u200b\u200b", description="月薪\x00五千\n包吃住", company_name="甲\u202e公司",
                            welfare=["五险\u200b一金", "\u200b"]), TODAY)
    assert (d.title, d.description, d.company_name, d.welfare) == (None, "月薪五千\n包吃住", "甲公司", ["五险一金"])
    assert d.issues == []


@pytest.mark.parametrize("field", ["title", "description", "external_id", "company_name", "address", "contact"])
def test_a_field_over_its_limit_refuses_the_record_with_its_code(field):
    limit = FIELD_LIMITS[field]
    ok = edge_checked(_draft(**{field: "字" * limit}), TODAY)
    assert ok.issues == [] and len(getattr(ok, field)) == limit  # at the limit: kept whole
    d = edge_checked(_draft(**{field: "字" * (limit + 1)}), TODAY)
    assert _codes(d) == [(f"{field}_too_long", "reject")]
    assert str(limit) in d.issues[0].message and d.issues[0].field == field


def test_links_must_be_http_and_are_otherwise_dropped_with_a_note():
    assert edge_checked(_draft(source_url="https://jobs.example.cn/1"), TODAY).source_url == "https://jobs.example.cn/1"
    d = edge_checked(_draft(source_url="javascript:alert(1)"), TODAY)
    assert d.source_url is None and _codes(d) == [("invalid_url", "info")]


def test_tags_are_bounded_in_number_and_length():
    assert _codes(edge_checked(_draft(skills=[f"技能{n}" for n in range(51)]), TODAY)) == [("skills_too_many", "reject")]
    assert _codes(edge_checked(_draft(welfare=["福" * 101]), TODAY)) == [("welfare_too_long", "reject")]


def test_valid_until_beyond_the_refresh_horizon_is_refused():
    assert edge_checked(_draft(valid_until=TODAY + dt.timedelta(days=180)), TODAY).issues == []
    d = edge_checked(_draft(valid_until=dt.date(9999, 12, 31)), TODAY)
    assert _codes(d) == [("invalid_valid_until", "reject")] and "2027-06-04" in d.issues[0].message


def test_a_publication_date_after_today_is_dropped_with_a_note():
    d = edge_checked(_draft(published_at=dt.datetime(9999, 12, 31)), TODAY)
    assert d.published_at is None and _codes(d) == [("published_at_in_future", "info")]
    assert edge_checked(_draft(published_at=dt.datetime(2026, 12, 6, 23)), TODAY).published_at is not None


def test_every_adapter_ends_with_the_edge_check():
    """The same record through each adapter: the same cleaned title and the same refusal."""
    long_id = "X" * 129
    drafts = [
        partner.record_to_draft({"external_id": long_id, "title": "焊\u202e工"}, "c", 1),
        partner.record_to_draft({"task_id": long_id, "title": "焊\u202e工"}, "c", 1),
        feeds.record_to_draft({"id": long_id, "title": "焊\u202e工"}, "c", 1),
        jobhunting.record_to_draft({"id": long_id, "title": "焊\u202e工"}, "c", 1),
        zhilian.record_to_draft({"jobId": long_id, "name": "焊\u202e工"}, "c", 1),
        spreadsheet.record_to_draft({"岗位编号": long_id, "职位名称": "焊\u202e工", "企业名称": "某公司"}, "c", 2),
    ]
    for d in drafts:
        assert d.title == "焊工" and d.external_id == long_id, d
        assert [i.code for i in d.issues] == ["external_id_too_long"], d.issues


def test_the_enterprise_form_says_which_field_to_fix():
    class Ent:
        id, name, credit_code, region_code = 7, "某公司", None, "371302"

    d = enterprise_form.form_to_draft({"title": "\u2060\u200b", "valid_until": "9999-12-31"}, Ent, "c", 1)
    assert [(i.code, i.field) for i in d.issues] == [("missing_title", "title"), ("invalid_valid_until", "valid_until")]
