"""``joblink normalise pay|region|occupation TEXT --json``: what the normaliser makes of one text."""
import json


def run(runner, *args):
    result = runner.invoke(args=list(args))
    return result


def test_pay_json(runner):
    r = run(runner, "normalise", "pay", "10-15K·13薪", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert (data["min"], data["max"], data["unit"], data["months"]) == (10000, 15000, "month", 13)


def test_pay_unparsable_is_said(runner):
    r = run(runner, "normalise", "pay", "看能力")
    assert "无法识别" in r.output


def test_region_resolved(runner):
    data = json.loads(run(runner, "normalise", "region", "临沂兰山", "--json").output)
    assert (data["status"], data["code"]) == ("resolved", "371302")


def test_region_ambiguous_lists_candidates_and_fails(runner):
    r = run(runner, "normalise", "region", "鼓楼区", "--json")
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert data["status"] == "ambiguous"
    assert {c["code"] for c in data["candidates"]} == {"320106", "320302", "350102", "410204"}


def test_region_context_settles_it(runner):
    data = json.loads(run(runner, "normalise", "region", "鼓楼区", "--context-region", "350100", "--json").output)
    assert (data["status"], data["code"], data["resolved_by"]) == ("resolved", "350102", "context_region")


def test_region_unknown(runner):
    r = run(runner, "normalise", "region", "火星基地", "--json")
    assert r.exit_code == 1 and json.loads(r.output)["status"] == "unknown"


def test_occupation(runner):
    data = json.loads(run(runner, "normalise", "occupation", "鸿创物流招聘保安", "--json").output)
    assert data["code"] == "4-07-05-01" and data["needs_review"] is False
    assert data["suggestions"][0]["name"] == "保安员"


def test_occupation_low_confidence_text(runner):
    r = run(runner, "normalise", "occupation", "综合管理专员")
    assert "需人工复核" in r.output and "候选" in r.output
