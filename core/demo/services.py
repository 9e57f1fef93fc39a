"""Demo accounts and generated demo jobseekers — clearly labelled, never mixed with real people.

No real jobseeker data exists in this project: demo jobseekers are generated from fixed lists with a
seeded random generator, their ID numbers are checksum-valid but synthetic, every row has
``is_demo=True`` and ``origin="demo"``, and their names start with the marker 「演示」.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.accounts.services import create_user
from core.crypto import PersonalDataCipher
from core.enterprises.models import Enterprise
from core.enums import Availability, Education, PriorityGroup, Role, VerificationStatus
from core.identity import id_number_check_char
from core.reference.services import occupation_directory, region_directory
from core.seekers.models import Jobseeker, JobseekerGroup

DEMO_PASSWORD = "JobLink-demo-2026!"  # printed in the README; demo accounts only
DEMO_REGION = "440100"  # 广州市: the Guangdong public employment service is the most blue-collar channel

DEMO_ACCOUNTS = [
    ("demo_seeker", Role.JOBSEEKER, "演示求职者", None),
    ("demo_enterprise", Role.ENTERPRISE, "演示企业账号", None),
    ("demo_commissioner", Role.COMMISSIONER, "演示服务专员（广东省）", "440000"),
    ("demo_reviewer", Role.REVIEWER, "演示审核员", None),
    ("demo_admin", Role.ADMIN, "演示管理员", None),
]

DEMO_ENTERPRISE = {
    "name": "演示制造有限公司（演示数据）",
    "normalized_name": "演示制造",
    "credit_code": "91440101MA5DEMO00X",  # replaced below by a checksum-valid synthetic code
    "region_code": DEMO_REGION,
    "industry": "制造业",
    "size": "100-499人",
}

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玲斌志海波鹏宇浩婷雪琳晨欣怡子轩梓涵"

# (desired title, skills, certificates, typical education, monthly pay expectation)
_PROFILES = [
    ("普工", ["流水线作业", "设备操作", "吃苦耐劳"], [], Education.JUNIOR, 4500),
    ("电焊工", ["氩弧焊", "二氧化碳保护焊", "看图纸"], ["特种作业操作证（焊接与热切割）"], Education.JUNIOR, 7000),
    ("电工", ["低压电工", "设备维修", "PLC"], ["特种作业操作证（低压电工）"], Education.SENIOR, 6500),
    ("保安员", ["安全巡逻", "消防"], ["保安员证"], Education.JUNIOR, 4200),
    ("保洁员", ["保洁", "家政"], [], Education.PRIMARY, 3500),
    ("快递员", ["电动车驾驶", "客户沟通"], ["C1驾驶证"], Education.JUNIOR, 7000),
    ("货车司机", ["驾驶", "长途运输"], ["A2驾驶证"], Education.JUNIOR, 8000),
    ("仓库管理员", ["仓储管理", "ERP", "叉车"], ["叉车证"], Education.SENIOR, 5000),
    ("服务员", ["餐饮服务", "收银"], ["健康证"], Education.JUNIOR, 4000),
    ("厨师", ["中式烹调", "面点"], ["中式烹调师证", "健康证"], Education.JUNIOR, 6000),
    ("育婴师", ["婴幼儿护理", "早教"], ["育婴员证"], Education.SENIOR, 6000),
    ("销售代表", ["客户开发", "沟通谈判"], [], Education.ASSOCIATE, 6000),
    ("客服专员", ["电话客服", "办公软件"], [], Education.ASSOCIATE, 4500),
    ("会计", ["财务核算", "税务申报", "用友"], ["初级会计职称"], Education.ASSOCIATE, 5500),
    ("Java开发工程师", ["Java", "Spring", "MySQL"], [], Education.BACHELOR, 12000),
    ("数据分析师", ["Python", "SQL", "Excel"], [], Education.BACHELOR, 10000),
    ("护士", ["临床护理", "静脉输液"], ["护士执业资格证"], Education.ASSOCIATE, 6000),
    ("质检员", ["质量检验", "品质管理"], [], Education.SENIOR, 5000),
    ("行政文员", ["办公软件", "档案管理"], [], Education.ASSOCIATE, 4500),
    ("汽车维修工", ["汽车维修", "故障诊断"], ["汽车维修工证"], Education.SENIOR, 6500),
]

# Share of demo jobseekers declaring each group (a person may declare several).
_GROUP_SHARES = [
    (PriorityGroup.GRADUATE, 0.20),
    (PriorityGroup.MIGRANT_WORKER, 0.25),
    (PriorityGroup.VETERAN, 0.06),
    (PriorityGroup.LAND_LOST_FARMER, 0.06),
    (PriorityGroup.LAID_OFF, 0.08),
    (PriorityGroup.HARD_TO_EMPLOY, 0.05),
    (PriorityGroup.DISABLED, 0.03),
    (PriorityGroup.POVERTY_ALLEVIATED, 0.04),
    (PriorityGroup.ZERO_EMPLOYMENT_HOUSEHOLD, 0.02),
]


def synthetic_credit_code(seed: int) -> str:
    from core.identity import credit_code_check_char

    body = f"914401{seed:011d}"[:17].replace("I", "1")
    return body + credit_code_check_char(body)


def create_demo_accounts(session: Session) -> dict:
    """One clearly labelled account per role, plus the demo enterprise the enterprise account manages."""
    created = []
    enterprise = session.scalar(select(Enterprise).where(Enterprise.is_demo.is_(True), Enterprise.name == DEMO_ENTERPRISE["name"]))
    if enterprise is None:
        values = dict(DEMO_ENTERPRISE, credit_code=synthetic_credit_code(20260001))
        enterprise = Enterprise(**values, verification_status=VerificationStatus.VERIFIED, is_demo=True,
                                qualified_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
        session.add(enterprise)
        session.flush()
    for username, role, display, region in DEMO_ACCOUNTS:
        if session.scalar(select(User).where(User.username == username)) is not None:
            continue
        create_user(
            session, username=username, password=DEMO_PASSWORD, role=role, display_name=display,
            region_code=region, enterprise_id=enterprise.id if role == Role.ENTERPRISE else None, is_demo=True,
        )
        created.append(username)
    seeker_user = session.scalar(select(User).where(User.username == "demo_seeker"))
    if seeker_user and session.scalar(select(Jobseeker).where(Jobseeker.user_id == seeker_user.id)) is None:
        session.add(
            Jobseeker(
                user_id=seeker_user.id, name="演示求职者", region_code=DEMO_REGION, lat=23.13, lon=113.26,
                education=Education.SENIOR, experience_years=3, skills=["设备操作", "叉车"],
                desired_titles=["仓库管理员"], expected_pay_min=5000, consent_recommendation=True,
                origin="demo", is_demo=True,
            )
        )
    project = create_demo_project(session, enterprise)
    from core.fairs.demo import create_demo_fairs

    create_demo_fairs(session, enterprise, DEMO_REGION)
    from core.livestreams.demo import create_demo_livestream

    livestream = create_demo_livestream(session, region_code=DEMO_REGION)
    return {"created": created, "password": DEMO_PASSWORD if created else "(unchanged)", "project": project,
            "livestream": livestream}


DEMO_PROJECT = {"name": "演示广州市轨道交通配套产业园项目（演示数据）", "region_code": DEMO_REGION,
                "total_investment": 85000, "status": "construction"}
# (title, occupation, headcount, pay, requirements): unpublished, so the demo commissioner can press 全部发布.
_DEMO_DEMAND = [
    ("钢筋工", "钢筋工", 40, "320元/天", "有建筑工地钢筋绑扎经验，能看懂施工图，工地提供住宿。"),
    ("塔式起重机司机", "起重机械操作工", 4, "9000-11000元/月", "持建筑施工特种作业操作资格证（塔式起重机司机）。"),
    ("园区保洁员", "保洁员", None, "3800元/月", "负责园区公共区域日常保洁，做六休一。学历不限，身体健康。"),
]


def create_demo_project(session: Session, enterprise: Enterprise) -> str:
    """A demo major project of the demo enterprise, followed by the demo commissioner, with a few labour
    demand lines not yet published. Idempotent: returns the project's name, or "(unchanged)"."""
    from core.projects.models import LabourDemand, MajorProject

    if session.scalar(select(MajorProject.id).where(MajorProject.is_demo.is_(True),
                                                    MajorProject.name == DEMO_PROJECT["name"])) is not None:
        return "(unchanged)"
    commissioner = session.scalar(select(User.id).where(User.username == "demo_commissioner"))
    project = MajorProject(**DEMO_PROJECT, enterprise_id=enterprise.id, commissioner_user_id=commissioner, is_demo=True)
    session.add(project)
    session.flush()
    for title, occupation, headcount, pay, requirements in _DEMO_DEMAND:
        session.add(LabourDemand(project_id=project.id, title=title, occupation_text=occupation, headcount=headcount,
                                 pay_text=pay, requirements=requirements, start_date=dt.date(2026, 3, 1),
                                 end_date=dt.date(2026, 12, 31)))
    session.flush()
    from core.projects.demo import create_demo_land

    create_demo_land(session, project)
    return project.name


