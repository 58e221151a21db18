"""What a Vietnamese user must never read: raw period keys, internal names, English words, dotted decimals.

Used by the page walk (tests/web/test_browser_words.py) and the report checks. The English words are
those our own code could leak (enum values, labels left untranslated), not any ASCII word: unit and
place names are Vietnamese and the annex's text is shown as written.
"""

from __future__ import annotations

import re

RAW_PERIOD = re.compile(r"(?<![\d/.-])(?:\d{4}-(?:Q[1-4]|H[12]|0[1-9]|1[0-2])|20\d\d-20\d\d)(?![\d-])")
INTERNAL = re.compile(
    r"\b(?:single|ratio_of_sums|sum_of_ratios|needs_review|not_achieved|no_data|per_period|"
    r"lead_units|None|True|False|nan|line \d+|row \d+|cell [A-Z]+\d+)\b"
)
# "26.6%", "100.0000%"; not across a line break, where an indicator code ("5.1") ends a table cell
# and the next cell's unit ("%") begins the next line of the extracted text
DOT_DECIMAL_PERCENT = re.compile(r"\d\.\d+ ?%|\d+\.\d{3,}%")
ENGLISH = re.compile(
    r"\b(?:the|and|of|for|with|this|not|from|per|is|are|was|has|have|"
    r"Dashboard|Indicator|Indicators|Period|Target|Targets|Submit|Approve|Approved|Submitted|Returned|Draft|"
    r"Late|Overdue|Due|Status|Unit|Units|Plan|Plans|Report|Reports|Quarter|Month|Year|Half|Phase|Method|"
    r"exceeded|achieved|missing|provisional|quarter|month|year|half|phase|total|female|male|"
    r"Save|Cancel|Back|Next|Previous|Search|Download|Upload|Login|Logout|Password|Settings)\b"
)


def problems(text: str) -> list[str]:
    """Every offending fragment of ``text`` with a little context."""
    found = []
    for name, pattern in (
        ("period key", RAW_PERIOD),
        ("internal", INTERNAL),
        ("decimal point", DOT_DECIMAL_PERCENT),
        ("English", ENGLISH),
    ):
        for m in pattern.finditer(text):
            start, end = max(0, m.start() - 30), min(len(text), m.end() + 30)
            found.append(f"{name}: {m[0]!r} in …{' '.join(text[start:end].split())}…")
    return found
