"""The statistics pages over HTTP: jurisdiction, drill-down, the exports."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.db import utcnow
from core.statistics.cells import refresh_cells


@pytest.fixture
def stats_data(db_session):
    """Two postings and three jobseekers in 青海 (other tests' rows taken out of the counts)."""
    from sqlalchemy import update

    from core.channels.models import Channel
    from core.enums import Availability, ChannelKind
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker

    db_session.execute(update(Posting).values(published_at=None))
    db_session.execute(update(Jobseeker).values(availability=Availability.UNAVAILABLE))
    ch = Channel(code="stats-web-ch", name="统计页面渠道", kind=ChannelKind.PUBLIC_AGENCY)
    db_session.add(ch)
    db_session.flush()
    now = utcnow()
    db_session.add_all([
        Posting(title="焊工", region_code="630102", occupation_code="6-18-02-04", headcount=8, status="published",
                published_at=now, channel_id=ch.id),
        Posting(title="营业员", region_code="632221", occupation_code="4-01-02-03", headcount=3, status="published",
                published_at=now, channel_id=ch.id),
        Jobseeker(name="甲", region_code="630102", desired_occupations=["6-18-02-04"], created_at=now),
        Jobseeker(name="乙", region_code="630103", desired_occupations=["6-18-02-04"], created_at=now),
        Jobseeker(name="丙", region_code="632221", desired_occupations=["4-01-02-03"], created_at=now),
    ])
    db_session.flush()
    refresh_cells(db_session, now.date())
    db_session.commit()


def test_admin_drills_from_province_to_county_and_occupation(client, login_as, stats_data):
    login_as("admin")
    page = client.get("/stats/?region=630000&by=region").get_data(as_text=True)
    assert "西宁市" in page and "海北藏族自治州" in page and 'id="stats-chart-data"' in page
    assert "/stats/?by=region&amp;region=630100" in page or "region=630100" in page
    county = client.get("/stats/?region=630100&by=region").get_data(as_text=True)
    assert "城东区" in county and "城中区" in county
    occ = client.get("/stats/?region=630102&by=occupation&occupation=6-18-02").get_data(as_text=True)
    assert "焊工" in occ


def test_commissioner_sees_own_jurisdiction_only(client, login_as, stats_data):
    login_as("commissioner", region_code="632200")
    page = client.get("/stats/?by=region").get_data(as_text=True)
    assert "门源回族自治县" in page and "西宁市" not in page
    assert client.get("/stats/?region=630100").status_code == 403
    # above the jurisdiction: the jurisdiction itself
    assert "西宁市" not in client.get("/stats/?region=630000&by=region").get_data(as_text=True)


def test_export_xlsx_has_the_table(client, login_as, stats_data):
    login_as("admin")
    resp = client.get("/stats/export.xlsx?region=630000&by=region")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "地区")
    body = {r[0]: r for r in rows[header + 1:]}
    assert body["西宁市"][1] == 8 and body["西宁市"][4] == 2
    assert body["合计"][1] == 11 and body["合计"][4] == 3


@pytest.mark.parametrize("query", ["period=2026-13", "by=shoe", "region=999999", "education=phd"])
def test_bad_filters_are_refused(client, login_as, query):
    login_as("admin")
    assert client.get(f"/stats/?{query}").status_code == 400


def test_jobseeker_and_enterprise_refused(client, login_as):
    login_as("jobseeker")
    assert client.get("/stats/").status_code == 403


