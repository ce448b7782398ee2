"""Static contract checks of the Frappe layer, without frappe.

CI cannot install Frappe, so what Frappe would reject at `bench migrate` or `install-app` is
checked here by reading the files: DocType JSON by the rules of Frappe v15's
`frappe.core.doctype.doctype.doctype.validate_fields` / `validate_permissions`, hooks.py's
dotted paths by reading the source with `ast`, and translations/de.csv for coverage.
Each check returns a list of `Problem`s instead of raising, so a test can show that a
deliberately broken copy is caught by exactly the rule meant to catch it.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
APP_ROOT = Path(__file__).resolve().parents[2]
APP = "social_crm"
MODULE = "Social CRM"

# frappe/core/doctype/docfield/docfield.json, "fieldtype" options (v15)
FIELDTYPES = frozenset(
	"Autocomplete|Attach|Attach Image|Barcode|Button|Check|Code|Color|Column Break|Currency|Data|Date|"
	"Datetime|Duration|Dynamic Link|Float|Fold|Geolocation|Heading|HTML|HTML Editor|Icon|Image|Int|JSON|"
	"Link|Long Text|Markdown Editor|Password|Percent|Phone|Read Only|Rating|Section Break|Select|Signature|"
	"Small Text|Tab Break|Table|Table MultiSelect|Text|Text Editor|Time".split("|")
)
# frappe/model/__init__.py
NO_VALUE_FIELDS = frozenset(
	("Section Break", "Column Break", "Tab Break", "HTML", "Table", "Table MultiSelect", "Button", "Image", "Fold", "Heading")
)
TABLE_FIELDS = frozenset(("Table", "Table MultiSelect"))
DATA_FIELD_OPTIONS = frozenset(("Email", "Name", "Phone", "URL", "Barcode"))
DEFAULT_FIELDS = frozenset(("doctype", "name", "owner", "creation", "modified", "modified_by", "docstatus", "idx"))
CHILD_TABLE_FIELDS = frozenset(("parent", "parentfield", "parenttype"))
# BaseDocument._reserved_keywords and DocType.scrub_field_names' restricted names
RESERVED_FIELDNAMES = frozenset(
	(
		"doctype", "meta", "flags", "parent_doc", "_table_fields", "_valid_columns", "_doc_before_save",
		"_table_fieldnames", "_reserved_keywords", "permitted_fieldnames", "dont_update_if_missing",
		"name", "parent", "creation", "owner", "modified", "modified_by", "parentfield", "parenttype",
		"file_list", "docstatus",
	)
)
UNIQUE_FIELDTYPES = frozenset(("Data", "Link", "Read Only", "Int"))
UNINDEXABLE_FIELDTYPES = frozenset(("Text", "Long Text", "Small Text", "Code", "Text Editor"))
FIELDNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
DOCTYPE_NAME_PATTERN = re.compile(r"^(?![\W])[^\d_\s][\w -]+$", flags=re.ASCII)
DEPENDS_ON_ASSIGNMENT = re.compile(r'[\w\.:_]+\s*={1}\s*[\w\.@\'"]+')
PERM_RIGHTS = ("select", "read", "write", "create", "delete", "submit", "cancel", "amend", "report", "import", "export", "print", "email", "share")
NAMING_RULES = frozenset(
	("Set by user", "Autoincrement", "By fieldname", 'By "Naming Series" field', "Expression", "Expression (old style)", "Random", "By script")
)


@dataclass(frozen=True)
class Problem:
	rule: str
	where: str
	message: str

	def __str__(self) -> str:
		return f"[{self.rule}] {self.where}: {self.message}"


def scrub(name: str) -> str:
	return name.replace(" ", "_").replace("-", "_").lower()


def known_doctypes() -> dict[str, bool]:
	"""Frappe/ERPNext v15 doctype names -> is a child table."""
	known = {}
	for line in (DATA / "frappe_erpnext_v15_doctypes.txt").read_text().splitlines():
		if line and not line.startswith("#"):
			parts = line.split("\t")
			known[parts[0]] = len(parts) > 2 and parts[2] == "table"
	return known


def known_roles(app_root: Path = APP_ROOT) -> set[str]:
	roles = {
		line for line in (DATA / "frappe_erpnext_v15_roles.txt").read_text().splitlines() if line and not line.startswith("#")
	}
	return roles | set(app_roles(app_root))


def app_roles(app_root: Path = APP_ROOT) -> tuple[str, ...]:
	"""The roles install.py creates (its module-level ROLES tuple)."""
	tree = ast.parse((app_root / APP / "install.py").read_text())
	for node in tree.body:
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ROLES" for t in node.targets):
			return tuple(ast.literal_eval(node.value))
	return ()


def load_doctypes(app_root: Path = APP_ROOT) -> dict[str, dict]:
	"""Every DocType JSON of the app, by name; a file that does not parse raises."""
	doctypes = {}
	for path in sorted((app_root / APP).glob("*/doctype/*/*.json")):
		if path.stem != path.parent.name:
			continue
		doc = json.loads(path.read_text(encoding="utf-8"))
		doc["__path"] = path
		doctypes[doc.get("name", path.stem)] = doc
	return doctypes


def check_doctype_files(app_root: Path = APP_ROOT) -> list[Problem]:
	problems = []
	for folder in sorted((app_root / APP).glob("*/doctype/*/")):
		if not folder.is_dir() or folder.name == "__pycache__":  # 3.10 globs files for a trailing slash too
			continue
		json_path = folder / f"{folder.name}.json"
		if not json_path.exists():
			problems.append(Problem("json-missing", folder.name, "doctype folder without its JSON"))
			continue
		try:
			json.loads(json_path.read_text(encoding="utf-8"))
		except json.JSONDecodeError as exc:
			problems.append(Problem("json-parse", json_path.name, str(exc)))
		if not (folder / f"{folder.name}.py").exists():
			problems.append(Problem("controller-missing", folder.name, "no controller module"))
	return problems


def check_doctypes(doctypes: dict[str, dict], app_root: Path = APP_ROOT) -> list[Problem]:
	known = known_doctypes()
	tables = {name for name, is_table in known.items() if is_table} | {
		name for name, doc in doctypes.items() if doc.get("istable")
	}
	all_doctypes = set(known) | set(doctypes)
	roles = known_roles(app_root)
	problems: list[Problem] = []
	for key, doc in doctypes.items():
		problems += check_doctype(doc.get("name") or key, doc, doctypes, all_doctypes, tables, roles)
	return problems


def check_doctype(name, doc, doctypes, all_doctypes, tables, roles) -> list[Problem]:  # noqa: C901
	out: list[Problem] = []

	def bad(rule, message, where=name):
		out.append(Problem(rule, where, message))

	path = doc.get("__path")
	if doc.get("doctype") != "DocType":
		bad("doctype-key", '"doctype" must be "DocType"')
	if not DOCTYPE_NAME_PATTERN.match(name) or len(name) > 61:
		bad("doctype-name", "name must start with a letter, hold letters, digits, spaces, _ or -, and fit 61 characters")
	if path and scrub(name) != path.stem:
		bad("doctype-folder", f"JSON file {path.name} does not match the scrubbed name {scrub(name)}")
	if doc.get("module") != MODULE:
		bad("module", f'module must be "{MODULE}" (modules.txt), not {doc.get("module")!r}')

	fields = doc.get("fields", [])
	names = [f.get("fieldname") for f in fields]
	if doc.get("field_order") != names:
		bad("field-order", "field_order must list every field in the order of fields")
	by_name = {f.get("fieldname"): f for f in fields}

	for f in fields:
		fn, ft = f.get("fieldname") or "", f.get("fieldtype")
		where = f"{name}.{fn or '?'}"
		if ft not in FIELDTYPES:
			bad("fieldtype", f"unknown fieldtype {ft!r}", where)
		if not FIELDNAME_PATTERN.match(fn) or len(fn) > 64:
			bad("fieldname", "fieldname must be lowercase letters, digits and _, starting with a letter, at most 64 characters", where)
		if fn in RESERVED_FIELDNAMES:
			bad("fieldname-reserved", f"{fn!r} is reserved by Frappe", where)
		if names.count(fn) > 1:
			bad("fieldname-unique", "fieldname appears more than once", where)
		if ft in ("Link", *TABLE_FIELDS):
			options = f.get("options")
			if not options:
				bad("link-options", f"{ft} needs options naming a DocType", where)
			elif options not in all_doctypes:
				bad("link-target", f"{options!r} is no DocType of this app, Frappe or ERPNext", where)
			elif ft in TABLE_FIELDS and options not in tables:
				bad("table-target", f"{options!r} is not a child table", where)
			elif ft == "Table MultiSelect" and options in doctypes:
				if not any(c.get("fieldtype") == "Link" for c in doctypes[options].get("fields", [])):
					bad("multiselect-link", f"{options!r} needs a Link field to be a Table MultiSelect", where)
		if ft == "Select":
			options = [o for o in (f.get("options") or "").split("\n")]
			if not any(o.strip() for o in options):
				bad("select-options", "Select needs options", where)
			if f.get("default") and f["default"] not in options:
				bad("select-default", f"default {f['default']!r} is not among the options", where)
		if ft == "Check" and str(f.get("default", "0")) not in ("0", "1"):
			bad("check-default", "Check default must be 0 or 1", where)
		if ft == "Data" and f.get("options") and f["options"] not in DATA_FIELD_OPTIONS:
			bad("data-options", f"Data options must be one of {sorted(DATA_FIELD_OPTIONS)}", where)
		if ft == "Dynamic Link":
			pointer = by_name.get(f.get("options"))
			if not pointer or pointer.get("fieldtype") not in ("Link", "Select") or (
				pointer.get("fieldtype") == "Link" and pointer.get("options") != "DocType"
			):
				bad("dynamic-link", "options must name a Link to DocType or a Select field", where)
		if f.get("unique") and ft not in UNIQUE_FIELDTYPES and not doc.get("issingle"):
			bad("unique-type", f"{ft} cannot be unique", where)
		if f.get("search_index") and ft in UNINDEXABLE_FIELDTYPES:
			bad("index-type", f"{ft} cannot be indexed", where)
		if f.get("reqd") and ft in NO_VALUE_FIELDS and ft not in TABLE_FIELDS:
			bad("mandatory-type", f"{ft} cannot be mandatory", where)
		if f.get("hidden") and f.get("reqd") and not f.get("default"):
			bad("hidden-mandatory", "hidden and mandatory without a default", where)
		not_in_list = set(NO_VALUE_FIELDS) | {"Attach Image"}
		if doc.get("istable"):
			not_in_list -= {"Button", "HTML"}
		if f.get("in_list_view") and ft in not_in_list:
			bad("list-view-type", f"{ft} cannot be in list view", where)
		if f.get("in_global_search") and ft in NO_VALUE_FIELDS:
			bad("global-search-type", f"{ft} cannot be in global search", where)
		if ft in ("Currency", "Float", "Percent") and f.get("precision") not in (None, "") and not 1 <= int(f["precision"]) <= 6:
			bad("precision", "precision must be between 1 and 6", where)
		for key in ("depends_on", "mandatory_depends_on", "read_only_depends_on", "collapsible_depends_on"):
			cond = f.get(key) or ""
			if "=" in cond and DEPENDS_ON_ASSIGNMENT.match(cond):
				bad("depends-on", f"{key} looks like an assignment", where)
		if f.get("fetch_from"):
			source = f["fetch_from"].split(".", 1)[0]
			if source == fn:
				bad("fetch-from", "fetch_from is self-referential", where)
			elif source not in by_name or by_name[source].get("fieldtype") not in ("Link", "Dynamic Link"):
				bad("fetch-from", f"fetch_from names {source!r}, which is no Link field here", where)
			elif "." in f["fetch_from"] and by_name[source].get("options") in doctypes:
				target_fields = {x.get("fieldname") for x in doctypes[by_name[source]["options"]].get("fields", [])}
				if f["fetch_from"].split(".", 1)[1] not in target_fields | DEFAULT_FIELDS:
					bad("fetch-from", f"{f['fetch_from']!r} names a field the target does not have", where)

	folds = [i for i, f in enumerate(fields) if f.get("fieldtype") == "Fold"]
	if len(folds) > 1:
		bad("fold", "only one Fold per form")
	for i in folds:
		if i == len(fields) - 1 or fields[i + 1].get("fieldtype") != "Section Break":
			bad("fold", "a Fold must come right before a Section Break")

	valid_names = set(names)
	for fieldname in filter(None, (s.strip() for s in (doc.get("search_fields") or "").split(","))):
		if fieldname not in valid_names or by_name[fieldname].get("fieldtype") in NO_VALUE_FIELDS:
			bad("search-fields", f"search field {fieldname!r} is not a value field")
	for key, rule in (("title_field", "title-field"), ("image_field", "image-field"), ("timeline_field", "timeline-field")):
		if doc.get(key) and doc[key] not in valid_names:
			bad(rule, f"{key} {doc[key]!r} is not a field")
	if doc.get("image_field") in by_name and by_name[doc["image_field"]].get("fieldtype") != "Attach Image":
		bad("image-field", "image_field must be Attach Image")
	if doc.get("timeline_field") in by_name and by_name[doc["timeline_field"]].get("fieldtype") not in ("Link", "Dynamic Link"):
		bad("timeline-field", "timeline_field must be a Link or Dynamic Link")
	for part in filter(None, (doc.get("sort_field") or "").split(",")):
		fieldname = part.split()[0]
		if fieldname not in valid_names | DEFAULT_FIELDS | CHILD_TABLE_FIELDS:
			bad("sort-field", f"sort field {fieldname!r} is not a field")

	out.extend(check_naming(name, doc, by_name))
	out.extend(check_permissions(name, doc, roles))

	for link in doc.get("links", []):
		target = link.get("link_doctype")
		if target not in all_doctypes:
			bad("connection-target", f"connection to unknown DocType {target!r}")
		elif target in doctypes and link.get("link_fieldname") not in {
			x.get("fieldname") for x in doctypes[target].get("fields", [])
		}:
			bad("connection-field", f"{target} has no field {link.get('link_fieldname')!r}")
	return out


def check_naming(name, doc, by_name) -> list[Problem]:
	out = []
	autoname = doc.get("autoname") or ""
	if doc.get("naming_rule") and doc["naming_rule"] not in NAMING_RULES:
		out.append(Problem("naming", name, f"unknown naming_rule {doc['naming_rule']!r}"))
	if autoname.startswith("field:"):
		target = autoname.split(":", 1)[1]
		if target not in by_name:
			out.append(Problem("naming", name, f"autoname names a missing field {target!r}"))
		elif not by_name[target].get("unique") and not doc.get("issingle"):
			out.append(Problem("naming", name, f"autoname field {target!r} should be unique"))
	elif autoname.startswith("naming_series:") and "naming_series" not in by_name:
		out.append(Problem("naming", name, "naming_series: needs a naming_series field"))
	elif autoname.startswith("format:"):
		for placeholder in re.findall(r"{(.*?)}", autoname):
			if not placeholder.startswith("#") and placeholder not in by_name and placeholder not in ("YYYY", "YY", "MM", "DD", "MMMM", "DDDD"):
				out.append(Problem("naming", name, f"format placeholder {{{placeholder}}} is not a field"))
	return out


def check_permissions(name, doc, roles) -> list[Problem]:
	out = []
	perms = doc.get("permissions", [])
	if not perms and not doc.get("istable"):
		out.append(Problem("permissions", name, "no permissions: nobody but Administrator could use it"))
	for i, p in enumerate(perms, 1):
		where = f"{name} permission row {i}"
		level = p.get("permlevel", 0) or 0
		if p.get("role") not in roles:
			out.append(Problem("permission-role", where, f"role {p.get('role')!r} does not exist in Frappe, ERPNext or install.ROLES"))
		if not any(p.get(r) for r in ("select", "read", "write", "submit", "cancel", "create")):
			out.append(Problem("permission-basic", where, "no basic permission set"))
		twins = [q for q in perms if q is not p and q.get("role") == p.get("role") and (q.get("permlevel", 0) or 0) == level and q.get("if_owner") == p.get("if_owner")]
		if twins:
			out.append(Problem("permission-double", where, "two rules for the same role and level"))
		if level and not any(q.get("role") == p.get("role") and not (q.get("permlevel", 0) or 0) for q in perms):
			out.append(Problem("permission-level", where, "level > 0 needs a level 0 rule for the same role"))
		if (p.get("submit") or p.get("cancel") or p.get("amend")) and not doc.get("is_submittable"):
			out.append(Problem("permission-submit", where, "submit/cancel/amend on a DocType that is not submittable"))
		if (p.get("submit") or p.get("cancel") or p.get("amend")) and not p.get("write"):
			out.append(Problem("permission-submit", where, "submit/cancel/amend without write"))
		if p.get("import") and not (p.get("create") and doc.get("allow_import")):
			out.append(Problem("permission-import", where, "import needs create and allow_import"))
		unknown = set(p) - set(PERM_RIGHTS) - {"role", "permlevel", "if_owner"}
		if unknown:
			out.append(Problem("permission-keys", where, f"unknown keys {sorted(unknown)}"))
	return out


# --- hooks.py ---------------------------------------------------------------------------------

DOTTED_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
PATH_HOOKS = (
	"after_install", "before_install", "before_uninstall", "after_uninstall", "after_migrate", "before_migrate",
	"before_tests", "boot_session", "extend_bootinfo", "notification_config", "get_website_user_home_page",
	"after_app_install", "before_app_uninstall", "on_session_creation", "on_logout",
)
DICT_OF_PATHS = (
	"override_doctype_dashboards", "override_doctype_class", "override_whitelisted_methods",
	"permission_query_conditions", "has_permission", "standard_queries", "doc_events", "scheduler_events",
	"has_website_permission",
)


def read_hooks(app_root: Path = APP_ROOT) -> dict[str, object]:
	"""hooks.py's module-level literals, without importing it."""
	tree = ast.parse((app_root / APP / "hooks.py").read_text())
	hooks = {}
	for node in tree.body:
		if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
			hooks[node.targets[0].id] = ast.literal_eval(node.value)
	return hooks


