"""Integration tests of the fetch job against a local Mastodon server (run by bench run-tests)."""

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm import tickets
from social_crm.accounts import connector_for
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.platform_fakes.bluesky import FakeBluesky
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.ingest import build_pipeline, fetch_account, load_cursor, store_mentions
from social_crm.stored_mention import to_utc
from social_crm.tasks import enqueue_due_fetches
from social_crm.tests.records import make_customer, use_spike_settings

TOKEN = "ingest-test-token-7f3a"
ACCOUNT = "_Test Ingest Mastodon"
NOTIFICATION = "_Test Ingest New Social Ticket"


def clean():
	for doctype in ("Social Fetch Log", "Social Ticket", "Social Mention", "Social Profile"):
		frappe.db.delete(doctype)
	frappe.db.delete("Notification Log", {"document_type": "Social Ticket"})
	frappe.db.delete("Notification", {"name": NOTIFICATION})
	frappe.cache.hdel("notifications", "Social Ticket")
	frappe.db.delete("Issue", {"social_ticket": ("is", "set")})
	frappe.db.delete("Social Account", {"name": ACCOUNT})
	frappe.db.commit()


def seeded(fake):
	fake.add_post(
		text="<p>Acme Cloud ist seit heute Morgen kaputt, ich kündige! Unverschämt.</p>",
		author="lena",
		lang="de",
	)
	fake.add_post(text="<p>Really impressed by #AcmeCloud deploys 👏</p>", author="sam", lang="en")
	fake.add_post(text="<p>Nothing to see here, just lunch.</p>", author="bob", lang="en")
	return fake


