"""Fixtures for the HTTP tests: valid national codes, published postings, a jobseeker with a profile."""
from __future__ import annotations

import itertools
import random

import pytest

from core.identity import credit_code_check_char, id_number_check_char

_seq = itertools.count(1)


def make_id_number(birth: str = "19900307", region: str = "371302") -> str:
    """A resident ID number with a correct GB 11643 check digit (a different one on every call)."""
    first17 = f"{region}{birth}{next(_seq) % 1000:03d}"
    return first17 + id_number_check_char(first17)


def make_credit_code() -> str:
    """A unified social credit code with a correct GB 32100 check character."""
    rnd = random.Random(next(_seq) * 7919)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91371300" + "".join(rnd.choice(alphabet) for _ in range(9))
    return body + credit_code_check_char(body)


@pytest.fixture
def id_number():
    return make_id_number


@pytest.fixture
def credit_code():
    return make_credit_code


@pytest.fixture
def make_posting(db_session):
    """Insert a published posting (with a channel source) directly; returns it."""
    from core.channels.models import Channel
    from core.db import utcnow
    from core.enums import ChannelKind, PostingStatus
    from core.postings.models import Posting, PostingSource

    def _make(title="焊工", enterprise_id=None, status=PostingStatus.PUBLISHED, **kw):
        n = next(_seq)
        ch = Channel(code=f"test-ch-{n}", name="测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
        db_session.add(ch)
        db_session.flush()
        p = Posting(
            title=title,
            description=kw.pop("description", f"{title}岗位，负责日常工作。"),
            enterprise_id=enterprise_id,
            channel_id=ch.id,
            region_code=kw.pop("region_code", "371302"),
            pay_min=kw.pop("pay_min", 5000),
            pay_max=kw.pop("pay_max", 7000),
            pay_unit="month",
            status=status,
            published_at=utcnow(),
            **kw,
        )
        p.sources.append(PostingSource(channel_id=ch.id, external_id=f"ext-{n}", source_url="https://example.org/job/1"))
        db_session.add(p)
        db_session.commit()
        return p

    return _make


@pytest.fixture
def seeker_with_profile(client, login_as, db_session):
    """Sign in as a jobseeker and save a profile through the form; returns (user, jobseeker)."""
    from core.applications.services import seeker_for_user

    def _make(phone="13812345678", **extra):
        user = login_as("jobseeker")
        data = {"name": "张三", "phone": phone, "id_number": make_id_number(), "region_code": "371302",
                "education": "senior", "experience_years": "3", "skills": "电焊、叉车", "availability": "immediate"}
        data.update(extra)
        resp = client.post("/me/profile/edit", data=data)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
        return user, seeker_for_user(db_session, user.id)

    return _make


def count(db_session, model) -> int:
    from sqlalchemy import func, select

    return db_session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def count_rows(db_session):
    return lambda model: count(db_session, model)


@pytest.fixture
def sign_in(client):
    """Sign the client in as an existing user made by ``make_user`` (the shared test password)."""

    def _sign_in(user):
        client.post("/logout")
        resp = client.post("/login", data={"username": user.username, "password": "Zhao-Qian-Sun-Li-2026"})
        assert resp.status_code == 302
        return user

    return _sign_in


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny in-domain matching model, trained once per test session on the shipped posting samples."""
    from pathlib import Path

    from matching.training import train_encoder

    out = tmp_path_factory.mktemp("matcher-model")
    train_encoder(Path(__file__).resolve().parents[1] / "fixtures" / "matching", out, epochs=4, dim=32,
                  vocab_size=3000, batch_size=64, time_budget_s=None, log=lambda _: None)
    return out


@pytest.fixture
def matcher(app, tiny_model_dir):
    """Point the app at the tiny model for this test."""
    from webapp.matching.runtime import reset_ranker

    old = app.config.get("MATCHER_MODEL")
    app.config["MATCHER_MODEL"] = str(tiny_model_dir)
    reset_ranker(app)
    yield tiny_model_dir
    app.config["MATCHER_MODEL"] = old
    reset_ranker(app)


@pytest.fixture
def index(app, tmp_path, monkeypatch):
    """An empty embedded search index of the test's own, the one the app searches."""
    from indexer.search.embedded import EmbeddedBackend

    backend = EmbeddedBackend(tmp_path / "search")
    monkeypatch.setitem(app.extensions, "search", backend)
    return backend
