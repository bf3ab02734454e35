"""The station spreadsheet: its columns, Vietnamese headers, English aliases and value words.

One table serves the importer (which header means what), the exporter (so an export imports back
unchanged), the downloadable template and the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.text import fold


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    meaning: str
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "station_code",
        "Mã trạm",
        ("station_code", "ma tram goc", "cell id", "site id"),
        "Mã trạm của doanh nghiệp (duy nhất trong một doanh nghiệp). Bắt buộc.",
        "HPG1234",
    ),
    Column(
        "operator",
        "Doanh nghiệp",
        ("operator", "nha mang", "doanh nghiep vien thong"),
        "Viettel, VNPT (VinaPhone), MobiFone, Vietnamobile… Bắt buộc.",
        "Viettel",
    ),
    Column(
        "site_code",
        "Mã vị trí",
        ("site_code", "ma cot", "ma vi tri cot"),
        "Mã vị trí cột trong sổ (HP-00123). Để trống: ghép vào cột có sẵn cách dưới vài mét, "
        "nếu không có thì cấp mã mới.",
        "",
    ),
    Column(
        "address", "Địa chỉ", ("address", "dia chi lap dat"), "Địa chỉ lắp đặt.", "Số 12 Lạch Tray, phường Gia Viên"
    ),
    Column(
        "commune",
        "Xã/phường",
        ("commune", "xa phuong", "xa, phuong", "phuong/xa", "ward"),
        "Tên xã/phường/đặc khu như hồ sơ ghi; hệ thống tự xác định đơn vị theo tọa độ.",
        "Gia Viên",
    ),
    Column(
        "lon",
        "Kinh độ",
        ("lon", "longitude", "lng", "kinh do (e)"),
        "Kinh độ (độ thập phân, dấu phẩy hoặc chấm, hoặc độ-phút-giây 106°41'02\"E).",
        "106.691136",
    ),
    Column(
        "lat",
        "Vĩ độ",
        ("lat", "latitude", "vi do (n)"),
        "Vĩ độ (độ thập phân hoặc độ-phút-giây 20°51'36\"N).",
        "20.851684",
    ),
    Column(
        "northing",
        "Tọa độ X (Bắc)",
        ("northing", "x_north", "x (bac)", "toa do x"),
        "Hệ phẳng VN-2000/UTM: X là hướng Bắc (theo quy ước trắc địa Việt Nam), đơn vị m.",
        "",
    ),
    Column(
        "easting",
        "Tọa độ Y (Đông)",
        ("easting", "y_east", "y (dong)", "toa do y"),
        "Hệ phẳng VN-2000/UTM: Y là hướng Đông, đơn vị m.",
        "",
    ),
    Column(
        "crs",
        "Hệ tọa độ",
        ("crs", "epsg", "srid", "he quy chieu"),
        "Mã EPSG: 4326 (WGS 84, mặc định), 4756 (VN-2000 địa lý), 3405/3406 (UTM 48N/49N), "
        "5896–5899, 9205–9218 (VN-2000 TM-3; Hải Phòng 9210).",
        "4326",
    ),
    Column(
        "provenance",
        "Nguồn tọa độ",
        ("provenance", "nguon"),
        "gps, survey (đo đạc), map (bản đồ), converted (chuyển đổi). Mặc định gps.",
        "gps",
    ),
    Column(
        "pole_class",
        "Loại cột",
        ("pole_class", "phan loai cot", "loai cot ang ten"),
        "A1a, A1b, A1c (cột không cồng kềnh), A2a, A2b, A2c (cột cồng kềnh).",
        "A2a",
    ),
    Column(
        "pole_height_m",
        "Chiều cao cột (m)",
        ("pole_height_m", "chieu cao cot", "do cao cot (m)"),
        "Chiều cao cột ăng ten, mét.",
        "12",
    ),
    Column(
        "building_height_m",
        "Chiều cao công trình (m)",
        ("building_height_m", "chieu cao nha (m)"),
        "Với cột trên mái nhà (A1a, A2a): chiều cao công trình, mét.",
        "18",
    ),
    Column(
        "technologies",
        "Công nghệ",
        ("technologies", "technology", "cong nghe"),
        "2G, 3G, 4G, 5G, cách nhau bằng dấu phẩy.",
        "2G,4G,5G",
    ),
    Column(
        "bands",
        "Băng tần",
        ("bands", "band", "bang tan (mhz)"),
        "Băng tần (MHz hoặc tên 5G như n78), cách nhau bằng dấu phẩy.",
        "900,1800,n78",
    ),
    Column(
        "status",
        "Trạng thái",
        ("status", "tinh trang"),
        "đang hoạt động, quy hoạch, đang xây dựng, tạm dừng, đã tháo dỡ (hoặc operating, planned, "
        "under_construction, suspended, dismantled).",
        "đang hoạt động",
    ),
    Column(
        "commissioning_date",
        "Ngày phát sóng",
        ("commissioning_date", "ngay hoat dong", "ngay dua vao su dung"),
        "Ngày đưa vào khai thác: dd/mm/yyyy hoặc yyyy-mm-dd.",
        "15/03/2021",
    ),
    Column(
        "owner",
        "Chủ sở hữu cột",
        ("owner", "chu so huu", "don vi so huu"),
        "Tổ chức sở hữu cột (mặc định: chưa rõ).",
        "Viettel",
    ),
    Column(
        "azimuths",
        "Góc phương vị (°)",
        ("azimuths", "azimuth", "huong ang ten"),
        "Góc phương vị từng sector, cách nhau bằng dấu chấm phẩy.",
        "0;120;240",
    ),
    Column(
        "tilts", "Góc nghiêng (°)", ("tilts", "tilt", "goc ngang"), "Góc nghiêng từng sector, cùng thứ tự.", "4;4;6"
    ),
    Column(
        "eirps",
        "EIRP (W)",
        ("eirps", "eirp", "eirp_w"),
        "Công suất bức xạ đẳng hướng tương đương từng sector, W.",
        "1000;1000;800",
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}

_LOOKUP: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.key, _c.header, *_c.aliases):
        _LOOKUP[fold(_name)] = _c.key


def column_for(header: str) -> str | None:
    return _LOOKUP.get(fold(header))


STATUS_WORDS: dict[str, str] = {
    "operating": "operating",
    "dang hoat dong": "operating",
    "hoat dong": "operating",
    "dang phat song": "operating",
    "planned": "planned",
    "quy hoach": "planned",
    "du kien": "planned",
    "ke hoach": "planned",
    "under_construction": "under_construction",
    "under construction": "under_construction",
    "dang xay dung": "under_construction",
    "dang lap dat": "under_construction",
    "suspended": "suspended",
    "tam dung": "suspended",
    "tam ngung": "suspended",
    "dismantled": "dismantled",
    "da thao do": "dismantled",
    "thao do": "dismantled",
}

STATUS_LABELS = {
    "operating": "đang hoạt động",
    "planned": "quy hoạch",
    "under_construction": "đang xây dựng",
    "suspended": "tạm dừng",
    "dismantled": "đã tháo dỡ",
}

PROVENANCE_WORDS: dict[str, str] = {
    "gps": "gps",
    "survey": "survey",
    "do dac": "survey",
    "trac dia": "survey",
    "map": "map",
    "ban do": "map",
    "converted": "converted",
    "chuyen doi": "converted",
}
