"""Unit names match across Đắk/Đăk, tone-mark placement and Unicode forms."""

import unicodedata

import pytest

from chitieu.names import find_name, name_key, same_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Đăk Tơ Lung", "Đắk Tơ Lung"),
        ("Đăk Tờ Re", "Đắk Tờ Re"),
        ("Phòng Văn hoá-Thông tin", "Phòng Văn hóa - Thông tin"),
        ("Trung tâm Văn hoá-Thể thao -Du lịch", "trung tâm văn hóa - thể thao - du lịch"),
        ("Đăk Ruồng", unicodedata.normalize("NFD", "Đăk Ruồng")),
        ("  Tân   Lập ", "Tân Lập"),
    ],
)
def test_spellings_of_one_name_match(a, b):
    assert same_name(a, b)


@pytest.mark.parametrize(("a", "b"), [("Đăk Kôi", "Đăk Pne"), ("Phòng Y tế", "Phòng Nội vụ")])
def test_different_names_do_not_match(a, b):
    assert not same_name(a, b)


def test_key_is_plain_ascii_for_vietnamese():
    assert name_key("Thị trấn Đăk Rve") == "thi tran dak rve"


def test_find_name_returns_the_candidate_as_stored():
    candidates = ["Đăk Kôi", "Đăk Tờ Re", "Tân Lập"]
    assert find_name("ĐẮK TỜ RE", candidates) == "Đăk Tờ Re"
    assert find_name("Đăk Hà", candidates) is None
