"""The station importer: every error path, all-or-nothing, idempotence, CRS conversion."""

from __future__ import annotations

import io
from typing import Any

import pyproj
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from registry.errors import LimitExceeded, ValidationFailed
from registry.settings import Settings
from registry.stations.importer import import_table
from registry.stations.models import Sector, Site, Station
from registry.tabular import read_table, write_csv

HEADERS = [
    "Mã trạm",
    "Doanh nghiệp",
    "Mã vị trí",
    "Địa chỉ",
    "Kinh độ",
    "Vĩ độ",
    "Loại cột",
    "Chiều cao cột (m)",
    "Công nghệ",
    "Băng tần",
    "Trạng thái",
    "Ngày phát sóng",
]
GOOD = [
    [
        "HPG0001",
        "Viettel",
        "HP-90001",
        "Số 5 Lạch Tray, Gia Viên",
        "106.6830",
        "20.8600",
        "A2a",
        "12",
        "2G,4G",
        "900,1800",
        "đang hoạt động",
        "15/03/2021",
    ],
    [
        "HP_VNP_01",
        "VinaPhone",
        "HP-90001",
        "Số 5 Lạch Tray, Gia Viên",
        "106,6830",
        "20,8600",
        "A2a",
        "12",
        "4G,5G",
        "1800,n78",
        "operating",
        "2022-01-10",
    ],
    [
        "MBF-0007",
        "mobifone",
        "",
        "Đường Trần Thành Ngọ, Kiến An",
        "106°37'48\"E",
        "20°48'36\"N",
        "A2b",
        "42",
        "4G",
        "1800",
        "quy hoạch",
        "",
    ],
]
GEOD = pyproj.Geod(ellps="WGS84")
TM3_HAIPHONG = pyproj.CRS(
    "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
    "+units=m +no_defs"
)


def csv_table(headers: list[str], rows: list[list[Any]]) -> Any:
    return read_table(write_csv(headers, rows), "tram.csv")


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Site)) or 0,
        db.scalar(select(func.count()).select_from(Station)) or 0,
        db.scalar(select(func.count()).select_from(Sector)) or 0,
    )


def run(db: Session, rows: list[list[Any]], headers: list[str] = HEADERS, **kw: Any) -> Any:
    return import_table(db, table=csv_table(headers, rows), **kw)


def errors_of(db: Session, rows: list[list[Any]], headers: list[str] = HEADERS) -> list[dict[str, Any]]:
    before = counts(db)
    with pytest.raises(ValidationFailed) as caught:
        run(db, rows, headers)
    assert counts(db) == before, "a failed import must write nothing"
    return [e.as_dict() for e in caught.value.errors]


def test_good_file_imports_with_colocation_dms_and_comma_decimals(db: Session) -> None:
    report = run(db, GOOD)
    assert (report.sites_created, report.stations_created) == (2, 3)
    site = db.scalar(select(Site).where(Site.code == "HP-90001"))
    assert site is not None and len(site.stations) == 2
    operators = {st.operator.code for st in site.stations}
    assert operators == {"VIETTEL", "VNPT"}
    kien_an = db.scalar(select(Station).where(Station.station_code == "MBF-0007"))
    assert kien_an is not None and kien_an.status == "planned"
    lon, lat = db.execute(select(func.ST_X(Site.geom), func.ST_Y(Site.geom)).where(Site.id == kien_an.site_id)).one()
    assert lon == pytest.approx(106 + 37 / 60 + 48 / 3600, abs=1e-9)
    assert lat == pytest.approx(20 + 48 / 60 + 36 / 3600, abs=1e-9)
    assert kien_an.site.code.startswith("HP-")
    assert kien_an.site.admin_unit_id is not None, "the commune is found from the coordinates"


def test_reimport_changes_nothing(db: Session) -> None:
    run(db, GOOD)
    versions = sorted(db.scalars(select(Station.version)))
    before = counts(db)
    report = run(db, GOOD)
    assert report.stations_unchanged == 3
    assert (report.stations_created, report.stations_updated, report.sites_created, report.sites_updated) == (
        0,
        0,
        0,
        0,
    )
    assert counts(db) == before
    db.expire_all()
    assert sorted(db.scalars(select(Station.version))) == versions


