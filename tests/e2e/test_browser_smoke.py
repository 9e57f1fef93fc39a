"""Browser smoke test in Debian's Chromium: search from the home page, open a posting, log in, apply;
phone-size screenshots are kept in the test's temporary folder (and in E2E_SCREENSHOTS when set)."""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

from .conftest import SEEKER_PASSWORD, SEEKER_USERNAME  # noqa: E402


def _shot(page, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 5000  # a rendered page, not a blank image
    return path


def _search_word(titles: list[str]) -> str:
    """A two-character word that appears in several loaded titles (real data decides which)."""
    counts = Counter(t[i:i + 2] for t in titles for i in range(len(t) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", t[i:i + 2]))
    word, n = counts.most_common(1)[0]
    assert n >= 2
    return word


def test_search_open_posting_log_in_and_apply(live_server, phone_page, tmp_path):
    page = phone_page
    base = live_server["url"]
    assert live_server["titles"], "no published postings were loaded"
    word = _search_word(live_server["titles"])

    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(base + "/")
    assert page.title().startswith("首页")
    box = page.locator("form.search-box input[name=q]")
    assert box.is_visible()
    # mobile first: nothing wider than the phone screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, tmp_path, "01-home")

    box.fill(word)
    box.press("Enter")
    page.wait_for_load_state("domcontentloaded")
    links = page.locator("a.posting-link")
    links.first.wait_for(timeout=15000)
    assert links.count() >= 1
    first_title = links.first.inner_text().strip()
    _shot(page, tmp_path, "02-results")

    links.first.click()
    page.wait_for_load_state("domcontentloaded")
    heading = page.locator("h1.posting-title")
    assert heading.inner_text().strip() == first_title
    assert re.search(r"/postings/\d+", page.url)
    posting_url = page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, tmp_path, "03-posting")

    page.get_by_role("link", name="登录后投递").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/login" in page.url
    page.fill("#username", SEEKER_USERNAME)
    page.fill("#password", SEEKER_PASSWORD)
    _shot(page, tmp_path, "04-login")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.split("?")[0] == posting_url.split("?")[0]  # back where the person was
    assert "赵六" in page.locator("header").inner_text()

    page.get_by_role("button", name="投递简历").click()
    page.wait_for_load_state("domcontentloaded")
    assert "投递成功" in page.locator(".flash").inner_text()
    _shot(page, tmp_path, "05-applied")

    page.goto(base + "/me/applications")
    assert first_title in page.locator(".posting-list").inner_text()
    # nothing is fetched from the internet: every request went to this server
    assert requested and all(u.startswith(base) for u in requested), [u for u in requested if not u.startswith(base)]


def test_wrong_password_shows_message(live_server, phone_page):
    page = phone_page
    page.goto(live_server["url"] + "/login")
    page.fill("#username", SEEKER_USERNAME)
    page.fill("#password", "not-the-right-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")
    assert "用户名或密码不正确" in page.locator(".field-error").inner_text()
