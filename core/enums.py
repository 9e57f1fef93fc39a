"""Enumerations of the domain. Values are stable identifiers; ``LABELS`` give the Chinese UI text."""
from __future__ import annotations

from enum import StrEnum


class ChannelKind(StrEnum):
    PROVINCIAL_SITE = "provincial_site"          # 省级公共招聘网站 (the first "1")
    GIG_PLATFORM = "gig_platform"                # 零工平台 (the second "1")
    PUBLIC_AGENCY = "public_agency"              # 公共就业服务机构
    HR_MARKET = "hr_market"                      # 人力资源市场（含零工市场）
    HR_FIRM = "hr_firm"                          # 经营性人力资源服务机构 (needs a licence)
    TRAINING_INSTITUTION = "training_institution"  # 培训机构
    ENTERPRISE_DIRECT = "enterprise_direct"      # 用人单位自主发布
    MAJOR_PROJECT = "major_project"              # 重大项目用工需求


class TrustLevel(StrEnum):
    TRUSTED = "trusted"      # clean postings publish without review
    STANDARD = "standard"
    LOW = "low"              # every posting is reviewed


class VerificationStatus(StrEnum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class EmploymentType(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    GIG = "gig"
    INTERNSHIP = "internship"


class PayUnit(StrEnum):
    MONTH = "month"
    DAY = "day"
    HOUR = "hour"
    PIECE = "piece"          # 计件: paid by the piece; no declared monthly conversion


class PostingStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    FILLED = "filled"


class Education(StrEnum):
    """Ordered: a higher level satisfies a lower requirement."""

    NONE = "none"              # 不限
    PRIMARY = "primary"        # 小学
    JUNIOR = "junior"          # 初中
    SENIOR = "senior"          # 高中/中专/中技
    ASSOCIATE = "associate"    # 大专
    BACHELOR = "bachelor"      # 本科
    MASTER = "master"          # 硕士
    DOCTOR = "doctor"          # 博士

    @property
    def rank(self) -> int:
        return list(Education).index(self)


class PriorityGroup(StrEnum):
    GRADUATE = "graduate"                    # 高校毕业生
    VETERAN = "veteran"                      # 退役军人
    MIGRANT_WORKER = "migrant_worker"        # 农民工 / 农村转移劳动力
    LAND_LOST_FARMER = "land_lost_farmer"    # 被征地农民
    LAID_OFF = "laid_off"                    # 去产能安置职工 / 失业人员
    HARD_TO_EMPLOY = "hard_to_employ"        # 就业困难人员
    DISABLED = "disabled"                    # 残疾人
    POVERTY_ALLEVIATED = "poverty_alleviated"  # 脱贫劳动力
    ZERO_EMPLOYMENT_HOUSEHOLD = "zero_employment_household"  # 零就业家庭


class Availability(StrEnum):
    IMMEDIATE = "immediate"        # 随时到岗
    WITHIN_MONTH = "within_month"  # 一个月内
    EMPLOYED_OPEN = "employed_open"  # 在职，看机会
    UNAVAILABLE = "unavailable"    # 暂不求职


class Role(StrEnum):
    JOBSEEKER = "jobseeker"
    ENTERPRISE = "enterprise"
    COMMISSIONER = "commissioner"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    VIEWED = "viewed"
    INTERVIEW = "interview"
    OFFER = "offer"  # 拟录用: the enterprise means to hire (the stage between interview and hired)
    HIRED = "hired"
    DECLINED = "declined"  # 未通过: the enterprise turned the application down (with a reason since 0006)
    WITHDRAWN = "withdrawn"  # the jobseeker took the application back


class InvitationStatus(StrEnum):
    """An enterprise's invitation to a jobseeker to apply to one posting (邀请投递)."""

    SENT = "sent"  # waiting for the person's answer
    ACCEPTED = "accepted"  # the person applied through it
    DECLINED = "declined"  # the person said no


class ApplicationOrigin(StrEnum):
    SEARCH = "search"
    FAIR = "fair"
    LIVESTREAM = "livestream"
    RECOMMENDATION = "recommendation"
    DIRECT = "direct"
    INVITATION = "invitation"  # the enterprise invited the person (邀请投递) and they applied
    PLACEMENT = "placement"  # a commissioner placed a land-lost farmer in the post (征地安置)


class NotificationKind(StrEnum):
    """What a notification is about; the inbox and the delivery settings group by it."""

    APPLICATION = "application"  # an application of mine was viewed, moved, invited to interview
    INVITATION = "invitation"  # an enterprise invites me to apply
    POSTING = "posting"  # a posting I applied to closed or changed
    ALERT = "alert"  # new postings for a saved search
    VERIFICATION = "verification"  # my priority group or enterprise verification was decided
    FAIR = "fair"  # a job fair I registered for or exhibit at
    LIVESTREAM = "livestream"  # a livestream session I follow
    TRAINING = "training"  # a course I signed up for
    TASK = "task"  # staff work: a follow-up, a deadline, an alert to act on
    ACCOUNT = "account"  # my account: password reset, sign-in


class SeekerVisibility(StrEnum):
    """Who may find a jobseeker's profile (the person chooses, on the privacy page)."""

    OPEN = "open_to_verified"  # 对已认证单位公开: verified enterprises find me among candidates (contacts hidden)
    ON_APPLY = "on_apply"  # 仅在我投递时: an enterprise sees me only through my applications to it
    HIDDEN = "hidden"  # 对所有单位隐藏: no enterprise sees me anywhere (applying is paused)


class AlertFrequency(StrEnum):
    """How often a saved search (job alert) sends its new postings."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"


class OutboxState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    DEAD = "dead"


LABELS: dict[str, str] = {
    # channel kinds
    "provincial_site": "省级公共招聘网站", "gig_platform": "零工平台", "public_agency": "公共就业服务机构",
    "hr_market": "人力资源市场", "hr_firm": "人力资源服务机构", "training_institution": "培训机构",
    "enterprise_direct": "用人单位直接发布", "major_project": "重大项目",
    # trust
    "trusted": "可信", "standard": "一般", "low": "需逐条审核",
    # verification
    "unverified": "未认证", "pending": "待审核", "verified": "已认证",
    # employment types
    "full_time": "全职", "part_time": "兼职", "gig": "零工", "internship": "实习/见习",
    # pay units
    "month": "月", "day": "天", "hour": "小时", "piece": "件",
    # posting status
    "draft": "草稿", "pending_review": "待审核", "published": "已发布", "rejected": "已驳回",
    "expired": "已过期", "withdrawn": "已撤回", "filled": "已招满",
    # education
    "none": "学历不限", "primary": "小学", "junior": "初中", "senior": "高中/中专",
    "associate": "大专", "bachelor": "本科", "master": "硕士", "doctor": "博士",
    # priority groups
    "graduate": "高校毕业生", "veteran": "退役军人", "migrant_worker": "农民工",
    "land_lost_farmer": "被征地农民", "laid_off": "失业/去产能职工", "hard_to_employ": "就业困难人员",
    "disabled": "残疾人", "poverty_alleviated": "脱贫劳动力", "zero_employment_household": "零就业家庭成员",
    # availability
    "immediate": "随时到岗", "within_month": "一个月内到岗", "employed_open": "在职看机会", "unavailable": "暂不求职",
    # roles
    "jobseeker": "求职者", "enterprise": "用人单位", "commissioner": "人社服务专员",
    "reviewer": "审核员", "admin": "管理员",
    # applications
    "submitted": "已投递", "viewed": "已查看", "interview": "邀请面试", "hired": "已录用", "declined": "未通过", "offer": "拟录用",
    "invitation": "邀请",
    "search": "搜索", "fair": "招聘会", "livestream": "直播带岗", "recommendation": "智能推荐", "direct": "直接投递",
    "placement": "征地安置",
    # who may find a jobseeker; how often a job alert sends
    "open_to_verified": "对已认证单位公开", "on_apply": "仅在我投递时可见", "hidden": "对所有单位隐藏",
    "immediately": "有新岗位就提醒", "daily": "每天一次", "weekly": "每周一次",
}


def label(value) -> str:
    if value is None:
        return ""
    return LABELS.get(str(value), str(value))
