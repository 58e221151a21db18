"""The Kon Rẫy report as LibreOffice lays it out (issue 15).

Many offices open the Word report and the Excel annex in LibreOffice or WPS,
which follow the file's own grid, row and page settings where Word guesses.
LibreOffice headless converts each file to PDF once per session; poppler
(``pdftotext -bbox-layout``, ``pdftoppm``) reads the result. The project's
own PDF (WeasyPrint) is held to the same page-numbering rule.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from chitieu.reports import layout, render
from chitieu.reports.build import build_report
from chitieu.reports.model import RowKind
from tests.reports.district import kon_ray_plan, observations

XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[tuple[Word, ...], ...]

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line)


def read_pdf(path: Path) -> list[Page]:
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    pages = []
    for page in ET.fromstring(xml).iter(f"{XHTML}page"):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = tuple(
                Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                for w in line.iter(f"{XHTML}word")
            )
            lines.append(words)
        pages.append(Page(float(page.get("width")), float(page.get("height")), tuple(lines)))
    return pages


@pytest.fixture(scope="session")
def report():
    plan = kon_ray_plan()
    return build_report(plan, observations(plan), "2024", as_of=date(2024, 12, 31))


@pytest.fixture(scope="session")
def files(report, tmp_path_factory):
    """The docx and xlsx converted by LibreOffice in one run, and the WeasyPrint PDF."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: make system-deps installs libreoffice-writer-nogui, -calc-nogui"
    folder = tmp_path_factory.mktemp("libreoffice")
    (folder / "bao-cao.docx").write_bytes(render(report, "docx"))
    (folder / "phu-luc.xlsx").write_bytes(render(report, "xlsx"))
    (folder / "bao-cao-weasyprint.pdf").write_bytes(render(report, "pdf"))
    out = folder / "pdf"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(folder / "bao-cao.docx"),
            str(folder / "phu-luc.xlsx"),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    return {
        "docx": out / "bao-cao.pdf",
        "xlsx": out / "phu-luc.pdf",
        "pdf": folder / "bao-cao-weasyprint.pdf",
    }


@pytest.fixture(scope="session")
def docx_pages(files):
    return read_pdf(files["docx"])


@pytest.fixture(scope="session")
def pdf_pages(files):
    return read_pdf(files["pdf"])


@pytest.fixture(scope="session")
def xlsx_pages(files):
    return read_pdf(files["xlsx"])


# ------------------------------------------------------------------------- docx


def test_the_word_report_keeps_its_length_in_libreoffice(docx_pages, pdf_pages):
    # With equal grid columns LibreOffice needed 14 pages where Word needed 11 and WeasyPrint
    # 10 (names wrapped over 10-15 lines); with real grids it stays within a page or two of
    # the PDF renderer's layout of the same report (which grows as the report says more).
    assert len(docx_pages) <= len(pdf_pages) + 2, (len(docx_pages), len(pdf_pages))


@pytest.mark.parametrize("which", ["docx", "pdf"])
def test_the_motto_lines_each_sit_on_one_line(which, docx_pages, pdf_pages):
    first = (docx_pages if which == "docx" else pdf_pages)[0]
    texts = [" ".join(w.text for w in line) for line in first.lines]
    for motto in (layout.MOTTO_COUNTRY, layout.MOTTO_SLOGAN):
        assert any(motto in text for text in texts), (motto, texts[:8])


def _table_words(report) -> set[str]:
    words = set()
    for title in layout.column_titles(report):
        words.update(title.split())
    for row in report.rows:
        if row.kind is RowKind.OBJECTIVE:
            continue
        text = row.text if row.kind is RowKind.INDICATOR else f"- {row.text}"
        for cell in layout.result_cells(row, text):
            words.update(cell.split())
    return words


def test_no_annex_column_is_narrower_than_its_longest_word(report, docx_pages):
    """A word that does not fit its column is broken inside the word: pdftotext then sees pieces."""
    annex = next(i for i, page in enumerate(docx_pages) if any(w.text == "Phụ" for w in page.words[:3]))
    printed = {w.text for page in docx_pages[annex:] for w in page.words}
    broken = sorted(w for w in _table_words(report) if w not in printed)
    assert not broken, broken


