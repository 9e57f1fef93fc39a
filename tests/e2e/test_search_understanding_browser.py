"""Browser test in Debian's Chromium on a phone-sized page: the issue's query table (#12) typed into
the search box the way people type. Postings of this test's own live in 贵州省安顺市 (no other
browser test uses it): a place becomes a removable chip, 不要夜班 excludes, 零工 finds the gig post
shown as 380元/天, a long self-description is relaxed with a notice, jvaa is corrected; every page
fits 390 px without sideways scrolling."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ANSHUN = "520402"  # 贵州省安顺市西秀区


@pytest.fixture(scope="module")
def anshun_postings(live_server):
    from sqlalchemy import select

    from core.channels.models import Channel
    from core.db import utcnow
    from core.enums import ChannelKind, EmploymentType, PayUnit, PostingStatus
    from core.postings.models import Posting
    from indexer.search.documents import posting_document
    from webapp.extensions import db

    app = live_server["app"]
    rows = [
        ("安顺保安（白班）", "西秀区小区白班巡逻保安，五险一金", EmploymentType.FULL_TIME, PayUnit.MONTH, 3800, 4500),
        ("安顺保安（夜班）", "西秀区工业园夜班保安", EmploymentType.FULL_TIME, PayUnit.MONTH, 4000, 4800),
        ("仓库看守380一天", "物流仓库看守，日结", EmploymentType.GIG, PayUnit.DAY, 380, 380),
        ("Java开发工程师（安顺）", "政务系统 Spring 开发", EmploymentType.FULL_TIME, PayUnit.MONTH, 9000, 12000),
    ]
    with app.app_context():
        channel = db.session.scalar(select(Channel).where(Channel.code == "e2e-anshun"))
        if channel is None:
            channel = Channel(code="e2e-anshun", name="安顺市公共就业服务", kind=ChannelKind.PUBLIC_AGENCY)
            db.session.add(channel)
            db.session.flush()
        made = {}
        for title, desc, etype, unit, lo, hi in rows:
            factor = 21.75 if unit == PayUnit.DAY else 1
            p = Posting(title=title, description=desc, channel_id=channel.id, region_code=ANSHUN, employment_type=etype,
                        pay_min=lo, pay_max=hi, pay_unit=unit, pay_monthly_min=lo * factor,
                        pay_monthly_max=hi * factor, status=PostingStatus.PUBLISHED, published_at=utcnow())
            db.session.add(p)
            db.session.flush()
            made[title] = p
        db.session.commit()
        backend = app.extensions["search"]
        result = backend.upsert("postings", [posting_document(p, "public_agency") for p in made.values()])
        assert not result.failed
        return {t: p.id for t, p in made.items()}


def _search(page, base: str, words: str) -> str:
    page.goto(base + "/search")
    page.fill("#q", words)
    page.locator("#search-form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{words}: the page is {width} px wide on a 390 px phone"
    return page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def test_the_issue_query_table_on_a_phone(live_server, anshun_postings, phone_page, tmp_path):
    base, page = live_server["url"], phone_page

    text = _search(page, base, "安顺 保安 不要夜班")
    assert "地区：贵州省安顺市 ✕" in text and "排除：不要“夜班” ✕" in text
    assert "安顺保安（白班）" in text and "安顺保安（夜班）" not in text
    _shot(page, tmp_path, "search-anshun-guard")
    page.get_by_text("地区：贵州省安顺市 ✕").click()
    page.wait_for_load_state("domcontentloaded")
    assert "地区：" not in page.inner_text("body")
    assert page.input_value("#q") == "保安 不要夜班"

    text = _search(page, base, "想找保安工作")
    assert "安顺保安（白班）" in text and "没有找到符合条件的岗位" not in text

    text = _search(page, base, "安顺 零工")
    assert "仓库看守380一天" in text and "380元/天" in text and "用工形式：零工 ✕" in text

    text = _search(page, base, "我以前在安顺当过保安，也想做仓库看守，最好包吃住")
    assert "以下是部分符合的" in text or "后面是部分符合的" in text
    assert "没有找到符合条件的岗位" not in text

    text = _search(page, base, "jvaa")
    assert "您是不是要找“java”" in text and "Java开发工程师（安顺）" in text
    _shot(page, tmp_path, "search-did-you-mean")
