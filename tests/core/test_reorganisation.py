"""The reorganisation file: read, checked against a small tree, refused with the line named."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook

from chitieu.issues import has_errors
from chitieu.reorganisation import (
    ChangeKind,
    UnitFacts,
    check_reorganisation,
    read_reorganisation,
    table_from_bytes,
    table_from_csv,
)

# Province 62 > district 615 > communes 23275, 23278, 23281, 23284 and an office #9 (no code).
UNITS = {
    "62": UnitFacts("62", "Tỉnh Kon Tum", "province", "", children=("615", "61")),
    "61": UnitFacts("61", "Sở Nội vụ", "office", "62"),
    "615": UnitFacts(
        "615", "Huyện Kon Rẫy", "district", "62", children=("23275", "23278", "23281", "23284", "#9")
    ),
    "23275": UnitFacts("23275", "Xã Đắk Ruồng", "commune", "615"),
    "23278": UnitFacts("23278", "Xã Tân Lập", "commune", "615"),
    "23281": UnitFacts("23281", "Xã Đắk Kôi", "commune", "615"),
    "23284": UnitFacts("23284", "Xã Đắk Pne", "commune", "615", valid_from=date(2020, 1, 1)),
    "#9": UnitFacts("#9", "Phòng Văn hóa - Thông tin", "office", "615"),
}
HEADER = "loai,ma_moi,ten_moi,ma_cu,ma_cap_tren,ngay_hieu_luc\n"


def check(body: str):
    rows, issues = read_reorganisation(table_from_csv(HEADER + body))
    plan, more = check_reorganisation(rows, UNITS)
    return rows, plan, issues + more


def errors(body: str) -> list[tuple[str, str]]:
    _rows, _plan, issues = check(body)
    return [(i.where, i.code) for i in issues]


def test_a_merge_closes_the_old_units_and_opens_one_under_their_parent():
    rows, plan, issues = check("Sáp nhập,23290,Xã Kon Rẫy,23275;23278,,01/07/2025\n")
    assert not issues
    assert rows[0].kind is ChangeKind.MERGE and rows[0].effective == date(2025, 7, 1)
    assert [(u.code, u.name, u.kind, u.parent_code) for u in plan.opened] == [
        ("23290", "Xã Kon Rẫy", "commune", "615")
    ]
    assert [(c.code, c.successors, c.link) for c in plan.closed] == [
        ("23275", ("23290",), "merger"),
        ("23278", ("23290",), "merger"),
    ]


def test_a_split_makes_one_new_unit_per_line():
    _rows, plan, issues = check(
        "chia tách,23301,Xã Tây,23281,,01/07/2025\nchia tách,23302,Xã Đông,23281,,01/07/2025\n"
    )
    assert not issues
    assert [u.code for u in plan.opened] == ["23301", "23302"]
    assert [(c.code, c.successors, c.link) for c in plan.closed] == [("23281", ("23301", "23302"), "split")]


def test_a_rename_keeps_the_unit_and_a_transfer_opens_a_successor_with_the_same_code():
    _rows, plan, issues = check(
        "đổi tên,,Xã Đắk Pne Mới,23284,,1/7/2025\nđiều chuyển,,,23281,62,01/07/2025\n"
    )
    assert not issues
    assert plan.renamed == [("23284", "Xã Đắk Pne Mới", "23284", 2)]
    assert [(u.code, u.name, u.parent_code) for u in plan.opened] == [("23281", "Xã Đắk Kôi", "62")]
    assert [(c.code, c.successors, c.link) for c in plan.closed] == [("23281", ("23281",), "transfer")]


def test_dissolving_the_district_moves_its_communes_and_merged_successors_under_the_province():
    _rows, plan, issues = check(
        "sáp nhập,23290,Xã Kon Rẫy,23275;23278,,01/07/2025\ngiải thể,61,,615,,01/07/2025\n"
    )
    assert not issues
    # The merged commune was to sit under the district (its predecessors' parent): now the province.
    # 23281 and 23284 are left untouched by other lines: each moves by a transfer; the office #9 closes
    # with the province's department 61 as its successor; the district closes last.
    assert [(u.code, u.parent_code) for u in plan.opened] == [
        ("23290", "62"),
        ("23281", "62"),
        ("23284", "62"),
    ]
    assert [(c.code, c.successors, c.link) for c in plan.closed] == [
        ("23275", ("23290",), "merger"),
        ("23278", ("23290",), "merger"),
        ("#9", ("61",), "transfer"),
        ("23281", ("23281",), "transfer"),
        ("23284", ("23284",), "transfer"),
        ("615", ("61",), "transfer"),
    ]


def test_a_dissolved_district_with_offices_needs_their_successor_named():
    assert errors("giải thể,,,615,,01/07/2025\n") == [("line 2", "office_successor_missing")]


def test_unknown_codes_are_refused_with_their_line():
    assert errors("đổi tên,,Xã A,23284,,01/07/2025\nsáp nhập,23290,Xã B,23275;99999,,01/07/2025\n") == [
        ("line 3", "unknown_code")
    ]


def test_a_unit_merged_twice_is_refused_at_the_second_line():
    body = "sáp nhập,23290,Xã A,23275;23278,,01/07/2025\nsáp nhập,23291,Xã B,23278;23281,,01/07/2025\n"
    _rows, _plan, issues = check(body)
    assert [(i.where, i.code) for i in issues] == [("line 3", "changed_twice")]
    assert "dòng 2" in issues[0].message


def test_dates_out_of_order_are_refused():
    # 23284 exists from 1/1/2020: a change on 1/1/2019 predates it.
    assert errors("đổi tên,,Xã A,23284,,01/01/2019\n") == [("line 2", "dates_out_of_order")]
    # A unit opened by line 2 on 1/7/2025 cannot be renamed by line 3 on 1/3/2025.
    body = "sáp nhập,23290,Xã A,23275;23278,,01/07/2025\nđổi tên,,Xã B,23290,,01/03/2025\n"
    assert errors(body) == [("line 3", "dates_out_of_order")]


def test_a_cycle_in_the_new_tree_is_refused():
    # The district moved under a commune that the same file puts under the district.
    body = "điều chuyển,,,615,23295,01/07/2025\nsáp nhập,23295,Xã A,23275;23278,615,01/07/2025\n"
    assert ("line 2", "cycle") in errors(body) or ("line 3", "cycle") in errors(body)


def test_a_new_code_already_in_use_is_refused():
    assert errors("sáp nhập,23281,Xã A,23275;23278,,01/07/2025\n") == [("line 2", "code_taken")]


def test_a_merged_unit_may_keep_the_code_of_one_it_is_formed_from():
    # Kon Tum merged into Quảng Ngãi (51): the new province keeps 51; the code is no one else's.
    units = dict(UNITS, **{"51": UnitFacts("51", "Quảng Ngãi", "province", "")})
    rows, _issues = read_reorganisation(
        table_from_csv(HEADER + "sáp nhập,51,Tỉnh Quảng Ngãi,51;62,,01/07/2025\n")
    )
    plan, issues = check_reorganisation(rows, units)
    assert not [i for i in issues if i.code == "code_taken"]
    assert [u.code for u in plan.opened] == ["51"]
    assert {(c.code, c.successors) for c in plan.closed} == {("51", ("51",)), ("62", ("51",))}
    # Taking the code of a unit the line does not close is still refused.
    rows, _issues = read_reorganisation(table_from_csv(HEADER + "sáp nhập,61,Tỉnh X,51;62,,01/07/2025\n"))
    assert [i.code for i in check_reorganisation(rows, units)[1]] == ["code_taken"]


def test_bad_lines_each_name_their_line_and_problem():
    body = "gộp lại,1,A,23275,,01/07/2025\nsáp nhập,2,B,23275;23278,,31/02/2025\n"
    rows, issues = read_reorganisation(table_from_csv(HEADER + body))
    assert rows == []
    assert [(i.where, i.code) for i in issues] == [("line 2", "unknown_kind"), ("line 3", "bad_date")]
    assert has_errors(issues)


def test_a_header_without_the_needed_columns_is_refused_at_line_1():
    rows, issues = read_reorganisation([["ten", "ma"], ["Xã A", "1"]])
    assert rows == [] and [(i.where, i.code) for i in issues] == [("line 1", "missing_column")]


def test_english_headers_semicolons_and_a_bom_are_read():
    text = (
        "\ufeffkind;new_code;new_name;old_codes;parent_code;effective\nmerge;9;Xã A;23275,23278;;2025-07-01\n"
    )
    rows, issues = read_reorganisation(table_from_csv(text))
    assert not issues and rows[0].old_codes == ("23275", "23278") and rows[0].effective == date(2025, 7, 1)


def test_an_excel_workbook_is_read_like_the_csv(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Loại", "Mã mới", "Tên mới", "Mã cũ", "Mã cấp trên", "Ngày hiệu lực"])
    sheet.append(["sáp nhập", "23290", "Xã Kon Rẫy", "23275; 23278", None, "01/07/2025"])
    sheet.append(["đổi tên", None, "Xã Mới", "99999", None, "01/07/2025"])
    path = tmp_path / "qd.xlsx"
    book.save(path)
    table, issues = table_from_bytes(path.read_bytes())
    rows, more = read_reorganisation(table)
    assert not issues and not more
    _plan, checked = check_reorganisation(rows, UNITS)
    # Line 3 is the workbook's row 3: the unknown code 99999.
    assert [(i.where, i.code) for i in checked] == [("line 3", "unknown_code")]


def test_a_renamed_commune_of_a_dissolved_district_moves_up_under_its_new_name():
    _rows, plan, issues = check("đổi tên,,Xã Đắk Pne Mới,23284,,01/07/2025\ngiải thể,61,,615,,01/07/2025\n")
    assert not issues
    assert plan.renamed == []
    assert ("23284", "Xã Đắk Pne Mới", "62") in [(u.code, u.name, u.parent_code) for u in plan.opened]


def test_closing_a_unit_whose_children_stay_behind_is_refused():
    # The district merged with nothing else would need two units; a transfer of the district alone
    # leaves its 4 communes and its office under a closed unit.
    assert errors("điều chuyển,6150,,615,62,01/07/2025\n") == [("line 2", "children_left")]
