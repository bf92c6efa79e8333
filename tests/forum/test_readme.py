"""The README's Configuration section documents every variable the code reads."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def configuration_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Configuration")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def test_every_settings_variable_is_documented():
    source = (ROOT / "forum" / "settings.py").read_text()
    names = set(
        re.findall(r"""(?:environ\.get|environ\[|env_bool|env_list)\(?\s*["'](\w+)""", source)
    )
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names  # the regex still works
    section = configuration_section()
    missing = sorted(name for name in names if f"`{name}`" not in section)
    assert not missing, f"add these to the README's Configuration section: {missing}"


def test_every_bin_serve_variable_is_documented():
    source = (ROOT / "bin" / "serve").read_text()
    names = set(re.findall(r"\$\{(\w+):-", source)) - {"PYTHON", "DJANGO_SETTINGS_MODULE"}
    assert {"PORT", "BIND", "WEB_CONCURRENCY"} <= names
    section = configuration_section()
    missing = sorted(name for name in names if f"`{name}`" not in section)
    assert not missing, f"add these to the README's Configuration section: {missing}"
