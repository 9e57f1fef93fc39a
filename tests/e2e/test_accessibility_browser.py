"""axe-core (WCAG 2.1 A and AA) on every page of the app, once per role (public, jobseeker,
enterprise, commissioner, reviewer, admin), at a desktop's width (1280 px; the plain-words walk runs
axe at the phone's 390 px on the same visit as its own checks), plus the error states of the
plain-words walk (bad search filters, forms submitted empty). Fails on
any serious or critical finding, naming the rule and the page. axe is served by the app itself from
/static/vendor/axe.min.js (installed from npm; never a CDN)."""
from __future__ import annotations

import re

import pytest

from .test_plain_words_browser import (BAD_FILTERS, EMPTY_FORMS, PASSWORD, ROLES, SUBMIT_EMPTY, USERS, _page_urls,
                                       tiny_matcher, walk_data)
from .test_review_browser import _login
from .walk import axe_violations, severe

pytestmark = pytest.mark.e2e
__all__ = ["tiny_matcher", "walk_data"]  # fixtures shared with the plain-words walk

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def _context(browser, width: str):
    if width == "phone":
        return browser.new_context(viewport=WIDTHS[width], device_scale_factor=1, is_mobile=True, has_touch=True,
                                   locale="zh-CN")
    return browser.new_context(viewport=WIDTHS[width], locale="zh-CN")


def _record(found: dict, page, base: str, where: str) -> None:
    """Findings by rule, then by element (the same element on many pages is one fix)."""
    for v in severe(axe_violations(page, base)):
        by_element = found.setdefault((v["id"], v["impact"], v["help"]), {})
        for target in v["targets"]:
            by_element.setdefault(target, []).append(where)


def _walk(browser, base: str, role: str, width: str, urls: list[str], forms: list[str], found: dict) -> int:
    context = _context(browser, width)
    page = context.new_page()
    checked = 0
    try:
        if role != "public":
            _login(page, base, USERS[role][0], PASSWORD)
            assert "/login" not in page.url, f"{role} could not log in"
        for url in urls + BAD_FILTERS:
            page.goto(base + url, wait_until="load")
            _record(found, page, base, f"{role}@{width} {url}")
            checked += 1
        for url in forms:
            page.goto(base + url, wait_until="load")
            with page.expect_navigation(wait_until="load"):
                assert page.evaluate(SUBMIT_EMPTY), f"{role} {url}: no form to submit"
            _record(found, page, base, f"{role}@{width} {url} (submitted empty)")
            checked += 1
    finally:
        context.close()
    return checked


@pytest.mark.parametrize("width", ["desktop"])  # "phone": in test_plain_words_browser's walk
def test_every_page_has_no_serious_accessibility_finding(live_server, walk_data, tiny_matcher, browser, width):
    urls = _page_urls(live_server["app"], walk_data)
    assert len(urls) >= 30, urls
    found: dict = {}
    checked = 0
    for role in ROLES:
        forms = [f.format(**walk_data["ids"]) for f in EMPTY_FORMS[role]]
        checked += _walk(browser, live_server["url"], role, width, urls, forms, found)
    assert checked >= 6 * 30
    report = [f"{rule} ({impact}: {help_}):\n    " + "\n    ".join(
                  f"{target}\n      on {len(pages)} page(s), e.g. {', '.join(pages[:3])}" for target, pages in elements.items())
              for (rule, impact, help_), elements in sorted(found.items())]
    assert not report, f"axe-core serious/critical findings at {width} width:\n  " + "\n  ".join(report)


def test_a_refused_sign_in_names_its_fields_and_takes_focus_to_the_summary(live_server, browser):
    context = _context(browser, "phone")
    page = context.new_page()
    base = live_server["url"]
    try:
        _login(page, base, USERS["jobseeker"][0], "Wrong-Password-Here-2026")
        state = page.evaluate("""() => {
          const pw = document.getElementById('password');
          const described = (pw.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
            .map(id => document.getElementById(id).innerText).join(' ');
          return {focus: document.activeElement.id, invalid: pw.getAttribute('aria-invalid'), described};
        }""")
        assert state == {"focus": "error-summary", "invalid": "true", "described": "用户名或密码不正确"}
        page.goto(base + "/password/reset", wait_until="load")  # a hint is read with its field
        hint = page.evaluate("() => document.getElementById(document.getElementById('f-code').getAttribute('aria-describedby')).innerText")
        assert "6位数字" in hint
    finally:
        context.close()


# --- 忘记密码 on a phone, by the labels a screen reader announces ---------------------------------------

RESET_USER = ("e2e_a11y_zhaohui", "13912347788")


@pytest.fixture(scope="module")
def reset_seeker(live_server):
    from core.accounts.services import create_user
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        user = create_user(db.session, username=RESET_USER[0], password=PASSWORD, role="jobseeker", display_name="赵慧")
        with app.test_request_context():
            create_jobseeker(db.session, cipher(), user_id=user.id, name="赵慧", phone=RESET_USER[1], region_code="371321")
        db.session.commit()
        return user.id


def _texted_code(app, user_id: int) -> str:
    import re as _re

    from sqlalchemy import select

    from core.notifications.models import NotificationDelivery
    from webapp.extensions import db

    with app.app_context():
        body = db.session.scalars(select(NotificationDelivery.body).where(NotificationDelivery.user_id == user_id)
                                  .order_by(NotificationDelivery.id.desc())).first()
    return _re.search(r"验证码是 (\d{6})", body).group(1)


def test_forgotten_password_on_a_phone(live_server, browser, reset_seeker):
    base, new_password = live_server["url"], "Shan-Qian-You-Ke-Zao-2027"
    context = _context(browser, "phone")
    page = context.new_page()
    try:
        page.goto(base + "/login", wait_until="load")
        page.get_by_role("link", name="忘记密码？").click()
        page.get_by_label("用户名或手机号").fill(RESET_USER[1])
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="获取验证码").click()
        assert "验证码已发送" in page.locator("[role=status]").inner_text()
        assert page.get_by_label("用户名或手机号").input_value() == RESET_USER[1]
        page.get_by_label("短信验证码").fill("000000" if _texted_code(live_server["app"], reset_seeker) != "000000" else "111111")
        page.get_by_label(re.compile("^新密码")).fill(new_password)
        page.get_by_label("再次输入新密码").fill(new_password)
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="设置新密码").click()
        assert page.evaluate("() => document.activeElement.id") == "error-summary"  # told, and where
        assert page.get_by_label("短信验证码").get_attribute("aria-invalid") == "true"
        assert severe(axe_violations(page, base)) == []
        page.get_by_label("短信验证码").fill(_texted_code(live_server["app"], reset_seeker))
        page.get_by_label(re.compile("^新密码")).fill(new_password)
        page.get_by_label("再次输入新密码").fill(new_password)
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="设置新密码").click()
        assert "/login" in page.url and "密码已重新设置" in page.locator("[role=status]").inner_text()
        _login(page, base, RESET_USER[0], new_password)
        assert "/login" not in page.url
    finally:
        context.close()
