"""Matching names of places and offices the way people write them.

The same commune appears as "Đăk Tơ Lung", "Đắk Tơ Lung" or "Đăk Tờ Lung",
typed with composed (NFC) or decomposed (NFD) accents and with the tone mark on
either vowel ("hoá"/"hóa"). ``name_key`` folds all of that away so two spellings
of one name compare equal. It is deliberately generous: it is used to *find*
a unit, and a person confirms the match.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-–—]\s*")


def clean_name(name: str) -> str:
    """A name as stored: NFC, one space between words, no invisible or direction characters.

    Right-to-left overrides (U+202E), isolates, zero-width spaces and joiners and the
    byte-order mark are Unicode "format" characters: invisible, yet they reorder what
    is shown or make two names that look alike compare unequal. No place name needs them.
    """
    visible = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp") else ch
        for ch in name
        if unicodedata.category(ch) != "Cf"
    )
    return _SPACES.sub(" ", unicodedata.normalize("NFC", visible)).strip()


# "Ð" (U+00D0, Icelandic eth) is typed for "Đ" (U+0110) often enough to fold both.
_D_BAR = str.maketrans({"Đ": "D", "đ": "d", "Ð": "D", "ð": "d"})


@functools.lru_cache(maxsize=32768)  # every unit of a country (16 k) and header names, on every row
def fold(text: str) -> str:
    """The one folding of Vietnamese text for matching what people type: any Unicode form, no tone
    or vowel marks, đ→d, lower case, one space between words. Every reader and matcher uses it."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_BAR))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@functools.lru_cache(maxsize=32768)  # the engine keys every row by its unit's name: a country has 16 k
def name_key(name: str) -> str:
    """A key equal for all spellings of one name: ``fold`` of the cleaned name, dashes spaced alike."""
    return _SPACES.sub(" ", _DASHES.sub(" - ", fold(clean_name(name)))).strip()


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


def find_name(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """The candidate spelled like ``name`` (ignoring variants), or None."""
    key = name_key(name)
    return next((c for c in candidates if name_key(c) == key), None)
