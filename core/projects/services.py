"""Major projects (重大项目) and their labour demand lines (用工需求): the use cases a service commissioner
follows a project with. Publishing a line as a posting goes through the intake pipeline
(``indexer.intake.publish_labour_demand``), which the caller invokes once ``demand_for_change`` has
let the actor publish that line; this module stays Flask- and indexer-free."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.accounts.services import get_in_jurisdiction, in_jurisdiction, jurisdiction_clause, require_jurisdiction
from core.db import utcnow
from core.enterprises.models import Enterprise
from core.enums import PostingStatus, Role
from core.errors import DomainError, NotFound, PermissionDenied, ValidationErrors
from core.identity import validate_credit_code, validate_region_code
from core.postings.models import Posting
from core.reference.services import RegionDirectory

from .models import LabourDemand, MajorProject

# DOMAIN: a project's stage. 规划 = approved, not started; 在建 = under construction; 投产运营 = in operation.
STATUS_LABELS: dict[str, str] = {"planned": "规划中", "construction": "在建", "operation": "投产运营"}

# A posting in one of these is still open, so deleting its demand line withdraws it.
_OPEN_POSTING = (PostingStatus.DRAFT, PostingStatus.PENDING_REVIEW, PostingStatus.PUBLISHED, PostingStatus.EXPIRED)


# --- who may see and change what -------------------------------------------------------------------
#
# Seeing: a project in the actor's jurisdiction, or assigned to them by an admin (they follow it).
# Changing (the project, adding, changing, publishing or deleting a line): the OBJECT'S OWN region
# must lie in the actor's jurisdiction (core.accounts.in_jurisdiction) — a project's region, a line's
# work place (or its project's when it has none); an assignment alone lets a commissioner follow a
# project elsewhere, not publish there.


def can_access(actor, project: MajorProject) -> bool:
    """Admins: every project. Commissioners: projects in their jurisdiction or assigned to them."""
    role = Role(actor.role)
    if role == Role.ADMIN:
        return True
    if role != Role.COMMISSIONER:
        return False
    return project.commissioner_user_id == actor.id or in_jurisdiction(actor, project.region_code)


def get_project(session: Session, project_id: int, actor) -> MajorProject:
    return get_in_jurisdiction(session, MajorProject, project_id, actor, "该重大项目", can_access)


def get_demand(session: Session, demand_id: int, actor, project_id: int | None = None) -> LabourDemand:
    demand = session.get(LabourDemand, demand_id)
    if demand is None or (project_id is not None and demand.project_id != project_id):
        raise NotFound("该用工需求")
    get_project(session, demand.project_id, actor)
    return demand


def demand_region(demand: LabourDemand) -> str | None:
    """Where a line's work is: its own region, else its project's (as the posting it becomes)."""
    return demand.region_code or demand.project.region_code


def may_change(actor, project: MajorProject) -> bool:
    """Whether the actor may change the project and its lines (pages hide the buttons otherwise)."""
    return in_jurisdiction(actor, project.region_code)  # admins and commissioners only: in_jurisdiction says so


def changeable_lines(actor, project: MajorProject) -> set[int]:
    """Ids of the project's lines the actor may change, publish or delete."""
    if Role(actor.role) not in (Role.COMMISSIONER, Role.ADMIN):
        return set()
    return {d.id for d in project.demand_lines if in_jurisdiction(actor, demand_region(d))}


def project_for_change(session: Session, project_id: int, actor) -> MajorProject:
    """The project, if the actor may change it (or add lines to it): its own region in jurisdiction."""
    project = get_project(session, project_id, actor)
    require_jurisdiction(actor, project.region_code, "该重大项目所在地")
    return project


def demand_for_change(session: Session, demand_id: int, actor, project_id: int | None = None) -> LabourDemand:
    """The line, if the actor may change, publish or delete it: its own work place in jurisdiction."""
    demand = get_demand(session, demand_id, actor, project_id)
    require_jurisdiction(actor, demand_region(demand), f"用工需求“{demand.title}”的工作地点")
    return demand


