"""A template's ``_("…")`` is %-formatted by Jinja even without arguments, so a lone ``%`` in it ("Margin %")
breaks the page in a language that has no translation for it (English): a 500. Write ``%%``."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CALL = re.compile(r"""_\(\s*(["'])(.*?)\1""")
LONE_PERCENT = re.compile(r"%(?!\(\w+\)[sd])")


def test_no_template_string_has_a_lone_percent_sign():
    found = [f"{path.relative_to(TEMPLATES)}: {text}" for path in TEMPLATES.rglob("*.html")
             for _, text in CALL.findall(path.read_text(encoding="utf-8")) if LONE_PERCENT.search(text.replace("%%", ""))]
    assert not found, "write %% for a percent sign:\n" + "\n".join(found)

