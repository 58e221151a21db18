"""``chitieu report PLAN DATA --period KEY --format docx|xlsx|pdf --output FILE`` (docs/interfaces.md §4).

Bad input ends with exit 1 and a Vietnamese message naming the file and the
place in it, never a traceback. The output is written to a temporary file
beside the target and renamed over it only when complete, so a failure never
leaves a half-written report (nor destroys the previous one).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from argparse import Namespace
from datetime import date, datetime
from pathlib import Path

from chitieu.issues import Issue, Severity, has_errors
from chitieu.observation_csv import read_observations_for_plan
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.planfile import read_plan_file
from chitieu.reports import render
from chitieu.reports.build import build_report
from chitieu.reports.model import Assessment
from chitieu.reports.phase import NotAPhase, build_phase_report, changes_from_file
from chitieu.reports.settings import SettingsError, parse_settings

EXIT_OK, EXIT_BAD_INPUT = 0, 1


class _Refused(Exception):
    """Input the report cannot be made from; the message is for the user."""


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _where(issue: Issue) -> str:
    return issue.where.replace("line ", "dòng ").replace("row ", "hàng ")


def _report_issues(name: str, issues, *, errors_only: bool) -> None:
    for issue in issues:
        if errors_only and issue.severity is not Severity.ERROR:
            continue
        _say(f"{name}: {_where(issue)}: {issue.message}")


def _date(text: str, flag: str, fmt: str, shape: str) -> date | None:
    if not text:
        return None
    try:
        return datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        raise _Refused(f"{flag}: ngày không hợp lệ: {text!r} (dùng {shape})") from None


def _plan(path: str):
    plan, issues = read_plan_file(path)
    if plan is None or has_errors(issues):
        _report_issues(path, issues, errors_only=plan is not None)
        raise _Refused(f"{path}: không đọc được kế hoạch; chưa tạo báo cáo")
    return plan


def _observations(path: str, plan):
    if not Path(path).is_file():
        raise _Refused(f"{path}: không tìm thấy tệp số liệu")
    try:
        observations, issues = read_observations_for_plan(plan, path)
    except (OSError, UnicodeDecodeError) as exc:
        raise _Refused(f"{path}: không đọc được tệp số liệu: {exc}") from None
    if has_errors(issues):
        _report_issues(path, issues, errors_only=True)
        count = sum(i.severity is Severity.ERROR for i in issues)
        raise _Refused(f"{path}: {count} lỗi trong số liệu; chưa tạo báo cáo. Hãy sửa rồi chạy lại.")
    _report_issues(path, [i for i in issues if i.severity is Severity.WARNING], errors_only=False)
    return observations


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder and a rename."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file 0600; a report goes to a shared office folder, so it
        # gets the mode any new file would get (0644 under the usual umask 022).
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _settings(path: str, args: Namespace):
    """The report settings (chitieu.reports.settings) from a JSON or TOML file, the flags winning."""
    data = _settings_file(path) if path else {}
    flags = {
        key: getattr(args, key, "") or ""
        for key in ("issuing_body", "parent_body", "number", "signer_authority", "signer_title", "signer")
    }
    data.update({key: value for key, value in flags.items() if value})
    if getattr(args, "recipient", None):
        data["recipients"] = list(args.recipient)
    try:
        return parse_settings(data)
    except SettingsError as error:
        where = f"--settings {path}" if path else "tuỳ chọn báo cáo"
        raise _Refused(f"{where}: {error}") from None


def _settings_file(path: str) -> dict:
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Refused(f"--settings: không đọc được {path}: {exc}") from None
    try:
        if source.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:
        raise _Refused(f"--settings: {path} không đúng định dạng: {exc}") from None
    if not isinstance(data, dict):
        raise _Refused(f"--settings: {path} phải là một đối tượng (các khoá như issuing_body, signer…)")
    return data


def _output(path: str) -> Path:
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise _Refused(f"--output: thư mục {folder} không tồn tại")
    if target.is_dir():
        raise _Refused(f"--output: {target} là một thư mục; hãy ghi tên tệp, ví dụ bao-cao.docx")
    return target


def run(args: Namespace) -> int:
    try:
        return _run(args)
    except _Refused as refusal:
        _say(str(refusal))
        return EXIT_BAD_INPUT
    except OSError as exc:
        _say(f"{getattr(exc, 'filename', None) or args.output}: không ghi được tệp: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    except Exception as exc:  # never a traceback for users: say what failed
        _say(f"chưa tạo được báo cáo: lỗi không mong đợi: {type(exc).__name__}: {exc}")
        return EXIT_BAD_INPUT


def _phase(args: Namespace, plan, observations, period_key: str, as_of: date, options):
    """The final review of the phase (``--kind phase``); ``--reorganisation`` gives its structure changes."""
    changes: list[str] = []
    if getattr(args, "reorganisation", ""):
        try:
            changes = changes_from_file(Path(args.reorganisation).read_bytes())
        except OSError as exc:
            raise _Refused(f"--reorganisation: không đọc được tệp ({exc.strerror})") from None
        except ValueError as exc:
            raise _Refused(f"--reorganisation: {exc}") from None
    try:
        return build_phase_report(
            plan, observations, period_key, as_of=as_of, options=options, structure_changes=changes
        )
    except NotAPhase:
        raise _Refused(f"--kind phase: {period_key} không phải là một giai đoạn (ví dụ 2021-2025)") from None


def _run(args: Namespace) -> int:
    try:
        period = parse_period(args.period)
    except PeriodKeyError as exc:
        raise _Refused(f"--period: {exc}") from None
    issued_on = _date(getattr(args, "date", "") or "", "--date", "%d/%m/%Y", "DD/MM/YYYY")
    # A report signed before its period ends can only know the figures reported by then.
    default_as_of = min(period.end, issued_on) if issued_on else period.end
    as_of = _date(getattr(args, "as_of", None) or "", "--as-of", "%Y-%m-%d", "YYYY-MM-DD") or default_as_of
    target = _output(args.output)
    plan = _plan(args.plan)
    observations = _observations(args.data, plan)
    settings = _settings(getattr(args, "settings", "") or "", args)
    options = settings.options(issued_on=issued_on)
    if getattr(args, "kind", "annual") == "phase":
        report = _phase(args, plan, observations, period.key, as_of, options)
    else:
        report = build_report(plan, observations, period.key, as_of=as_of, options=options)
    write_atomically(target, render(report, args.format))
    counts = ", ".join(f"{a.label.lower()}: {report.count(a)}" for a in Assessment)
    print(f"Đã ghi {target} ({len(report.indicator_rows)} chỉ tiêu; {counts})")
    return EXIT_OK
