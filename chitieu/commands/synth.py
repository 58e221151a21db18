"""``chitieu synth OUT_DIR [--scale F] [--provinces N] [--communes-per-district N] [--years A-B] …``.

Writes a synthetic country (units, plan, assignments, observations, manifest)
for loading with ``manage.py load_country`` and for benchmarks.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from chitieu import konray
from chitieu.planfile import read_plan_file
from chitieu.synth import FILES, SynthError, SynthOptions, parse_years, write_country
from chitieu.synth_reform import write_reformed

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _integer(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise SynthError(f"{option}: {text!r} không phải là một số nguyên") from None


def _seed(text: str | None) -> int:
    seed = _integer(text, "--seed")
    return SynthOptions.seed if seed is None else seed


def _fraction(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))  # "0,05" as Vietnamese write it
    except ValueError:
        raise SynthError(f"{option}: {text!r} không phải là một số") from None


def options_from(args: Namespace) -> SynthOptions:
    first, last = parse_years(args.years)
    return SynthOptions(
        seed=_seed(args.seed),
        scale=_fraction(args.scale, "--scale"),
        provinces=_integer(args.provinces, "--provinces"),
        communes_per_district=_integer(args.communes_per_district, "--communes-per-district"),
        first_year=first,
        last_year=last,
        gzip=args.gzip,
    ).checked()


class Bar:
    """A progress bar on stderr: redrawn in place on a terminal, every 10 % otherwise."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self.shown = stream, width, -1
        self.live = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        step = 1 if self.live else 10
        if percent // step == self.shown // step and done < total:
            return
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        text = f"số liệu: [{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}% ({done}/{total} đơn vị)"
        self.stream.write(("\r" + text) if self.live else text + "\n")
        if self.live and done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run(args: Namespace) -> int:
    try:
        options = options_from(args)
    except SynthError as exc:
        print(f"chitieu synth: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        print(f"{out}: đã có một tệp cùng tên, không phải thư mục", file=sys.stderr)
        return EXIT_BAD_INPUT
    present = [n for n in (*FILES, "observations.csv.gz") if (out / n).exists()]
    if present and not args.force:
        print(
            f"{out}: thư mục đã có dữ liệu mẫu ({', '.join(present)});"
            " chọn thư mục khác hoặc thêm --force để ghi đè",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    plan, _ = read_plan_file(konray.ANNEX)
    if plan is None:  # the shipped annex: only a broken installation gets here
        print(f"{konray.ANNEX}: không đọc được phụ lục kế hoạch", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        structure = getattr(args, "structure", None)
        if structure:
            manifest = write_reformed(out, plan, options, structure)
        else:
            manifest = write_country(out, plan, options, progress=None if args.quiet else Bar())
    except SynthError as exc:
        print(f"chitieu synth: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"{out}: không ghi được: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    counts = manifest.counts
    if structure == "2026":
        print(
            f"Đã tạo {out} (sau sắp xếp 2025): {counts['province']} tỉnh/thành phố, {counts['commune']}"
            f" xã/phường, không còn cấp huyện; {manifest.observations} số liệu năm 2026."
        )
        return EXIT_OK
    print(
        f"Đã tạo {out}: {counts['province']} tỉnh/thành phố, {counts['district']} huyện/quận,"
        f" {counts['commune']} xã/phường/thị trấn, {counts['office']} phòng ban;"
        f" {manifest.observations} số liệu ({manifest.observations_file})."
    )
    return EXIT_OK
