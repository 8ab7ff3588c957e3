"""The pip route and the conda route install the same pinned versions."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s#]+)")


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = PIN.match(line)
        if m:
            out[m[1].lower()] = m[2]
    return out


def test_environment_yml_matches_requirements():
    req, env = pins(ROOT / "requirements.txt"), pins(ROOT / "environment.yml")
    assert req, "requirements.txt has no pins"
    assert req == env


def test_constraints_agree_with_requirements():
    req, con = pins(ROOT / "requirements.txt"), pins(ROOT / "constraints.txt")
    for name, version in req.items():
        assert con.get(name) == version, f"{name}: requirements {version}, constraints {con.get(name)}"


def test_installed_versions_are_the_pinned_ones():
    from importlib import metadata

    for name, version in pins(ROOT / "requirements.txt").items():
        assert metadata.version(name) == version, name
