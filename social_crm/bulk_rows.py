"""New documents written as `doc.insert()` would store them, many rows in one statement.

The fetch job writes a page of mentions, their tickets and profiles at once. Each document is
still built and validated by Frappe (`prepared`: defaults, owner and timestamps, child names,
the controller's `validate` and Frappe's value checks: lengths, selects, sanitising); only its
events are left out, so a caller uses this only where no event of a new document does more
than it does itself (ingest.bulk_allowed). Rows go in one multi-row INSERT per table with the
values bound as parameters (`frappe.db.bulk_insert` builds the same statement through the
query builder, which costs more than the insert itself at a page's size).
"""

import frappe


class Defaults(dict):
	"""The values a new document of a doctype (or child table) starts with, read once per
	page: `frappe.new_doc` deep-copies its template on every call, which for a page of
	hundreds of rows costs as much as validating them."""

	def of(self, doctype: str, parent_doc=None, parentfield: str | None = None) -> dict:
		key = (doctype, parentfield)
		if key not in self:
			self[key] = frappe.new_doc(doctype, parent_doc=parent_doc, parentfield=parentfield, as_dict=True)
		return self[key]


def prepared(doc, defaults: Defaults) -> None:
	"""What `doc.insert()` does to a new document before it writes the row, without its events."""
	doc.set("__islocal", True)
	doc.update_if_missing(defaults.of(doc.doctype))
	for df in doc.meta.get_table_fields():
		template = defaults.of(df.options, doc, df.fieldname)
		for child in doc.get(df.fieldname) or []:
			if child.is_new():
				child.update_if_missing(template)
	doc.set_user_and_timestamp()
	doc.set_docstatus()
	doc.set_parent_in_children()
	for child in doc.get_all_children():
		if not child.name:
			child.name = frappe.generate_hash(length=10)
	doc.flags.checked_unique = True  # looked up with the page; the unique keys hold the rest
	doc.validate()
	doc._validate()


def insert_rows(docs) -> None:
	"""The documents (and their child rows) in one multi-row insert per table, values as
	`db_insert` writes them. A row meeting a unique key raises UniqueValidationError."""
	by_table: dict[str, list[dict]] = {}
	for doc in docs:
		for row in (doc, *doc.get_all_children()):
			by_table.setdefault(row.doctype, []).append(row.get_valid_dict(convert_dates_to_str=True))
	for doctype, rows in by_table.items():
		fields = list(rows[0])
		insert_values(doctype, fields, [[row.get(field) for field in fields] for row in rows])


def insert_values(doctype: str, fields, rows) -> None:
	"""Rows of values in `fields`' order, in one INSERT with bound parameters. A row meeting
	a unique key raises UniqueValidationError."""
	if not rows:
		return
	placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
	try:
		frappe.db.sql(
			"insert into `tab{}` ({}) values {}".format(
				doctype, ", ".join(f"`{field}`" for field in fields), ", ".join([placeholders] * len(rows))
			),
			[value for row in rows for value in row],
		)
	except Exception as error:
		if frappe.db.is_unique_key_violation(error) or frappe.db.is_primary_key_violation(error):
			raise frappe.UniqueValidationError(doctype) from error
		raise


def by_name(values: dict[str, object], otherwise: str = "null") -> tuple[str, list]:
	"""A SQL CASE giving each named row its own value (`{name: value}`), and the SQL
	`otherwise` to the rest, with its parameters."""
	sql = "case name " + " ".join(["when %s then %s"] * len(values)) + f" else {otherwise} end"
	return sql, [part for name, value in values.items() for part in (name, value)]


def update_rows(doctype: str, changes: dict[str, dict]) -> None:
	"""Sets each named row's changed values (`{name: {field: value}}`), all rows in one UPDATE,
	with `modified` and `modified_by` as `frappe.db.set_value` sets them. A field a row does
	not change keeps its value."""
	changes = {name: values for name, values in changes.items() if values}
	if not changes:
		return
	names = sorted(changes)
	fields = sorted({field for values in changes.values() for field in values})
	assignments, params = [], []
	for field in fields:
		case, values = by_name(
			{name: changes[name][field] for name in names if field in changes[name]}, f"`{field}`"
		)
		assignments.append(f"`{field}` = {case}")
		params += values
	frappe.db.sql(
		"update `tab{}` set {}, `modified` = %s, `modified_by` = %s where name in ({})".format(
			doctype, ", ".join(assignments), ", ".join(["%s"] * len(names))
		),
		[*params, frappe.utils.now_datetime(), frappe.session.user, *names],
	)