def strings_in(value) -> list[str]:
	if isinstance(value, str):
		return [value]
	if isinstance(value, dict):
		return [s for v in value.values() for s in strings_in(v)]
	if isinstance(value, (list, tuple)):
		return [s for v in value for s in strings_in(v)]
	return []


def top_level_names(path: Path) -> dict[str, ast.AST]:
	tree = ast.parse(path.read_text(encoding="utf-8"))
	names = {}
	for node in tree.body:
		if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
			names[node.name] = node
		elif isinstance(node, ast.ImportFrom):
			for alias in node.names:
				names[alias.asname or alias.name] = node
	return names


def resolve(dotted: str, app_root: Path = APP_ROOT) -> ast.AST | None:
	"""The def/class (or re-export) a dotted path names in the app's source, or None."""
	parts = dotted.split(".")
	if parts[0] != APP:
		return None
	for split in range(len(parts) - 1, 0, -1):
		module, attrs = parts[:split], parts[split:]
		base = app_root.joinpath(*module)
		file = base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"
		if file.exists():
			node = top_level_names(file).get(attrs[0])
			if node is None or len(attrs) == 1:
				return node
			if isinstance(node, ast.ClassDef):
				return next((n for n in node.body if getattr(n, "name", None) == attrs[1]), None)
			return None
	return None


