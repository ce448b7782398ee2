"""Sites installed before the Kanban Board of Social Tickets existed get it on migrate."""

from social_crm.install import create_ticket_board


def execute():
	create_ticket_board()
