"""Piece rates (计件) through the intake pipeline (issue #12): a channel record with a rate per piece is
stored with unit ``piece`` and its rate, never as a month's pay; the monthly figure is only what the
posting itself states; a piece-paid posting that gives neither rate nor monthly earnings is held."""
from __future__ import annotations

import json

from sqlalchemy import select

from core.postings.models import Posting, PostingSource
from core.postings.services import format_pay
from indexer.intake import ingest_drafts
from indexer.sources import jobhunting
from indexer.sources.feeds import pull_feed

# Real records of ../shared/data/postings/jobhunting-2024-2025.jsonl.gz (descriptions shortened)
DELIVERY_7_A_ORDER = {
    "id": "ZHILIAN_40647660801", "platform": "ZHILIAN", "url": "https://www.zhaopin.com/jobdetail/CCL1247025320J40647660801.htm",
    "title": "济南招美团送餐员可周结！7元/单！", "company": "中仁智行(山东)信息科技有限公司", "area": "济南", "address": "姚家",
    "description": "就近安排 0元入职 新人奖励高 7块一单 可周结。工作内容:1.到商家取餐点，将餐点送至客户地点;2.系统派单，"
                   "日均40-80单;3.只配送站点周边范围3公里。会骑电动车，会看手机导航即可入职。",
    "education": "学历不限", "salary_min": 8001, "salary_max": 10000, "published_at": "2024-09-04 10:34:34",
    "updated_at": "2024-12-24 09:42:21"}
# the site put the rate per order in its month fields: 8-10 "元/月"
HOTEL_10_A_ORDER = {
    "id": "BOSS_b5e9704282077a661Hx80t-1GVNV", "platform": "BOSS",
    "url": "https://www.zhipin.com/job_detail/b5e9704282077a661Hx80t-1GVNV.html", "title": "10块一单酒店配送小物品",
    "company": "创诚", "area": "广州·荔湾区·陈家祠", "address": "广州荔湾区西门口广场附近安排",
    "description": "【岗位职责】站点附近3公里商圈，系统派单给骑手，骑手根据导航，把物品送到客户手中即可；上班自由，"
                   "新人有老骑手带你熟悉整个工作流程，一两天即可上岗。",
    "education": "学历不限", "salary_min": 8, "salary_max": 10, "updated_at": "2024-12-23 22:20:35"}


def _posting(session, channel_id: int, external_id: str) -> Posting:
    src = session.scalar(select(PostingSource).where(PostingSource.channel_id == channel_id,
                                                     PostingSource.external_id == external_id))
    assert src is not None, external_id
    return session.get(Posting, src.posting_id)


def test_a_real_record_with_a_rate_per_order_keeps_rate_and_stated_monthly_pay(db_session, make_channel):
    ch = make_channel("jh-zhilian", "hr_firm", "trusted", licence_number="粤人服证字(2024)第001号")
    lines = [json.dumps(DELIVERY_7_A_ORDER, ensure_ascii=False), json.dumps(HOTEL_10_A_ORDER, ensure_ascii=False)]
    summary = ingest_drafts(db_session, jobhunting.read(lines, default_channel="jh-zhilian"), "jh-zhilian")
    db_session.commit()
    assert summary.as_dict()["rejected"] == 0

    meituan = _posting(db_session, ch.id, "ZHILIAN_40647660801")
    assert (str(meituan.pay_unit), meituan.pay_min, meituan.pay_max) == ("piece", 7, 7)
    # the monthly band the site gave stays, as the monthly earnings the posting states
    assert (meituan.pay_monthly_min, meituan.pay_monthly_max) == (8001, 10000)
    assert format_pay(meituan) == "7元/件，月收入8001-1万元"
    assert not any(r.get("code") == "pay_missing" for r in meituan.review_reasons or [])

    hotel = _posting(db_session, ch.id, "BOSS_b5e9704282077a661Hx80t-1GVNV")
    assert (str(hotel.pay_unit), hotel.pay_min, hotel.pay_max) == ("piece", 8, 10)
    assert hotel.pay_monthly_min is None and hotel.pay_monthly_max is None   # "8-10元/月" is no month's pay
    assert format_pay(hotel) == "8-10元/件"


