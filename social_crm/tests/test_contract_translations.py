"""Every label, description, option and message of the app has a German translation."""



from social_crm.tests import contract


def test_german_covers_every_string():
	problems = contract.check_translations()
	assert problems == [], "\n".join(map(str, problems))


def test_strings_are_collected_from_every_source():
	strings = contract.translatable_strings()
	assert "Social Mention" in strings  # DocType name
	assert "Negative Threshold" in strings  # field label
	assert "Suggest only" in strings  # Select option
	assert "{0} on {1} already has a Social Profile: {2}" in strings  # _() in Python
	assert "Open Post" in strings  # __() in JS
	assert "Social Media Manager" in strings  # role


def test_a_new_label_without_translation_is_caught(app_copy):
	path = app_copy / "social_crm/social_crm/doctype/social_ticket/social_ticket.json"
	path.write_text(path.read_text().replace('"label": "Reply Text"', '"label": "Answer Text"'))
	problems = contract.check_translations(app_copy)
	assert [p.rule for p in problems] == ["translation-missing"]
	assert "Answer Text" in problems[0].message


def test_a_new_message_without_translation_is_caught(app_copy):
	path = app_copy / "social_crm/install.py"
	path.write_text(path.read_text() + '\n\ndef hello():\n\treturn _("Hallo Welt, untranslated")\n')
	assert "translation-missing" in {p.rule for p in contract.check_translations(app_copy)}


def test_a_translation_that_drops_a_placeholder_is_caught(app_copy):
	path = app_copy / "social_crm/translations/de.csv"
	path.write_text(path.read_text(encoding="utf-8").replace("gespeichert als", "gespeichert als").replace("{1} gespeichert", "gespeichert"), encoding="utf-8")
	assert "translation-placeholders" in {p.rule for p in contract.check_translations(app_copy)}


def test_an_empty_translation_is_caught(app_copy):
	path = app_copy / "social_crm/translations/de.csv"
	path.write_text(path.read_text(encoding="utf-8") + "Lonely,,\n", encoding="utf-8")
	assert "translation-empty" in {p.rule for p in contract.check_translations(app_copy)}


def test_a_workspace_shortcut_format_without_translation_is_caught(app_copy):
	path = app_copy / "social_crm/social_crm/workspace/social_crm/social_crm.json"
	path.write_text(path.read_text(encoding="utf-8").replace('"{} New"', '"{} Waiting"'), encoding="utf-8")
	problems = contract.check_translations(app_copy)
	assert [p.rule for p in problems] == ["translation-missing"]
	assert "{} Waiting" in problems[0].message
