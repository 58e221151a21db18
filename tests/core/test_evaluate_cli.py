"""``chitieu evaluate`` through the real command line: docs/interfaces.md §3."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chitieu.plan import plan_as_dict
from tests.core.konray import konray_plan


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_as_dict(konray_plan()), ensure_ascii=False), encoding="utf-8")
    return path


def chitieu(*args):
    return subprocess.run([sys.executable, "-m", "chitieu", *map(str, args)], capture_output=True, text=True)


def test_json_output_follows_the_contract(plan_file, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("indicator;period;numerator;denominator\n2.1;2024;1200;2300\n", encoding="utf-8")
    done = chitieu("evaluate", plan_file, data, "--period", "2024", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["period"] == "2024" and isinstance(out["issues"], list)
    first = out["results"][1]
    assert {k: first[k] for k in ("indicator", "actual", "target", "comparator", "status")} == {
        "indicator": "2.1",
        "actual": 52.17,
        "target": 50,
        "comparator": ">=",
        "status": "exceeded",
    }
    assert len(out["results"]) == 20 and out["results"][0]["status"] == "no_data"


def test_bad_rows_exit_1_with_file_and_line_and_no_traceback(plan_file, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(
        "indicator,period,numerator,denominator,value\n2.1,2024,5,0,\n9.9,2024,1,2,\n2.2,2024,,,x\n",
        encoding="utf-8",
    )
    done = chitieu("evaluate", plan_file, data, "--period", "2024", "--json")
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr
    for line in ("dòng 2", "dòng 3", "dòng 4"):
        assert f"{data}: {line}: error:" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024-Q5"], "kỳ báo cáo không hợp lệ"),
        (["--period", "2024", "--as-of", "31/12/2024"], "--as-of"),
    ],
)
def test_bad_options_exit_1(plan_file, tmp_path, args, message):
    data = tmp_path / "d.csv"
    data.write_text("indicator,period,value\n2.1,2024,5\n", encoding="utf-8")
    done = chitieu("evaluate", plan_file, data, *args)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr


def test_missing_files_exit_1(plan_file, tmp_path):
    done = chitieu("evaluate", plan_file, tmp_path / "none.csv", "--period", "2024")
    assert done.returncode == 1 and "không tìm thấy" in done.stderr
    done = chitieu("evaluate", tmp_path / "none.json", plan_file, "--period", "2024")
    assert done.returncode == 1 and "không tìm thấy" in done.stderr


def test_human_table_is_vietnamese(plan_file, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("indicator,period,numerator,denominator\n1.1,2024,6,10\n", encoding="utf-8")
    done = chitieu("evaluate", plan_file, data, "--period", "2024")
    assert done.returncode == 0
    assert "Kết quả thực hiện kỳ 2024" in done.stdout and "1.1: Đạt." in done.stdout


def test_the_with_problems_file_names_every_bad_line():
    root = Path(__file__).resolve().parents[2]
    annex = root / "chitieu" / "data" / "kon-ray-2024-plan-annex.txt"
    data = root / "tests" / "data" / "konray-2024-with-problems.csv"
    done = chitieu("evaluate", annex, data, "--period", "2024", "--json")
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    reported = {line.split(": ")[1] for line in done.stderr.splitlines() if ": error: " in line}
    # line 2 and line 10 are fine; every other data line has exactly one problem.
    assert reported == {f"dòng {n}" for n in (3, 4, 5, 6, 7, 8, 9, 11, 12)}
    assert "9 dòng lỗi" in done.stderr


@pytest.mark.parametrize(
    "text",
    ["[1, 2]", "{}", '{"objectives": [{"code": "1", "indicators": [{"code": "1.1"}]}]}', "{not json", '"x"'],
)
def test_a_plan_json_that_is_not_a_plan_exits_1(tmp_path, text):
    plan = tmp_path / "plan.json"
    plan.write_text(text, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("indicator,period,value\n2.1,2024,5\n", encoding="utf-8")
    done = chitieu("evaluate", plan, data, "--period", "2024")
    assert done.returncode == 1 and "Traceback" not in done.stderr and str(plan) in done.stderr


def test_bad_rows_are_listed_top_to_bottom(capsys):
    """Row checks and plan checks run in separate passes; the user still reads them in file order."""
    from chitieu.cli import main

    root = Path(__file__).resolve().parents[2]
    annex = root / "chitieu" / "data" / "kon-ray-2024-plan-annex.txt"
    data = root / "tests" / "data" / "konray-2024-with-problems.csv"
    assert main(["evaluate", str(annex), str(data), "--period", "2024"]) == 1
    lines = [int(n) for n in re.findall(r"^\S+: dòng (\d+):", capsys.readouterr().err, re.MULTILINE)]
    assert len(lines) >= 5
    assert lines == sorted(lines)
