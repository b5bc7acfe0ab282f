"""Issue 17: one shape for every service, checked on the source itself.

A reader who knows one service knows the three: the same folders, the same module names for
the same roles, and SQL only in `adapters/`. The dashboard keeps its front-end shape, with the
same rule for SQL.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("scheduling", "inventory", "notifications")
LAYERS_WITHOUT_SQL = ("domain", "service_layer", "entrypoints")
SHAPE = (
    "bootstrap.py",
    "settings.py",
    "__main__.py",
    "domain/errors.py",
    "adapters/orm.py",
    "service_layer/scope.py",
    "service_layer/handlers.py",
    "entrypoints/api/deps.py",
    "entrypoints/workers.py",
    "migrations/env.py",
)


def _package(service: str) -> Path:
    return REPO / "services" / service / "src" / service


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, `from a import b` giving `a.b`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _sql_imports(path: Path, allowed: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for line, module in _imports(path)
        if (module == "sqlalchemy" or module.startswith(("sqlalchemy.", "clinic_shared.direct")))
        and not module.startswith(allowed)
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_sql_lives_only_in_the_services_adapters(service: str) -> None:
    offenders = [
        offence
        for layer in LAYERS_WITHOUT_SQL
        for path in sorted((_package(service) / layer).rglob("*.py"))
        for offence in _sql_imports(path, allowed=("sqlalchemy.exc",))
    ]
    assert not offenders, "\n".join(offenders)


def test_the_dashboard_runs_sql_only_in_its_adapters() -> None:
    package = _package("dashboard")
    offenders = [
        offence
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] not in {"adapters", "migrations"}
        # The session's type may be named where a unit of work is handed down.
        for offence in _sql_imports(path, allowed=("sqlalchemy.exc", "sqlalchemy.ext.asyncio"))
    ]
    assert not offenders, "\n".join(offenders)


def test_the_three_services_have_one_shape() -> None:
    missing = [
        f"services/{service}/src/{service}/{module}"
        for service in SERVICES
        for module in SHAPE
        if not (_package(service) / module).is_file()
    ]
    assert not missing, "\n".join(missing)
    folders = {
        service: {
            str(p.relative_to(_package(service)))
            for p in _package(service).rglob("*")
            if p.is_dir() and not {"__pycache__", "versions", "templates"} & set(p.parts)
        }
        for service in SERVICES
    }
    # Notifications alone has channels to the SMS and email providers, and message templates.
    assert folders["notifications"] - {"adapters/channels"} == folders["scheduling"], folders
    assert folders["inventory"] == folders["scheduling"], folders


@pytest.mark.parametrize("service", SERVICES)
def test_event_handlers_are_registered_once(service: str) -> None:
    """One EVENT_HANDLERS registry, wired in bootstrap with the service's Scope."""
    handlers = (_package(service) / "service_layer" / "handlers.py").read_text()
    bootstrap = (_package(service) / "bootstrap.py").read_text()
    assert "EVENT_HANDLERS: dict[str, ScopedHandler[Scope]] = {" in handlers
    assert "scoped_handlers(EVENT_HANDLERS" in bootstrap
    assert "build_workers(settings" in bootstrap


@pytest.mark.parametrize("service", SERVICES)
def test_repositories_share_one_base(service: str) -> None:
    """No repository writes its own `__init__(self, session)`: they subclass Repository."""
    offenders = []
    for path in sorted((_package(service) / "adapters").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Repository"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                        item.name == "__init__"
                        and [a.arg for a in item.args.args] == ["self", "session"]
                    ):
                        offenders.append(f"{path.relative_to(REPO)}: {node.name}.__init__")
    assert not offenders, "\n".join(offenders)
