"""The rooms keep their layers: no import cycles between the webapp's modules, and no room imports a
room above it (docs/architecture.md). Imports inside functions and under TYPE_CHECKING count for
neither: they are how a lower room names a higher one without depending on it at import time."""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEBAPP = os.path.join(ROOT, "webapp")

LAYERS = [
    {"errors", "web", "numbers", "clock", "i18n", "extensions", "config", "database", "paging", "csvfile",
     "replica"},
    {"auth", "stores", "catalog"},
    {"stock"},
    {"sales", "purchasing", "promotions", "members"},
    {"pos", "shop", "fulfil", "supply", "channels"},
    {"reports", "manage", "api", "outreach"},
    {"pages", "pwa", "demo", "rooms", "models", "security", "guards", "__init__"},
]


def layer_of(module: str) -> int:
    room = module.split(".")[1] if "." in module else "__init__"
    return next(i for i, rooms in enumerate(LAYERS) if room in rooms)


def modules() -> dict[str, str]:
    found = {}
    for folder, _dirs, files in os.walk(WEBAPP):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                found[dotted.removesuffix(".__init__")] = path
    return found


def top_level_imports(path: str, known: dict[str, str]) -> set[str]:
    """The webapp modules a module imports when it is imported (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in ([node] if not isinstance(node, ast.If | ast.Try) else ast.walk(node)):
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("webapp"):
                for alias in child.names:
                    target = f"{child.module}.{alias.name}"
                    found.add(target if target in known else child.module)
            elif isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("webapp"))
    return {m for m in found if m in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: top_level_imports(path, known) for name, path in known.items()}


def test_no_import_cycles_between_the_webapps_modules():
    edges = graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            # a package importing its own submodules (webapp -> webapp.x) is not a cycle of rooms
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    assert cycles == []


def test_no_room_imports_a_room_above_it():
    upward = sorted(f"{module} -> {target}" for module, targets in graph().items() for target in targets
                    if module != "webapp" and layer_of(target) > layer_of(module))
    assert upward == []
