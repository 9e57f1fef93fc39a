"""Piece-paid postings (计件) on the search page, the API and the posting page (issue #12): found by
``pay_unit=piece``, shown as "2元/件" or "计件工资", and compared with monthly pay only through the
monthly earnings a posting states (the chip says so); one without such a figure is not in a monthly filter."""
from __future__ import annotations

import html

import pytest

from core.enums import PayUnit
from indexer.worker import rebuild


@pytest.fixture
def postings(index, db_session, make_posting):
    made = {
        "rate": make_posting("贴标员", description="流水线贴标签，计件0.06元—0.15元/件", pay_min=0.06, pay_max=0.15),
        "rate_and_month": make_posting("美团送餐员", description="7块一单，可周结", pay_min=7, pay_max=7,
                                       pay_monthly_min=8001, pay_monthly_max=10000),
        "bare": make_posting("打包员", description="电商仓库打包，计件工资", pay_min=None, pay_max=None,
                             pay_text="计件工资，多劳多得"),
        "monthly": make_posting("普工", description="电子厂普工，长白班", pay_min=6000, pay_max=8000,
                                pay_monthly_min=6000, pay_monthly_max=8000),
    }
    for key in ("rate", "rate_and_month", "bare"):
        made[key].pay_unit = PayUnit.PIECE
    db_session.commit()
    assert rebuild(db_session, index, "postings") == 4
    return made


def _ids(client, query):
    r = client.get("/api/v1/postings/search?" + query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


@pytest.mark.parametrize("query, expected", [
    ("pay_unit=piece", ["rate", "rate_and_month", "bare"]),
    ("pay_unit=piece&pay_min=5", ["rate_and_month"]),                 # yuan per piece
    ("pay_min=6000", ["rate_and_month", "monthly"]),                  # stated monthly earnings count
    ("pay_min=9000", ["rate_and_month"]),
    ("pay_min=6000&pay_unit=month", ["rate_and_month", "monthly"]),
])
def test_api_filters_piece_pay(client, postings, query, expected):
    data = _ids(client, query)
    assert sorted(i["id"] for i in data["items"]) == sorted(postings[k].id for k in expected)


def test_api_shows_piece_pay_in_its_own_unit(client, postings):
    items = {i["id"]: i for i in _ids(client, "pay_unit=piece")["items"]}
    assert items[postings["rate"].id]["pay"] == "0.06-0.15元/件"
    assert items[postings["rate"].id]["pay_monthly_max"] is None
    assert items[postings["rate_and_month"].id]["pay"] == "7元/件，月收入8001-1万元"
    assert items[postings["bare"].id]["pay"] == "计件工资，多劳多得"


def test_api_refuses_an_unknown_pay_unit(client, postings):
    r = client.get("/api/v1/postings/search?pay_unit=week")
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "pay_unit"


def test_search_page_offers_piece_and_says_how_monthly_filters_treat_it(client, postings):
    page = html.unescape(client.get("/search?pay_unit=piece").get_data(as_text=True))
    assert '<option value="piece" selected>' in page
    assert "计件工资 ✕" in page
    assert "0.06-0.15元/件" in page and "计件工资，多劳多得" in page
    assert "6千-8千元/月" not in page                                   # the monthly post is filtered out
    monthly = html.unescape(client.get("/search?pay_min=6000&pay_unit=month").get_data(as_text=True))
    assert "月薪 6000 元以上（含写明月收入的计件岗位）" in monthly
    assert "7元/件，月收入8001-1万元" in monthly and "计件工资，多劳多得" not in monthly


def test_posting_page_shows_the_rate_never_zero(client, postings):
    page = client.get(f"/postings/{postings['bare'].id}").get_data(as_text=True)
    assert "计件工资，多劳多得" in page and "0元" not in page
    page = client.get(f"/postings/{postings['rate'].id}").get_data(as_text=True)
    assert "0.06-0.15元/件" in page and "元/月" not in page
