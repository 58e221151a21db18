"""What a load refuses, and where: issues with their line, the error that stops a load."""

from __future__ import annotations

from dataclasses import dataclass

from chitieu.approval import RECEIVED_STATES, State

MAX_REPORTED = 1000  # errors kept for the message; all are counted

LOAD_STATES = (State.DRAFT.value, *(s.value for s in RECEIVED_STATES))  # a draft, or a report received

MESSAGES = {
    "unknown_indicator": "mã chỉ tiêu không có trong kế hoạch đang có hiệu lực: {0!r}",
    "sex_required": "chỉ tiêu {0} báo cáo riêng nữ (F) và nam (M): cột sex không được để trống",
    "sex_not_required": "chỉ tiêu {0} không báo cáo theo giới tính: để trống cột sex",
    "unknown_unit": "không tìm thấy đơn vị {0!r} trong địa bàn của kế hoạch (theo mã, rồi theo tên)",
    "ambiguous_unit": "tên đơn vị {0!r} trùng với {1} đơn vị trong địa bàn: ghi mã đơn vị thay cho tên",
    "not_assigned": "chỉ tiêu {0} không giao cho đơn vị {1!r} báo cáo",
    "unit_not_valid": "đơn vị {0!r} không tồn tại trong kỳ {1}",
    "locked": "báo cáo của {0!r} kỳ {1} đã {2}: không nạp đè (dùng tùy chọn cho phép ghi đè nếu cần)",
    "duplicate": "trùng với một dòng trước: cùng chỉ tiêu {0}, kỳ {1}, đơn vị {2!r}, giới tính {3}",
    "no_version": "kế hoạch chưa có phiên bản đang có hiệu lực",
    "bad_state": "trạng thái nạp phải là một trong: " + ", ".join(LOAD_STATES),
    "database": "cơ sở dữ liệu từ chối ghi: {0}",
    "not_found": "không mở được tệp: {0}",
}


@dataclass(frozen=True)
class LoadIssue:
    line: int  # 0 = the whole file
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"dòng {self.line}: {self.message}" if self.line else self.message


class LoadError(Exception):
    """Nothing was stored; ``issues`` say why and where (at most MAX_REPORTED of ``count``)."""

    def __init__(self, issues: list[LoadIssue], count: int | None = None, source: str = ""):
        self.issues = issues
        self.count = len(issues) if count is None else count
        self.source = source
        super().__init__("; ".join(str(i) for i in issues[:5]))

    def lines(self) -> list[str]:
        """One Vietnamese line per issue, naming the file and the line."""
        prefix = f"{self.source}, " if self.source else ""
        out = [f"{prefix}{issue}" for issue in self.issues]
        if self.count > len(self.issues):
            out.append(f"… và {self.count - len(self.issues)} lỗi khác")
        return out


def load_issue(line: int, code: str, *args) -> LoadIssue:
    return LoadIssue(line, MESSAGES[code].format(*args), code)
