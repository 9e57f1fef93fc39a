"""Browser test in Debian's Chromium on a phone (390x844): a walk-in registers, takes the way in to the
quick profile (快速求职登记), types the everyday name 电焊工 and picks 焊工 from the occupation typeahead
with the keyboard, picks 兰山区 the same way, saves, and lands on 为我推荐; the database holds the code
6-18-02-04. Screenshots go to the test's temporary folder (and E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import re

import pytest

from .test_forms_browser import _fits_phone, _shot

pytestmark = pytest.mark.e2e

USERNAME, PASSWORD = "e2e_dianhangong", "Wo-Jia-Men-Kou-You-3-Ke-Shu"
WELDER = "6-18-02-04"


def _saved(live_server):
    from sqlalchemy import select

    from core.accounts.models import User
    from core.seekers.models import Jobseeker
    from webapp.extensions import db

    with live_server["app"].app_context():
        user = db.session.scalar(select(User).where(User.username == USERNAME))
        return db.session.scalar(select(Jobseeker).where(Jobseeker.user_id == user.id))


def _register(page, base):
    page.goto(base + "/register/jobseeker")
    page.fill("#f-username", USERNAME)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.fill("#f-name", "钱八")
    page.fill("#f-phone", "13700001111")
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/me/profile/edit" in page.url, page.locator("main").inner_text()[:500]


def _pick(page, box, typed: str, option_name: re.Pattern):
    """Type into a typeahead field, wait for the option, choose it with ArrowDown/Enter."""
    box.fill("")
    box.press_sequentially(typed, delay=60)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    options = listbox.get_by_role("option")
    options.first.wait_for(timeout=10000)
    names = [o.inner_text() for o in options.all()]
    target = next(i for i, n in enumerate(names) if option_name.search(n))
    for _ in range(target + 1):
        box.press("ArrowDown")
    chosen = options.nth(target)
    assert box.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    assert chosen.get_attribute("aria-selected") == "true"
    box.press("Enter")  # picks; does not submit the form
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    return names


def test_walk_in_fills_the_quick_profile_with_an_everyday_name(live_server, phone_page, tmp_path):
    page = phone_page
    base = live_server["url"]
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    _register(page, base)
    page.get_by_role("link", name="1分钟快速登记").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/me/quick") and page.locator("h1").inner_text() == "快速求职登记"
    assert page.locator("#f-phone").input_value() == "13700001111"  # from the registration

    work = page.locator("#f-work")
    assert work.get_attribute("role") == "combobox"
    names = _pick(page, work, "电焊工", re.compile(r"^焊工"))
    assert "电焊工" in names[0] and WELDER in names[0]  # the everyday name that found it is shown
    _shot(page, tmp_path, "quick-01-picked-work")
    assert work.input_value() == "焊工"
    assert _fits_phone(page)

    _pick(page, page.locator("#f-region_code"), "兰山", re.compile(r"^山东省临沂市兰山区"))
    assert page.locator("#f-region_code").input_value() == "山东省临沂市兰山区"
    page.select_option("#f-availability", "within_month")
    page.get_by_label("同意根据我填的内容为我推荐岗位").check()
    _shot(page, tmp_path, "quick-02-filled")
    page.get_by_role("button", name="保存，看推荐岗位").click()
    page.wait_for_load_state("domcontentloaded")

    assert page.url.endswith("/seeker/recommendations")
    assert page.locator("h1").inner_text() == "为我推荐的岗位"
    assert "已保存" in page.locator(".flash").first.inner_text()
    assert _fits_phone(page)
    _shot(page, tmp_path, "quick-03-recommendations")
    seeker = _saved(live_server)
    assert seeker.desired_occupations == [WELDER] and seeker.region_code == "371302"
    assert seeker.phone == "13700001111" and seeker.consent_recommendation
    assert requested and all(u.startswith(base) for u in requested), [u for u in requested if not u.startswith(base)]
