"""Browser walk in Debian's Chromium at phone size (390x844): every page of the app, once per role
(public, jobseeker, enterprise, commissioner, reviewer, admin), plus typical error states (a search
with a bad filter, forms submitted empty). Fails on raw codes (`pay_missing`), shell commands
(`joblink validity sample`), model versions in the visible text, on any page wider than the phone, and
on any serious or critical axe-core finding (WCAG 2.1 A/AA) at this width: one visit of each page does
both (the accessibility walk covers the desktop width)."""
from __future__ import annotations

import re
from unittest.mock import patch

import pytest

from .conftest import REPO
from .test_review_browser import _login
from .walk import axe_violations, once_per_server, severe

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
MAX_HEADER_LINES = 2  # the name on one line, the menu on the next
PASSWORD = "Jiang-Nan-Ke-Cai-Lian-2026"
USERS = {  # role -> username, display name (digits keep the usernames themselves from reading as codes)
    "jobseeker": ("e2e2_qiuzhi", "孙七"), "enterprise": ("e2e2_qiye", "顺达人事"), "commissioner": ("e2e2_zhuanyuan", "周专员"),
    "reviewer": ("e2e2_shenhe", "吴审核"), "admin": ("e2e2_guanli", "郑管理"),
}
REGION = "371312"  # 临沂 河东区: no other browser test counts tasks there
LONG_CHANNEL = "临沂市河东区人力资源和社会保障局公共就业和人才服务中心线下招聘登记窗口（河东区人力资源市场）"
HELD_TEXT = "招聘包装工8名，限男性。入职需交押金300元。"
HELD_REASONS = (("discrimination_gender", "含性别限制", "description"), ("fee_or_deposit", "疑似收取押金", "description"),
                ("pay_missing", "未写明薪资待遇", "pay"),
                ("some_future_check", "", "some_internal_field"))  # a code with no name yet: never shown as itself
CODE = re.compile(r"(?<![A-Za-z0-9_.\-/@])[a-z]+_[a-z_]+(?![A-Za-z0-9])")
COMMAND = re.compile(r"(?<![A-Za-z])(?:joblink|flask|alembic|python)\s+[a-z-]+")
URL = re.compile(r"(?:https?://|www\.)\S+")
MODEL_VERSION = re.compile(r"(?<![A-Za-z0-9_.\-/@])[a-z][a-z0-9]*(?:-[a-z0-9]+)+-[0-9a-f]{8,}(?![A-Za-z0-9])")
# pages that are not HTML, or not pages at all
NOT_PAGES = re.compile(r"^/(?:api/|static/)|^/healthz$|\.(?:\w+|<[^>]+>)$")  # downloads (.xlsx, .<kind>) are no pages
# error states: a search with a bad filter, forms submitted empty (never a form that saves shared state)
BAD_FILTERS = ["/search?pay_min=abc&pay_max=-1&region=zz&page=x", "/search?region=不存在的地方",
               "/search?pay_unit=周", "/search?sort=最好", "/search?near=月球", "/search?q=仓库&sort=distance",
               "/search?show=fairs&q=招聘会", "/search?show=月球"]  # the fairs-only list, and a kind that is none
ENGLISH = re.compile(r"[A-Za-z]{2,}")  # an error message is read by people who may know no English at all
EMPTY_FORMS = {
    "public": ["/login", "/register/jobseeker", "/register/enterprise"],
    "jobseeker": ["/me/profile/edit", "/account/password"],
    "enterprise": ["/enterprise/postings/new", "/enterprise/postings/{posting_id}/edit", "/account/password"],
    "commissioner": ["/projects/new", "/projects/{project_id}/edit", "/projects/{project_id}/demands/new",
                     "/projects/{project_id}/demands/{demand_id}/edit"],
    "reviewer": ["/account/password"],
    "admin": ["/admin/channels/new"],
}
ROLES = ["public", *USERS]

