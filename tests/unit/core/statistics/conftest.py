"""Fixtures for the statistics tests: postings and jobseekers in 青海 (no other test uses it)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

_seq = itertools.count(1)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def stats_world(db_session):
    """Take other tests' rows out of the counts (the savepoint undoes it) and return helpers."""
    from sqlalchemy import update

    from core.enums import Availability
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker

    db_session.execute(update(Posting).values(published_at=None))
    db_session.execute(update(Jobseeker).values(availability=Availability.UNAVAILABLE))
    db_session.flush()
    return World(db_session)


class World:
    def __init__(self, session):
        self.session = session
        from core.channels.models import Channel
        from core.enums import ChannelKind

        self.channel = Channel(code=f"st-ch-{next(_seq)}", name="统计测试渠道", kind=ChannelKind.PUBLIC_AGENCY)
        self.gig = Channel(code=f"st-gig-{next(_seq)}", name="零工测试渠道", kind=ChannelKind.GIG_PLATFORM)
        session.add_all([self.channel, self.gig])
        session.flush()

    def posting(self, region="630102", occupation="6-18-02-04", headcount=5, published=dt.datetime(2026, 11, 3),
                status="published", valid_until=None, groups=(), employment_type="full_time", education="junior",
                gig=False, updated=None):
        from core.postings.models import Posting

        p = Posting(title=f"统计岗位{next(_seq)}", region_code=region, occupation_code=occupation, headcount=headcount,
                    published_at=published, status=status, valid_until=valid_until, target_groups=list(groups),
                    employment_type=employment_type, education=education,
                    channel_id=(self.gig if gig else self.channel).id)
        self.session.add(p)
        self.session.flush()
        if updated:
            p.updated_at = updated
            self.session.flush()
        return p

    def seeker(self, region="630102", occupations=("6-18-02-04",), created=dt.datetime(2026, 10, 1),
               education="junior", birth=dt.date(1990, 5, 1), groups=(), availability="immediate"):
        from core.seekers.models import Jobseeker, JobseekerGroup

        s = Jobseeker(name="测试", region_code=region, desired_occupations=list(occupations), created_at=created,
                      education=education, birth_date=birth, availability=availability)
        s.groups = [JobseekerGroup(group=g) for g in groups]
        self.session.add(s)
        self.session.flush()
        return s
