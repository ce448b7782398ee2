"""pytest set-up for the project's own test run (engine tests and contract checks).

Integration tests (FrappeTestCase, beside each doctype) need a bench: they import frappe,
which is not on PyPI. Where frappe cannot be imported, each such file is reported as one
skipped test with the reason, instead of failing at import or silently disappearing.
"""

import ast
import importlib.util
from pathlib import Path

import pytest

FRAPPE_AVAILABLE = importlib.util.find_spec("frappe") is not None
SKIP_REASON = (
	"needs a Frappe bench (frappe is not importable here): run "
	"`bench --site <site> run-tests --app social_crm`"
)


def imports_frappe(path: Path) -> bool:
	tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
	for node in ast.walk(tree):
		if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "frappe" for alias in node.names):
			return True
		if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "frappe":
			return True
	return False


class BenchOnlyFile(pytest.File):
	def collect(self):
		yield BenchOnlyItem.from_parent(self, name="integration tests")


class BenchOnlyItem(pytest.Item):
	def runtest(self):
		pytest.skip(f"{self.path.name}: {SKIP_REASON}")

	def reportinfo(self):
		return self.path, None, f"{self.path.name}: integration tests"


def pytest_pycollect_makemodule(module_path, parent):
	if not FRAPPE_AVAILABLE and imports_frappe(Path(module_path)):
		return BenchOnlyFile.from_parent(parent, path=Path(module_path))
	return None