GIG_ITEMS = [
    {"task_id": "GIG-P1", "updated_at": "2025-02-01T10:00:00+08:00", "title": "贴标员（计件）",
     "description": "流水线贴标签、装箱，白班，包吃住。",
     "employer": {"name": "东莞某电子厂", "credit_code": None}, "place": {"text": "广东省东莞市", "address": "长安镇"},
     # the rate as 51JOB_160811792 writes it: "计件0.06元—0.15元/件"
     "pay": {"amount": 0.06, "amount_max": 0.15, "unit": "piece", "text": "计件0.06元—0.15元/件"}, "headcount": 10},
    {"task_id": "GIG-P2", "updated_at": "2025-02-01T10:05:00+08:00", "title": "打包员",
     "description": "电商仓库打包，简单好上手。",
     "employer": {"name": "东莞某仓储公司"}, "place": {"text": "广东省东莞市", "address": "虎门镇"},
     # 智联 40311729809: "计件工资多劳多得", no rate, no monthly figure
     "pay": {"unit": "piece", "text": "计件工资，多劳多得"}, "headcount": 5},
    {"task_id": "GIG-P3", "updated_at": "2025-02-01T10:10:00+08:00", "title": "AI数据标注",
     "description": "负责图片、文本的标注工作。",
     "employer": {"name": "临沂某网络科技公司"}, "place": {"text": "山东省临沂市", "address": "兰山区"},
     # 51JOB_159666411: a monthly base beside the piece pay
     "pay": {"unit": "piece", "text": "底薪2000元，超出工资计件无上限，多劳多得"}, "headcount": 3},
]


def test_gig_feed_piece_rates_are_stored_as_piece(db_session, make_channel, feed_server):
    server = feed_server(GIG_ITEMS)
    ch = make_channel("gig", "gig_platform", "trusted")
    res = pull_feed(db_session, "gig", server.url, page_size=10)
    assert res.complete and res.as_dict()["rejected"] == 0

    rate = _posting(db_session, ch.id, "GIG-P1")
    assert (str(rate.pay_unit), rate.pay_min, rate.pay_max) == ("piece", 0.06, 0.15)
    assert rate.pay_monthly_min is None and rate.pay_monthly_max is None   # no declared conversion
    assert format_pay(rate) == "0.06-0.15元/件"
    assert not any(r.get("code", "").startswith("pay_") for r in rate.review_reasons or [])

    bare = _posting(db_session, ch.id, "GIG-P2")
    assert str(bare.pay_unit) == "piece" and bare.pay_min is None and bare.pay_max is None
    assert format_pay(bare) == "计件工资，多劳多得"   # never "0元"
    assert str(bare.status) == "pending_review"
    assert [r["code"] for r in bare.review_reasons if r.get("field") == "pay"] == ["pay_missing"]

    base = _posting(db_session, ch.id, "GIG-P3")
    assert str(base.pay_unit) == "piece" and base.pay_min is None
    assert (base.pay_monthly_min, base.pay_monthly_max) == (2000, None)
    assert format_pay(base) == "计件工资，月收入2千元起"
    assert not any(r.get("code") == "pay_missing" for r in base.review_reasons or [])


def test_an_enterprise_publishing_a_piece_rate_on_its_form(db_session):
    from core.enterprises.models import Enterprise
    from core.identity import credit_code_check_char
    from indexer.intake import submit_enterprise_posting

    code17 = "91371302MA3C00001"
    ent = Enterprise(name="临沂市兰山区示例服装有限公司", normalized_name="兰山区示例服装",
                     credit_code=code17 + credit_code_check_char(code17), region_code="371302")
    db_session.add(ent)
    db_session.flush()
    form = {"title": "缝纫工", "description": "平车缝制童装，长白班，包住宿。", "pay_min": "1.5", "pay_max": "3",
            "pay_unit": "piece", "headcount": "10", "education": "初中", "experience": "1年以上",
            "employment_type": "full_time", "welfare": "包住宿", "region_code": "371302"}
    posting, issues = submit_enterprise_posting(db_session, ent.id, form, user_id=None)
    assert posting is not None, issues
    assert (str(posting.pay_unit), posting.pay_min, posting.pay_max) == ("piece", 1.5, 3)
    assert posting.pay_monthly_min is None and posting.pay_monthly_max is None
    assert format_pay(posting) == "1.5-3元/件"
    assert not [i for i in issues if i.field == "pay"]
