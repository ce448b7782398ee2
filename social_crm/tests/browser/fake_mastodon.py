"""A local Mastodon (engine/platform_fakes) for the browser test, run as its own process:

    python -m social_crm.tests.browser.fake_mastodon

prints one JSON line {"base_url", "token", "post_ids"} and serves until killed, so the bench's
web worker posts the agent's reply to it over real HTTP.
"""

import json
import signal
import sys
import threading

from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.server import SeedPost

TOKEN = "browser-test-token"
POSTS = (
	SeedPost(
		text="<p>@acme Seit heute Morgen ist #AcmeCloud für uns nicht erreichbar. Kein Login möglich, Kunden warten. https://status.example/acme</p>",
		author="lena_k",
		author_name="Lena Krüger",
		lang="de",
		likes=4,
		replies=2,
		reposts=1,
	),
	SeedPost(
		text="<p>Acme billing charged us twice this month. I want a refund, who do I talk to?</p>",
		author="sam",
		author_name="Sam Porter",
		lang="en",
	),
)


def main() -> None:
	fake = FakeMastodon(posts=list(POSTS), token=TOKEN)
	fake.start()
	ids = [post.id or fake.make_id(post) for post in fake.posts]
	print(json.dumps({"base_url": fake.base_url, "token": TOKEN, "post_ids": ids}), flush=True)
	stop = threading.Event()
	signal.signal(signal.SIGTERM, lambda *_: stop.set())
	try:
		stop.wait()
	except KeyboardInterrupt:
		pass
	fake.stop()
	sys.exit(0)


if __name__ == "__main__":
	main()
