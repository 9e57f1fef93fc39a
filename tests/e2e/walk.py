"""Shared by the page walks (plain words, accessibility): objects built once per live server, so
two walk modules in one run do not create the same accounts twice, and axe-core run on a page."""
from __future__ import annotations

import datetime as dt
from typing import Callable

AXE_URL = "/static/vendor/axe.min.js"  # served by the app itself (make assets copies it from npm)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SEVERE = ("serious", "critical")

RUN_AXE = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.split('\\n').slice(1, 2).join('') : ''))}));
}"""


def once_per_server(live_server: dict, key: str, build: Callable[[dict], dict]) -> dict:
    """``build(live_server)`` the first time any module asks for ``key``; the same result afterwards."""
    cache = live_server.setdefault("_walk_cache", {})
    if key not in cache:
        cache[key] = build(live_server)
    return cache[key]


def axe_violations(page, base: str, tags: list[str] | None = None, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the loaded page (the script injected from the app's own static file)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=base + AXE_URL)
    options: dict = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    else:
        options["runOnly"] = {"type": "tag", "values": tags or WCAG_TAGS}
    return page.evaluate(RUN_AXE, options)


def severe(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SEVERE]


# --- a person on a phone (the journeys' shared steps) ----------------------------------------------

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


def phone_sign_in(browser, base: str, account: tuple[str, str]):
    """A new phone-sized browser context signed in through the real login form: (context, page)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", account[0])
    page.fill("#password", account[1])
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")
    return context, page


def screenshot(page, tmp_path, name: str) -> None:
    """A full-page screenshot in the test's temporary folder (E2E_SCREENSHOTS when set)."""
    import os
    from pathlib import Path

    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def month_back(back: int) -> str:
    """The month ``back`` months before this one, as "YYYY-MM" (a monthly report's month)."""
    today = dt.date.today().replace(day=1)
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{y}-{m + 1:02d}"
