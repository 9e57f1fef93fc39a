"""The monthly stratified sample and the call-back tasks it creates."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from core.enums import PostingStatus
from core.errors import DomainError
from core.validity.models import CallbackTask
from core.validity.services import draw_monthly_sample

TODAY = dt.date(2026, 11, 22)


def _tasks(db_session, run):
    return list(db_session.scalars(select(CallbackTask).where(CallbackTask.run_id == run.id).order_by(CallbackTask.id)))


def test_each_channel_gets_the_same_sample_size_or_all_it_has(db_session, make_channel, make_postings, isolate_live_postings):
    big, mid, small = make_channel("省级公共招聘网"), make_channel("零工平台"), make_channel("培训机构")
    big_ids = {p.id for p in make_postings(big, 120)}
    mid_ids = {p.id for p in make_postings(mid, 30)}
    small_ids = {p.id for p in make_postings(small, 4)}
    # Not live: expired by date, not published, held for review.
    dead = {p.id for p in make_postings(big, 5, valid_until=dt.date(2026, 11, 21))}
    dead |= {p.id for p in make_postings(big, 5, status=PostingStatus.WITHDRAWN)}
    dead |= {p.id for p in make_postings(mid, 5, status=PostingStatus.PENDING_REVIEW)}

    result = draw_monthly_sample(db_session, "2026-11", per_channel=10, seed=7, today=TODAY)
    tasks = _tasks(db_session, result.run)
    per_channel = Counter(t.channel_id for t in tasks)
    assert per_channel == {big.id: 10, mid.id: 10, small.id: 4}
    assert result.tasks == 24
    assert result.run.population == {str(big.id): 120, str(mid.id): 30, str(small.id): 4}
    assert result.run.sampled == {str(big.id): 10, str(mid.id): 10, str(small.id): 4}
    sampled = {t.posting_id for t in tasks}
    assert len(sampled) == 24 and not sampled & dead
    assert {t.posting_id for t in tasks if t.channel_id == big.id} <= big_ids
    assert {t.posting_id for t in tasks if t.channel_id == small.id} == small_ids
    assert {t.posting_id for t in tasks if t.channel_id == mid.id} <= mid_ids
    assert all(t.due == TODAY + dt.timedelta(days=14) and t.outcome is None for t in tasks)


def test_the_draw_is_random_within_a_channel_and_reproducible_by_seed(db_session, make_channel, make_postings, isolate_live_postings):
    ch = make_channel()
    ids = [p.id for p in make_postings(ch, 40)]
    seen: Counter[int] = Counter()
    draws = []
    for month in range(1, 13):
        run = draw_monthly_sample(db_session, f"2025-{month:02d}", per_channel=5, seed=month, today=TODAY).run
        draw = sorted(t.posting_id for t in _tasks(db_session, run))
        draws.append(draw)
        seen.update(draw)
    # Different months draw different postings, and over a year most postings come up.
    assert len({tuple(d) for d in draws}) >= 11
    assert len(seen) >= 30 and set(seen) <= set(ids)
    # The same seed draws the same postings.
    again = draw_monthly_sample(db_session, "2024-01", per_channel=5, seed=1, today=TODAY).run
    assert sorted(t.posting_id for t in _tasks(db_session, again)) == draws[0]


def test_a_month_is_drawn_once(db_session, make_channel, make_postings, isolate_live_postings):
    make_postings(make_channel(), 8)
    first = draw_monthly_sample(db_session, "2026-10", per_channel=3, seed=1, today=TODAY)
    second = draw_monthly_sample(db_session, "2026-10", per_channel=5, seed=2, today=TODAY)
    assert first.created and not second.created
    assert second.run.id == first.run.id and second.tasks == 3


def test_tasks_go_to_the_most_local_commissioner_and_spread_between_equals(db_session, make_channel, make_postings,
                                                                            make_user, isolate_live_postings):
    province = make_user("commissioner", region_code="440000")
    city_a = make_user("commissioner", region_code="440100")
    city_b = make_user("commissioner", region_code="440100")
    ch = make_channel()
    make_postings(ch, 6, region_code="440103")      # 广州 荔湾: the two city commissioners
    make_postings(ch, 2, region_code="440303")      # 深圳 罗湖: only the province covers it
    make_postings(ch, 1, region_code="371302")      # 临沂: nobody here
    # A posting without a region falls under its channel's region.
    make_postings(make_channel(region_code="440106"), 1, region_code=None)
    result = draw_monthly_sample(db_session, "2026-09", per_channel=50, seed=3, today=TODAY)
    tasks = _tasks(db_session, result.run)
    by_region = {}
    for t in tasks:
        by_region.setdefault(t.region_code, []).append(t.assigned_user_id)
    assert Counter(by_region["440103"]) == {city_a.id: 3, city_b.id: 3}
    assert by_region["440303"] == [province.id, province.id]
    assert by_region["371302"] == [None] and result.unassigned == 1
    assert by_region["440106"][0] in {city_a.id, city_b.id}


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026/11", "下个月"])
def test_bad_months_are_refused(db_session, month):
    with pytest.raises(DomainError) as info:
        draw_monthly_sample(db_session, month, today=TODAY)
    assert info.value.code == "invalid_month"


def test_bad_sample_sizes_are_refused(db_session):
    with pytest.raises(DomainError) as info:
        draw_monthly_sample(db_session, "2026-11", per_channel=0, today=TODAY)
    assert info.value.code == "invalid_sample_size"


def test_a_commissioner_sees_their_own_tasks_first_then_the_rest_of_the_jurisdiction(
        db_session, make_channel, make_postings, make_user, isolate_live_postings):
    from core.validity.services import list_tasks

    county = make_user("commissioner", region_code="440103")
    city = make_user("commissioner", region_code="440100")
    ch = make_channel()
    make_postings(ch, 3, region_code="440103")   # the county commissioner's
    make_postings(ch, 2, region_code="440106")   # the city commissioner's
    make_postings(ch, 2, region_code="371302")   # elsewhere
    draw_monthly_sample(db_session, "2026-07", per_channel=50, seed=2, today=TODAY)
    # Unassigned ones in the city too (their commissioner left).
    make_postings(ch, 1, region_code="440104")
    run = draw_monthly_sample(db_session, "2026-06", per_channel=50, seed=2, today=TODAY).run
    db_session.execute(CallbackTask.__table__.update().where(CallbackTask.run_id == run.id, CallbackTask.region_code == "440104")
                       .values(assigned_user_id=None))
    tasks, total = list_tasks(db_session, city, limit=500)
    owners = [t.assigned_user_id for t in tasks]
    assert all(t.region_code.startswith("4401") for t in tasks) and total == len(tasks)
    first_other = next(i for i, o in enumerate(owners) if o != city.id)
    assert set(owners[:first_other]) == {city.id} and city.id not in owners[first_other:]
    assert None in owners and county.id in owners
    mine, n = list_tasks(db_session, city, mine_only=True, limit=500)
    assert {t.assigned_user_id for t in mine} == {city.id} and n == len(mine)
    assert list_tasks(db_session, make_user("commissioner", region_code="371300"), limit=500)[1] == 4