def list_projects(session: Session, actor, *, status: str | None = None,
                  region_code: str | None = None) -> list[MajorProject]:
    """Projects the actor may see, newest first; ``region_code`` keeps those inside that region."""
    stmt = select(MajorProject)
    if (inside := jurisdiction_clause(actor, MajorProject.region_code)) is not None:
        stmt = stmt.where(or_(inside, MajorProject.commissioner_user_id == actor.id))
    if status:
        if status not in STATUS_LABELS:
            raise DomainError("invalid_status", "项目状态只能是：" + "、".join(STATUS_LABELS.values()), "status")
        stmt = stmt.where(MajorProject.status == status)
    if region_code:
        validate_region_code(region_code)
        stmt = stmt.where(MajorProject.region_code.like(f"{RegionDirectory.code_prefix(region_code)}%"))
    return list(session.scalars(stmt.order_by(MajorProject.created_at.desc(), MajorProject.id.desc())))


# --- parsing helpers (values come from forms as text, or from code as typed values) ----------------

def _text(data: dict, key: str) -> str:
    v = data.get(key)
    return "" if v is None else str(v).strip()


def _region(session: Session, value: str, field_name: str, label: str, errors: list[DomainError]) -> str | None:
    from core.reference.models import Region

    if not value:
        return None
    try:
        code = validate_region_code(value, field_name)
    except DomainError as e:
        errors.append(DomainError(e.code, f"{label}：{e.message}", field_name))
        return None
    if session.get(Region, code) is None:
        errors.append(DomainError("unknown_region", f"{label}：行政区划代码 {code} 不存在", field_name))
        return None
    return code


def _date(value, field_name: str, label: str, errors: list[DomainError]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(DomainError("invalid_date", f"{label}格式应为 年-月-日，如 2026-03-01", field_name))
        return None


def _too_long(value: str, limit: int, field_name: str, label: str, errors: list[DomainError]) -> None:
    if len(value) > limit:
        errors.append(DomainError("too_long", f"{label}不能超过{limit}个字", field_name))


def _outside(actor, region: str | None, label: str, errors: list[DomainError]) -> None:
    """A region typed into a form that lies outside the actor's jurisdiction, as a field error."""
    if region and not in_jurisdiction(actor, region):
        errors.append(DomainError("outside_jurisdiction", f"{label} {region} 不在您的管辖范围内", "region_code"))


def _required_text(data: dict, field_name: str, label: str, errors: list[DomainError], limit: int = 200) -> str:
    """A field that must be filled in (``missing_<field>``) and not be longer than ``limit``."""
    value = _text(data, field_name)
    if not value:
        errors.append(DomainError(f"missing_{field_name}", f"请填写{label}", field_name))
    _too_long(value, limit, field_name, label, errors)
    return value


# --- projects --------------------------------------------------------------------------------------

def _enterprise(session: Session, data: dict, errors: list[DomainError]) -> tuple[bool, int | None]:
    """(given, enterprise id): by unified social credit code, else by chosen id; neither = no enterprise."""
    code = _text(data, "credit_code")
    if code:
        try:
            code = validate_credit_code(code)
        except DomainError as e:
            errors.append(e)
            return True, None
        ent_id = session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
        if ent_id is None:
            errors.append(DomainError("unknown_enterprise",
                                      f"未找到统一社会信用代码为 {code} 的用人单位，请先让该单位在平台注册", "credit_code"))
        return True, ent_id
    raw_id = _text(data, "enterprise_id")
    if raw_id:
        if not raw_id.isdigit() or session.get(Enterprise, int(raw_id)) is None:
            errors.append(DomainError("unknown_enterprise", "所选用人单位不存在", "enterprise_id"))
            return True, None
        return True, int(raw_id)
    return False, None


def _project_fields(session: Session, data: dict, actor, project: MajorProject | None) -> dict:
    errors: list[DomainError] = []
    clean: dict = {}
    clean["name"] = _required_text(data, "name", "项目名称", errors)

    region = _region(session, _text(data, "region_code"), "region_code", "项目所在地", errors)
    if region is None and not any(e.field == "region_code" for e in errors):
        errors.append(DomainError("missing_region", "请填写项目所在地（6位行政区划代码）", "region_code"))
    _outside(actor, region, "项目所在地", errors)
    clean["region_code"] = region

    given, ent_id = _enterprise(session, data, errors)
    if given or project is None:
        clean["enterprise_id"] = ent_id

    raw_inv = data.get("total_investment")
    inv = None
    if raw_inv not in (None, ""):
        try:
            inv = float(str(raw_inv).strip().replace(",", "").replace("，", ""))
            if inv != inv or inv < 0 or inv == float("inf"):
                raise ValueError
        except ValueError:
            errors.append(DomainError("invalid_investment", "总投资应为不小于0的数字（单位：万元）", "total_investment"))
            inv = None
    clean["total_investment"] = inv

    status = _text(data, "status") or (project.status if project else "construction")
    if status not in STATUS_LABELS:
        errors.append(DomainError("invalid_status", "项目状态只能是：" + "、".join(STATUS_LABELS.values()), "status"))
    clean["status"] = status

    if Role(actor.role) == Role.ADMIN and "commissioner_user_id" in data:
        raw = _text(data, "commissioner_user_id")
        if raw:
            from core.accounts.models import User

            user = session.get(User, int(raw)) if raw.isdigit() else None
            if user is None or Role(user.role) != Role.COMMISSIONER:
                errors.append(DomainError("unknown_commissioner", "所选负责专员不存在", "commissioner_user_id"))
            else:
                clean["commissioner_user_id"] = user.id
        else:
            clean["commissioner_user_id"] = None
    elif project is None and Role(actor.role) == Role.COMMISSIONER:
        clean["commissioner_user_id"] = actor.id  # the commissioner who registers a project follows it

    if errors:
        raise ValidationErrors(errors)
    return clean


def _require_staff(actor) -> None:
    if Role(actor.role) not in (Role.COMMISSIONER, Role.ADMIN):
        raise PermissionDenied("只有服务专员和管理员可以管理重大项目")


def create_project(session: Session, actor, data: dict) -> MajorProject:
    """Register a project. ``data``: name, region_code, credit_code or enterprise_id, total_investment
    (万元), status, and for admins commissioner_user_id. The caller commits."""
    _require_staff(actor)
    project = MajorProject(**_project_fields(session, data, actor, None))
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, actor, project_id: int, data: dict) -> MajorProject:
    project = project_for_change(session, project_id, actor)
    for key, value in _project_fields(session, data, actor, project).items():
        setattr(project, key, value)
    session.flush()
    return project


