"""Demo data for land acquisition (labelled 演示): a notice on the demo project with one village and
a training institution's course, so the demo commissioner can try the survey, placement and
training pages. No people: the roster is what the demo user enters or imports."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import ChannelKind

from .models import LandNotice, LandNoticeVillage, MajorProject, TrainingCourse

DEMO_COUNTY = "440106"  # 广州市天河区 (inside the demo commissioner's 广东省)


def create_demo_land(session: Session, project: MajorProject) -> None:
    """Idempotent: one notice per demo project, one demo training school and course."""
    from core.channels.models import Channel

    if session.scalar(select(LandNotice.id).where(LandNotice.project_id == project.id)) is None:
        session.add(LandNotice(project_id=project.id, notice_date=dt.date(2026, 9, 18), reference="演示征地公告（演示数据）",
                               area_mu=120, households=40,
                               villages=[LandNoticeVillage(code=f"{DEMO_COUNTY}001001", name="演示村", households=40)]))
    school = session.scalar(select(Channel).where(Channel.code == "demo-training-school"))
    if school is None:
        school = Channel(code="demo-training-school", name="演示职业培训学校（演示数据）",
                         kind=ChannelKind.TRAINING_INSTITUTION, region_code=DEMO_COUNTY, is_demo=True)
        session.add(school)
        session.flush()
        start = dt.date(2027, 3, 1)
        session.add(TrainingCourse(institution_id=school.id, name="钢筋工订单班（演示数据）", occupation_text="钢筋工",
                                   hours=80, sessions=10, places=30, start_date=start, end_date=start + dt.timedelta(days=30),
                                   region_code=DEMO_COUNTY, certificate_name="钢筋工职业技能等级证书（五级）"))
    session.flush()
