"""Large-text mode (大字模式, the elderly-friendly norm): on every page a jobseeker, an enterprise or a
visitor sees, at a phone's width, the text is large, contrast reaches 7:1, nothing is wider than the
screen and buttons are at least 44 px high; font sizes follow the browser's own setting. Its own file
so that `make test`'s two processes can walk it beside the accessibility walk."""
from __future__ import annotations

import re

import pytest

from .conftest import REPO
from .test_accessibility_browser import WIDTHS, _context
from .test_plain_words_browser import PASSWORD, USERS, _page_urls, tiny_matcher, walk_data
from .test_review_browser import _login
from .walk import axe_violations

pytestmark = pytest.mark.e2e
__all__ = ["tiny_matcher", "walk_data"]  # fixtures shared with the plain-words walk


# --- 大字模式 (适老化) ------------------------------------------------------------------------------

LARGE_TEXT_ROLES = ["public", "jobseeker", "enterprise"]  # the people the elderly-friendly norm is for
LARGE_STATE = """() => {
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const small = [...document.querySelectorAll('main button, main .button, .topbar button')]
    .filter(b => b.getClientRects().length && b.getBoundingClientRect().height < 44).map(b => b.innerText.trim()).slice(0, 3);
  return {on: document.documentElement.classList.contains('large-text'), root: px(document.documentElement),
          body: px(document.body), scroll: document.documentElement.scrollWidth, small};
}"""


def _switch_large_text(page, base: str, on: bool) -> None:
    page.goto(base + "/", wait_until="load")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="大字模式" if on else "标准字号").click()


def _walk_large(browser, base: str, role: str, urls: list[str], problems: dict) -> int:
    context = _context(browser, "phone")
    page = context.new_page()
    checked = 0
    try:
        if role != "public":
            _login(page, base, USERS[role][0], PASSWORD)
        _switch_large_text(page, base, True)
        for url in urls:
            page.goto(base + url, wait_until="load")
            state = page.evaluate(LARGE_STATE)
            found = [f"not in large text (body {state['body']}px)"] if not state["on"] or state["body"] < 18 else []
            if state["scroll"] > WIDTHS["phone"]["width"]:
                found.append(f"{state['scroll']}px wide")
            if state["small"]:
                found.append(f"buttons under 44px high: {state['small']}")
            found += [f"below 7:1: {t}" for v in axe_violations(page, base, rules=["color-contrast-enhanced"])
                      for t in v["targets"]]
            for problem in found:
                problems.setdefault(problem, []).append(f"{role} {url}")
            checked += 1
    finally:
        if role != "public":  # the walk accounts are shared with the plain-words walk: put the setting back
            _switch_large_text(page, base, False)
        context.close()
    return checked


# Pages for a screen, not a person's own device: the livestream overlay (composed into the stream by the
# streaming software at the stream's size) and the carousel (a service-hall screen) size their own type.
SCREEN_PAGES = re.compile(r"/(?:overlay|carousel)$")


def test_large_text_mode_is_large_high_contrast_and_fits_a_phone(live_server, walk_data, browser):
    urls = [u for u in _page_urls(live_server["app"], walk_data) if not SCREEN_PAGES.search(u.split("?")[0])]
    problems: dict[str, list[str]] = {}
    checked = sum(_walk_large(browser, live_server["url"], role, urls, problems) for role in LARGE_TEXT_ROLES)
    assert checked >= 3 * 30
    assert not problems, "large-text mode:\n  " + "\n  ".join(
        f"{problem}\n    on {len(pages)} page(s), e.g. {', '.join(pages[:3])}" for problem, pages in problems.items())


def test_text_sizes_follow_the_browser_setting():
    """Font sizes in rem/em/%: a person who set a larger font in the browser gets it (no px font sizes)."""
    css = (REPO / "webapp" / "static" / "css" / "joblink.css").read_text(encoding="utf-8")
    assert re.findall(r"font-size:\s*[\d.]+px", css) == []
    assert re.search(r"html\.large-text\s*\{\s*font-size:\s*125%", css)
