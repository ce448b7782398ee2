"""Company pages on a bench site: webhook endpoints over real HTTP, their jobs, and polling.

The HTTP tests POST to /api/method/social_crm.webhooks.<platform> of a running site: set
SOCIAL_CRM_SITE_URL (e.g. http://127.0.0.1:8050; the site is named in the Host header) when
the site is served elsewhere than its configured host name; they are skipped when nothing
answers there.
"""

import hashlib
import json
import os

import requests

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from social_crm.engine.platform_fakes.facebook import FakeFacebook
from social_crm.engine.platform_fakes.instagram import FakeInstagram
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.engine.platform_fakes.youtube import CHANNEL, FakeYouTube
from social_crm.engine.webhooks import sign
from social_crm.ingest import fetch_account
from social_crm.webhooks import process_meta_delivery, process_youtube_push

PAGE = "1000001"
IG_USER = "17841400000000001"
APP_SECRET = "whk-app-secret-4d1e"
VERIFY = "whk-verify-token-9c2b"
PAGE_TOKEN = "whk-page-token-77aa"
FB_ACCOUNT = "_Test Webhook Facebook"
IG_ACCOUNT = "_Test Webhook Instagram"
YT_ACCOUNT = "_Test Webhook YouTube"


def drop_queued_deliveries():
	"""Jobs the served site queued for earlier tests (no worker runs them here)."""
	from frappe.utils.background_jobs import get_queue

	queue = get_queue("short")
	for job_id in queue.get_job_ids():
		if job_id.startswith(f"{frappe.local.site}::social_crm_webhook::"):
			job = queue.fetch_job(job_id)
			if job is not None:
				job.delete()


def clean():
	drop_queued_deliveries()
	for doctype in ("Social Fetch Log", "Social Ticket", "Social Mention", "Social Profile"):
		frappe.db.delete(
			doctype,
			{"platform": ("in", ("Facebook", "Instagram", "YouTube"))}
			if doctype != "Social Fetch Log"
			else {"social_account": ("like", "_Test Webhook%")},
		)
	frappe.db.delete("Issue", {"social_ticket": ("is", "set")})
	frappe.db.delete("Social Account", {"name": ("like", "_Test Webhook%")})
	frappe.db.commit()


def comment_delivery(
	comment_id="900001_500077",
	verb="add",
	page=PAGE,
	message="Seit dem Update geht nichts mehr, bitte helft!",
):
	value = {
		"from": {"id": "24000000000001", "name": "Jürgen Weiß"},
		"post_id": f"{page}_900001",
		"comment_id": comment_id,
		"created_time": 1772438400,
		"item": "comment",
		"parent_id": f"{page}_900001",
		"verb": verb,
		"message": message,
	}
	body = {
		"object": "page",
		"entry": [{"id": page, "time": 1772438460, "changes": [{"field": "feed", "value": value}]}],
	}
	return json.dumps(body, ensure_ascii=False).encode()


def site_url() -> str:
	return (os.environ.get("SOCIAL_CRM_SITE_URL") or frappe.utils.get_url()).rstrip("/")