def test_changed_row_updates_station_only(db: Session) -> None:
    run(db, GOOD)
    changed = [list(r) for r in GOOD]
    changed[0][8] = "2G,4G,5G"
    report = run(db, changed)
    assert (report.stations_updated, report.stations_unchanged) == (1, 2)
    station = db.scalar(select(Station).where(Station.station_code == "HPG0001"))
    assert station is not None and station.technologies == ["2G", "4G", "5G"] and station.version == 2


def test_one_bad_row_writes_nothing_then_fixed_file_imports(db: Session) -> None:
    bad = [list(r) for r in GOOD]
    bad[1][5] = "20,86x"
    errors = errors_of(db, bad)
    assert len(errors) == 1
    assert errors[0]["row"] == 3 and errors[0]["column"] == "Vĩ độ"
    report = run(db, GOOD)
    assert report.stations_created == 3
    assert run(db, GOOD).stations_unchanged == 3


def test_dry_run_validates_and_writes_nothing(db: Session) -> None:
    before = counts(db)
    report = run(db, GOOD, dry_run=True)
    assert report.valid and report.dry_run and report.stations_created == 3
    assert counts(db) == before


def test_vn2000_tm3_x_north_within_a_decimetre_of_pyproj(db: Session) -> None:
    lon0, lat0 = 106.6822, 20.8588
    to_tm3 = pyproj.Transformer.from_crs("EPSG:4326", TM3_HAIPHONG, always_xy=True)
    easting, northing = to_tm3.transform(lon0, lat0)
    headers = ["station_code", "operator", "site_code", "x_north", "y_east", "crs"]
    run(db, [["VN2K-1", "Viettel", "HP-90100", f"{northing:.3f}", f"{easting:.3f}", "EPSG:9210"]], headers)
    site = db.scalar(select(Site).where(Site.code == "HP-90100"))
    assert site is not None and site.source_crs == 9210 and site.provenance == "survey"
    assert (site.source_x, site.source_y) == (pytest.approx(easting, abs=1e-3), pytest.approx(northing, abs=1e-3))
    lon, lat = db.execute(select(func.ST_X(Site.geom), func.ST_Y(Site.geom)).where(Site.id == site.id)).one()
    back_lon, back_lat = pyproj.Transformer.from_crs(TM3_HAIPHONG, "EPSG:4326", always_xy=True).transform(
        round(easting, 3), round(northing, 3)
    )
    assert GEOD.inv(lon, lat, back_lon, back_lat)[2] < 0.1
    # and it is not the untransformed VN-2000 position, about 200 m away
    raw = pyproj.Transformer.from_crs(
        pyproj.CRS("+proj=tmerc +lon_0=105.75 +k=0.9999 +x_0=500000 +ellps=WGS84"), "EPSG:4326", always_xy=True
    ).transform(easting, northing)
    assert GEOD.inv(lon, lat, *raw)[2] > 150


def test_xlsx_is_read_like_csv(db: Session) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADERS)
    for r in GOOD:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    report = import_table(db, table=read_table(out.getvalue(), "tram.xlsx"))
    assert report.stations_created == 3


@pytest.mark.parametrize(
    ("column", "value", "code_or_text"),
    [
        ("Kinh độ", "20.86", "outside_vietnam"),
        ("Vĩ độ", "95", "out_of_range"),
        ("Kinh độ", "abc", None),
        ("Doanh nghiệp", "Beeline", "unknown_operator"),
        ("Loại cột", "B3", None),
        ("Công nghệ", "6G", None),
        ("Trạng thái", "không rõ", None),
        ("Ngày phát sóng", "31/02/2021", None),
        ("Chiều cao cột (m)", "-3", None),
        ("Mã trạm", "", "required"),
        ("Kinh độ", "2.0", "outside_vietnam"),
    ],
)
def test_bad_cell_is_named(db: Session, column: str, value: str, code_or_text: str | None) -> None:
    rows = [list(r) for r in GOOD]
    rows[2][HEADERS.index(column)] = value
    errors = errors_of(db, rows)
    assert errors, "a bad cell must be reported"
    assert any(e["row"] == 4 for e in errors)
    if code_or_text:
        assert any(code_or_text in (e.get("code") or "") or code_or_text in e["message"] for e in errors), errors


