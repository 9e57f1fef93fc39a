"""Helpers that build a small labour market: jobseekers with groups and consent (the tiny model,
``matcher``, is in tests/web/conftest.py)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

_n = itertools.count(1)


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