def is_whitelisted(node: ast.AST) -> bool:
	for deco in getattr(node, "decorator_list", []):
		target = deco.func if isinstance(deco, ast.Call) else deco
		if ast.unparse(target) in ("frappe.whitelist", "whitelist"):
			return True
	return False


def check_hooks(app_root: Path = APP_ROOT) -> list[Problem]:
	hooks = read_hooks(app_root)
	known = set(known_doctypes()) | set(load_doctypes(app_root))
	out = []
	if hooks.get("app_name") != APP:
		out.append(Problem("hooks-app", "app_name", f"must be {APP!r}"))
	if hooks.get("required_apps") != ["frappe/erpnext"]:
		out.append(Problem("hooks-required-apps", "required_apps", 'must be ["frappe/erpnext"] (org/repo form, resolvable offline)'))
	paths = []
	for key in PATH_HOOKS:
		paths += [(key, s) for s in strings_in(hooks.get(key))]
	for key in DICT_OF_PATHS:
		paths += [(key, s) for s in strings_in(hooks.get(key))]
	for key, path in paths:
		if path == "*":
			continue
		if not DOTTED_PATH.match(path) or resolve(path, app_root) is None:
			out.append(Problem("hooks-path", key, f"{path!r} does not resolve to a function or class in {APP}"))
	for key in ("override_doctype_dashboards", "override_doctype_class", "doctype_js", "doctype_list_js", "doc_events", "permission_query_conditions", "has_permission"):
		for doctype in (hooks.get(key) or {}):
			if doctype != "*" and doctype not in known:
				out.append(Problem("hooks-doctype", key, f"unknown DocType {doctype!r}"))
	for key in ("doctype_js", "doctype_list_js"):
		for doctype, files in (hooks.get(key) or {}).items():
			for file in strings_in(files):
				if not (app_root / APP / file).exists():
					out.append(Problem("hooks-js", key, f"{file!r} for {doctype} does not exist"))
	for entry in hooks.get("fixtures") or []:
		doctype = entry if isinstance(entry, str) else entry.get("dt") or entry.get("doctype")
		if doctype not in known:
			out.append(Problem("hooks-fixtures", "fixtures", f"unknown DocType {doctype!r}"))
	for frequency, events in (hooks.get("scheduler_events") or {}).items():
		if frequency not in SCHEDULER_FREQUENCIES and frequency != "cron":
			out.append(Problem("hooks-scheduler", "scheduler_events", f"unknown frequency {frequency!r}"))
	return out


