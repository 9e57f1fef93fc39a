"""The one enterprise name key (core.enterprises.names): registration on the web and intake from a
channel feed compute the same key, so the same company meets itself whichever way it arrives."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from core.enterprises.models import Enterprise
from core.enterprises.names import normalize_company_name
from core.identity import credit_code_check_char
from core.postings.models import Posting, PostingSource
from core.reference.services import region_directory

PASSWORD = "Yue-Lai-Jiu-Dian-2026"
_seq = itertools.count(1)


def _credit_code() -> str:
    code17 = f"91440103MA{next(_seq):07d}"
    return code17 + credit_code_check_char(code17)


def test_key_drops_places_brackets_width_and_legal_form(db_session):
    regions = region_directory(db_session)
    key = normalize_company_name("广东省广州市荔湾区悦来概念酒店有限公司", regions)
    assert key == "悦来概念酒店"
    assert normalize_company_name("悦来概念酒店（广州）有限公司", regions) == key
    assert normalize_company_name("广州悦来概念酒店股份有限公司", regions) == key
    assert normalize_company_name("ＰＬＡＮＥＴ 酒店 Co.,Ltd.", regions) == "planet酒店"
    # a name that is only a place and a legal form keeps enough to tell it apart
    assert normalize_company_name("广州市有限公司", regions) == "广州市"
    assert normalize_company_name(None) == ""


def test_web_registration_and_channel_feed_resolve_to_one_enterprise(client, db_session):
    from core.channels.services import create_channel
    from indexer.sources.feeds import pull_feed

    resp = client.post("/register/enterprise", data={
        "enterprise_name": "广州市悦来概念酒店有限公司", "credit_code": _credit_code(), "region_code": "440103",
        "industry": "住宿和餐饮业", "size": "20-99人", "contact_name": "陈经理", "username": "yuelai_hotel",
        "password": PASSWORD, "password_confirm": PASSWORD})
    assert resp.status_code == 302
    registered = db_session.scalar(select(Enterprise).where(Enterprise.name == "广州市悦来概念酒店有限公司"))
    assert registered.normalized_name == "悦来概念酒店"

    create_channel(db_session, "gd-feed-names", "广东省公共招聘网", "provincial_site", trust_level="trusted")
    db_session.commit()
    item = {"id": "GD-NAMES-1", "updated_at": "2025-01-01T08:00:00+08:00", "title": "洗碗工",
            "description": "身体健康，吃苦耐劳，工作认真负责。", "employer": {"name": "悦来概念酒店（广州）有限公司"},
            "location": {"text": "广东省广州市荔湾区"}, "salary": {"text": "3000-5000元/月"}, "headcount": 2}

    def fetch(url, since, page, page_size, timeout=30.0):
        return {"items": [item] if page == 1 else [], "has_more": False}

    result = pull_feed(db_session, "gd-feed-names", "https://feed.example.gov.cn/postings", fetch=fetch)
    assert result.summary.as_dict()["received"] == 1
    posting = db_session.scalar(select(Posting).join(PostingSource).where(PostingSource.external_id == "GD-NAMES-1"))
    assert posting is not None and posting.enterprise_id == registered.id
    same_key = db_session.scalars(select(Enterprise.id).where(Enterprise.normalized_name == "悦来概念酒店")).all()
    assert same_key == [registered.id]
