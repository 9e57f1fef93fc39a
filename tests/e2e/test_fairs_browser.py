"""One job fair journey in Debian's Chromium on a 390 px phone viewport, in 临沂 蒙阴县 (no other browser
test works there): a commissioner creates a fair and opens booth requests → an enterprise applies for
a booth → the commissioner approves and opens registration → a jobseeker registers and gets a code →
the door checks the visitor in by scanning that QR code through the camera (Chromium's fake camera fed
with a video of the code) and by typing it (已签到) → the enterprise records an intention → the report's
counts equal the database's."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .test_review_browser import _login

pytestmark = pytest.mark.e2e

REGION = "371328"  # 临沂 蒙阴县
PASSWORD = "Meng-Shan-Yi-Shui-2026"
USERS = {"commissioner": "e2e_fair_zhuanyuan", "enterprise": "e2e_fair_danwei", "jobseeker": "e2e_fair_qiuzhi"}
FAIR_TITLE = "蒙阴县退役军人专场招聘会"


@pytest.fixture(scope="module")
def fair_people(live_server):
    from core.accounts.services import create_user
    from core.channels.models import Channel
    from core.enterprises.models import Enterprise
    from core.enums import ChannelKind
    from core.postings.models import Posting
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        ent = Enterprise(name="蒙阴县蜜桃食品有限公司", normalized_name="蒙阴县蜜桃食品", region_code=REGION,
                         verification_status="verified")
        ch = Channel(code="e2e-fair-direct", name="单位自主发布", kind=ChannelKind.ENTERPRISE_DIRECT, region_code=REGION)
        db.session.add_all([ent, ch])
        db.session.flush()
        post = Posting(title="食品包装工", description="蜜桃罐头包装，包吃住。", enterprise_id=ent.id, channel_id=ch.id,
                       region_code=REGION, status="published", pay_monthly_min=4500, headcount=10)
        db.session.add(post)
        create_user(db.session, username=USERS["commissioner"], password=PASSWORD, role="commissioner",
                    display_name="孟专员", region_code=REGION)
        create_user(db.session, username=USERS["enterprise"], password=PASSWORD, role="enterprise",
                    display_name="蜜桃食品招聘", enterprise_id=ent.id)
        seeker_user = create_user(db.session, username=USERS["jobseeker"], password=PASSWORD, role="jobseeker",
                                  display_name="孙立军")
        with app.test_request_context():
            create_jobseeker(db.session, cipher(), user_id=seeker_user.id, name="孙立军", phone="13905390000",
                             region_code=REGION)
        db.session.commit()
        return {"posting_id": post.id}


def _phone(browser, **extra):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="zh-CN", **extra)
    return context, context.new_page()


def _y4m_of_qr(text: str, path: Path, width: int = 640, height: int = 480) -> Path:
    """A short video (YUV4MPEG2, 4:2:0) of the QR code, black on white, for Chromium's fake camera."""
    import segno

    qr = segno.make(text, error="m")
    rows = [list(r) for r in qr.matrix]
    scale = min(width, height) // (len(rows) + 8)
    y_plane = bytearray(b"\xff" * (width * height))
    left, top = (width - len(rows) * scale) // 2, (height - len(rows) * scale) // 2
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + r * scale + dy) * width + left + c * scale
                    y_plane[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * ((width // 2) * (height // 2))
    frame = b"FRAME\n" + bytes(y_plane) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 20)
    return path


def _commissioner_creates_fair(page, base) -> int:
    _login(page, base, USERS["commissioner"], PASSWORD)
    page.goto(base + "/fairs/")
    page.get_by_role("link", name="登记招聘会").click()
    page.fill("input[name=title]", FAIR_TITLE)
    page.fill("input[name=region_code]", REGION)
    page.fill("input[name=venue]", "蒙阴县人力资源市场")
    page.fill("input[name=date]", (dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.fill("input[name=booth_capacity]", "10")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert FAIR_TITLE in page.inner_text("h1")
    fair_id = int(page.url.rstrip("/").split("/")[-2])
    page.get_by_role("button", name="进入下一步：展位报名中").click()
    page.wait_for_load_state("domcontentloaded")
    assert "展位报名中" in page.inner_text("main")
    return fair_id


def _enterprise_applies(page, base, fair_id: int) -> None:
    _login(page, base, USERS["enterprise"], PASSWORD)
    page.goto(f"{base}/fairs/{fair_id}")
    page.get_by_role("link", name="申请展位").click()
    page.check("input[name=posting_ids]")
    page.fill("input[name=headcount]", "6")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state("domcontentloaded")
    assert "展位申请已提交" in page.inner_text("main")


def _jobseeker_registers(page, base, fair_id: int) -> str:
    _login(page, base, USERS["jobseeker"], PASSWORD)
    page.goto(f"{base}/fairs/{fair_id}")
    page.get_by_role("button", name="报名参加").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("[data-testid=pass-qr] svg").count() == 1
    # the inbox's notice opens the code page in one tap; the code fills the phone's width for the door
    page.goto(f"{base}/me/inbox")
    page.locator(".inbox-open button", has_text="招聘会签到码").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/fairs/{fair_id}/pass")
    assert page.locator("[data-testid=pass-qr] svg").bounding_box()["width"] >= 300
    page.emulate_media(media="print")  # printed: the code about 8 cm wide, no buttons or links
    assert 280 <= page.locator("[data-testid=pass-qr] svg").bounding_box()["width"] <= 320
    assert not page.get_by_role("button", name="不去了，取消报名").is_visible()
    page.emulate_media(media="screen")
    return page.inner_text("[data-testid=pass-code]").strip()


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 391, page.url


def test_fair_journey_on_a_phone(live_server, fair_people, browser, tmp_path):
    from sqlalchemy import func, select

    from core.fairs.codes import qr_text
    from core.fairs.models import FairConversation, FairRegistration
    from webapp.extensions import db

    base = live_server["url"]
    ctx_c, staff = _phone(browser)
    fair_id = _commissioner_creates_fair(staff, base)
    ctx_e, ent = _phone(browser)
    _enterprise_applies(ent, base, fair_id)

    staff.goto(f"{base}/fairs/{fair_id}/manage")
    assert "资格审核：已认证" in staff.inner_text("main")
    staff.get_by_role("button", name="通过并分配展位号").click()
    staff.wait_for_load_state("domcontentloaded")
    assert "展位号 1" in staff.inner_text("main")
    staff.get_by_role("button", name="进入下一步：求职者报名中").click()
    staff.wait_for_load_state("domcontentloaded")
    _no_overflow(staff)

    ctx_s, seeker = _phone(browser)
    code = _jobseeker_registers(seeker, base, fair_id)
    _no_overflow(seeker)
    app = live_server["app"]
    with app.app_context():
        token = db.session.scalar(select(FairRegistration.token).where(FairRegistration.fair_id == fair_id))
    assert len(code) == 6

    # the door: a second Chromium whose camera films the visitor's QR code
    video = _y4m_of_qr(qr_text(token), tmp_path / "qr.y4m")
    camera = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        ctx_d, door = _phone(camera, permissions=["camera"])
        _login(door, base, USERS["commissioner"], PASSWORD)
        door.goto(f"{base}/fairs/{fair_id}/door")
        door.get_by_role("button", name="用摄像头扫码签到").click()
        door.wait_for_selector(".door-ok", timeout=20000)
        assert "签到成功" in door.inner_text("[data-door-result]")
        door.get_by_role("button", name="停止扫码").click()
        door.fill("#door-code", code)
        door.get_by_role("button", name="签到", exact=True).click()
        door.wait_for_selector(".door-already", timeout=10000)
        assert "已签到" in door.inner_text("[data-door-result]")
        _no_overflow(door)
        ctx_d.close()
    finally:
        camera.close()

    ent.goto(f"{base}/fairs/{fair_id}/booth")
    ent.fill("#int-code", code)
    ent.get_by_role("button", name="记录达成意向").click()
    ent.wait_for_load_state("domcontentloaded")
    assert "已记录达成意向" in ent.inner_text("main")
    _no_overflow(ent)

    staff.goto(f"{base}/fairs/{fair_id}/report")
    shown = {m: int(staff.inner_text(f"[data-measure={m}]")) for m in
             ("registrations", "checked_in", "conversations", "intentions", "booths", "headcount")}
    with app.app_context():
        regs = db.session.scalar(select(func.count()).select_from(FairRegistration).where(
            FairRegistration.fair_id == fair_id, FairRegistration.cancelled_at.is_(None)))
        checked = db.session.scalar(select(func.count()).select_from(FairRegistration).where(
            FairRegistration.fair_id == fair_id, FairRegistration.checked_in_at.is_not(None)))
        convs = db.session.scalar(select(func.count()).select_from(FairConversation).where(
            FairConversation.fair_id == fair_id))
        intents = db.session.scalar(select(func.count()).select_from(FairConversation).where(
            FairConversation.fair_id == fair_id, FairConversation.intention.is_(True)))
    assert shown == {"registrations": regs, "checked_in": checked, "conversations": convs, "intentions": intents,
                     "booths": 1, "headcount": 6}
    assert (regs, checked, intents) == (1, 1, 1)
    for ctx in (ctx_c, ctx_e, ctx_s):
        ctx.close()


@pytest.fixture(scope="module")
def walk_fair(live_server, fair_people):
    """A second fair in 蒙阴县, open to visitors, with the enterprise's booth, the jobseeker registered
    and one intention recorded, so that every fair page has something to show."""
    from sqlalchemy import select

    from core.accounts.models import User
    from core.fairs import booth as booths
    from core.fairs import services as svc
    from core.seekers.models import Jobseeker
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        users = {k: db.session.scalar(select(User).where(User.username == v)) for k, v in USERS.items()}
        fair = svc.create_fair(db.session, users["commissioner"], {
            "title": "蒙阴县高校毕业生专场招聘会", "theme": "graduates", "region_code": REGION, "venue": "蒙阴县体育馆",
            "date": (dt.date.today() + dt.timedelta(days=9)).isoformat(), "target_groups": ["graduate"]})
        svc.advance_fair(db.session, users["commissioner"], fair.id)
        booth = svc.request_booth(db.session, users["enterprise"], fair.id, posting_ids=[fair_people["posting_id"]],
                                  headcount="2")
        svc.approve_booth(db.session, users["commissioner"], fair.id, booth.id)
        svc.advance_fair(db.session, users["commissioner"], fair.id)
        seeker = db.session.scalar(select(Jobseeker).where(Jobseeker.user_id == users["jobseeker"].id))
        reg = svc.register_for_fair(db.session, fair.id, seeker.id)
        booths.record_intention(db.session, users["enterprise"], fair.id, reg.code, fair_people["posting_id"])
        db.session.commit()
        return fair.id


def test_fair_pages_in_plain_words_and_phone_wide(live_server, walk_fair, browser):
    """The plain-words walk's own checks (no codes, commands or English in errors; nothing wider than
    a 390 px phone) and axe-core's serious and critical findings on every fair page of each role."""
    from .test_plain_words_browser import _check
    from .walk import axe_violations, severe

    base, f = live_server["url"], walk_fair
    pages = {
        "public": ["/fairs/", f"/fairs/{f}", "/fairs/?theme=graduates"],
        "jobseeker": ["/fairs/", f"/fairs/{f}", f"/fairs/{f}/pass", f"/fairs/{f}/for-me"],
        "enterprise": ["/fairs/", f"/fairs/{f}", f"/fairs/{f}/apply", f"/fairs/{f}/booth"],
        "commissioner": ["/fairs/", "/fairs/plan", "/fairs/new", f"/fairs/{f}/edit", f"/fairs/{f}/manage",
                         f"/fairs/{f}/door", f"/fairs/{f}/report", f"/fairs/{f}/poster", "/fairs/follow-ups",
                         f"/fairs/{f}/booth-numbers",
                         f"/fairs/{f}"],
    }
    words: list[str] = []
    overflow: list[str] = []
    axe: list[str] = []
    for role, urls in pages.items():
        context, page = _phone(browser)
        if role != "public":
            _login(page, base, USERS[role], PASSWORD)
        for url in urls:
            resp = page.goto(base + url, wait_until="domcontentloaded")
            assert resp.status == 200, (role, url, resp.status)
            _check(page, role, url, words, overflow)
            axe.extend(f"{role} {url}: {v['id']} {v['targets']}" for v in severe(axe_violations(page, base)))
        context.close()
    assert words == [] and overflow == [] and axe == [], (words, overflow, axe)