class TestCompanyPages(FrappeTestCase):
	def setUp(self):
		clean()

	def tearDown(self):
		clean()

	def make_account(self, name, platform, page_id, **values):
		doc = frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": name,
				"platform": platform,
				"page_id": page_id,
				**values,
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()
		return doc

	def facebook_account(self, **values):
		return self.make_account(
			FB_ACCOUNT,
			"Facebook",
			PAGE,
			app_secret=APP_SECRET,
			verify_token=VERIFY,
			access_token=PAGE_TOKEN,
			**values,
		)

	# -- over HTTP --

	def post(self, platform, body, headers):
		try:
			return requests.post(
				f"{site_url()}/api/method/social_crm.webhooks.{platform}",
				data=body,
				headers={
					"Content-Type": "application/json",
					"X-Frappe-Site-Name": frappe.local.site,
					"Host": frappe.local.site,
					**headers,
				},
				timeout=10,
			)
		except requests.ConnectionError:
			self.skipTest(f"no site answers at {site_url()} (set SOCIAL_CRM_SITE_URL)")

	def get(self, platform, params):
		try:
			return requests.get(
				f"{site_url()}/api/method/social_crm.webhooks.{platform}",
				params=params,
				headers={"X-Frappe-Site-Name": frappe.local.site, "Host": frappe.local.site},
				timeout=10,
			)
		except requests.ConnectionError:
			self.skipTest(f"no site answers at {site_url()} (set SOCIAL_CRM_SITE_URL)")

	def queued(self, body: bytes) -> int:
		from frappe.utils.background_jobs import get_queue

		job_id = f"{frappe.local.site}::social_crm_webhook::{hashlib.sha256(body).hexdigest()}"
		return get_queue("short").get_job_ids().count(job_id)

	def test_the_handshake_echoes_the_challenge_only_for_the_accounts_verify_token(self):
		self.facebook_account()
		ok = self.get(
			"facebook", {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
		)
		self.assertEqual((ok.status_code, ok.text), (200, "1158201444"))
		self.assertTrue(ok.headers["Content-Type"].startswith("text/plain"))
		wrong = self.get(
			"facebook", {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
		)
		self.assertEqual(wrong.status_code, 403)
		self.assertNotIn(VERIFY, wrong.text)
		self.assertEqual(self.get("facebook", {"hub.challenge": "1"}).status_code, 403)
		other = self.get(
			"instagram", {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"}
		)
		self.assertEqual(other.status_code, 403)  # the token belongs to the Facebook account only

	def test_a_signed_delivery_is_accepted_fast_and_queued_once_even_when_repeated(self):
		self.facebook_account()
		body = comment_delivery()
		first = self.post("facebook", body, {"X-Hub-Signature-256": sign(body, APP_SECRET)})
		again = self.post("facebook", body, {"X-Hub-Signature-256": sign(body, APP_SECRET)})
		self.assertEqual((first.status_code, again.status_code), (200, 200))
		self.assertLess(first.elapsed.total_seconds(), 2)
		self.assertLessEqual(self.queued(body), 1)  # deduplicated while waiting for a worker
		process_meta_delivery("Facebook", body.decode())
		process_meta_delivery("Facebook", body.decode())  # the replayed delivery
		rows = frappe.get_all(
			"Social Mention",
			filters={"platform": "Facebook"},
			fields=["external_id", "text", "author_handle", "social_account"],
		)
		self.assertEqual(len(rows), 1)
		self.assertEqual(rows[0].external_id, "900001_500077")
		self.assertEqual(rows[0].author_handle, "24000000000001")
		self.assertEqual(rows[0].social_account, FB_ACCOUNT)

	def test_tampered_unsigned_or_wrongly_signed_deliveries_are_refused(self):
		self.facebook_account()
		body = comment_delivery()
		good = sign(body, APP_SECRET)
		tampered = body.replace(b"nichts", b"alles")
		cases = {
			"tampered body": (tampered, {"X-Hub-Signature-256": good}),
			"wrong secret": (body, {"X-Hub-Signature-256": sign(body, "not-the-secret")}),
			"missing header": (body, {}),
			"malformed header": (body, {"X-Hub-Signature-256": "sha1=" + "0" * 40}),
			"legacy header only": (body, {"X-Hub-Signature": "sha1=" + "0" * 40}),
		}
		for case, (sent, headers) in cases.items():
			with self.subTest(case):
				response = self.post("facebook", sent, headers)
				self.assertEqual(response.status_code, 403)
				self.assertNotIn(APP_SECRET, response.text)
				self.assertEqual(self.queued(sent), 0)
		self.assertFalse(frappe.get_all("Social Mention", filters={"platform": "Facebook"}))

	# -- the jobs --

	def test_an_event_for_an_unknown_page_is_dropped(self):
		self.facebook_account()
		counts = process_meta_delivery("Facebook", comment_delivery(page="999999").decode())
		self.assertEqual(counts["unknown_page"], 1)
		self.assertFalse(frappe.get_all("Social Mention", filters={"platform": "Facebook"}))

	def test_removed_and_hidden_comments_are_marked_and_never_created(self):
		self.facebook_account()
		process_meta_delivery("Facebook", comment_delivery().decode())
		process_meta_delivery("Facebook", comment_delivery(verb="remove").decode())
		self.assertEqual(
			frappe.db.get_value("Social Mention", {"external_id": "900001_500077"}, "platform_state"),
			"Deleted",
		)
		process_meta_delivery("Facebook", comment_delivery(comment_id="900001_500099", verb="hide").decode())
		self.assertFalse(frappe.db.exists("Social Mention", {"external_id": "900001_500099"}))

	def test_an_instagram_comment_is_read_back_with_its_media_permalink(self):
		with FakeInstagram(token=PAGE_TOKEN, user_id=IG_USER) as fake:
			comment = fake.add_post(text="Wann kommt die App für Android?", author="lisa.m")
			self.make_account(
				IG_ACCOUNT,
				"Instagram",
				IG_USER,
				base_url=fake.base_url,
				access_token=PAGE_TOKEN,
				app_secret=APP_SECRET,
			)
			value = {
				"from": {"id": "232323232", "username": "lisa.m"},
				"media": {"id": fake.launch.id},
				"id": comment.id,
				"text": comment.text,
			}
			body = json.dumps(
				{
					"object": "instagram",
					"entry": [
						{
							"id": IG_USER,
							"time": 1772438460,
							"changes": [{"field": "comments", "value": value}],
						}
					],
				}
			)
			counts = process_meta_delivery("Instagram", body)
			permalink = fake.render_media(fake.launch)["permalink"]
		self.assertEqual(counts["new"], 1)
		self.assertEqual(frappe.db.get_value("Social Mention", {"external_id": comment.id}, "url"), permalink)

	def test_a_youtube_push_reads_the_new_videos_comments_and_counts_quota(self):
		with FakeYouTube(api_key="yt-test-key") as fake:
			video = fake.add_post(text="Acme Cloud 2.1", kind="video")
			fake.add_post(SeedPost(text="Endlich ist der Dark Mode da!", author="fan", reply_to=video.id))
			self.make_account(YT_ACCOUNT, "YouTube", CHANNEL, base_url=fake.base_url, api_key="yt-test-key")
			atom = f"""<?xml version='1.0' encoding='UTF-8'?><feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom"><entry><id>yt:video:{video.id}</id><yt:videoId>{video.id}</yt:videoId><yt:channelId>{CHANNEL}</yt:channelId><title>Acme Cloud 2.1</title></entry></feed>"""
			counts = process_youtube_push(atom)
			self.assertEqual([r.param("videoId") for r in fake.requests], [video.id])
		self.assertEqual(counts, {"videos": 1, "new": 1})
		quota = json.loads(frappe.db.get_value("Social Account", YT_ACCOUNT, "quota_state"))
		self.assertEqual(quota["units"], 1)

	# -- polling and the account --

	def test_a_page_is_polled_and_a_rejected_token_stops_polling_until_replaced(self):
		with FakeFacebook(token=PAGE_TOKEN, page_id=PAGE) as fake:
			fake.add_post(text="Die Rechnung ist doppelt abgebucht!", author="kunde")
			account = self.facebook_account(base_url=fake.base_url)
			self.assertEqual(account.test_connection(), f"Connected to Facebook as Acme GmbH (Page {PAGE}).")
			log = fetch_account(account.name)
			self.assertEqual((log["status"], log["new_mentions"]), ("Success", 1))
			fake.token_expired = True
			log = fetch_account(account.name)
		self.assertEqual(log["status"], "Failed")
		account.reload()
		self.assertIn("expired", account.last_error)
		self.assertGreater(account.paused_until, add_days(now_datetime(), 300))
		account.access_token = "a-brand-new-page-token"
		account.save(ignore_permissions=True)
		self.assertIsNone(account.paused_until)

	def test_a_company_page_needs_its_id(self):
		doc = frappe.get_doc(
			{"doctype": "Social Account", "account_name": f"{FB_ACCOUNT} 2", "platform": "Instagram"}
		)
		self.assertRaises(frappe.MandatoryError, doc.insert, ignore_permissions=True)