def test_a_nul_in_any_cell_is_named_and_the_row_read_no_further(db: Session) -> None:
    """PostgreSQL text cannot hold NUL: each cell with one is named (whitespace around it or not), the row
    is not read further, and the other rows' problems are still all reported."""
    rows = [list(r) for r in GOOD]
    rows[0][HEADERS.index("Địa chỉ")] = "Số 5\x00 Lạch Tray"
    rows[0][HEADERS.index("Băng tần")] = " \x00 "
    rows[1][HEADERS.index("Loại cột")] = "B3"  # another row's own problem
    errors = errors_of(db, rows)
    nul = [(e["row"], e["column"]) for e in errors if "NUL" in e["message"]]
    assert nul == [(2, "Địa chỉ"), (2, "Băng tần")], errors
    assert {e["value"] for e in errors if e["row"] == 2} == {"Số 5\\0 Lạch Tray", " \\0 "}
    assert [e["row"] for e in errors if "NUL" not in e["message"]] == [3], errors


def test_swapped_latitude_longitude_is_reported_not_fixed(db: Session) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][4], rows[0][5] = rows[0][5], rows[0][4]
    errors = errors_of(db, rows)
    assert any(e["row"] == 2 and "đổi chỗ" in e["message"] for e in errors), errors


def test_outside_province_is_reported(db: Session) -> None:
    rows = [list(r) for r in GOOD[:1]]
    rows[0][4], rows[0][5] = "105.8542", "21.0285"  # Hà Nội
    errors = errors_of(db, rows)
    assert any(e.get("code") == "outside_province" for e in errors), errors


def test_projected_swapped_x_y_is_reported(db: Session) -> None:
    headers = ["station_code", "operator", "site_code", "x_north", "y_east", "crs"]
    errors = errors_of(db, [["S1", "Viettel", "HP-90200", "578000", "2307000", "9210"]], headers)
    assert any("X" in e["message"] or "Bắc" in e["message"] for e in errors), errors


def test_projected_without_crs_and_unsupported_crs(db: Session) -> None:
    headers = ["station_code", "operator", "site_code", "x_north", "y_east", "crs"]
    errors = errors_of(db, [["S1", "Viettel", "HP-90200", "2307000", "578000", ""]], headers)
    assert errors[0]["column"] == "crs"
    errors = errors_of(db, [["S1", "Viettel", "HP-90200", "2307000", "578000", "32648"]], headers)
    assert errors[0]["column"] == "crs" and "32648" in errors[0]["message"]
    errors = errors_of(db, [["S1", "Viettel", "HP-90200", "2307000", "578000", "4326"]], headers)
    assert errors[0]["column"] == "crs"


def test_duplicate_station_in_file(db: Session) -> None:
    rows = [list(r) for r in GOOD] + [list(GOOD[0])]
    errors = errors_of(db, rows)
    assert [(e["row"], e["code"]) for e in errors] == [(5, "duplicate_station")]
    assert "dòng 2" in errors[0]["message"]


def test_same_site_code_far_apart(db: Session) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][4] = "106.6900"
    errors = errors_of(db, rows)
    assert any(e["code"] == "site_conflict" and e["row"] == 3 for e in errors), errors


def test_same_site_entered_twice_under_two_codes(db: Session) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][2] = "HP-90002"
    rows[1][5] = "20.86001"  # about 1 m from HP-90001
    errors = errors_of(db, rows)
    assert any(e["code"] == "duplicate_site" for e in errors), errors