SCHEDULER_FREQUENCIES = frozenset(
	("all", "hourly", "daily", "weekly", "monthly", "yearly", "hourly_long", "daily_long", "weekly_long", "monthly_long", "annual")
)

JS_METHOD = re.compile(r"""["'`](social_crm(?:\.[A-Za-z_][A-Za-z0-9_]*)+)["'`]""")


def check_js_methods(app_root: Path = APP_ROOT) -> list[Problem]:
	"""Every social_crm.* method the desk JS calls is a whitelisted function."""
	out = []
	for js in sorted((app_root / APP).rglob("*.js")):
		if "node_modules" in js.parts or "dist" in js.parts:
			continue
		for path in JS_METHOD.findall(js.read_text(encoding="utf-8")):
			node = resolve(path, app_root)
			if node is None:
				out.append(Problem("js-method", js.name, f"{path!r} does not resolve"))
			elif not is_whitelisted(node):
				out.append(Problem("js-method", js.name, f"{path!r} is not @frappe.whitelist()"))
	return out


def check_workspaces(app_root: Path = APP_ROOT) -> list[Problem]:
	known = set(known_doctypes()) | set(load_doctypes(app_root))
	out = []
	for path in sorted((app_root / APP).glob("*/workspace/*/*.json")):
		doc = json.loads(path.read_text(encoding="utf-8"))
		if doc.get("module") != MODULE:
			out.append(Problem("workspace-module", path.name, f'module must be "{MODULE}"'))
		blocks = json.loads(doc.get("content") or "[]")
		shortcut_labels = {s["label"] for s in doc.get("shortcuts", [])}
		card_labels = {link["label"] for link in doc.get("links", []) if link.get("type") == "Card Break"}
		for item in doc.get("links", []) + doc.get("shortcuts", []):
			if item.get("type") in ("Link", "DocType") and item.get("link_type", "DocType") == "DocType" and item.get("link_to") not in known:
				out.append(Problem("workspace-link", path.name, f"{item.get('link_to')!r} is no known DocType"))
		for block in blocks:
			data = block.get("data", {})
			if block.get("type") == "shortcut" and data.get("shortcut_name") not in shortcut_labels:
				out.append(Problem("workspace-block", path.name, f"shortcut block {data.get('shortcut_name')!r} has no shortcut"))
			if block.get("type") == "card" and data.get("card_name") not in card_labels:
				out.append(Problem("workspace-block", path.name, f"card block {data.get('card_name')!r} has no card"))
	return out


