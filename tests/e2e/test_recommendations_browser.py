"""为我推荐 in Debian's Chromium on a phone (390x844): a walk-in registers, fills the quick profile with
the everyday words 仓库管理员 in 费县 (this test's own county, so no other browser test's postings mix
in), lands on 为我推荐, reads cards with company, pay per day, place, distance and reasons in second
person, applies from a card with one tap and sees the card say 已投递. No horizontal scroll."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_forms_browser import _fits_phone, _shot

pytestmark = pytest.mark.e2e

USERNAME, PASSWORD = "e2e_cangguan", "Fei-Xian-Cang-Ku-2026-Qiu"
COUNTY = "371325"  # 费县
STORE_TITLE, GUARD_TITLE = "费县物流园仓库管理员", "费县小区保安员"


@pytest.fixture(scope="module")
def recommending_server(live_server, tmp_path_factory):
    """The live server with a tiny matching model and two postings in 费县 (restored afterwards)."""
    from core.enterprises.models import Enterprise
    from core.matching.pool import clear_pools
    from core.postings.models import Posting
    from core.reference.models import Region
    from matching.training import train_encoder
    from webapp.extensions import db
    from webapp.matching.runtime import reset_ranker

    app = live_server["app"]
    model = tmp_path_factory.mktemp("recs-model")
    train_encoder(Path(__file__).resolve().parents[1] / "fixtures" / "matching", model, epochs=4, dim=32,
                  vocab_size=3000, batch_size=64, time_budget_s=None, log=lambda _: None)
    old = app.config.get("MATCHER_MODEL")
    with app.app_context():
        county = db.session.get(Region, COUNTY)
        ent = Enterprise(name="费县顺达物流有限公司", normalized_name="费县顺达物流")
        db.session.add(ent)
        db.session.flush()
        common = dict(region_code=COUNTY, status="published", headcount=3, enterprise_id=ent.id)
        store = Posting(title=STORE_TITLE, description="负责货物出入库登记、盘点，会用手机扫码即可",
                        occupation_code="4-02-06-01", lat=county.lat + 0.04, lon=county.lon, pay_min=150, pay_max=180,
                        pay_unit="day", pay_monthly_min=3900, pay_monthly_max=4680, employment_type="gig", **common)
        guard = Posting(title=GUARD_TITLE, description="小区门岗值守、夜间巡逻", occupation_code="4-07-05-01",
                        lat=county.lat - 0.05, lon=county.lon + 0.02, pay_min=3000, pay_max=3500, pay_unit="month",
                        pay_monthly_min=3000, pay_monthly_max=3500, **common)
        db.session.add_all([store, guard])
        db.session.commit()
        ids = (store.id, guard.id)
    app.config["MATCHER_MODEL"] = str(model)
    reset_ranker(app)
    yield {**live_server, "store": ids[0], "guard": ids[1]}
    app.config["MATCHER_MODEL"] = old
    reset_ranker(app)
    clear_pools()


def _card(page, posting_id: int):
    return page.locator(f"#posting-{posting_id}")


def test_walk_in_gets_cards_with_reasons_applies_and_sees_it(recommending_server, phone_page, tmp_path):
    page, base = phone_page, recommending_server["url"]
    page.goto(base + "/register/jobseeker")
    page.fill("#f-username", USERNAME)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.fill("#f-name", "孙九")
    page.fill("#f-phone", "13700002222")
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state("domcontentloaded")
    page.goto(base + "/me/quick")
    page.fill("#f-work", "仓库管理员")
    page.locator("#f-work").press("Escape")
    page.fill("#f-region_code", "费县")
    page.locator("#f-region_code").press("Escape")
    page.get_by_label("同意根据我填的内容为我推荐岗位").check()
    page.get_by_role("button", name="保存，看推荐岗位").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/seeker/recommendations"), page.locator("main").inner_text()[:600]

    store = _card(page, recommending_server["store"])
    text = store.inner_text()
    assert STORE_TITLE in text and "费县顺达物流有限公司" in text and "150-180元/天" in text and "零工" in text
    assert re.search(r"离您约 4\.\d 公里", text), text
    assert "与您想做的仓库管理员是同一类工作" in text
    main = page.locator("main").inner_text()
    assert "匹配度" not in main and "编码" not in main and not re.search(r"[a-z]+_[a-z_]+", main)
    assert _fits_phone(page)
    _shot(page, tmp_path, "recs-01-cards")

    store.get_by_role("button", name="投递").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/seeker/recommendations" in page.url
    assert "投递成功" in page.locator(".flash").first.inner_text()
    store = _card(page, recommending_server["store"])
    assert "已投递" in store.inner_text() and store.get_by_role("button", name="投递").count() == 0
    guard = _card(page, recommending_server["guard"])
    assert guard.count() == 0 or "已投递" not in guard.inner_text()
    assert _fits_phone(page)
    _shot(page, tmp_path, "recs-02-applied")
