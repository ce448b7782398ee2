"""Sites installed before tickets existed get the Issue Priorities and the Lead Source too."""

from social_crm.install import create_records


def execute():
	create_records()
