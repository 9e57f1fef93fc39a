"""Browser test in Debian's Chromium: the region typeahead (地区联想) on a real form. A jobseeker types
兰山 into 所在地区, sees 山东省临沂市兰山区 among the suggestions, picks it with the keyboard, adds a
desired region the same way, saves, and the database holds the codes. On the search page the filter
takes a code. Screenshots go to the test's temporary folder (and E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SEEKER = ("e2e_diqu_qiuzhi", "Shan-Shui-Lan-Shan-2026")


def _shot(page, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 5000
    return path


@pytest.fixture(scope="module")
def seeker_id(live_server):
    """A jobseeker of this test's own (in 广州 天河区), so the shared e2e jobseeker stays as it was."""
    from core.accounts.services import create_user
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        user = create_user(db.session, username=SEEKER[0], password=SEEKER[1], role="jobseeker", display_name="孙七")
        with app.test_request_context():
            seeker = create_jobseeker(db.session, cipher(), user_id=user.id, name="孙七", phone="13912345678",
                                      region_code="440106")
        db.session.commit()
        return seeker.id


def _saved(live_server, seeker_id):
    from core.seekers.models import Jobseeker
    from webapp.extensions import db

    with live_server["app"].app_context():
        s = db.session.get(Jobseeker, seeker_id)
        return s.region_code, list(s.desired_regions or [])


def _login(page, base):
    page.goto(base + "/login")
    page.fill("#username", SEEKER[0])
    page.fill("#password", SEEKER[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")
    assert "孙七" in page.locator("header").inner_text()


def test_pick_region_with_keyboard_and_save(live_server, phone_page, seeker_id, tmp_path):
    page = phone_page
    base = live_server["url"]
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    _login(page, base)
    page.goto(base + "/me/profile/edit")

    box = page.locator("#f-region_code")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    box.fill("")
    box.press_sequentially("兰山", delay=60)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    option = listbox.get_by_role("option", name="山东省临沂市兰山区")
    option.wait_for(timeout=10000)
    assert box.get_attribute("aria-expanded") == "true"
    assert "371302" in option.inner_text()
    assert listbox.get_by_role("option").first.get_attribute("data-code") == "371302"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the list fits the phone
    _shot(page, tmp_path, "01-suggestions")

    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    assert option.get_attribute("aria-selected") == "true"
    box.press("Enter")  # picks the suggestion; does not submit the form
    assert "/me/profile/edit" in page.url
    assert box.input_value() == "山东省临沂市兰山区"
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"

    # several desired regions: the pick replaces only the item being typed
    desired = page.locator("#f-desired_regions")
    desired.fill("")
    desired.press_sequentially("兰山区、鼓楼", delay=60)
    dlist = page.locator("#" + desired.get_attribute("aria-controls"))
    dlist.get_by_role("option", name="福建省福州市鼓楼区").wait_for(timeout=10000)
    names = [o.inner_text() for o in dlist.get_by_role("option").all()]
    assert sum("鼓楼区" in n for n in names) >= 3  # same-named districts, told apart by full name
    dlist.scroll_into_view_if_needed()
    _shot(page, tmp_path, "02-gulou")
    target = next(i for i, n in enumerate(names) if n.startswith("福建省福州市鼓楼区"))
    for _ in range(target + 1):
        desired.press("ArrowDown")
    desired.press("Enter")
    assert desired.input_value() == "兰山区、福建省福州市鼓楼区"

    page.get_by_role("button", name="保存档案").click()
    page.wait_for_load_state("domcontentloaded")
    assert "档案已保存" in page.locator(".flash").inner_text()
    _shot(page, tmp_path, "03-saved")
    region, desired_codes = _saved(live_server, seeker_id)
    assert region == "371302"
    assert desired_codes == ["371302", "350102"]
    assert requested and all(u.startswith(base) for u in requested), [u for u in requested if not u.startswith(base)]


def test_escape_closes_and_search_filter_takes_the_code(live_server, phone_page, tmp_path):
    page = phone_page
    base = live_server["url"]
    page.goto(base + "/search")
    page.locator("#filters summary").click()  # folded on a phone
    box = page.locator("input[name=region]")
    assert box.evaluate("el => el.closest('label').textContent.trim()") == "地区（名称或代码）"
    assert box.get_attribute("data-region-typeahead") == "code"
    box.press_sequentially("天河", delay=60)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    option = listbox.get_by_role("option", name="广东省广州市天河区")
    option.wait_for(timeout=10000)
    box.press("Escape")
    assert listbox.is_hidden()
    box.press("ArrowDown")  # opens the list again
    option.wait_for(timeout=10000)
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "440106"
    _shot(page, tmp_path, "04-search-filter")
