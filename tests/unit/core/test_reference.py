"""Reference data from the shipped real files, and look-ups over the loaded database."""
from __future__ import annotations

from sqlalchemy import func, select

from core.reference.models import Occupation, Region
from core.reference.services import (
    OccupationDirectory,
    RegionDirectory,
    load_reference_data,
    read_occupations,
    read_regions,
    short_region_name,
)


def test_all_county_level_divisions_and_detailed_occupations_are_read():
    regions = read_regions()
    assert sum(r.level == 3 for r in regions) == 2978
    assert sum(r.level == 1 for r in regions) == 31
    occupations = read_occupations()
    assert sum(o.level == 4 for o in occupations) == 1639
    assert sum(o.level == 1 for o in occupations) == 8


def test_parents_exist_for_every_region_and_occupation():
    regions = {r.code: r for r in read_regions()}
    assert all(r.parent_code in regions for r in regions.values() if r.parent_code)
    occ = {o.code: o for o in read_occupations()}
    assert all(o.parent_code in occ for o in occ.values() if o.parent_code)


def test_coordinates_are_joined_where_a_source_has_them():
    d = RegionDirectory(read_regions())
    lanshan = d.get("371302")
    assert lanshan.full_name == "山东省临沂市兰山区"
    assert abs(lanshan.lat - 35.07) < 0.2 and abs(lanshan.lon - 118.33) < 0.2
    with_coords = sum(r.lat is not None for r in d.all(3))
    assert with_coords > 2300


def test_region_lookups_by_name_prefix_and_partial():
    d = RegionDirectory(read_regions())
    assert [r.code for r in d.by_name("兰山区")] == ["371302"]
    assert [r.code for r in d.by_name("临沂")] == ["371300"]
    assert len(d.by_name("鼓楼区")) >= 4  # ambiguous: 南京、徐州、福州、开封
    assert all(r.code.startswith("3713") for r in d.by_prefix("3713"))
    assert d.search("天河")[0].code == "440106"
    assert d.contains("440000", "440106") and not d.contains("370000", "440106")
    assert [r.code for r in d.ancestors("371302")] == ["370000", "371300", "371302"]
    # Municipalities: 市辖区 is never shown as a name.
    assert d.get("110101").full_name == "北京市东城区"


def test_cities_without_districts_are_county_level_under_their_province():
    d = RegionDirectory(read_regions())
    dongguan = d.get("441900")
    assert dongguan.level == 3 and dongguan.parent_code == "440000"


def test_short_names():
    assert short_region_name("兰山区") == "兰山"
    assert short_region_name("广西壮族自治区") == "广西"
    assert short_region_name("城区") == "城区"


def test_occupation_lookups():
    d = OccupationDirectory(read_occupations())
    assert d.get("6-18-02-04").name == "焊工"
    assert d.by_name("焊工")[0].code == "6-18-02-04"
    assert [o.code for o in d.ancestors("6-18-02-04")] == ["6", "6-18", "6-18-02", "6-18-02-04"]
    assert all(o.code.startswith("4-01") for o in d.by_prefix("4-01"))


def test_loaded_into_the_database_and_reload_is_idempotent(db_session):
    # The app fixture loaded them once; loading again changes nothing.
    before = db_session.scalar(select(func.count()).select_from(Region))
    counts = load_reference_data(db_session)
    db_session.flush()
    assert db_session.scalar(select(func.count()).select_from(Region)) == before
    assert counts["counties"] == 2978
    assert db_session.scalar(select(func.count()).select_from(Occupation).where(Occupation.level == 4)) == 1639


def test_ref_load_command(runner):
    result = runner.invoke(args=["ref", "load", "--json"])
    assert result.exit_code == 0, result.output
    assert '"counties": 2978' in result.output