# --- translations -----------------------------------------------------------------------------

PY_TRANSLATABLE = "_"
JS_TRANSLATABLE = re.compile(r"""__\(\s*(["'`])((?:\\.|(?!\1).)*)\1""")
PLACEHOLDER = re.compile(r"{[\w]*(?:[:!][^{}]*)?}")


def read_translations(app_root: Path = APP_ROOT, lang: str = "de") -> dict[str, str]:
	with open(app_root / APP / "translations" / f"{lang}.csv", newline="", encoding="utf-8") as fh:
		return {row[0]: row[1] for row in csv.reader(fh) if row and not row[0].startswith("#")}


def translatable_strings(app_root: Path = APP_ROOT) -> dict[str, str]:
	"""Every user-facing string of the app -> where it comes from."""
	found: dict[str, str] = {}
	for name, doc in load_doctypes(app_root).items():
		found.setdefault(name, f"DocType {name}")
		if doc.get("description"):
			found.setdefault(doc["description"], f"DocType {name} description")
		for f in doc.get("fields", []):
			where = f"{name}.{f.get('fieldname')}"
			for key in ("label", "description"):
				if f.get(key):
					found.setdefault(f[key], f"{where} {key}")
			if f.get("fieldtype") == "Select":
				for option in (f.get("options") or "").split("\n"):
					if option.strip():
						found.setdefault(option, f"{where} option")
		for link in doc.get("links", []):
			if link.get("group"):
				found.setdefault(link["group"], f"{name} connections group")
	for path in sorted((app_root / APP).rglob("*.py")):
		if "tests" in path.parts:
			continue
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if (
				isinstance(node, ast.Call)
				and isinstance(node.func, ast.Name)
				and node.func.id == PY_TRANSLATABLE
				and node.args
				and isinstance(node.args[0], ast.Constant)
				and isinstance(node.args[0].value, str)
			):
				found.setdefault(node.args[0].value, path.name)
	for path in sorted((app_root / APP).rglob("*.js")):
		for _quote, text in JS_TRANSLATABLE.findall(path.read_text(encoding="utf-8")):
			found.setdefault(text.replace("\\'", "'").replace('\\"', '"'), path.name)
	for template, where in engine_templates(app_root).items():
		found.setdefault(template, where)
	for role in app_roles(app_root):
		found.setdefault(role, "install.ROLES")
	for path in sorted((app_root / APP).glob("*/workspace/*/*.json")):
		doc = json.loads(path.read_text(encoding="utf-8"))
		found.setdefault(doc["label"], f"Workspace {doc['label']}")
		for link in doc.get("links", []):
			found.setdefault(link["label"], f"Workspace {doc['label']} link")
		for shortcut in doc.get("shortcuts", []):
			found.setdefault(shortcut["label"], f"Workspace {doc['label']} shortcut")
	return found


