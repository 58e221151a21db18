"""The ``chitieu`` command. Exit codes: 0 done, 1 unusable input, 2 wrong usage.

Each sub-command's work lives in ``chitieu.commands.<name>``, imported only
when that command runs so that ``chitieu --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chitieu",
        description="Theo dõi kế hoạch bình đẳng giới: đọc phụ lục, đánh giá, báo cáo, sao lưu.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser("plan", help="làm việc với phụ lục kế hoạch")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    check = plan_commands.add_parser("check", help="đọc và kiểm tra một phụ lục kế hoạch")
    check.add_argument("file", metavar="FILE", help=".txt/.tsv/.csv, .xlsx hoặc .docx")
    check.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    check.set_defaults(handler="plan_check")

    evaluate = commands.add_parser("evaluate", help="đánh giá số liệu so với chỉ tiêu")
    evaluate.add_argument("plan", metavar="PLAN")
    evaluate.add_argument("data", metavar="DATA", help="CSV dạng tidy (docs/interfaces.md §3)")
    evaluate.add_argument("--period", required=True, metavar="KEY", help="2024, 2024-Q3, 2021-2025…")
    evaluate.add_argument("--as-of", metavar="YYYY-MM-DD", help="ngày tham chiếu (mặc định: cuối kỳ)")
    evaluate.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    evaluate.add_argument(
        "--units",
        metavar="A,B,…",
        help="các đơn vị phải báo cáo (vd. các xã cho chỉ tiêu 6.3); mặc định: các đơn vị có trong số liệu",
    )
    evaluate.add_argument(
        "--units-file",
        metavar="FILE",
        help="tệp danh sách đơn vị của địa bàn: mỗi dòng một tên, hoặc units.csv có cột name",
    )
    evaluate.add_argument(
        "--all-units",
        action="store_true",
        help="giải thích kể tên mọi đơn vị (mặc định: 10 đơn vị đầu và số còn lại; --json luôn có đủ)",
    )
    evaluate.set_defaults(handler="evaluate")

    report = commands.add_parser("report", help="xuất báo cáo kết quả năm")
    report.add_argument("plan", metavar="PLAN")
    report.add_argument("data", metavar="DATA")
    report.add_argument("--period", required=True, metavar="KEY")
    report.add_argument("--format", required=True, choices=["docx", "xlsx", "pdf"])
    report.add_argument("--output", required=True, metavar="FILE")
    report.add_argument("--as-of", metavar="YYYY-MM-DD", help="ngày tham chiếu (mặc định: cuối kỳ)")
    report.add_argument("--number", default="", metavar="SỐ", help="số văn bản (để trống nếu chưa cấp số)")
    report.add_argument("--date", default="", metavar="DD/MM/YYYY", help="ngày ban hành (trống: chưa ký)")
    report.add_argument("--signer", default="", metavar="HỌ TÊN", help="người ký")
    report.add_argument(
        "--signer-title",
        default="",
        metavar="CHỨC VỤ",
        help='chức vụ người ký ("KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH")',
    )
    report.add_argument(
        "--issuing-body", default="", metavar="CƠ QUAN", help="cơ quan ban hành (trống: đọc từ kế hoạch)"
    )
    report.add_argument("--parent-body", default="", metavar="CƠ QUAN", help="cơ quan chủ quản")
    report.add_argument(
        "--recipient", action="append", default=[], metavar="NƠI NHẬN", help="một nơi nhận (lặp lại)"
    )
    report.add_argument(
        "--settings",
        default="",
        metavar="FILE",
        help="tệp JSON hoặc TOML: issuing_body, parent_body, number, symbol, signer_authority, "
        "signer_title, signer, recipients; các tuỳ chọn trên dòng lệnh được ưu tiên",
    )
    report.add_argument(
        "--kind",
        choices=["annual", "phase"],
        default="annual",
        help="annual: báo cáo kết quả kỳ (mặc định); phase: báo cáo tổng kết giai đoạn (--period 2021-2025)",
    )
    report.add_argument(
        "--reorganisation",
        default="",
        metavar="FILE",
        help="tổng kết giai đoạn: danh sách sắp xếp đơn vị (như tệp tải lên) để ghi mục thay đổi về tổ chức",
    )
    report.set_defaults(handler="report")

    synth = commands.add_parser("synth", help="tạo một quốc gia mẫu (đơn vị, kế hoạch, số liệu) để thử tải")
    synth.add_argument("out_dir", metavar="OUT_DIR", help="thư mục ghi units.csv, plan.txt, assignments.csv…")
    synth.add_argument("--scale", metavar="F", help="tỷ lệ so với cả nước, 0 < F ≤ 1 (mặc định: 1)")
    synth.add_argument("--provinces", metavar="N", help="chỉ giữ N tỉnh/thành phố đầu")
    synth.add_argument("--communes-per-district", metavar="N", help="mỗi huyện đúng N xã")
    synth.add_argument(
        "--years", default="2021-2025", metavar="A-B", help="các năm có số liệu (mặc định 2021-2025)"
    )
    synth.add_argument(
        "--seed", default="2024", metavar="S", help="hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)"
    )
    synth.add_argument("--gzip", action="store_true", help="ghi observations.csv.gz")
    synth.add_argument(
        "--structure",
        choices=["2026", "reform"],
        default=None,
        help="2026: cơ cấu sau sắp xếp (34 tỉnh, khoảng 3.321 xã, không cấp huyện); reform: số liệu"
        " 2021–2025 trên cơ cấu cũ, tệp sắp xếp reorganisation.csv và số liệu 2026 trên cơ cấu mới",
    )
    synth.add_argument("--force", action="store_true", help="ghi đè dữ liệu mẫu đã có trong thư mục")
    synth.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    synth.set_defaults(handler="synth")
    _backup_parsers(commands)
    _publish_parser(commands)
    return parser


_DATABASE_HELP = (
    "cơ sở dữ liệu: đường dẫn tệp SQLite hoặc postgres://người_dùng@máy:cổng/tên "
    "(mặc định: biến DATABASE_URL, nếu không có thì var/chitieu.sqlite3)"
)
_MEDIA_HELP = "thư mục tệp minh chứng (mặc định: biến CHITIEU_MEDIA_ROOT, nếu không có thì var/media)"
_KEY_HELP = (
    "tệp khoá ký bản sao lưu (mặc định: biến CHITIEU_BACKUP_KEY_FILE, nếu không có thì var/backup.key; "
    "tạo ở lần sao lưu đầu tiên)"
)


def _publish_parser(commands) -> None:
    publish = commands.add_parser(
        "publish", help="ghi trang công khai của một kế hoạch đã công bố thành tệp tĩnh (HTML, CSV)"
    )
    publish.add_argument("plan_id", type=int, metavar="PLAN_ID", help="số hiệu kế hoạch trong ứng dụng web")
    publish.add_argument("dir", metavar="DIR", help="thư mục ghi các tệp")
    publish.add_argument(
        "--settings",
        metavar="MODULE",
        help="cấu hình Django của ứng dụng web (mặc định: DJANGO_SETTINGS_MODULE, nếu không có thì local)",
    )
    publish.set_defaults(handler="publish")


def _backup_parsers(commands) -> None:
    backup = commands.add_parser("backup", help="sao lưu cơ sở dữ liệu và tệp minh chứng vào một tệp")
    backup.add_argument(
        "--output", "-o", metavar="FILE", help="tệp sao lưu (mặc định: chitieu-…-NGÀY.tar.gz)"
    )
    backup.add_argument("--database", metavar="URL_HOẶC_TỆP", help=_DATABASE_HELP)
    backup.add_argument("--media", metavar="THƯ_MỤC", help=_MEDIA_HELP)
    backup.add_argument("--no-media", action="store_true", help="không kèm tệp minh chứng")
    backup.add_argument("--key", metavar="TỆP_KHOÁ", help=_KEY_HELP)
    backup.set_defaults(handler="backup")

    restore = commands.add_parser("restore", help="phục hồi từ một tệp sao lưu (ghi đè dữ liệu hiện có)")
    restore.add_argument("file", metavar="FILE", help="tệp do `chitieu backup` tạo")
    restore.add_argument("--yes", action="store_true", help="xác nhận thay toàn bộ dữ liệu hiện có")
    restore.add_argument("--check", action="store_true", help="chỉ kiểm tra tệp sao lưu, không ghi gì")
    restore.add_argument("--database", metavar="URL_HOẶC_TỆP", help=_DATABASE_HELP)
    restore.add_argument("--media", metavar="THƯ_MỤC", help=_MEDIA_HELP)
    restore.add_argument("--no-media", action="store_true", help="giữ nguyên tệp minh chứng hiện có")
    restore.add_argument("--key", metavar="TỆP_KHOÁ", help=_KEY_HELP)
    restore.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="chấp nhận bản sao lưu không có chữ ký (do phiên bản cũ tạo): chỉ khi chắc chắn nguồn gốc",
    )
    restore.set_defaults(handler="restore")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # exits 2 on wrong usage
    module = importlib.import_module(f"chitieu.commands.{args.handler}")
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        print("đã dừng", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