def commissioner_choices(session: Session) -> list:
    from core.accounts.models import User

    return list(session.scalars(select(User).where(User.role == Role.COMMISSIONER).order_by(User.region_code, User.id)))


# --- demand lines ----------------------------------------------------------------------------------

def _demand_fields(session: Session, data: dict, actor) -> dict:
    errors: list[DomainError] = []
    clean: dict = {}
    clean["title"] = _required_text(data, "title", "岗位名称", errors)
    for key, label, limit in (("occupation_text", "工种/职业", 100), ("pay_text", "薪酬", 100)):
        value = _text(data, key)
        _too_long(value, limit, key, label, errors)
        clean[key] = value or None
    requirements = _text(data, "requirements")
    _too_long(requirements, 5000, "requirements", "岗位要求", errors)
    clean["requirements"] = requirements

    raw = data.get("headcount")
    clean["headcount"] = None
    if raw not in (None, ""):
        text = str(raw).strip()
        if not text.isdigit() or int(text) < 1:
            errors.append(DomainError("invalid_headcount", "需求人数应为不小于1的整数，人数不定请留空", "headcount"))
        elif int(text) > 1_000_000:
            errors.append(DomainError("invalid_headcount", "需求人数过大，请核对", "headcount"))
        else:
            clean["headcount"] = int(text)

    # Empty region: the line follows the project's region (the adapter falls back to it).
    clean["region_code"] = _region(session, _text(data, "region_code"), "region_code", "工作地点", errors)
    _outside(actor, clean["region_code"], "工作地点", errors)
    start = _date(data.get("start_date"), "start_date", "用工开始日期", errors)
    end = _date(data.get("end_date"), "end_date", "用工结束日期", errors)
    if start and end and start > end:
        errors.append(DomainError("invalid_period", "用工结束日期不能早于开始日期", "end_date"))
    clean["start_date"], clean["end_date"] = start, end
    if errors:
        raise ValidationErrors(errors)
    return clean


