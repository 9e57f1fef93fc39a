"""Placement proposals for one village of 500 people, in a county with 50 projects, 200 land notices
and 20,000 surveyed people: the batched village path beside the one-person-at-a-time baseline.

    nice -n 10 .venv/bin/python bench/placement.py [--people 20000] [--village 500] [--postings 3000]

The data are generated (and said to be): people with skills and training wishes drawn from everyday
job words, the city's published postings titled with the national occupational classification's
names, each project with four demand lines. SQLite in a temporary folder. Prints seconds for the
batched path (``propose_for_village``) and for calling ``propose_for_record`` once per person, the
ratio, and the target (≤ 10 s for the village).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTY = "371302"
SKILLS = ["开挖掘机", "电焊", "砌墙", "木工", "开叉车", "做饭", "种菜", "养殖", "驾驶", "水电安装", "保洁", "看护老人",
          "缝纫", "钢筋", "搬运", "仓库管理", "收银", "带孩子", "修理农机", "开货车"]
WISHES = ["家政服务", "电工", "焊工", "厨师", "育婴员", "挖掘机司机", "叉车司机", "养老护理员", "电商", "汽车维修", ""]
WANTS = ["job"] * 6 + ["training"] * 3 + ["business", "none"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build(session, people: int, village_size: int, postings: int, rng: random.Random) -> tuple[int, int]:
    """Generated county; returns (notice id, village id) of the village measured."""
    from core.enums import PostingStatus
    from core.postings.models import Posting
    from core.projects.models import LabourDemand, LandNotice, LandNoticeVillage, MajorProject, SurveyRecord
    from core.reference.services import occupation_directory
    from core.seekers.models import Jobseeker

    names = [o.name for o in occupation_directory(session).all(4)]
    session.add_all([Posting(title=rng.choice(names), region_code=rng.choice([COUNTY, "371311", "371312", "371321"]),
                             status=PostingStatus.PUBLISHED) for _ in range(postings)])
    villages = []
    for p in range(50):
        project = MajorProject(name=f"生成项目{p + 1}", region_code=COUNTY)
        session.add(project)
        session.flush()
        session.add_all([LabourDemand(project_id=project.id, title=rng.choice(names), headcount=rng.randint(5, 80))
                         for _ in range(4)])
        for n in range(4):
            notice = LandNotice(project_id=project.id, notice_date=__import__("datetime").date(2026, 9, 18))
            notice.villages = [LandNoticeVillage(code=f"{COUNTY}1{p:02d}{n}{v:02d}", name=f"村{p}-{n}-{v}")
                               for v in range(5)]
            session.add(notice)
            session.flush()
            villages += [(notice.id, v.id) for v in notice.villages]
    target = villages[0]
    sizes = [village_size] + [0] * (len(villages) - 1)
    rest = people - village_size
    for i in range(rest):
        sizes[1 + i % (len(villages) - 1)] += 1
    for (notice_id, village_id), size in zip(villages, sizes):
        seekers = [Jobseeker(name="生成", region_code=COUNTY, skills=rng.sample(SKILLS, rng.randint(0, 3)), origin="roster")
                   for _ in range(size)]
        session.add_all(seekers)
        session.flush()
        session.add_all([SurveyRecord(notice_id=notice_id, village_id=village_id, jobseeker_id=s.id, name="生成",
                                      skills=list(s.skills), wants=rng.choice(WANTS), training_wishes=rng.choice(WISHES))
                         for s in seekers])
    session.commit()
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--village", type=int, default=500)
    ap.add_argument("--postings", type=int, default=3_000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args(argv)

    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from core.all_models import metadata
    from core.projects import placement
    from core.projects.models import SurveyRecord
    from core.reference.services import load_reference_data

    folder = tempfile.mkdtemp(prefix="bench-placement-")
    engine = create_engine(f"sqlite:///{folder}/bench.db")
    metadata.create_all(engine)
    actor = SimpleNamespace(id=None, role="admin")
    with Session(engine) as session:
        load_reference_data(session)
        session.commit()
        t0 = time.perf_counter()
        notice_id, village_id = build(session, args.people, args.village, args.postings, random.Random(args.seed))
        log(f"generated county in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        placed = placement.propose_for_village(session, actor, notice_id, village_id)
        session.commit()
        batched = time.perf_counter() - t0

        ids = list(session.scalars(select(SurveyRecord.id).where(SurveyRecord.village_id == village_id,
                                                                 SurveyRecord.wants != "none")))
        t0 = time.perf_counter()
        for record_id in ids:
            placement.propose_for_record(session, actor, record_id)
        session.commit()
        one_by_one = time.perf_counter() - t0
    print(f"placement proposals, generated county: {args.people} people, 50 projects, 200 notices, "
          f"{args.postings} published postings in the city")
    print(f"village of {args.village} ({placed} to place)")
    print(f"  batched (propose_for_village):      {batched:7.2f} s   target <= 10 s: {'met' if batched <= 10 else 'MISSED'}")
    print(f"  one by one (propose_for_record x{len(ids)}): {one_by_one:7.2f} s")
    print(f"  ratio one-by-one / batched: {one_by_one / batched:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