class TestIngest(FrappeTestCase):
	def setUp(self):
		clean()
		if not frappe.db.exists("Monitored Keyword", "_Test Ingest Acme"):
			frappe.get_doc(
				{
					"doctype": "Monitored Keyword",
					"keyword_name": "_Test Ingest Acme",
					"query": "acme OR #acmecloud",
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()

	def tearDown(self):
		clean()
		frappe.db.delete("Monitored Keyword", {"name": "_Test Ingest Acme"})
		frappe.db.commit()

	def make_account(self, fake, token=TOKEN):
		return frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": ACCOUNT,
				"platform": "Mastodon",
				"base_url": fake.base_url,
				"own_handle": "acme",
				"access_token": token,
			}
		).insert(ignore_permissions=True)

	def test_fetch_stores_matching_mentions_with_analysis_profile_and_log_then_the_cursor(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake)
			log = fetch_account(account.name)
		self.assertEqual(log["status"], "Success")
		self.assertEqual(log["new_mentions"], 2)
		mentions = frappe.get_all(
			"Social Mention",
			fields=["author_handle", "language", "sentiment_label", "social_profile", "text"],
		)
		self.assertEqual(len(mentions), 2, "the post matching no keyword is not stored")
		lena = next(m for m in mentions if m.author_handle.startswith("lena"))
		self.assertEqual((lena.language, lena.sentiment_label), ("de", "Negative"))
		self.assertNotIn("<p>", lena.text)
		profile = frappe.get_doc("Social Profile", lena.social_profile)
		self.assertEqual(profile.handle, "lena@social.example")
		self.assertEqual(profile.mention_count, 1)
		account.reload()
		self.assertTrue(account.last_fetched_at)
		self.assertFalse(account.last_error)
		self.assertTrue(load_cursor(account))
		self.assertEqual(
			frappe.db.count("Social Fetch Log", {"social_account": account.name, "status": "Success"}), 1
		)

	def test_second_poll_finds_nothing_new(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake)
			fetch_account(account.name)
			log = fetch_account(account.name)
		self.assertEqual(log["new_mentions"], 0)
		self.assertEqual(log["duplicates"], 0)
		self.assertEqual(frappe.db.count("Social Mention"), 2)

	def test_crash_before_the_cursor_was_saved_loses_nothing_and_duplicates_nothing(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake)
			# A first run that stored the mentions and died before saving the cursor:
			result = connector_for(account).fetch(build_pipeline().search_terms("Mastodon"), {})
			store_mentions(account, result.mentions[:1], build_pipeline())
			frappe.db.commit()
			log = fetch_account(account.name)
		self.assertEqual(frappe.db.count("Social Mention"), 2)
		self.assertGreaterEqual(log["duplicates"], 1)

	def test_rate_limit_pauses_the_account_and_keeps_its_cursor(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake)
			fake.fail("rate_limit", headers={"Retry-After": "120"})
			log = fetch_account(account.name)
		account.reload()
		self.assertEqual(log["status"], "Rate Limited")
		self.assertTrue(account.paused_until)
		self.assertFalse(load_cursor(account))
		self.assertEqual(frappe.db.count("Social Mention"), 0)
		self.assertNotIn(account.name, enqueue_due_fetches(), "a paused account is not due")

	def test_malformed_payload_stores_nothing(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake)
			fake.fail("malformed", times=10)
			log = fetch_account(account.name)
		self.assertEqual(log["status"], "Failed")
		self.assertEqual(frappe.db.count("Social Mention"), 0)
		self.assertFalse(load_cursor(frappe.get_doc("Social Account", account.name)))

	def test_a_wrong_token_is_reported_without_showing_any_secret(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake, token="wrong-secret-0c1d")
			log = fetch_account(account.name)
		account.reload()
		self.assertEqual(log["status"], "Failed")
		self.assertTrue(account.last_error)
		for text in (account.last_error, json.dumps(log, default=str)):
			self.assertNotIn("wrong-secret-0c1d", text)
			self.assertNotIn(TOKEN, text)

	def test_a_linked_customer_gets_the_mention_and_a_ticket_for_the_complaint(self):
		customer = make_customer("_Test Krüger Logistik")
		frappe.get_doc(
			{
				"doctype": "Social Profile",
				"platform": "Mastodon",
				"handle": "lena@social.example",
				"customer": customer,
			}
		).insert(ignore_permissions=True)
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			fetch_account(self.make_account(fake).name)
		mention = frappe.get_doc("Social Mention", {"author_handle": ("like", "lena%")})
		self.assertEqual(mention.customer, customer)
		self.assertEqual(mention.triage_action, "Create Ticket")
		self.assertEqual(mention.status, "Ticketed")
		tickets.mirror_pending()  # the Issue follows in the mirror job
		issue = frappe.db.get_value("Social Ticket", mention.social_ticket, "issue")
		self.assertEqual(frappe.db.get_value("Issue", issue, "customer"), customer)

	def test_a_login_session_is_kept_so_the_next_poll_does_not_log_in_again(self):
		with FakeBluesky(app_password="bsky-app-pass-1a2b") as fake:
			fake.add_post(text="Acme Cloud ist wieder down, Frechheit", author="jana.bsky.social")
			account = frappe.get_doc(
				{
					"doctype": "Social Account",
					"account_name": ACCOUNT,
					"platform": "Bluesky",
					"base_url": fake.base_url,
					"own_handle": "acme.bsky.social",
					"app_password": "bsky-app-pass-1a2b",
				}
			).insert(ignore_permissions=True)
			fetch_account(account.name)
			fetch_account(account.name)
			logins = fake.requests_to("/xrpc/com.atproto.server.createSession")
		self.assertEqual(len(logins), 1)
		stored = frappe.db.get_value("Social Account", account.name, "session_tokens")
		self.assertNotIn("ey", stored or "", "the session is stored encrypted, not in the column")

	def test_new_accounts_are_due_and_fetched_ones_are_not(self):
		with seeded(FakeMastodon(token=TOKEN)) as fake:
			account = self.make_account(fake)
			self.assertIn(account.name, enqueue_due_fetches())
			fetch_account(account.name)
			self.assertNotIn(account.name, enqueue_due_fetches())


def complaint_thread(prefix: str, start: datetime) -> list[Mention]:
	"""Lena complains ("{prefix}-1", its own conversation), Max replies to her within minutes,
	and Lena writes again outside the thread: three posts that end on one ticket."""
	return [
		post(
			f"{prefix}-1",
			"Acme ist seit heute Morgen kaputt, ich kündige!",
			at=start,
			conversation_id=f"{prefix}-1",
		),
		post(
			f"{prefix}-2",
			"Acme antwortet nicht, immer noch kaputt.",
			author="max",
			at=start + timedelta(minutes=5),
			in_reply_to=f"{prefix}-1",
			conversation_id=f"{prefix}-1",
		),
		post(f"{prefix}-3", "Hallo Acme?? Nie wieder.", at=start + timedelta(minutes=9)),
	]


