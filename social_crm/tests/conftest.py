"""Fixtures of the contract tests."""

import shutil

import pytest

from social_crm.tests import contract


@pytest.fixture
def app_copy(tmp_path):
	"""A copy of the app to break on purpose, to show a contract check catches it."""
	root = tmp_path / "app"
	shutil.copytree(contract.APP_ROOT / "social_crm", root / "social_crm", ignore=shutil.ignore_patterns("__pycache__"))
	return root
