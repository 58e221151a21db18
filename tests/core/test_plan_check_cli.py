"""`chitieu plan check`: exit codes, the JSON of docs/interfaces.md §2, messages that say where."""

import json
import subprocess
import sys

import pytest

from chitieu.cli import main
from tests.core import kon_ray


def test_json_follows_the_contract(capsys):
    assert main(["plan", "check", str(kon_ray.ANNEX), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["title"] == kon_ray.TITLE
    assert [p["key"] for p in document["periods"]] == ["2021-2025", "2024"]
    four = document["objectives"][3]
    assert (four["code"], four["title"]) == ("4", "Mục tiêu 4: Trong lĩnh vực y tế")
    four_two = four["indicators"][1]
    assert four_two["code"] == "4.2"
    assert four_two["name"] == "Tỷ lệ tử vong bà mẹ liên quan đến thai sản"
    assert (four_two["measure"], four_two["per"], four_two["per_period"]) == ("rate", 100000, None)
    assert four_two["direction"] == "decrease"
    assert four_two["targets"] == [
        {"period": "2021-2025", "comparator": "<=", "value": 30, "text": "30/100.000 trẻ"},
        {"period": "2024", "comparator": "<=", "value": 31.6, "text": "31.6/100.000 trẻ"},
    ]
    assert four_two["lead_units"] == ["Phòng Y tế"]
    assert four_two["needs_review"] is False
    assert {"severity": "review", "where": "row 4.1"}.items() <= document["issues"][0].items()
    codes = [i["code"] for o in document["objectives"] for i in o["indicators"]]
    assert len(codes) == 20 and "3.2b" in codes and "5.2a" in codes


def test_human_summary_in_vietnamese(capsys):
    assert main(["plan", "check", str(kon_ray.ANNEX)]) == 0
    out = capsys.readouterr().out
    assert "6 mục tiêu, 20 chỉ tiêu" in out
    assert "2024: ≤ 31,6 (31.6/100.000 trẻ)" in out
    assert "chủ trì: UBND các xã, thị trấn; Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông" in out
    assert "[cần xem lại] row 4.1" in out


def test_console_script_runs_without_traceback(tmp_path):
    bad = tmp_path / "rong.txt"
    bad.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu", "plan", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert str(bad) in proc.stderr and "tệp rỗng" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_wrong_usage_exits_2():
    with pytest.raises(SystemExit) as exc:
        main(["plan", "check"])
    assert exc.value.code == 2
