"""A real JobLink server for the browser tests: a temporary SQLite database with the reference data,
real postings from data/samples (through the demo loader when it works, else inserted directly from
the same files), a jobseeker account, the embedded search index, served by werkzeug in a thread."""
from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SEEKER_USERNAME = "e2e_qiuzhizhe"
SEEKER_PASSWORD = "Liu-Yue-He-Hua-2026"
ADMIN_USERNAME = "e2e_guanliyuan"
TEST_KEYS = {
    "SECRET_KEY": "e2e-secret-key-not-for-production",
    "JOBLINK_PII_KEY": "q0ngtt8xiqsQ2qXEMo2s6lhZC7U2S8m1QzVhM1F4y3I=",
    "JOBLINK_PII_HASH_KEY": "e2e-hash-key",
}


def _insert_samples_directly(session, limit: int = 60) -> int:
    """Fallback when the pipeline cannot run: real sample records inserted as published postings."""
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enterprises.models import Enterprise
    from core.enterprises.names import normalize_company_name
    from core.enums import ChannelKind, PostingStatus
    from core.postings.models import Posting, PostingSource
    from core.reference.services import region_directory

    regions = region_directory(session)
    channel = Channel(code="e2e-samples", name="广东省公共就业服务（样本）", kind=ChannelKind.PROVINCIAL_SITE)
    session.add(channel)
    session.flush()
    n = 0
    with gzip.open(SAMPLES / "jobhunting-2024-2025.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if not rec.get("title") or not rec.get("description"):
                continue
            area = (rec.get("area") or "").replace("·", " ").split()
            hits = [r for part in reversed(area) for r in regions.by_name(part)][:1]
            ent = Enterprise(name=rec.get("company") or "样本单位", normalized_name=normalize_company_name(rec.get("company") or "样本单位", regions))
            session.add(ent)
            session.flush()
            p = Posting(title=rec["title"][:200], description=rec["description"][:4000], enterprise_id=ent.id,
                        channel_id=channel.id, region_code=hits[0].code if hits else None,
                        pay_min=float(rec["salary_min"]) if rec.get("salary_min") else None,
                        pay_max=float(rec["salary_max"]) if rec.get("salary_max") else None, pay_unit="month",
                        status=PostingStatus.PUBLISHED, published_at=utcnow())
            p.sources.append(PostingSource(channel_id=channel.id, external_id=str(rec["id"]), source_url=rec.get("url"), raw={}))
            session.add(p)
            n += 1
            if n >= limit:
                break
    session.flush()
    return n


def _load_postings(session) -> str:
    from sqlalchemy import func, select

    from core.postings.models import Posting

    try:
        from indexer.demo import load_demo_postings

        load_demo_postings(session, SAMPLES, sample=True, limit=60)
        session.commit()
        published = session.scalar(select(func.count()).select_from(Posting).where(Posting.status == "published"))
        if published:
            return "demo loader"
    except Exception:  # the loader is not usable in this checkout: fall back to the same files
        session.rollback()
    _insert_samples_directly(session)
    session.commit()
    return "direct insert"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from core.accounts.services import create_user
    from core.all_models import metadata
    from core.reference.services import clear_reference_cache, load_reference_data
    from core.seekers.services import create_jobseeker
    from webapp import create_app
    from webapp.auth.inputs import cipher
    from webapp.extensions import db, limiter

    saved_limiter = limiter.enabled
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.db'}",
        "INSTANCE_PATH": str(instance),
        "SEARCH_BACKEND": "embedded",
        "RATELIMIT_ENABLED": False,  # the limiter's switch is process-wide; other tests' apps share it
        **TEST_KEYS,
    })
    with app.app_context():
        metadata.create_all(db.engine)
        load_reference_data(db.session)
        db.session.commit()
        clear_reference_cache()
        how = _load_postings(db.session)
        user = create_user(db.session, username=SEEKER_USERNAME, password=SEEKER_PASSWORD, role="jobseeker", display_name="赵六")
        create_user(db.session, username=ADMIN_USERNAME, password=SEEKER_PASSWORD, role="admin", display_name="管理员")
        with app.test_request_context():
            create_jobseeker(db.session, cipher(), user_id=user.id, name="赵六", phone="13912340000", region_code="440106")
        db.session.commit()
        try:
            from indexer.worker import rebuild

            rebuild(db.session, app.extensions["search"], "postings")
        except Exception:
            pass  # the search page may fall back to the database search
        from sqlalchemy import select

        from core.postings.models import Posting

        titles = list(db.session.scalars(select(Posting.title).where(Posting.status == "published").limit(200)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "titles": titles, "loaded_by": how, "app": app}
    server.shutdown()
    thread.join(timeout=10)
    limiter.enabled = saved_limiter
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone_page(browser):
    """A page the size of a common phone (390x844 CSS pixels)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