def _synthetic_id_number(rng: random.Random, county_code: str, birth: dt.date, female: bool) -> str:
    seq = rng.randrange(0, 99) * 10 + rng.randrange(0, 10)
    seq = seq - seq % 2 + (0 if female else 1)
    body = f"{county_code}{birth:%Y%m%d}{seq:03d}"
    return body + id_number_check_char(body)


def generate_demo_jobseekers(session: Session, count: int, config: dict, seed: int = 2026) -> dict:
    """Generate ``count`` demo jobseekers (idempotent: tops up to ``count``)."""
    existing = session.scalar(select(func.count()).select_from(Jobseeker).where(Jobseeker.origin == "demo", Jobseeker.user_id.is_(None))) or 0
    if existing >= count:
        return {"generated": 0, "existing": existing}
    cipher = PersonalDataCipher(config["JOBLINK_PII_KEY"], config["JOBLINK_PII_HASH_KEY"])
    rng = random.Random(seed + existing)
    regions = region_directory(session)
    occupations = occupation_directory(session)
    gd_counties = [r for r in regions.by_prefix("44") if r.level == 3 and r.lat is not None]
    other_counties = [r for r in regions.all(3) if r.lat is not None and r.code[:4] in {"3701", "4403", "3713", "5301"}]
    today = dt.date.today()
    made = 0
    for i in range(existing, count):
        county = rng.choice(gd_counties if rng.random() < 0.8 else other_counties)
        title, skills, certs, edu, pay = rng.choice(_PROFILES)
        groups = [g for g, share in _GROUP_SHARES if rng.random() < share]
        if PriorityGroup.GRADUATE in groups:
            age = rng.randint(21, 25)
            edu = rng.choice([Education.ASSOCIATE, Education.BACHELOR, Education.MASTER])
            grad_year = today.year - rng.randint(0, 2)
            experience = rng.randint(0, 1)
        else:
            age = rng.randint(18, 58)
            grad_year = None
            experience = max(0, min(age - 18, rng.randint(0, 15)))
        birth = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        female = rng.random() < 0.45
        id_number = _synthetic_id_number(rng, county.code, birth, female)
        if session.scalar(select(Jobseeker.id).where(Jobseeker.id_number_hash == cipher.lookup_hash(id_number))):
            continue
        occ = occupations.by_name(title) or occupations.search(title, 1)
        seeker = Jobseeker(
            name="演示" + rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))),
            id_number_encrypted=cipher.encrypt(id_number),
            id_number_hash=cipher.lookup_hash(id_number),
            birth_date=birth,
            gender="女" if female else "男",
            phone="1" + rng.choice("3456789") + "".join(str(rng.randrange(10)) for _ in range(9)),
            region_code=county.code,
            lat=round(county.lat + rng.uniform(-0.05, 0.05), 4),
            lon=round(county.lon + rng.uniform(-0.05, 0.05), 4),
            education=edu,
            graduation_year=grad_year,
            experience_years=experience,
            skills=rng.sample(skills, k=max(1, len(skills) - rng.randint(0, 1))),
            certificates=list(certs) if rng.random() < 0.7 else [],
            desired_titles=[title],
            desired_occupations=[occ[0].code] if occ else [],
            desired_regions=[county.parent_code] if county.parent_code else [],
            expected_pay_min=round(pay * rng.uniform(0.85, 1.2), -2),
            availability=rng.choice([Availability.IMMEDIATE] * 3 + [Availability.WITHIN_MONTH, Availability.EMPLOYED_OPEN]),
            summary=f"（演示数据）求职意向：{title}。技能：{'、'.join(skills)}。",
            consent_recommendation=rng.random() < 0.9,
            consent_visible_to_enterprises=rng.random() < 0.6,
            origin="demo",
            is_demo=True,
        )
        seeker.groups = [
            JobseekerGroup(group=g, verification=VerificationStatus.VERIFIED if rng.random() < 0.7 else VerificationStatus.PENDING)
            for g in groups
        ]
        session.add(seeker)
        made += 1
        if made % 200 == 0:
            session.flush()
    session.flush()
    from core.outbox.services import emit_many

    ids = [i for (i,) in session.execute(select(Jobseeker.id).where(Jobseeker.origin == "demo").order_by(Jobseeker.id.desc()).limit(made))]
    emit_many(session, "seeker", ids)
    return {"generated": made, "existing": existing}
