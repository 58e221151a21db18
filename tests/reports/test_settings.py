"""Report settings (chitieu.reports.settings): checked once, the same object for the CLI and the web app."""

from __future__ import annotations

from datetime import date

import pytest

from chitieu.reports.build import build_report
from chitieu.reports.settings import KEYS, ReportSettings, SettingsError, parse_settings
from tests.reports.district import kon_ray_plan, observations

GOOD = {
    "issuing_body": "ỦY BAN NHÂN DÂN\nXÃ ĐĂK KÔI",
    "parent_body": "ỦY BAN NHÂN DÂN HUYỆN KON RẪY",
    "number": "17",
    "symbol": "BC-UBND",
    "place": "Đăk Kôi",
    "signer_authority": "KT. CHỦ TỊCH",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer": "Y Bình",
    "recipients": ["UBND huyện Kon Rẫy (b/c)", "Lưu: VT"],
    "closing": ["Trên đây là báo cáo của Ủy ban nhân dân xã Đăk Kôi./."],
}


def test_every_field_reaches_the_report():
    settings = parse_settings(GOOD, require_signer=True)
    assert settings.as_dict() == GOOD
    plan = kon_ray_plan()
    report = build_report(
        plan, observations(plan), "2024", options=settings.options(issued_on=date(2025, 1, 5))
    )
    assert report.header.issuing_body == GOOD["issuing_body"]
    assert report.header.number_line == "Số: 17/BC-UBND"
    assert report.header.date_line == "Đăk Kôi, ngày 05 tháng 01 năm 2025"
    assert (report.signature.authority, report.signature.position, report.signature.name) == (
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Y Bình",
    )
    assert report.recipients == tuple(GOOD["recipients"])
    assert report.closing == tuple(GOOD["closing"])


def test_blank_settings_keep_the_defaults():
    plan = kon_ray_plan()
    plain = build_report(plan, observations(plan), "2024")
    same = build_report(plan, observations(plan), "2024", options=ReportSettings().options())
    assert same == plain


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"signer": ""}, "signer", "không được để trống"),
        ({"signer_title": "   "}, "signer_title", "không được để trống"),
        ({"signer": "A" * 81}, "signer", "tối đa 80 ký tự"),
        ({"number": "1" * 121}, "number", "tối đa 120 ký tự"),
        ({"issuing_body": "A\nB\nC\nD\nE"}, "issuing_body", "tối đa 4 dòng"),
        ({"signer_authority": "THAY MẶT"}, "signer_authority", "TM., KT."),
        ({"recipients": ["x"] * 31}, "recipients", "tối đa 30 mục"),
        ({"recipients": 5}, "recipients", "danh sách"),
        ({"closing": ["x" * 2001]}, "closing", "mục thứ 1 dài quá 2000"),
        ({"place": 7}, "place", "phải là chữ"),
        ({"place": "Kon\x07Rẫy"}, "place", "điều khiển"),
    ],
)
def test_bad_settings_name_the_field_and_say_why(change, field, words):
    with pytest.raises(SettingsError) as raised:
        parse_settings({**GOOD, **change}, require_signer=True)
    assert field in raised.value.problems and words in raised.value.problems[field]
    assert words in str(raised.value)


def test_every_bad_field_is_named_at_once():
    with pytest.raises(SettingsError) as raised:
        parse_settings({"signer": "", "number": "9" * 200, "oops": 1}, require_signer=True)
    assert {"signer", "signer_title", "number", "_"} <= set(raised.value.problems)
    assert "oops" in raised.value.problems["_"]


def test_text_with_one_item_a_line_is_taken_as_a_list():
    settings = parse_settings({"recipients": "Sở Nội vụ (b/c)\r\n\r\nLưu: VT\n", "signer_title": "KT\\nX"})
    assert settings.recipients == ("Sở Nội vụ (b/c)", "Lưu: VT")
    assert settings.signer_title == "KT\nX"
    assert set(KEYS) == set(GOOD)
