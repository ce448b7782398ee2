"""Every `from social_crm.X import name` in the app names something module X defines.

The Frappe layer cannot be imported without Frappe, so a name that moved (a function taken
from tickets.py into replies.py, say) only fails when that code path runs on a site. Read
with `ast`, the imports are checked here on any machine, function-level imports included.
"""

import ast
from pathlib import Path

from social_crm.tests.contract import APP, APP_ROOT


def module_path(module: str, root: Path) -> Path | None:
	base = root.joinpath(*module.split("."))
	for candidate in (base.with_suffix(".py"), base / "__init__.py"):
		if candidate.exists():
			return candidate
	return None


def top_level_names(path: Path) -> set[str]:
	"""Names a module binds at its top level (defs, classes, assignments, imports)."""
	names = set()
	for node in ast.parse(path.read_text(encoding="utf-8")).body:
		if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
			names.add(node.name)
		elif isinstance(node, ast.Assign):
			for target in node.targets:
				names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
		elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
			names.add(node.target.id)
		elif isinstance(node, ast.Import | ast.ImportFrom):
			names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
		elif isinstance(node, ast.If | ast.Try):
			for child in ast.walk(node):
				if isinstance(child, ast.FunctionDef | ast.ClassDef):
					names.add(child.name)
				elif isinstance(child, ast.Import | ast.ImportFrom):
					names.update((a.asname or a.name).split(".")[0] for a in child.names)
				elif isinstance(child, ast.Assign):
					for target in child.targets:
						names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
	return names


def broken_imports(root: Path = APP_ROOT) -> list[str]:
	problems = []
	for path in sorted((root / APP).rglob("*.py")):
		if "node_modules" in path.parts:
			continue
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if not isinstance(node, ast.ImportFrom) or node.level or not (node.module or "").startswith(APP):
				continue
			target = module_path(node.module, root)
			where = f"{path.relative_to(root)}:{node.lineno}"
			if target is None:
				problems.append(f"{where}: no module {node.module}")
				continue
			defined = top_level_names(target)
			for alias in node.names:
				if alias.name == "*" or alias.name in defined:
					continue
				if module_path(f"{node.module}.{alias.name}", root):  # a submodule
					continue
				problems.append(f"{where}: {node.module} has no {alias.name}")
	return problems


def test_every_app_import_names_something_that_exists():
	problems = broken_imports()
	assert problems == [], "\n".join(problems)


def test_a_moved_function_is_caught(app_copy):
	tickets = app_copy / APP / "tickets.py"
	tickets.write_text(
		tickets.read_text(encoding="utf-8") + "\n\nfrom social_crm.replies import no_such_name\n"
	)
	assert any("social_crm.replies has no no_such_name" in problem for problem in broken_imports(app_copy))