def test_quarterly_report_on_screen_xlsx_and_word(client, login_as, stats_data):
    from docx import Document

    login_as("admin")
    page = client.get("/stats/report?region=630000").get_data(as_text=True)
    assert "需求人数前十的职业" in page and "焊工" in page and "求人倍率" in page
    book = load_workbook(io.BytesIO(client.get("/stats/report.xlsx?region=630000").data))
    top = [[c.value for c in r] for r in book["需求人数前十的职业"].iter_rows()]
    assert top[1][0] == "焊工" and top[1][1] == 8 and top[1][4] == 2
    assert top[2][0] == "商品营业员" and top[2][1] == 3
    gaps = [[c.value for c in r] for r in book["供求缺口最大的职业"].iter_rows()]
    assert gaps[1][0] == "焊工" and gaps[1][6] == 6
    doc = Document(io.BytesIO(client.get("/stats/report.docx?region=630000").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "人力资源市场供求状况分析" in text and "需求人数 11 人" in text
    assert any(cell.text == "焊工" for t in doc.tables for row in t.rows for cell in row.cells)


def test_outcomes_by_group_and_origin(client, login_as, db_session):
    from core.applications.models import Application
    from core.enums import ApplicationOrigin, ApplicationStatus, PostingStatus
    from core.postings.models import Posting
    from core.seekers.models import Jobseeker, JobseekerGroup

    here = Posting(title="叉车司机", region_code="632221", status=PostingStatus.PUBLISHED, published_at=utcnow())
    away = Posting(title="保洁员", region_code="630102", status=PostingStatus.PUBLISHED, published_at=utcnow())
    grad = Jobseeker(name="毕业生", region_code="632221")
    grad.groups = [JobseekerGroup(group="graduate"), JobseekerGroup(group="veteran")]
    other = Jobseeker(name="其他", region_code="632221")
    db_session.add_all([here, away, grad, other])
    db_session.flush()
    db_session.add_all([
        Application(jobseeker_id=grad.id, posting_id=here.id, origin=ApplicationOrigin.FAIR, origin_ref="fair:1",
                    status=ApplicationStatus.HIRED),
        Application(jobseeker_id=other.id, posting_id=here.id, origin=ApplicationOrigin.SEARCH,
                    status=ApplicationStatus.INTERVIEW),
        Application(jobseeker_id=grad.id, posting_id=away.id, origin=ApplicationOrigin.SEARCH),  # not my region
    ])
    db_session.commit()
    login_as("commissioner", region_code="632200")
    resp = client.get("/stats/outcomes?format=xlsx")
    book = load_workbook(io.BytesIO(resp.data))
    groups = {r[0]: r[1:4] for r in book["按重点群体"].iter_rows(values_only=True)}
    assert groups["高校毕业生"] == (1, 1, 1) and groups["退役军人"] == (1, 1, 1)
    assert groups["合计"] == (2, 2, 1)
    origins = {r[0]: r[1:4] for r in book["按求职渠道"].iter_rows(values_only=True)}
    assert origins["招聘会"] == (1, 1, 1) and origins["搜索"] == (1, 1, 0)
    page = client.get("/stats/outcomes").get_data(as_text=True)
    assert "高校毕业生" in page and "招聘会" in page


def test_refresh_runs_in_the_background_and_records_its_progress(app_factory, fresh_database_url):
    """On a database of its own (the refresh commits from two sessions of its own)."""
    from sqlalchemy.orm import sessionmaker

    from core.all_models import metadata
    from core.postings.models import Posting
    from core.reference.services import load_reference_data
    from core.statistics.cells import run_refresh
    from core.statistics.models import StatsCell, StatsRefresh
    from webapp.extensions import db

    own = app_factory(fresh_database_url("sqlite"))
    with own.app_context():
        metadata.create_all(db.engine)
        load_reference_data(db.session)
        db.session.add(Posting(title="焊工", region_code="630102", occupation_code="6-18-02-04", headcount=2,
                               status="published", published_at=utcnow()))
        db.session.commit()
        run = run_refresh(sessionmaker(bind=db.engine, expire_on_commit=False))
        assert run.state == "done" and run.progress == 100 and run.cells > 0
        assert db.session.query(StatsRefresh).count() == 1
        assert db.session.query(StatsCell).filter_by(measure="posted", region_code="630102",
                                                     occupation_code="6-18-02-04").one().headcount == 2
        db.session.remove()


def test_admin_starts_a_refresh_from_the_page(client, login_as, monkeypatch):
    from webapp.stats import views

    started = []
    monkeypatch.setattr(views, "_refresh_in_background", lambda app: started.append(app))
    # none running: other tests (the route walks) may have pressed the button in this database
    monkeypatch.setattr(views.cells, "last_refresh", lambda session: None)
    login_as("admin")
    assert 'id="refresh-form"' in client.get("/stats/").get_data(as_text=True)
    resp = client.post("/stats/refresh")
    assert resp.status_code == 303 and len(started) == 1
    client.post("/logout")
    login_as("commissioner")
    assert client.post("/stats/refresh").status_code == 403


def test_cli_refresh_rebuilds_the_cells(runner, stats_data, db_session):
    import json

    from core.statistics.models import StatsCell

    db_session.query(StatsCell).delete()
    db_session.commit()
    result = runner.invoke(args=["stats", "refresh", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cells"] == db_session.query(StatsCell).count() > 0
    welders = db_session.query(StatsCell).filter_by(measure="posted", region_code="630102",
                                                    occupation_code="6-18-02-04", dim="").one()
    assert welders.headcount == 8