def complaints(prefix: str, count: int, start: datetime) -> list[Mention]:
	"""`count` authors complaining about Acme a minute apart from `start`."""
	return [
		post(
			f"{prefix}-{n}",
			"Acme ist kaputt, Störung seit Stunden, ich kündige!",
			author=f"{prefix}{n}",
			at=start + timedelta(minutes=n),
		)
		for n in range(count)
	]


def post(external_id, text, author="lena", at=None, **values) -> Mention:
	at = at or datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
	return Mention(
		platform=Platform.MASTODON,
		external_id=external_id,
		url=f"https://social.example/@{author}/{external_id}",
		author=Author(handle=f"{author}@social.example", name=author.title()),
		text=text,
		posted_at=at,
		**values,
	)


class Crash(BaseException):
	"""The worker dying mid-fetch (not an error a savepoint catches)."""


class TestStoringPages(FrappeTestCase):
	"""store_mentions decides a page in memory, writes each mention once and commits page by page."""

	def setUp(self):
		clean()
		if not frappe.db.exists("Monitored Keyword", "_Test Ingest Acme"):
			frappe.get_doc(
				{"doctype": "Monitored Keyword", "keyword_name": "_Test Ingest Acme", "query": "acme"}
			).insert(ignore_permissions=True)
		frappe.db.commit()
		self.account = frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": ACCOUNT,
				"platform": "Mastodon",
				"base_url": "https://social.example",
				"own_handle": "acme",
				"enabled": 0,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()

	def tearDown(self):
		clean()
		frappe.db.delete("Monitored Keyword", {"name": "_Test Ingest Acme"})
		frappe.db.commit()

	def test_a_thread_in_one_page_is_one_ticket_and_each_mention_is_written_once(self):
		start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
		posts = [
			*complaint_thread("t", start),
			post("t-4", "Acme hat neue Preise.", author="sam", at=start + timedelta(minutes=12)),
		]
		counts = store_mentions(self.account, posts, build_pipeline())
		self.assertEqual(counts, {"new": 4, "duplicates": 0, "dropped": 0, "failed": []})
		[ticket] = frappe.get_all("Social Ticket", pluck="name")
		rows = frappe.get_all(
			"Social Ticket Mention", filters={"parent": ticket}, pluck="social_mention", order_by="idx"
		)
		on_ticket = frappe.get_all(
			"Social Mention", filters={"social_ticket": ticket}, fields=["name", "external_id", "status"]
		)
		self.assertEqual(sorted(m.external_id for m in on_ticket), ["t-1", "t-2", "t-3"])
		self.assertEqual(set(rows), {m.name for m in on_ticket})
		self.assertEqual({m.status for m in on_ticket}, {"Ticketed"})
		reply = frappe.get_doc("Social Mention", {"external_id": "t-2"})
		self.assertEqual(reply.triage_action, "Append to Ticket")
		self.assertIn(
			ticket, reply.triage_reason, "the reason names the real ticket, not triage's placeholder"
		)
		names = [m.name for m in on_ticket]
		self.assertEqual(
			frappe.db.count("Version", {"ref_doctype": "Social Mention", "docname": ("in", names)}), 0
		)
		self.assertEqual(frappe.db.get_value("Social Mention", reply.name, "modified"), reply.creation)
		lena = frappe.get_doc("Social Profile", {"handle": "lena@social.example"})
		self.assertEqual(lena.mention_count, 2)
		self.assertEqual(to_utc(lena.last_mention_at), start + timedelta(minutes=9))
		tickets.mirror_pending()
		issue = frappe.db.get_value("Social Ticket", ticket, "issue")
		self.assertEqual(
			frappe.db.count("Communication", {"reference_doctype": "Issue", "reference_name": issue}), 2
		)

	def test_a_crash_between_a_page_and_its_issue_mirror_loses_nothing_and_a_second_mirror_doubles_nothing(
		self,
	):
		from social_crm import incidents

		start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
		posts = [
			*complaint_thread("m", start),
		]
		# no incident in sight: the whole page goes in one bulk write
		with patch.object(incidents, "may_concern", return_value=False):
			counts = store_mentions(self.account, posts, build_pipeline())
		self.assertEqual(counts, {"new": 3, "duplicates": 0, "dropped": 0, "failed": []})
		[ticket] = frappe.get_all("Social Ticket", pluck="name")
		stored = frappe.get_all(
			"Social Mention",
			filters={"social_ticket": ticket},
			fields=["name", "external_id", "status", "triage_reason", "creation", "modified", "mention_key"],
		)
		self.assertEqual(sorted(m.external_id for m in stored), ["m-1", "m-2", "m-3"])
		self.assertEqual({m.status for m in stored}, {"Ticketed"})
		self.assertTrue(all(m.mention_key and m.modified == m.creation for m in stored))
		self.assertIn(ticket, next(m for m in stored if m.external_id == "m-2").triage_reason)
		self.assertFalse(frappe.db.get_value("Social Ticket", ticket, "issue"), "the Issue is the mirror's")
		self.assertEqual(tickets.pending_tickets(), [ticket], "the pending mirror is in the database")

		# the mirror job dies after writing the Issue and the first appended post
		add_communication, written = tickets.add_communication, []

		def dying(issue, mention):
			written.append(mention.name)
			if len(written) == 2:
				raise Crash
			return add_communication(issue, mention)

		with patch.object(tickets, "add_communication", dying), self.assertRaises(Crash):
			tickets.mirror_pending()
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Issue", {"social_ticket": ticket}), 0)
		self.assertEqual(tickets.pending_tickets(), [ticket])

		self.assertEqual(tickets.mirror_pending(), 1)
		self.assertEqual(tickets.mirror_pending(), 0, "a second run finds nothing left")
		[issue] = frappe.get_all("Issue", {"social_ticket": ticket}, pluck="name")
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket, "issue"), issue)
		timeline = frappe.get_all(
			"Communication",
			{"reference_doctype": "Issue", "reference_name": issue, "sent_or_received": "Received"},
			pluck="content",
		)
		self.assertEqual(len(timeline), 2, "each appended post once, the first is the Issue's description")
		self.assertEqual(tickets.pending_tickets(), [])

	def test_an_older_post_of_a_backfill_joins_its_author_s_ticket(self):
		days_ago = datetime.now(timezone.utc) - timedelta(days=6)
		store_mentions(
			self.account, [post("b-1", "Acme ist kaputt, ich kündige!", at=days_ago)], build_pipeline()
		)
		later = post("b-2", "Acme, warum antwortet niemand? Nie wieder!", at=days_ago + timedelta(hours=3))
		store_mentions(self.account, [later], build_pipeline())
		self.assertEqual(frappe.db.count("Social Ticket"), 1)
		self.assertEqual(
			frappe.db.get_value("Social Mention", {"external_id": "b-2"}, "triage_action"), "Append to Ticket"
		)
		# the later page's post takes the thread's next position
		ticket = frappe.db.get_value("Social Mention", {"external_id": "b-2"}, "social_ticket")
		rows = frappe.get_all(
			"Social Ticket Mention",
			filters={"parent": ticket},
			fields=["idx", "social_mention"],
			order_by="idx",
		)
		self.assertEqual([row.idx for row in rows], [1, 2])
		self.assertEqual(frappe.db.get_value("Social Mention", rows[1].social_mention, "external_id"), "b-2")

	def assert_decided_with_the_page(self, posts):
		"""Each post stored with its page (none decided on its own), a ticket each, no incident."""
		from social_crm import ingest

		with patch.object(ingest, "decider", side_effect=AssertionError("decided one by one")):
			counts = store_mentions(self.account, posts, build_pipeline())
		self.assertEqual(counts["new"], len(posts))
		self.assertEqual(frappe.db.count("Social Ticket"), len(posts))
		self.assertFalse(frappe.db.count("Social Incident", {"subjects": ("like", "%_Test Ingest Acme%")}))

	def test_a_backlog_of_complaints_is_decided_in_memory_and_raises_no_spike_alert(self):
		# older than the spike window: no sign of what is happening now, so no incident look-up
		self.assert_decided_with_the_page(complaints("o", 8, datetime.now(timezone.utc) - timedelta(days=2)))

	def test_a_live_burst_in_one_page_is_one_incident_holding_its_mentions(self):
		use_spike_settings(
			self,
			{"spike_min_count": 3, "spike_window_minutes": 60, "spike_margin": 3, "spike_baseline_days": 28},
		)
		self.addCleanup(frappe.db.delete, "Social Incident", {"subjects": ("like", "%_Test Ingest Acme%")})
		minutes_ago = datetime.now(timezone.utc) - timedelta(minutes=20)
		store_mentions(self.account, complaints("s", 6, minutes_ago), build_pipeline())
		[incident] = frappe.get_all(
			"Social Incident",
			filters={"subjects": ("like", "%_Test Ingest Acme%")},
			fields=["name", "mention_count", "ticket_count"],
		)
		self.assertEqual(incident.mention_count, 6)
		rows = frappe.get_all(
			"Social Incident Mention", filters={"parent": incident.name}, pluck="social_mention"
		)
		self.assertEqual(
			sorted(frappe.get_all("Social Mention", filters={"name": ("in", rows)}, pluck="external_id")),
			[f"s-{n}" for n in range(6)],
		)
		# a later page's complaint joins the open incident (and a quiet post beside it does not)
		store_mentions(
			self.account,
			[
				post(
					"s-late",
					"Acme immer noch kaputt, unverschämt!",
					author="late",
					at=minutes_ago + timedelta(minutes=10),
				),
				post(
					"s-news",
					"Heute Workshop zu Acme im Büro.",
					author="quiet",
					at=minutes_ago + timedelta(minutes=11),
				),
			],
			build_pipeline(),
		)
		self.assertEqual(frappe.db.get_value("Social Incident", incident.name, "mention_count"), 7)

	def test_a_burst_decided_with_its_page_leaves_the_incident_as_deciding_one_by_one_does(self):
		from social_crm import incidents, ingest

		use_spike_settings(
			self,
			{"spike_min_count": 3, "spike_window_minutes": 60, "spike_margin": 3, "spike_baseline_days": 28},
		)
		about = {"subjects": ("like", "%_Test Ingest Acme%")}
		self.addCleanup(frappe.db.delete, "Social Incident", about)
		start = datetime.now(timezone.utc) - timedelta(minutes=40)
		posts = complaints("b", 10, start)
		# the handle counted by the database's collation, news joining, a backlog post beside them
		posts.insert(4, post("b-handle", "@ACME Störung seit Stunden, unverschämt!", author="hx", at=start))
		posts.append(
			post(
				"b-news", "Acme: we are investigating the outage, status page updated.", author="nx", at=start
			)
		)
		posts.append(post("b-old", posts[0].text, author="old", at=start - timedelta(days=3)))

		def outcome():
			[incident] = frappe.get_all(
				"Social Incident",
				filters=about,
				fields=["name", "subjects", "mention_count", "ticket_count", "spike_count", "last_spike_at"],
			)
			ids = dict(frappe.get_all("Social Mention", fields=["name", "external_id"], as_list=True))
			rows = frappe.get_all(
				"Social Incident Mention",
				filters={"parent": (name := incident.pop("name"))},
				fields=["social_mention", "social_ticket", "idx"],
				order_by="idx",
			)
			mentions = frappe.get_all(
				"Social Mention",
				fields=["external_id", "status", "triage_reason", "sentiment_label", "social_ticket"],
				order_by="external_id",
			)
			for mention in mentions:
				mention.social_ticket = bool(mention.social_ticket)
				mention.triage_reason = mention.triage_reason.replace(name, "<the incident>")
			return incident, [(ids[row.social_mention], bool(row.social_ticket)) for row in rows], mentions

		with patch.object(incidents.PageSpikes, "decide", return_value=None):
			store_mentions(self.account, posts, build_pipeline())
		one_by_one = outcome()
		for doctype in ("Social Incident", "Social Ticket", "Social Mention", "Social Profile"):
			frappe.db.delete(doctype)
		frappe.db.delete("Issue", {"social_ticket": ("is", "set")})
		with patch.object(ingest, "decider", wraps=ingest.decider) as exact:
			store_mentions(self.account, posts, build_pipeline())
		self.assertEqual(outcome(), one_by_one)
		self.assertEqual(exact.call_count, 1)  # the mention that opened the incident, alone
		incident, rows, _mentions = one_by_one
		self.assertIn(("b-handle", True), rows)
		self.assertIn("b-news", [external_id for external_id, _ in rows])
		self.assertNotIn("b-old", [external_id for external_id, _ in rows])
		self.assertEqual(incident.mention_count, len(rows))
		news = next(mention for mention in _mentions if mention.external_id == "b-news")
		self.assertIn("<the incident>", news.triage_reason)  # joins it instead of a ticket

	def test_a_few_live_complaints_far_from_a_spike_are_decided_with_their_page(self):
		# fewer than the settings' minimum of a spike (5) in the window: no incident can open
		self.assert_decided_with_the_page(
			complaints("q", 3, datetime.now(timezone.utc) - timedelta(minutes=20))
		)

	def test_a_notification_on_new_social_tickets_still_fires_for_a_fetched_page(self):
		frappe.get_doc(
			{
				"doctype": "Notification",
				"name": NOTIFICATION,
				"subject": "New social ticket",
				"document_type": "Social Ticket",
				"event": "New",
				"channel": "System Notification",
				"enabled": 1,
				"recipients": [{"receiver_by_role": "System Manager"}],
				"message": "A new social ticket",
			}
		).insert(ignore_permissions=True)
		frappe.cache.hdel("notifications", "Social Ticket")
		days_ago = datetime.now(timezone.utc) - timedelta(days=2)
		store_mentions(
			self.account, [post("n-1", "Acme ist kaputt, ich kündige!", at=days_ago)], build_pipeline()
		)
		[ticket] = frappe.get_all("Social Ticket", pluck="name")
		self.assertTrue(
			frappe.db.exists("Notification Log", {"document_type": "Social Ticket", "document_name": ticket})
		)

	def test_a_later_page_updates_each_author_s_details_and_leaves_the_others_alone(self):
		def by(author, external_id, name, followers, bio=""):
			mention = post(external_id, "Acme hat neue Preise.", author=author)
			return replace(
				mention,
				author=Author(handle=f"{author}@social.example", name=name, followers=followers, bio=bio),
			)

		store_mentions(
			self.account,
			[by("lena", "p-1", "Lena", 10, "Bahnfahrerin"), by("max", "p-2", "Max", 20, "Pendler")],
			build_pipeline(),
		)
		# Lena renamed herself, Max gained a follower: one statement sets each row's own change
		store_mentions(
			self.account,
			[by("lena", "p-3", "Lena K.", 10), by("max", "p-4", "Max", 21)],
			build_pipeline(),
		)
		profiles = {
			row.handle: row
			for row in frappe.get_all(
				"Social Profile", fields=["handle", "display_name", "followers", "bio", "mention_count"]
			)
		}
		lena, max_ = profiles["lena@social.example"], profiles["max@social.example"]
		self.assertEqual(
			(lena.display_name, lena.followers, lena.bio, lena.mention_count),
			("Lena K.", 10, "Bahnfahrerin", 2),
		)
		self.assertEqual(
			(max_.display_name, max_.followers, max_.bio, max_.mention_count), ("Max", 21, "Pendler", 2)
		)

	def test_duplicates_in_a_page_and_past_the_look_up_are_counted_once(self):
		from social_crm import ingest

		first = post("d-1", "Acme hat neue Preise.")
		self.assertEqual(store_mentions(self.account, [first, first], build_pipeline())["duplicates"], 1)
		# another job stored it between this page's look-up and its insert: the unique key decides
		with patch.object(ingest, "stored_keys", return_value=set()):
			counts = store_mentions(
				self.account, [first, post("d-2", "Acme hat neue Tarife.")], build_pipeline()
			)
		self.assertEqual(counts, {"new": 1, "duplicates": 1, "dropped": 0, "failed": []})
		self.assertEqual(frappe.db.count("Social Mention"), 2)
		self.assertEqual(
			frappe.db.get_value("Social Profile", {"handle": "lena@social.example"}, "mention_count"), 2
		)

	def test_a_crash_mid_fetch_keeps_the_committed_pages_and_the_next_poll_stores_the_rest_once(self):
		from social_crm import ingest

		start = datetime(2026, 11, 1, tzinfo=timezone.utc)
		posts = [
			post(
				f"c-{i:04d}",
				f"Acme Update Nummer {i}",
				author=f"user{i % 7}",
				at=start + timedelta(minutes=i),
			)
			for i in range(ingest.PAGE_SIZE + 50)
		]
		new_mention = ingest.new_mention

		def dying(account, item, *args):
			if item.mention.external_id == posts[ingest.PAGE_SIZE + 10].external_id:
				raise Crash  # ten mentions of the second page are prepared, not committed
			return new_mention(account, item, *args)

		with patch.object(ingest, "new_mention", dying), self.assertRaises(Crash):
			store_mentions(self.account, posts, build_pipeline())
		frappe.db.rollback()
		self.assertEqual(frappe.db.count("Social Mention"), ingest.PAGE_SIZE, "the first page was committed")
		counts = store_mentions(self.account, posts, build_pipeline())
		self.assertEqual((counts["new"], counts["duplicates"]), (50, ingest.PAGE_SIZE))
		self.assertEqual(frappe.db.count("Social Mention"), len(posts))
		self.assertEqual(
			sum(
				frappe.get_all(
					"Social Profile", {"handle": ("like", "user%@social.example")}, pluck="mention_count"
				)
			),
			len(posts),
			"each mention is counted on its profile once",
		)