PAGE_STATE = """(width) => {
  // a phone's browser widens its layout to fit a too-wide page, so innerWidth would hide the overflow
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1 && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1)) {
      wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' ' + Math.round(r.right) + 'px');
    }
  }
  // lines of the top bar: its brand and menu items, grouped by how far down they sit
  const tops = [...document.querySelectorAll('.topbar .brand, .topbar .nav > *')].filter(e => e.getClientRects().length)
    .map(e => e.getBoundingClientRect().top).sort((a, b) => a - b);
  const lines = tops.reduce((rows, top) => (rows.length && top - rows[rows.length - 1] < 12 ? rows : [...rows, top]), []).length;
  const alerts = [...document.querySelectorAll('[role=alert], .field-error, .error')].map(e => e.innerText).join(' | ');
  return {text: document.body.innerText, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 3), lines, alerts};
}"""

SUBMIT_EMPTY = """() => {
  const forms = [...document.querySelectorAll('main form, form')].filter(f => (f.method || '').toLowerCase() === 'post');
  const form = forms.sort((a, b) => b.elements.length - a.elements.length)[0];
  if (!form) return false;
  for (const el of form.elements) {
    if ((el.tagName === 'INPUT' && !['hidden', 'submit', 'button', 'checkbox', 'radio'].includes(el.type)) || el.tagName === 'TEXTAREA') el.value = '';
  }
  form.noValidate = true;
  const button = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
  if (button) { button.click(); } else { form.requestSubmit(); }
  return true;
}"""


@pytest.fixture(scope="module")
def tiny_matcher(live_server, tmp_path_factory):
    """The matching pages with real results (their reasons, scores and filters), not only "no model yet":
    a tiny model trained on the matching fixtures, put back as it was afterwards."""
    from matching.training import train_encoder
    from webapp.matching.runtime import reset_ranker

    app = live_server["app"]
    out = tmp_path_factory.mktemp("walk-matcher")
    train_encoder(REPO / "tests" / "fixtures" / "matching", out, epochs=2, dim=32, vocab_size=3000, batch_size=64,
                  time_budget_s=None, log=lambda _: None)
    with patch.dict(app.config, {"MATCHER_MODEL": str(out)}):
        reset_ranker(app)
        yield out
    reset_ranker(app)


@pytest.fixture(scope="module")
def walk_data(live_server):
    return once_per_server(live_server, "walk_data", _make_walk_data)  # the accessibility walk uses it too