def _top_number(page: Page) -> str | None:
    """The page number printed at the top centre (of the text area), if any."""
    mm = 72 / 25.4
    middle = (layout.MARGIN_LEFT_MM * mm + page.width - layout.MARGIN_RIGHT_MM * mm) / 2
    for word in page.words:
        centre = (word.x0 + word.x1) / 2
        if word.text.isdigit() and word.y1 < layout.MARGIN_TOP_MM * mm and abs(centre - middle) < 15:
            return word.text
    return None


@pytest.mark.parametrize("which", ["docx", "pdf"])
def test_decree_30_page_numbers_top_centre_from_page_2_and_the_annex_on_its_own(which, docx_pages, pdf_pages):
    pages = docx_pages if which == "docx" else pdf_pages
    numbers = [_top_number(page) for page in pages]
    annex = next(i for i, page in enumerate(pages) if page.width > page.height)
    assert numbers[0] is None, numbers
    assert numbers[1:annex] == [str(n) for n in range(2, annex + 1)], numbers
    assert numbers[annex] is None, numbers
    assert numbers[annex + 1 : annex + 3] == ["2", "3"], numbers
    text = " ".join(w.text for page in pages for w in page.words)
    assert "Trang" not in text  # no "Trang x/y" at the foot any more


def _dark_rows(png: Path, x0: int, x1: int) -> list[int]:
    """Pixel rows with a horizontal run of at least 60 dark pixels between x0 and x1: drawn rules."""
    image = Image.open(png).convert("L")
    pixels = image.load()
    rows = []
    for y in range(image.height):
        run = best = 0
        for x in range(x0, min(x1, image.width)):
            run = run + 1 if pixels[x, y] < 100 else 0
            best = max(best, run)
        if best >= 60:
            rows.append(y)
    return rows


def test_the_rules_under_the_issuing_body_and_the_title_do_not_touch_the_letters(files, docx_pages, tmp_path):
    dpi = 150
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-gray",
            str(files["docx"]),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    scale = dpi / 72
    first = docx_pages[0]
    lines = [line for line in first.lines if line]
    texts = [" ".join(w.text for w in line) for line in lines]
    body = next(i for i, text in enumerate(texts) if text.startswith("HUYỆN KON RẪY"))
    subject_end = texts.index("trên địa bàn huyện Kon Rẫy")
    for index in (body, subject_end):
        line = lines[index]
        top, bottom = min(w.y0 for w in line), max(w.y1 for w in line)
        left, right = min(w.x0 for w in line), max(w.x1 for w in line)
        below = min(w.y0 for other in lines for w in other if w.y0 > bottom)
        rules = [
            y
            for y in _dark_rows(png, int(left * scale), int(right * scale))
            if top * scale < y < below * scale
        ]
        text = " ".join(w.text for w in line)
        assert rules, f"no rule under {text!r}"
        # Clear of the letters (whose box includes the descent), not through them.
        assert min(rules) > bottom * scale, (text, min(rules) / scale, bottom)


# ------------------------------------------------------------------------- xlsx


def test_the_excel_annex_prints_at_a_readable_size(xlsx_pages):
    """Fit-to-width printed the 11 pt cells at about 5 pt; at ≥ 70 % they stay ≥ 7.7 pt."""
    results = [p for p in xlsx_pages if not any(w.text == "SỐ" for w in p.words[:3])]
    # pdftotext's word box is the font's ascent + descent: 1.15 em for Liberation Serif.
    sizes = sorted((w.y1 - w.y0) / 1.15 for page in results for w in page.words if w.text.isalpha())
    median = sizes[len(sizes) // 2]
    assert median >= 11 * 0.7 - 0.1, median
    assert all(page.width > page.height for page in xlsx_pages), "A4 landscape"


def test_wrapped_cells_do_not_overlap_in_libreoffice(xlsx_pages):
    """Stored row heights: the lines of a wrapped cell stay inside their row."""
    for number, page in enumerate(xlsx_pages, start=1):
        words = page.words
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                assert not (dx > 1 and dy > 2), (number, a, b)


def test_every_printed_page_of_the_excel_annex_starts_with_its_first_column(xlsx_pages):
    """One page wide, column titles repeated: every page shows the first column's title."""
    for number, page in enumerate(xlsx_pages, start=1):
        words = {w.text for w in page.words}
        assert "STT" in words or "Mã" in words, (number, sorted(words)[:20])
