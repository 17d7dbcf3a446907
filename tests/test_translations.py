"""Every user-facing string has its zh-CN translation."""
import os

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("webapp/**.py", "python"), ("bridge/**.py", "python"), ("templates/**.html", "jinja2")]


def source_strings() -> set[str]:
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(ROOT, METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_code_has_a_chinese_translation():
    with open(os.path.join(ROOT, "webapp/translations/zh_Hans_CN/LC_MESSAGES/messages.po"), "rb") as f:
        catalogue = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id and _done(m.string)
                  and "fuzzy" not in m.flags}
    missing = sorted(source_strings() - translated)
    assert missing == [], f"{len(missing)} strings lack a zh-CN translation; run `make messages` and translate"


def _done(string) -> bool:
    """A translation, or every form of a plural one (Babel gives those as a tuple)."""
    return all(string) if isinstance(string, tuple) else bool(string)