def _make_walk_data(live_server):
    """One consistent set of objects in 河东区, each role's own: an enterprise with a published posting
    (which the jobseeker applied to), a held posting with reason codes from a channel with a long name,
    a jobseeker of a priority group, a commissioner's major project with a demand line."""
    from core.accounts.services import create_user
    from core.applications.services import apply_to_posting
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enterprises.models import Enterprise
    from core.enums import ChannelKind, PostingStatus
    from core.postings.models import Posting, PostingSource
    from core.projects.models import LabourDemand, MajorProject
    from core.seekers.services import create_jobseeker
    from webapp.auth.inputs import cipher
    from webapp.extensions import db

    app = live_server["app"]
    with app.app_context():
        ch = Channel(code="e2e-hedong-window", name=LONG_CHANNEL, kind=ChannelKind.HR_MARKET, region_code=REGION)
        ent = Enterprise(name="临沂河东顺达物流有限公司", normalized_name="河东顺达物流", region_code=REGION,
                         verification_status="verified")
        db.session.add_all([ch, ent])
        db.session.flush()
        reasons = [{"code": code, "message": message, "severity": "hold", "field": field}
                   for code, message, field in HELD_REASONS]
        valid = utcnow().date().replace(year=utcnow().year + 1)
        published = Posting(title="仓库管理员", description="负责河东区仓库收发货和盘点，会用电脑。", enterprise_id=ent.id,
                            channel_id=ch.id, region_code=REGION, pay_min=4500, pay_max=6000, pay_unit="month",
                            status=PostingStatus.PUBLISHED, published_at=utcnow(), valid_until=valid)
        held = Posting(title="包装工", description=HELD_TEXT, enterprise_id=ent.id, channel_id=ch.id, region_code=REGION,
                       status=PostingStatus.PENDING_REVIEW, review_reasons=reasons, valid_until=valid)
        for i, p in enumerate((published, held)):
            p.sources.append(PostingSource(channel_id=ch.id, external_id=f"e2e-walk-{i}", raw={"岗位名称": p.title}))
        db.session.add_all([published, held])
        db.session.flush()
        users = {role: create_user(db.session, username=name, password=PASSWORD, role=role, display_name=shown,
                                   region_code=REGION if role == "commissioner" else None,
                                   enterprise_id=ent.id if role == "enterprise" else None)
                 for role, (name, shown) in USERS.items()}
        with app.test_request_context():
            seeker = create_jobseeker(db.session, cipher(), user_id=users["jobseeker"].id, name="孙七", phone="13912340077",
                                      region_code=REGION, groups=["graduate"], desired_titles=["仓库管理员"],
                                      skills=["叉车", "盘点"], consent_recommendation=True)
            create_jobseeker(db.session, cipher(), name="钱八", phone="13912340078", region_code=REGION,
                             desired_titles=["仓库管理员"], consent_recommendation=False)  # filtered out: no consent
        apply_to_posting(db.session, jobseeker_id=seeker.id, posting_id=published.id)
        project = MajorProject(name="河东区物流园二期", region_code=REGION, commissioner_user_id=users["commissioner"].id)
        db.session.add(project)
        db.session.flush()
        demand = LabourDemand(project_id=project.id, title="叉车司机", headcount=5, pay_text="6000元/月", region_code=REGION)
        db.session.add(demand)
        fair = _walk_fair(db.session, users["commissioner"].id, ent.id, published.id, seeker.id)
        from .test_land_browser import walk_land_objects

        land = walk_land_objects(db.session, REGION, project.id)
        from .test_monitoring_browser import walk_monitoring_objects

        monitoring = walk_monitoring_objects(db.session, REGION, ent.id, users["commissioner"])
        from core.alerts.services import create_saved_search

        alert = create_saved_search(db.session, user_id=users["jobseeker"].id, name="河东区仓库管理员",
                                    params={"q": ["仓库管理员"], "region": [REGION]})
        from core.livestreams.demo import make_session

        live = make_session(db.session, users["commissioner"], REGION, [published], "河东直播带岗")
        catalogue = _walk_catalogue(db.session)
        db.session.commit()
        ids = {"posting_id": published.id, "seeker_id": seeker.id, "project_id": project.id, "demand_id": demand.id,
               "channel_id": ch.id, "fair_id": fair.id, "session_id": live.id, **land, **monitoring}
        return {"ids": ids, "by_endpoint": {"review.posting": {"posting_id": held.id},
                                            "alerts.unsubscribe": {"token": alert.unsubscribe_token},
                                            "stats.catalogue_version": {"version": catalogue.version}}}


def _walk_catalogue(session):
    """A published shortage-catalogue version (the next number: the statistics journey publishes its own)."""
    from sqlalchemy import func, select

    from core.db import utcnow
    from core.statistics.models import ShortageCatalogue, ShortageEntry

    version = (session.scalar(select(func.max(ShortageCatalogue.version))) or 0) + 1
    catalogue = ShortageCatalogue(version=version, state="published", period="2026-Q3", published_at=utcnow(),
                                  note="河东区人社局测算")
    catalogue.entries.append(ShortageEntry(occupation_code="4-02-06-01", reason="staff", note="仓储企业反映招工难"))
    session.add(catalogue)
    session.flush()
    return catalogue


def _walk_fair(session, staff_id: int, enterprise_id: int, posting_id: int, seeker_id: int):
    """A job fair in 河东区 open to visitors: the enterprise's booth approved, the jobseeker registered."""
    import datetime as dt

    from core.fairs.models import FairBooth, FairRegistration, JobFair

    fair = JobFair(title="河东区春季招聘会", region_code=REGION, venue="河东区人力资源市场", status="open_visitors",
                   date=dt.date.today() + dt.timedelta(days=3), created_by=staff_id, target_groups=["graduate"])
    session.add(fair)
    session.flush()
    session.add_all([FairBooth(fair_id=fair.id, enterprise_id=enterprise_id, posting_ids=[posting_id], headcount=3,
                               status="approved", booth_number=1),
                     FairRegistration(fair_id=fair.id, jobseeker_id=seeker_id, code="520371", token="walk" + "x" * 20)])
    session.flush()
    return fair