def test_new_code_on_top_of_existing_site(db: Session) -> None:
    run(db, GOOD)
    rows = [["HPG0999", "Viettel", "HP-90009", "", "106.68301", "20.86", "A2a", "12", "4G", "", "", ""]]
    errors = errors_of(db, rows)
    assert errors[0]["code"] == "duplicate_site" and "HP-90001" in errors[0]["message"]


def test_row_without_site_code_joins_the_site_metres_away(db: Session) -> None:
    run(db, GOOD)
    rows = [["VNM-1", "Vietnamobile", "", "", "106.683001", "20.860001", "", "", "4G", "", "", ""]]
    report = run(db, rows)
    assert (report.sites_created, report.stations_created, report.sites_reused) == (0, 1, 1)
    station = db.scalar(select(Station).where(Station.station_code == "VNM-1"))
    assert station is not None and station.site.code == "HP-90001"


def test_existing_site_far_from_file_coordinates(db: Session) -> None:
    run(db, GOOD)
    rows = [list(GOOD[0])]
    rows[0][5] = "20.8700"
    errors = errors_of(db, rows)
    assert errors[0]["code"] == "site_moved"


def test_sectors_must_line_up(db: Session) -> None:
    headers = HEADERS + ["Góc phương vị (°)", "Góc nghiêng (°)", "EIRP (W)"]
    rows = [list(GOOD[0]) + ["0;120;240", "4;4", "1000;1000;800"]]
    errors = errors_of(db, rows, headers)
    assert errors[0]["column"] == "Góc nghiêng (°)"
    rows = [list(GOOD[0]) + ["0;120;240", "4;4;6", "1000;1000;800"]]
    run(db, rows, headers)
    station = db.scalar(select(Station).where(Station.station_code == "HPG0001"))
    assert station is not None
    assert [(s.azimuth_deg, s.tilt_deg, s.eirp_w) for s in station.sectors] == [
        (0, 4, 1000),
        (120, 4, 1000),
        (240, 6, 800),
    ]


def test_missing_required_column_and_unknown_column(db: Session) -> None:
    headers = ["Doanh nghiệp", "Kinh độ", "Vĩ độ"]
    errors = errors_of(db, [["Viettel", "106.68", "20.86"]], headers)
    assert errors[0]["code"] == "missing_column" and errors[0]["column"] == "Mã trạm"
    report = run(db, [list(GOOD[0]) + ["x"]], HEADERS + ["Ghi chú riêng"])
    assert any(w.code == "unknown_column" for w in report.warnings)


