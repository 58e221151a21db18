"""Fetch the browser-side libraries from the npm registry, pinned and checked, into var/vendor/.

No CDN (offices have poor connections, figures must not leave the network) and no minified
JavaScript copied into the repository: each library is one pinned npm package whose tarball must match
the registry's published sha512 ("integrity"), and only the one file the app serves is unpacked.
Run by `make vendor-js` (a step of `make demo` and `make test`); offline, a file already fetched is kept.

    python scripts/vendor_js.py [DEST]      # default: var/vendor
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path
from typing import NamedTuple

REGISTRY = "https://registry.npmjs.org"


class Library(NamedTuple):
    package: str
    version: str
    integrity: str  # the registry's "dist.integrity" for that version
    member: str  # the file served, inside the tarball's package/ folder


LIBRARIES = (
    # plotly.js's "basic" bundle (scatter, bar, pie): the charts use scatter only; 1.2 MB, not 4.8.
    Library(
        "plotly.js-basic-dist-min",
        "4.1.1",
        "sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ==",
        "plotly-basic.min.js",
    ),
    # The accessibility checker the browser tests inject into every page (WCAG 2.1 A/AA); never served.
    Library(
        "axe-core",
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        "axe.min.js",
    ),
)


def target(dest: Path, library: Library) -> Path:
    return dest / library.package / library.member


def _tarball(library: Library) -> bytes:
    name = library.package.rsplit("/", 1)[-1]
    url = f"{REGISTRY}/{library.package}/-/{name}-{library.version}.tgz"
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    algorithm, _, expected = library.integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{url}: checksum {algorithm}-{digest} is not the pinned {library.integrity}")
    return data


def fetch(dest: Path, library: Library) -> Path:
    path = target(dest, library)
    stamp = path.with_name(path.name + ".version")
    if path.is_file() and stamp.is_file() and stamp.read_text().strip() == library.version:
        return path
    with tarfile.open(fileobj=io.BytesIO(_tarball(library)), mode="r:gz") as archive:
        member = archive.extractfile(f"package/{library.member}")
        if member is None:
            raise SystemExit(f"{library.package}@{library.version} has no {library.member}")
        content = member.read()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(content)
    partial.replace(path)  # never a half-written file under the served name
    stamp.write_text(library.version + "\n")
    return path


def main(argv: list[str]) -> int:
    dest = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "var" / "vendor"
    for library in LIBRARIES:
        try:
            path = fetch(dest, library)
        except OSError as error:
            if target(dest, library).is_file():
                print(f"{library.package}: registry unreachable ({error}); keeping the file fetched before")
                continue
            raise SystemExit(f"{library.package}@{library.version}: cannot fetch ({error})") from error
        print(f"{library.package}@{library.version}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
