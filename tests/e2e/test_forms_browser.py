"""Registration and the role areas in a phone-size Chromium: a bad ID number or credit code is shown
next to its field and nothing is created; corrected, the account is made and lands on its pages."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from core.identity import credit_code_check_char, id_number_check_char

from .conftest import ADMIN_USERNAME, SEEKER_PASSWORD

pytestmark = pytest.mark.e2e

PASSWORD = "Yi-Shan-Yi-Shui-2026"


def _shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_jobseeker_registers_after_fixing_id_number(live_server, phone_page, tmp_path):
    page = phone_page
    page.goto(live_server["url"] + "/register/jobseeker")
    user = "e2e_" + uuid.uuid4().hex[:8]
    page.fill("#f-username", user)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.fill("#f-name", "孙七")
    page.fill("#f-phone", "13700001111")
    page.fill("#f-id_number", "440106199001010000")  # wrong check digit
    page.fill("#f-region_code", "天河区")
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state("domcontentloaded")
    error = page.locator('.field-error[data-field="id_number"]')
    assert "校验位" in error.inner_text()
    assert _fits_phone(page)
    _shot(page, tmp_path, "10-register-error")
    first17 = "44010619900101001"
    page.fill("#f-id_number", first17 + id_number_check_char(first17))
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/me/profile/edit")
    assert "注册成功" in page.locator(".flash").inner_text()
    assert _fits_phone(page)
    _shot(page, tmp_path, "11-profile-edit")


def test_enterprise_registers_with_credit_code_and_sees_publish_form(live_server, phone_page, tmp_path):
    page = phone_page
    page.goto(live_server["url"] + "/register/enterprise")
    body = "9144010" + uuid.uuid4().hex[:10].upper().replace("I", "1").replace("O", "0").replace("S", "5").replace("V", "7").replace("Z", "2")
    code = body + credit_code_check_char(body)
    page.fill("#f-enterprise_name", "广州市天河区示范物流有限公司")
    page.fill("#f-credit_code", code[:-1] + ("1" if code[-1] != "1" else "2"))
    page.fill("#f-region_code", "440106")
    page.fill("#f-username", "e2e_ent_" + uuid.uuid4().hex[:6])
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state("domcontentloaded")
    assert "校验位" in page.locator('.field-error[data-field="credit_code"]').inner_text()
    page.fill("#f-credit_code", code)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/enterprise/postings")
    assert code in page.content()
    page.get_by_role("link", name="发布岗位").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#f-title").is_visible() and _fits_phone(page)
    _shot(page, tmp_path, "12-publish-form")
    page.fill("#f-title", "仓库理货员")
    page.fill("#f-pay_min", "5000")
    page.fill("#f-pay_max", "6500")
    page.fill("#f-headcount", "3")
    page.fill("#f-description", "负责仓库货物的收发、清点和上架，做六休一，包住宿。")
    page.get_by_role("button", name="提交发布").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/enterprise/postings")
    item = page.locator(".posting-item", has_text="仓库理货员")
    assert item.count() == 1
    assert item.locator(".status").inner_text() in ("已发布", "待审核")
    _shot(page, tmp_path, "14-my-postings")


def test_admin_sees_channel_list(live_server, phone_page, tmp_path):
    page = phone_page
    page.goto(live_server["url"] + "/login")
    page.fill("#username", ADMIN_USERNAME)
    page.fill("#password", SEEKER_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/admin/channels")
    assert page.locator("tr.channel-row").count() >= 1
    _shot(page, tmp_path, "13-admin-channels")