class TestReanalysisAndLearning(FrappeTestCase):
	def setUp(self):
		clean()

	def tearDown(self):
		clean()
		frappe.db.delete("Monitored Keyword", {"name": ("like", "_Test Reanalyse%")})
		frappe.db.commit()

	def test_reanalysis_matches_new_keywords_and_keeps_an_agents_correction(self):
		from social_crm.api import reclassify_sentiment
		from social_crm.ingest import reanalyse_mentions
		from social_crm.tests.records import make_mention

		complaint = make_mention(external_id="re-1", text="Ich kündige meinen Acme Vertrag, nie wieder.")
		sarcasm = make_mention(external_id="re-2", text="Toll gemacht, Acme. Wirklich super.")
		reclassify_sentiment(json.dumps([sarcasm.name]), "Negative")
		frappe.get_doc(
			{"doctype": "Monitored Keyword", "keyword_name": "_Test Reanalyse Kündigung", "query": "kündig*"}
		).insert(ignore_permissions=True)

		reanalyse_mentions([complaint.name, sarcasm.name])

		complaint.reload()
		sarcasm.reload()
		self.assertIn(
			"_Test Reanalyse Kündigung", [row.monitored_keyword for row in complaint.matched_keywords]
		)
		self.assertEqual(complaint.sentiment_label, "Negative")
		self.assertEqual(sarcasm.sentiment_label, "Negative", "the agent's correction survives re-analysis")
		self.assertTrue(sarcasm.sentiment_corrected)

	def test_agents_can_queue_reanalysis_and_users_without_the_role_cannot(self):
		from social_crm.ingest import reanalyse
		from social_crm.tests.records import make_mention, make_user

		names = [make_mention(external_id=f"rq-{i}").name for i in range(3)]
		agent = make_user("social-reanalyse-agent@example.com", "Support Team")
		nobody = make_user("social-reanalyse-nobody@example.com")
		try:
			frappe.set_user(agent)
			self.assertEqual(reanalyse(names=json.dumps(names[:2])), 2)
			self.assertEqual(reanalyse(filters=json.dumps({"external_id": ("like", "rq-%")})), 3)
			frappe.set_user(nobody)
			with self.assertRaises(frappe.PermissionError):
				reanalyse(names=json.dumps(names))
		finally:
			frappe.set_user("Administrator")

	def test_daily_training_stores_a_model_learnt_from_corrections(self):
		from social_crm.tasks import train_sentiment_model
		from social_crm.tests.records import make_mention

		examples = [
			("Der Support von Acme ist eine Katastrophe", "Negative"),
			("Acme hat mein Problem sofort gelöst, danke", "Positive"),
			("Acme ändert am Montag die Preise", "Neutral"),
		]
		for i in range(20):
			for j, (text, label) in enumerate(examples):
				make_mention(
					external_id=f"learn-{i}-{j}",
					text=f"{text} ({i})",
					sentiment_label=label,
					sentiment_corrected=1,
					language="de",
				)
		train_sentiment_model()
		settings = frappe.get_single("Social CRM Settings")
		self.assertEqual(settings.site_model_examples, 60)
		self.assertTrue(settings.site_model_trained_at)
		from social_crm.engine.sentiment.model import SiteModel

		model = SiteModel.from_bytes(settings.site_model.encode())
		self.assertEqual(model.predict("Der Support von Acme ist eine Katastrophe", "de")[0], "negative")