def test_empty_and_unreadable_files(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        import_table(db, table=csv_table(HEADERS, []))
    with pytest.raises(ValidationFailed) as caught:
        read_table(b"PK\x03\x04 not really a zip", "x.xlsx")
    assert caught.value.errors[0].field == "file"
    with pytest.raises(ValidationFailed):
        read_table(b"\x00\x01", "x.pdf")
    with pytest.raises(ValidationFailed):
        read_table(b"\n\n", "x.csv")


def test_row_limit(db: Session) -> None:
    with pytest.raises(LimitExceeded):
        run(db, GOOD, settings=Settings(max_import_rows=2))


def test_semicolon_csv_from_vietnamese_excel(db: Session) -> None:
    data = ("\ufeff" + ";".join(HEADERS) + "\r\n" + "\r\n".join(";".join(r) for r in GOOD)).encode("utf-8")
    report = import_table(db, table=read_table(data, "tram.csv"))
    assert report.stations_created == 3


def test_broken_csv_files_are_reported_not_raised(db: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_table(b"\xff\xfe" + b"\x00\xd8", "x.csv")  # UTF-16 mark, then half a surrogate pair
    assert caught.value.errors[0].field == "file"
    huge = ("Mã trạm,Doanh nghiệp\r\n" + '"' + "x" * 200_000 + '",Viettel\r\n').encode()
    with pytest.raises(ValidationFailed) as caught:
        read_table(huge, "x.csv")
    assert "quá dài" in caught.value.errors[0].message


def test_sector_limits_match_the_api(db: Session) -> None:
    headers = HEADERS + ["Góc phương vị (°)"]
    errors = errors_of(db, [list(GOOD[0]) + [";".join(["10"] * 25)]], headers)
    assert errors[0]["column"] == "Góc phương vị (°)" and "24" in errors[0]["message"]
    errors = errors_of(db, [list(GOOD[0]) + ["0;360"]], headers)
    assert errors[0]["column"] == "Góc phương vị (°)"


def test_vn2000_geographic_rows_name_the_longitude_column(db: Session) -> None:
    headers = ["station_code", "operator", "site_code", "lon", "lat", "crs"]
    errors = errors_of(db, [["S1", "Viettel", "HP-90300", "105.8542", "21.0285", "4756"]], headers)
    assert errors[0]["code"] == "outside_province" and errors[0]["column"] == "lon"


def test_reimport_keeps_stations_on_their_sites_when_rows_have_no_code(db: Session) -> None:
    headers = ["Mã trạm", "Doanh nghiệp", "Kinh độ", "Vĩ độ"]
    # B is 4.9 m east of A, C 9 m east of A (4.1 m from B): B joins A's site, C gets its own.
    step = 1 / (111_320 * 0.9343)  # degrees of longitude per metre at 20.86°N
    rows = [
        ["A", "Viettel", "106.6600000", "20.8400"],
        ["B", "VNPT", f"{106.66 + 4.9 * step:.7f}", "20.8400"],
        ["C", "MobiFone", f"{106.66 + 9.0 * step:.7f}", "20.8400"],
    ]
    first = run(db, rows, headers)
    assert first.sites_created == 2
    assert any(w.code == "joined_site" and w.row == 3 for w in first.warnings), "joining is reported"
    sites_before = {st.station_code: st.site_id for st in db.scalars(select(Station))}
    again = run(db, rows, headers)
    assert (again.stations_unchanged, again.stations_updated, again.sites_created) == (3, 0, 0)
    assert {st.station_code: st.site_id for st in db.scalars(select(Station))} == sites_before


def test_conflicting_site_attributes_are_reported(db: Session) -> None:
    rows = [list(r) for r in GOOD[:2]]
    rows[1][7] = "30"
    report = run(db, rows)
    assert any(w.code == "site_conflict" and w.row == 3 and w.column == "Chiều cao cột (m)" for w in report.warnings)


def test_each_site_field_keeps_the_first_row_that_gives_it(db: Session) -> None:
    """Rows of one site: the first value of each field wins, blanks neither win nor conflict, and each
    later different value is a warning naming the row that won (fields apart, in row and column order)."""
    base = GOOD[0]
    rows = []
    for code, address, height in (("C1", "", "10"), ("C2", "Số 1 Lạch Tray", ""), ("C3", "Số 2 Lạch Tray", "12"),
                                  ("C4", "Số 1 Lạch Tray", "10")):  # fmt: skip
        row = list(base)
        row[0], row[3], row[7] = code, address, height
        rows.append(row)
    report = run(db, rows)
    conflicts = [(w.row, w.column, w.value, w.message) for w in report.warnings if w.code == "site_conflict"]
    assert conflicts == [
        (4, "Chiều cao cột (m)", 12.0, "Khác giá trị ở dòng 2 của cùng vị trí (10.0); giữ giá trị của dòng đầu"),
        (
            4,
            "Địa chỉ",
            "Số 2 Lạch Tray",
            "Khác giá trị ở dòng 3 của cùng vị trí ('Số 1 Lạch Tray'); giữ giá trị của dòng đầu",
        ),
    ]
    site = db.scalars(select(Site).where(Site.code == base[2])).one()
    assert (site.address, site.pole_height_m) == ("Số 1 Lạch Tray", 10.0)


def test_dry_run_counts_are_exact(db: Session) -> None:
    run(db, GOOD)
    changed = [list(r) for r in GOOD]
    changed[0][8] = "4G"
    report = run(db, changed, dry_run=True)
    assert (report.stations_updated, report.stations_unchanged, report.stations_created) == (1, 2, 0)
    station = db.scalar(select(Station).where(Station.station_code == "HPG0001"))
    assert station is not None and station.technologies == ["2G", "4G"], "the dry run wrote nothing"


def test_new_sites_carry_the_summary_their_stations_give(db: Session) -> None:
    """A file's new sites are written with their map keys, operators, technologies and station count
    (so the grid counts them once): the same as recomputing them from the stations afterwards, also
    for a station moved onto a new site by a row that does not give its technologies."""
    run(db, GOOD)
    moved = [
        ["MBF-0007", "mobifone", "HP-90077", "", "106.7000", "20.8700", "", "", "", "", "", ""],
        ["HPG0077", "Viettel", "HP-90077", "", "106.7000", "20.8700", "", "", "5G", "", "", ""],
    ]
    run(db, moved)
    db.expire_all()
    stored = db.execute(
        text("SELECT map_keys, operators, technologies, station_count FROM site WHERE code = 'HP-90077'")
    ).one()
    fresh = db.execute(
        text(
            """
            SELECT coalesce((SELECT array_agg(k ORDER BY k) FROM (
                       SELECT 'o:' || st.operator_id AS k FROM station st WHERE st.site_id = a.id
                       UNION SELECT 't:' || t FROM station st, unnest(st.technologies) t WHERE st.site_id = a.id) q),
                       '{}'),
                   coalesce((SELECT array_agg(DISTINCT o.short_name ORDER BY o.short_name)
                             FROM station st JOIN organisation o ON o.id = st.operator_id
                             WHERE st.site_id = a.id), '{}'),
                   ARRAY(SELECT DISTINCT CAST(t AS text) FROM station st, unnest(st.technologies) t
                         WHERE st.site_id = a.id ORDER BY 1),
                   (SELECT count(*) FROM station st WHERE st.site_id = a.id)
            FROM site a WHERE a.code = 'HP-90077'
            """
        )
    ).one()
    assert tuple(stored) == tuple(fresh)
    assert stored.technologies == ["4G", "5G"] and stored.station_count == 2  # MBF-0007 kept its 4G
    cells = db.scalar(text("SELECT sum(n) FROM site_cell WHERE key = '*' AND level = 15"))
    assert cells == db.scalar(select(func.count()).select_from(Site)), "every site counted once in the grid"


def test_hostile_band_names_and_partial_sector_lists_are_stored_as_written(db: Session) -> None:
    """The staging table takes arrays as literals the importer writes: quotes, backslashes, braces,
    the word NULL and a tab in a band stay text, blank tilts stay NULL."""
    headers = HEADERS + ["Góc phương vị (°)", "Góc nghiêng (°)", "EIRP (W)"]
    row = list(GOOD[0]) + ["0;120.5;240", "", "1000;1000;800"]
    row[9] = 'n"78, a\\b; {x}|NULL/ e\tf '
    run(db, [row], headers)
    station = db.scalar(select(Station).where(Station.station_code == "HPG0001"))
    assert station is not None
    assert station.bands == ['n"78', "a\\b", "{x}", "NULL", "e\tf"]
    assert [(s.azimuth_deg, s.tilt_deg, s.eirp_w) for s in station.sectors] == [
        (0, None, 1000),
        (120.5, None, 1000),
        (240, None, 800),
    ]


def _row(code: str, operator: str, site: str, lon: str, lat: str) -> list[str]:
    return [code, operator, site, "Số 1 Lạch Tray", lon, lat, "A2a", "12", "4G", "1800", "đang hoạt động", ""]


# Rows whose checks span the file: a station named twice, a code first without then with a position,
# a code's row too far from its first, two new codes 2 m apart, a point outside the province, a row
# without a code joining a coded new site.
SPANNING = [
    _row("SP-1", "Viettel", "HP-SPA", "106.6830", "20.8600"),
    _row("SP-2", "Viettel", "HP-SPB", "", ""),
    _row("SP-1", "Viettel", "HP-SPA", "106.6830", "20.8600"),
    _row("SP-3", "MobiFone", "HP-SPB", "106.7000", "20.8700"),
    _row("SP-4", "MobiFone", "HP-SPA", "106.6835", "20.8600"),
    _row("SP-5", "VNPT", "HP-SPC", "106.68302", "20.8600"),
    _row("SP-6", "VNPT", "HP-SPD", "105.8500", "21.0200"),
    _row("SP-7", "VNPT", "", "106.70001", "20.8700"),
]


@pytest.mark.parametrize("batch", [1, 2, 3])
def test_checks_run_batch_by_batch_find_what_one_pass_over_the_file_finds(
    db: Session, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """The checks that run on each batch as it is staged (plan.Plan.batch) report the same problems,
    in the same order, as when the whole file is one batch."""
    import registry.stations.importer as importer

    def outcome() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        with pytest.raises(ValidationFailed) as caught:
            run(db, SPANNING)
        report = caught.value.extra["report"]
        return [e.as_dict() for e in caught.value.errors], report.get("warnings", [])

    whole = outcome()
    monkeypatch.setattr(importer, "STAGING_BATCH", batch)
    assert outcome() == whole
    errors, warnings = whole
    # Each check's problems by row, the checks in their order (as before the checks ran by batches).
    assert [(e["row"], e["code"]) for e in errors] == [
        (4, "duplicate_station"),
        (3, "required"),  # HP-SPB has no position yet on its first row
        (6, "site_conflict"),  # 50 m from HP-SPA's first row
        (7, "duplicate_site"),  # HP-SPC 2 m from HP-SPA
        (8, "outside_province"),
    ]
    assert [(w["row"], w["code"]) for w in warnings] == [(9, "joined_site")]  # joins HP-SPB, 1 m away


def test_a_batch_that_fails_stops_the_import_and_writes_nothing(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """What goes wrong in the thread that stages and checks the batches reaches the caller, and the
    reading stops there; nothing is written and no thread is left behind."""
    import threading

    import registry.stations.importer as importer
    from registry.stations.importer.plan import Plan

    monkeypatch.setattr(importer, "STAGING_BATCH", 1)
    checked: list[int] = []
    real = Plan.batch

    def failing(self: Plan, first: int, last: int) -> None:
        checked.append(first)
        if len(checked) == 2:
            raise RuntimeError("the database went away")
        real(self, first, last)

    monkeypatch.setattr(Plan, "batch", failing)
    before = counts(db)
    with db.begin_nested(), pytest.raises(RuntimeError, match="went away"):
        run(db, SPANNING)
    assert counts(db) == before
    assert len(checked) == 2  # no batch checked after the failed one (the rest only drained)
    assert not [t for t in threading.enumerate() if t.name == "import-batches"]


def test_a_reading_error_wins_over_a_batch_still_being_checked(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row limit reached while earlier batches are still being checked: the caller hears of the
    limit, once the batches' thread has stopped."""
    import threading

    import registry.stations.importer as importer

    monkeypatch.setattr(importer, "STAGING_BATCH", 1)
    before = counts(db)
    with db.begin_nested(), pytest.raises(LimitExceeded):
        run(db, SPANNING, settings=Settings(max_import_rows=3))
    assert counts(db) == before
    assert not [t for t in threading.enumerate() if t.name == "import-batches"]


def test_a_failed_read_of_the_registry_fingerprint_stops_the_import(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batches' thread reads the registry's fingerprint before its first batch: when that read
    fails, the caller hears of it, no batch is checked, nothing is written and no thread is left."""
    import threading

    import registry.stations.importer.batches as batches
    from registry.stations.importer.plan import Plan

    def failing(session: Session) -> tuple[int, ...]:
        raise RuntimeError("canceling statement due to statement timeout")

    checked: list[int] = []
    monkeypatch.setattr(batches, "registry_state", failing)
    monkeypatch.setattr(Plan, "batch", lambda self, first, last: checked.append(first))
    before = counts(db)
    with db.begin_nested(), pytest.raises(RuntimeError, match="statement timeout"):
        run(db, SPANNING)
    assert counts(db) == before and checked == []
    assert not [t for t in threading.enumerate() if t.name == "import-batches"]
