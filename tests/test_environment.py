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


def test_the_unused_iri_format_checker_is_not_loaded():
    """police_lists marks rfc3987_syntax absent (1.4 s of grammar compiling per
    process, for jsonschema's "iri" format). That is safe only while no validator
    this project runs checks formats: frictionless and nbformat build theirs
    without a format checker. A pinned upgrade that starts passing one fails
    here, and the shortcut in police_lists/__init__.py must go."""
    import subprocess
    import sys
    from importlib.util import find_spec

    probe = "import police_lists, nbformat, frictionless, jsonschema; import sys; print(sys.modules['rfc3987_syntax'])"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "None"
    for package in ("frictionless", "nbformat"):
        folder = Path(find_spec(package).origin).parent
        users = [p.name for p in folder.rglob("*.py") if re.search(r"format_checker|FormatChecker", p.read_text())]
        assert users == [], f"{package} now checks formats in {users}"
