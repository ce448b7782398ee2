"""A hostile Mastodon instance: the documented wire format, filled with what an attacker sends.

Everything a stranger controls on Mastodon is here: the status `content` (HTML, whose
entities `html_to_text` decodes into real characters), `url` and `uri`, the account's `acct`,
`display_name`, `note` (bio), `url` and `avatar` (docs.joinmastodon.org/entities/Status,
/entities/Account). The payloads are the ones seen working against a real ERPNext desk:

* a post, display name and bio that are a JSON string of an `<img onerror>` tag, with the
  tags entity-escaped in the HTML, so the plain text is valid JSON (Frappe's sanitize_html
  returns JSON unchanged);
* `<script>` as text and as markup (the raw payload keeps the markup), a styled `<a>`
  phishing link and an `<img>` tracking pixel as text;
* URLs without angle brackets that break out of an attribute: `…/" onanimationstart="…`;
* handles with zero-width and right-to-left override characters, case and accent variants
  of a real customer's handle (`mallory@evil.example`);
* a post over 65,535 bytes and a display name over 255 characters.

Every script payload sets `window.__xss` (and `alert`s), so a browser test can tell whether
any of it ran; every outside URL points at `tracker.example`/`phish.example`, so a request to
those hosts shows that the desk loaded something it should not have.
"""

from __future__ import annotations

from typing import Any

from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.server import RecordedRequest, Reply, SeedPost

XSS_IMG = "<img src=x onerror=window.__xss=1;alert(1)>"  # no quotes: '"' + XSS_IMG + '"' is JSON
XSS_SCRIPT = "<script>window.__xss='script';alert(2)</script>"
ATTRIBUTE_BREAK = 'https://tracker.example/" onanimationstart="window.__xss=\'url\'" style="animation-name:x'
PHISHING = (
	'<a href="https://phish.example/login" style="position:fixed;inset:0;z-index:9999">Acme Support</a>'
)
PIXEL = '<img src="https://tracker.example/pixel.png">'
REAL_CUSTOMER = "mallory@evil.example"
IMPOSTORS = ("mallóry@evil.example", "MALLORY@evil.example", "mallory\u200b@evil.example")
SPOOFED = ("acme\u200b@evil.example", "\u202eemca@evil.example")
LONG_POST_BYTES = 80_000
LONG_NAME = "Acme Support " * 40  # 520 characters


def entity_escaped(text: str) -> str:
	"""`text` as Mastodon's HTML carries it: tags as entities, so the plain text has real tags."""
	return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def hostile_posts() -> list[SeedPost]:
	"""One post per payload; every one contains "acme" so a keyword `acme` keeps it."""
	quoted_img = f'"{XSS_IMG}"'
	return [
		# The whole plain text is a JSON string: acme is in the tag's attribute.
		SeedPost(
			text=f"<p>{entity_escaped(quoted_img.replace('alert(1)', 'alert(1)/*acme*/'))}</p>",  # JSON
			author="json@evil.example",
			author_name=quoted_img,
		),
		SeedPost(
			text=f"<p>acme {entity_escaped(XSS_SCRIPT)}</p><script>window.__xss='raw';alert(3)</script>",
			author="script@evil.example",
			author_name=XSS_SCRIPT,
		),
		SeedPost(
			text=f"<p>acme {entity_escaped(PHISHING)} {entity_escaped(PIXEL)}</p>",
			author="phish@evil.example",
		),
		SeedPost(
			text="<p>acme attribute-breaking links</p>", author="links@evil.example", kind="hostile-urls"
		),
		SeedPost(text="<p>acme from the real customer</p>", author=REAL_CUSTOMER, author_name="Mallory"),
		*(
			SeedPost(text=f"<p>acme impostor {n}</p>", author=handle, author_name="Mallory")
			for n, handle in enumerate(IMPOSTORS)
		),
		*(
			SeedPost(text=f"<p>acme spoofed handle {n}</p>", author=handle, author_name="Acme\u202e GmbH")
			for n, handle in enumerate(SPOOFED)
		),
		SeedPost(
			text="<p>acme " + "ü" * (LONG_POST_BYTES // 2) + "</p>",
			author="long@evil.example",
			author_name=LONG_NAME,
		),
	]


class HostileMastodon(FakeMastodon):
	"""FakeMastodon serving `hostile_posts()`, with hostile account fields and URLs."""

	def __init__(self, token: str = "hostile-token", host: str = "evil.example") -> None:
		self.last_authorization = ""
		super().__init__(hostile_posts(), token=token, own_handle="acme", host=host)

	def account(self, handle: str, name: str = "", followers: int = 0, bot: bool = False) -> dict[str, Any]:
		account = super().account(handle, name, followers, bot)
		account["note"] = f"<p>{entity_escaped(XSS_IMG)}</p>"
		if handle.startswith("json@"):
			account["note"] = f"<p>{entity_escaped(chr(34) + XSS_IMG + chr(34))}</p>"
		if handle.startswith("links@"):
			account["url"] = ATTRIBUTE_BREAK
			account["avatar"] = account["avatar_static"] = "javascript:window.__xss='avatar'"
		return account

	def unauthorised(self) -> Reply:
		"""A server that quotes the credential it was sent back in its error (and in markup)."""
		sent = self.last_authorization
		return Reply(401, {"error": f"<b>The access token {sent} is invalid</b> {XSS_IMG}"})

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		self.last_authorization = request.headers.get("authorization", "")
		return super().handle(request, empty)

	def status(self, post: SeedPost) -> dict[str, Any]:
		status = super().status(post)
		if post.kind == "hostile-urls":
			status["url"] = ATTRIBUTE_BREAK
		return status


def main(argv: list[str] | None = None) -> None:
	"""Serve the hostile instance on a fixed port until interrupted (for the browser test):
	python -m social_crm.engine.platform_fakes.hostile PORT [TOKEN]"""
	import sys

	args = sys.argv[1:] if argv is None else argv
	port, token = int(args[0]), (args[1] if len(args) > 1 else "hostile-token")
	fake = HostileMastodon(token=token)
	fake.start(port)
	print(f"hostile Mastodon on {fake.base_url} (token {token!r})", flush=True)
	try:
		fake._thread.join()
	except KeyboardInterrupt:
		fake.stop()


if __name__ == "__main__":
	main()