def _page_urls(app, data) -> list[str]:
    """Every GET page of the app with its ids filled by real objects; a new parameter must be added above."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule):
            continue
        values = {**data["ids"], **data["by_endpoint"].get(rule.endpoint, {})}
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: no object for {sorted(missing)}; add one to walk_data"
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **{k: values[k] for k in rule.arguments}))
    return urls


def _check(page, role: str, label: str, words: list[str], overflow: list[str], *, base: str | None = None,
           axe: list[str] | None = None) -> None:
    """Plain words and the phone's width; with ``base`` and ``axe``, the axe-core findings too."""
    if axe is not None:
        axe += [f"{role} {label}: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'][:3])}"
                for v in severe(axe_violations(page, base))]
    state = page.evaluate(PAGE_STATE, PHONE["width"])
    text = URL.sub(" ", state["text"])
    bad = sorted(set(CODE.findall(text)) | set(COMMAND.findall(text)) | set(MODEL_VERSION.findall(text))
                 | {f"English in an error: {w}" for w in ENGLISH.findall(state["alerts"])})
    if bad:
        words.append(f"{role} {label}: {bad}")
    if state["scroll"] > PHONE["width"]:
        overflow.append(f"{role} {label}: {state['scroll']}px wide; {state['wide']}")
    if state["lines"] > MAX_HEADER_LINES and not any(o.startswith(f"{role} top bar") for o in overflow):
        overflow.append(f"{role} top bar: {state['lines']} lines (first on {label})")


def _walk(browser, base: str, role: str, urls: list[str], forms: list[str], axe: list[str]) -> tuple[list[str], list[str]]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    words: list[str] = []
    overflow: list[str] = []
    try:
        if role != "public":
            _login(page, base, USERS[role][0], PASSWORD)
            assert "/login" not in page.url, f"{role} could not log in"
        for url in urls + BAD_FILTERS:
            page.goto(base + url, wait_until="load")
            _check(page, role, url, words, overflow, base=base, axe=axe)
        for url in forms:
            page.goto(base + url, wait_until="load")
            with page.expect_navigation(wait_until="load"):
                assert page.evaluate(SUBMIT_EMPTY), f"{role} {url}: no form to submit"
            _check(page, role, url + " (submitted empty)", words, overflow, base=base, axe=axe)
    finally:
        context.close()
    return words, overflow


def test_every_page_in_plain_words_and_phone_wide(live_server, walk_data, tiny_matcher, browser):
    app = live_server["app"]
    urls = _page_urls(app, walk_data)
    assert len(urls) >= 30, urls
    words: list[str] = []
    overflow: list[str] = []
    axe: list[str] = []
    for role in ROLES:
        forms = [f.format(**walk_data["ids"]) for f in EMPTY_FORMS[role]]
        w, o = _walk(browser, live_server["url"], role, urls, forms, axe)
        words += w
        overflow += o
    from core.postings.models import Posting
    from core.projects.models import LabourDemand
    from webapp.extensions import db

    with app.app_context():  # every form submitted empty was refused, none saved blanks
        assert db.session.get(Posting, walk_data["ids"]["posting_id"]).title == "仓库管理员"
        assert db.session.get(LabourDemand, walk_data["ids"]["demand_id"]).title == "叉车司机"
    report = []
    if words:
        report.append("codes or commands in visible text:\n  " + "\n  ".join(words))
    if overflow:
        report.append("wider than a 390 px phone, or a top bar over two lines:\n  " + "\n  ".join(overflow))
    if axe:
        report.append("axe-core serious/critical findings at 390 px:\n  " + "\n  ".join(axe))
    assert not report, "\n".join(report)
