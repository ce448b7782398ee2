"""The framework-free core of social_crm.

Nothing in this package imports frappe: connectors, analysis, matching and triage are plain
Python, tested on any machine; the Frappe shell stores and shows what they decide.
"""
