"""A tiny in-domain model trained once per test session on the shipped posting samples, and
helpers that build a small labour market: postings, jobseekers with groups and consent."""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "matching"
_n = itertools.count(1)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from matching.training import train_encoder

    out = tmp_path_factory.mktemp("matcher-model")
    train_encoder(FIXTURES, out, epochs=4, dim=32, vocab_size=3000, batch_size=64, time_budget_s=None,
                  log=lambda _: None)
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
def make_seeker(db_session):
    from core.enums import PriorityGroup, VerificationStatus
    from core.seekers.models import Jobseeker, JobseekerGroup

    def _make(name="李四", titles=("焊工",), region_code="440106", groups=(), verified=True, consent=True, **kw):
        s = Jobseeker(
            name=name, region_code=region_code, desired_titles=list(titles), skills=kw.pop("skills", ["电焊"]),
            education=kw.pop("education", "senior"), experience_years=kw.pop("experience_years", 3),
            expected_pay_min=kw.pop("expected_pay_min", 5000), consent_recommendation=consent,
            phone=kw.pop("phone", f"1381234{next(_n):04d}"), birth_date=kw.pop("birth_date", dt.date(1995, 5, 1)),
            **kw,
        )
        s.groups = [JobseekerGroup(group=PriorityGroup(g), verification=VerificationStatus.VERIFIED if verified
                                   else VerificationStatus.PENDING) for g in groups]
        db_session.add(s)
        db_session.commit()
        return s

    return _make
