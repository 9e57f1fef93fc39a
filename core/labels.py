"""Chinese names for the codes pages must never show raw: why a posting was held or refused, which
field an error is about, a screening rule's category, level and settings. One table for every page;
the codes themselves stay in the JSON API and the logs (enumerations: ``core.enums.LABELS``)."""
from __future__ import annotations

import re

from core.enums import label

# Short names of the hold/refusal reasons (the review queue's filter, the reason lists, the rule table).
# A reason's message may carry the posting's own figures ("置信度 0.30，候选：…"), so it is not a name.
REASON_LABELS = {
    "discrimination_gender": "性别歧视", "discrimination_ethnicity": "民族歧视", "discrimination_region": "地域/户籍歧视",
    "discrimination_marital": "婚育状况限制", "discrimination_pregnancy_test": "孕检要求",
    "discrimination_hepatitis_b": "乙肝歧视", "age_limit": "年龄限制", "appearance_requirement": "相貌身高要求",
    "child_labour": "低于法定就业年龄", "fee_or_deposit": "收取费用或押金", "fee_deposit": "收取押金",
    "contact_off_platform": "引导站外联系", "contact_phone_in_text": "正文含联系电话", "suspected_fraud": "疑似诈骗",
    "misleading_hook": "诱导性用语",
    "pay_missing": "未写明薪资", "pay_negotiable": "薪资面议", "pay_unparsable": "薪资无法识别",
    "pay_below_minimum": "低于最低工资标准", "invalid_credit_code": "信用代码无效", "credit_code_missing": "缺少信用代码",
    "hr_firm_without_licence": "人力资源机构无许可证", "region_missing": "缺少工作地点", "region_unknown": "工作地点无法识别",
    "region_ambiguous": "工作地点有歧义", "region_code_unknown": "地区代码无效", "occupation_uncertain": "职业归类把握不足",
    "occupation_code_unknown": "职业代码无效", "channel_requires_review": "渠道须逐条审核",
    "channel_not_trusted": "渠道未设为可信", "missing_company": "缺少企业名称", "missing_title": "缺少岗位名称",
    "title_too_long": "职位名称过长", "headcount_unparsable": "招聘人数无法识别", "education_unparsable": "学历无法识别",
    "experience_unparsable": "经验要求无法识别", "invalid_date": "日期无效", "probable_duplicate": "可能重复",
    "employer_info_missing": "缺少用人单位信息", "headcount_missing": "未写明招聘人数",
    "requirements_missing": "未写明岗位要求", "job_content_missing": "未写明工作内容",
    "workplace_missing": "未写明工作地点", "validity_missing": "未写明有效期",
    "expired": "已过有效期", "invalid_valid_until": "有效期无效", "published_at_in_future": "发布时间晚于今天",
    "duplicate_external_id": "编号重复", "merged_into": "已合并到相同岗位", "not_found": "找不到该记录",
    "persist_conflict": "保存冲突", "processing_error": "处理出错", "unknown_channel": "渠道不存在或已停用",
    "unknown_enterprise": "找不到用人单位",
}
OTHER_REASON = "其他原因"

# Field names as a person reads them (forms, reasons, search filters).
FIELD_LABELS = {
    "title": "职位名称", "description": "职位描述", "pay_text": "薪资", "pay": "薪资", "pay_min": "最低薪资",
    "pay_max": "最高薪资", "pay_unit": "薪资单位", "licence_number": "许可证编号", "channel": "渠道",
    "occupation": "职业", "region": "地区", "region_code": "地区", "region_text": "工作地点", "headcount": "招聘人数",
    "education": "学历", "experience": "经验", "address": "地址", "company_name": "企业名称", "credit_code": "信用代码",
    "contact": "联系方式", "dedup": "去重", "requirements": "岗位要求", "valid_until": "有效期",
    "q": "关键词", "page": "页码", "sort": "排序", "employment_type": "用工形式", "radius_km": "距离范围",
    "near": "附近", "lat": "位置", "lon": "位置", "enterprise": "用人单位", "published_within": "发布时间",
    "posted_within": "发布时间", "group": "重点群体", "welfare": "福利", "name": "名称", "phone": "手机号码",
    "published_at": "发布时间", "external_id": "外部编号", "enterprise_id": "用人单位", "demand_id": "用工需求",
    "type": "用工形式", "radius": "距离范围", "size": "每页条数",
    "company_industry": "所属行业", "company_size": "企业规模", "source_url": "岗位链接", "headcount_text": "招聘人数",
    "education_text": "学历要求", "experience_text": "经验要求", "occupation_text": "职业类别", "occupation_code": "职业",
    "duration_text": "用工时长", "skills": "技能要求", "target_groups": "重点群体",
}

SEVERITY_LABELS = {"reject": "拒绝", "hold": "待审", "info": "提示"}

RULE_CATEGORY_LABELS = {  # also the rule editor's choices, in this order
    "discrimination": "就业歧视", "fee": "收费/押金", "contact": "联系方式", "fraud": "诈骗", "age": "年龄",
    "unlawful_age": "违法用工年龄", "misleading": "诱导性用语", "appearance": "相貌要求", "other": "其他",
}

# The structured checks' parameters on the rules page (data/screening/rules.json "settings", "age_rules").
SETTING_LABELS = {
    "auto_publish_trust_levels": "直接发布的渠道可信级别", "always_review_trust_levels": "一律人工审核的渠道可信级别",
    "negotiable_pay_severity": "薪资面议时", "missing_pay_severity": "未写明薪资时",
    "below_minimum_wage_severity": "低于最低工资时", "invalid_credit_code_severity": "信用代码无效时",
    "missing_credit_code_severity": "缺少信用代码时", "hr_firm_without_licence_severity": "人力资源机构无许可证时",
    "licence_required_channel_kinds": "须有许可证的渠道类型",
    "normalisation_issue_codes_info_only": "只作提示的识别问题", "required_field_severity": "缺少必备信息时",
    "job_content_min_chars": "工作内容最少字数", "required_fields_not_checked": "不检查的必备信息",
    "min_legal_age": "法定最低就业年龄（岁）", "child_labour_severity": "低于法定就业年龄时",
}

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def reason_label(code: str | None, message: str | None = "") -> str:
    """A reason's short Chinese name; an unknown code is named by its message's first clause, never shown."""
    if code in REASON_LABELS:
        return REASON_LABELS[code]
    short = re.split(r"[（(：:，,]", message or "", maxsplit=1)[0].strip()
    if not short or _CODE.match(short):  # some lists carry the code where the message is missing
        return OTHER_REASON
    return short[:24]


def field_label(name: str | None) -> str:
    """A field's Chinese name; an unknown field name is not shown (empty string)."""
    return FIELD_LABELS.get(name or "", "")


def setting_label(key: str) -> str:
    return SETTING_LABELS.get(key) or "其他参数"


def setting_value(value) -> str:
    """A setting's value in words: levels, trust levels, channel kinds and reason codes by their names."""
    if isinstance(value, (list, tuple)):
        return "、".join(setting_value(v) for v in value) if value else "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and _CODE.match(value):
        return SEVERITY_LABELS.get(value) or REASON_LABELS.get(value) or FIELD_LABELS.get(value) or label(value)
    return str(value)
