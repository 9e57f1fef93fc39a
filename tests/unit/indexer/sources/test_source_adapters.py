"""Channel adapters map each real format to drafts: the right fields, row numbers, stable ids, and
a rejected draft (not an exception) for a record that cannot be read."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.tabular import TabularError
from indexer.sources import feeds, job51_raw, jobhunting, partner, redraft, spreadsheet, zhilian

FIX = Path(__file__).resolve().parents[3] / "fixtures" / "ingest"


def test_xlsx_with_office_headers_keeps_row_numbers_and_fields():
    table, drafts = spreadsheet.read(FIX / "hr_market_postings.xlsx", "hrm")
    drafts = list(drafts)
    assert table.format == "xlsx"
    assert table.mapping["title"] == "岗位名称" and table.mapping["company_name"] == "单位名称"
    first = drafts[0]
    assert first.record_number == 3  # title line, header on row 2
    assert first.external_id == "XLSX-001"
    assert first.credit_code and len(first.credit_code) == 18
    assert first.pay_text.endswith("元/月")
    by_row = {d.record_number: d for d in drafts}
    assert by_row[23].issues[0].code == "missing_title" and by_row[23].issues[0].severity == "reject"
    assert by_row[24].description.startswith("<script>")  # stored as text, escaped when rendered
    assert by_row[27].title.startswith("=HYPERLINK")     # text typed into a cell stays text


def test_gb18030_csv_with_other_office_names():
    table, drafts = spreadsheet.read(FIX / "agency_postings_gb18030.csv", "agency")
    drafts = list(drafts)
    assert table.encoding == "gb18030"
    assert set(table.mapping) >= {"title", "company_name", "region_text", "pay_text", "headcount", "description"}
    assert drafts[-1].title == "搬运工" and "押金" in drafts[-1].description
    assert drafts[-1].record_number == 18
    # no id column: a stable id from title + company + place, the same on every read
    again = list(spreadsheet.read(FIX / "agency_postings_gb18030.csv", "agency")[1])
    assert [d.external_id for d in drafts] == [d.external_id for d in again]
    assert len({d.external_id for d in drafts}) == len(drafts)


def test_utf8_bom_csv_with_template_headers():
    table, drafts = spreadsheet.read(FIX / "training_postings_utf8bom.csv", "train")
    assert table.encoding == "utf-8-sig" and len(list(drafts)) == 10


def test_missing_company_column_is_named():
    with pytest.raises(TabularError) as err:
        spreadsheet.read(FIX / "missing_company_column.csv", "x")
    assert err.value.code == "missing_columns" and "企业名称" in err.value.message


def test_template_round_trips_through_the_reader():
    for data, name in ((spreadsheet.template_xlsx(), "t.xlsx"), (spreadsheet.template_csv(), "t.csv"),
                       (spreadsheet.template_csv("gb18030"), "t.csv")):
        table, drafts = spreadsheet.read(data, "x", filename=name)
        [d] = list(drafts)
        assert d.title == "普工" and d.company_name.startswith("临沂市") and d.external_id == "A2025-001"
        assert set(table.mapping) == {c.key for c in spreadsheet.COLUMNS}


def test_requirements_column_is_appended_to_the_description():
    raw = {"岗位名称": "电工", "单位名称": "示例公司", "岗位职责": "维修设备", "任职要求": "持电工证"}
    d = spreadsheet.record_to_draft(raw, "x", 5)
    assert d.description == "维修设备\n任职要求：持电工证" and d.record_number == 5


def test_provincial_feed_item_mapping():
    item = json.loads((FIX / "provincial_feed_items.json").read_text(encoding="utf-8"))[0]
    d = feeds.record_to_draft_provincial_feed(item, "gd-site", 1)
    assert d.external_id == item["id"] and d.title == item["title"]
    assert d.company_name == item["employer"]["name"] and d.credit_code == item["employer"]["credit_code"]
    assert d.region_text == item["location"]["text"] and d.pay_min == item["salary"]["min"] and d.pay_unit == "month"
    assert d.raw is item


def test_gig_feed_item_mapping_keeps_daily_and_hourly_units():
    items = json.loads((FIX / "gig_feed_items.json").read_text(encoding="utf-8"))
    drafts = [feeds.record_to_draft_gig_feed(it, "gig", i) for i, it in enumerate(items)]
    assert {d.pay_unit for d in drafts} == {"day", "hour"}
    assert all(d.employment_type == "gig" and d.start_date and d.duration_text for d in drafts)


def test_feed_item_without_id_is_a_rejected_draft():
    d = feeds.record_to_draft_provincial_feed({"title": "普工"}, "gd", 7)
    assert d.issues[0].code == "missing_external_id" and d.issues[0].severity == "reject" and d.record_number == 7


def test_partner_record_needs_its_external_id():
    assert partner.record_to_draft({"title": "x", "employer": {"name": "y"}}, "p", 0).issues[0].field == "external_id"
    ok = partner.record_to_draft({"external_id": "A1", "title": "x", "employer": {"name": "y"}}, "p", 0)
    assert ok.external_id == "A1" and not ok.issues


def test_jobhunting_lines_map_fields_and_keep_a_broken_line_as_rejected():
    drafts = list(jobhunting.read(jobhunting.open_lines(FIX / "jobhunting_lines.jsonl"),
                                  lambda p: "demo-" + p.lower(), "demo-x"))
    assert len(drafts) == 13
    broken = drafts[5]
    assert broken.issues[0].code == "malformed_json" and broken.record_number == 6
    assert broken.raw["_raw_text"].startswith('{"id": "BOSS_broken"')
    good = drafts[0]
    assert good.channel_code == "demo-" + good.raw["platform"].lower()
    assert good.external_id == good.raw["id"] and good.title == good.raw["title"]
    if good.raw.get("salary_min"):
        assert good.pay_min == float(good.raw["salary_min"]) and good.pay_unit == "month"


def test_zhilian_list_record_mapping():
    rec = {"jobId": "1", "name": "快递员", "companyName": "顺丰速运", "workCity": "北京", "cityDistrict": "朝阳区",
           "salary60": "6千-8千", "recruitNumber": "5", "education": "不限", "workingExp": "不限",
           "subJobTypeLevelName": "快递员", "welfareLabel": "[{'state': 0, 'value': '五险一金'}]", "workType": "全职"}
    d = zhilian.record_to_draft(rec, "zl", 1)
    assert d.region_text == "北京朝阳区" and d.pay_text == "6千-8千/月" and d.welfare == ["五险一金"]
    assert d.headcount_text == "5" and d.occupation_text == "快递员"


def test_raw_51job_repeats_share_an_id_and_shifted_columns_are_fixed():
    drafts = list(job51_raw.read(FIX / "raw_51job_gb18030.csv", "51"))
    assert len(drafts) == 25
    assert drafts[-1].external_id == drafts[2].external_id  # the repeated row
    assert len({d.external_id for d in drafts}) == 24
    shifted = [d for d in drafts if d.raw["工作经验"] and "本科" in d.raw["工作经验"]]
    assert all(d.education_text == "本科" and d.experience_text is None for d in shifted)


def test_redraft_rebuilds_a_kept_record_and_reparses_kept_text():
    d = redraft("partner", {"external_id": "Z", "title": "保洁", "employer": {"name": "示例"}}, None, "p", 3)
    assert d.external_id == "Z" and d.record_number == 3
    fixed = redraft("jobhunting", None, '{"id": "BOSS_1", "platform": "BOSS", "title": "普工"}', "demo-boss", 2)
    assert fixed.external_id == "BOSS_1" and not fixed.issues
    still = redraft("jobhunting", None, '{"id": ', "demo-boss", 2)
    assert still.issues[0].code == "malformed_json"
