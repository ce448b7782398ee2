# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt
"""The Social Inbox desk page. Its data and actions are the whitelisted methods of
social_crm/inbox.py, which each return only what the user may read."""
