"""Sites installed before the Social Inbox: agents get read on Support Settings (Issue form) and
the starting saved replies."""

from social_crm.install import create_saved_replies, grant_reads


def execute():
	grant_reads()
	create_saved_replies()
