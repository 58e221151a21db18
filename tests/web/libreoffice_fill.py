"""Fill cells of a workbook with LibreOffice itself (UNO), then save it as .xlsx: what a commune
official does in LibreOffice Calc. Run by Debian's python3 (python3-uno), not the project's venv:

    python3 libreoffice_fill.py IN.xlsx OUT.xlsx PROFILE_DIR 'Số liệu!F4=2' 'Số liệu!H4=ghi chú' …

A value that reads as a number is typed as a number, anything else as text.
"""

import contextlib
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def main(source: str, target: str, profile: str, *cells: str) -> None:
    pipe = f"chitieu-{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [
            "soffice",
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            f"--accept=pipe,name={pipe};urp;",
        ]
    )
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext()
        )
        for _ in range(120):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(
            Path(source).resolve().as_uri(), "_blank", 0, (_prop("Hidden", True),)
        )
        for assignment in cells:
            where, _, value = assignment.partition("=")
            sheet_name, _, ref = where.partition("!")
            cell = document.Sheets.getByName(sheet_name).getCellRangeByName(ref)
            try:
                cell.setValue(float(value))
            except ValueError:
                cell.setString(value)
        document.storeToURL(Path(target).resolve().as_uri(), (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        document.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as LibreOffice quits
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:])