def engine_templates(app_root: Path = APP_ROOT) -> dict[str, str]:
	"""Messages formatted after translation (`_(template).format(**params)`), which `_()` calls
	cannot show: every module-level `*_TEMPLATES` tuple of the app, the engine's included (its
	items are string literals or names of string constants)."""
	found = {}
	for path in sorted((app_root / APP).rglob("*.py")):
		if "tests" in path.relative_to(app_root / APP).parts:
			continue
		constants: dict[str, str] = {}
		for node in ast.parse(path.read_text(encoding="utf-8")).body:
			target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
			if not isinstance(target, ast.Name) or node.value is None:
				continue
			if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
				constants[target.id] = node.value.value
			elif target.id.endswith("_TEMPLATES") and isinstance(node.value, ast.Tuple):
				for element in node.value.elts:
					text = constants.get(element.id) if isinstance(element, ast.Name) else getattr(element, "value", None)
					if isinstance(text, str):
						found.setdefault(text, f"{path.stem}.{target.id}")
	return found


def check_translations(app_root: Path = APP_ROOT, lang: str = "de") -> list[Problem]:
	translations = read_translations(app_root, lang)
	out = []
	for text, where in translatable_strings(app_root).items():
		if text not in translations:
			out.append(Problem("translation-missing", where, f"{text!r} has no {lang} translation"))
	for source, target in translations.items():
		if not target.strip():
			out.append(Problem("translation-empty", source, "empty translation"))
		elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
			out.append(Problem("translation-placeholders", source, f"placeholders differ in {target!r}"))
	return out