def add_demand(session: Session, actor, project_id: int, data: dict) -> LabourDemand:
    """Add a demand line (title, occupation_text, headcount, pay_text, requirements, region_code,
    start_date, end_date). It is not a posting until it is published. The caller commits."""
    project = project_for_change(session, project_id, actor)
    demand = LabourDemand(project_id=project.id, **_demand_fields(session, data, actor))
    session.add(demand)
    session.flush()
    return demand


def update_demand(session: Session, actor, demand_id: int, data: dict, project_id: int | None = None) -> LabourDemand:
    """Change a line; a posting it already became changes when the line is published again."""
    demand = demand_for_change(session, demand_id, actor, project_id)
    for key, value in _demand_fields(session, data, actor).items():
        setattr(demand, key, value)
    session.flush()
    return demand


def delete_demand(session: Session, actor, demand_id: int, project_id: int | None = None) -> Posting | None:
    """Delete a line. An open posting it became is withdrawn (its search entry follows through the
    outbox), so a deleted demand does not stay advertised. Returns that posting, if any."""
    from core.outbox.services import emit

    demand = demand_for_change(session, demand_id, actor, project_id)
    posting = session.get(Posting, demand.posting_id) if demand.posting_id else None
    withdrawn = None
    if posting is not None and posting.status in _OPEN_POSTING:
        posting.status = PostingStatus.WITHDRAWN
        posting.version = (posting.version or 1) + 1
        posting.updated_at = utcnow()
        emit(session, "posting", posting.id, "upsert")
        withdrawn = posting
    session.delete(demand)
    session.flush()
    return withdrawn


# --- figures ---------------------------------------------------------------------------------------

@dataclass
class ProjectSummary:
    lines: int = 0
    total_headcount: int = 0
    unspecified_headcount: int = 0   # lines whose headcount is 若干
    published: int = 0
    held: int = 0                    # postings pending review
    not_published: int = 0           # lines that are not (or no longer) a posting
    posting_statuses: dict[str, int] = field(default_factory=dict)  # PostingStatus value -> lines


def project_summaries(session: Session, projects: list[MajorProject]) -> dict[int, ProjectSummary]:
    """Figures per project: lines, total headcount, lines published, held for review, and the statuses
    of the postings the lines became. One query for the postings of all the projects."""
    ids = [p.id for p in projects]
    if not ids:
        return {}
    lines = list(session.scalars(select(LabourDemand).where(LabourDemand.project_id.in_(ids))))
    posting_ids = [d.posting_id for d in lines if d.posting_id]
    statuses = dict(session.execute(select(Posting.id, Posting.status).where(Posting.id.in_(posting_ids))).all()) \
        if posting_ids else {}
    out = {pid: ProjectSummary() for pid in ids}
    counters: dict[int, Counter] = {pid: Counter() for pid in ids}
    for d in lines:
        s = out[d.project_id]
        s.lines += 1
        if d.headcount:
            s.total_headcount += d.headcount
        else:
            s.unspecified_headcount += 1
        status = statuses.get(d.posting_id) if d.posting_id else None
        if status is None:
            s.not_published += 1
            continue
        status = PostingStatus(status)
        counters[d.project_id][status.value] += 1
        if status == PostingStatus.PUBLISHED:
            s.published += 1
        elif status == PostingStatus.PENDING_REVIEW:
            s.held += 1
    for pid, c in counters.items():
        out[pid].posting_statuses = dict(sorted(c.items()))
    return out


def project_summary(session: Session, project: MajorProject) -> ProjectSummary:
    return project_summaries(session, [project])[project.id]


def demand_postings(session: Session, project: MajorProject) -> dict[int, Posting]:
    """The posting each of the project's lines became, by line id."""
    by_posting = {d.posting_id: d.id for d in project.demand_lines if d.posting_id}
    if not by_posting:
        return {}
    rows = session.scalars(select(Posting).where(Posting.id.in_(list(by_posting))))
    return {by_posting[p.id]: p for p in rows}


__all__ = [
    "STATUS_LABELS", "ProjectSummary", "add_demand", "can_access", "changeable_lines", "commissioner_choices", "create_project",
    "delete_demand", "demand_for_change", "demand_postings", "demand_region", "get_demand", "get_project",
    "list_projects", "may_change", "project_for_change", "project_summaries", "project_summary",
    "update_demand", "update_project",
]
