"""The package's built-in data, found through `importlib.resources` so that an installed wheel or image
has what a source checkout has: `builtin("fixtures")`, `builtin("certs")`, `builtin("scenarios")`.

In the source tree `mock_kanta/builtin/<name>` are links to the top-level `fixtures/`, `certs/` and
`scenarios/`; a wheel carries them as plain files. A user's own files override them through the data
directory or the environment (see `Settings.fixtures_dir`, `pki.default_profiles_path`, `scenario.builtin_dir`).
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

BUILTIN_KINDS = ("fixtures", "certs", "scenarios")


def builtin(kind: str) -> Path:
    """The directory of one kind of built-in data (a real directory: the package is never run zipped)."""
    if kind not in BUILTIN_KINDS:
        raise ValueError(f"no built-in data called {kind!r} (known: {', '.join(BUILTIN_KINDS)})")
    return Path(str(files("mock_kanta") / "builtin" / kind))


def package_file(*parts: str) -> Path:
    """A data file shipped inside the package, e.g. `package_file("api", "openapi.yaml")`."""
    return Path(str(files("mock_kanta").joinpath(*parts)))
