"""Which fetched posts the account wrote itself: they are never mentions.

After an agent answers on Mastodon, the next poll finds the answer (it names the customer and
often the keyword) and, without this check, stores it as a new customer mention, scores it
and threads it into the ticket as a received message. Two independent facts make a post our
own, because either alone can miss:

- the author is one of the account's own handles, compared the way Social Profiles are keyed
  (`matching.profile_key`): case, a leading "@" and, on Mastodon, the instance of a local
  handle ("acme" on social.example is "acme@social.example");
- its id is one the platform gave a reply we sent (a handle can change, an id does not).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from social_crm.engine.matching import profile_key
from social_crm.engine.mention import Mention, Platform


@dataclass(frozen=True, slots=True)
class OwnAccount:
	"""The account a poll runs for, as far as recognising its own posts needs.

	`instance` is the host of the account's server (Mastodon), which a local handle belongs to;
	`sent_ids` are the platform ids of replies sent from it (the shell passes those it has
	among the fetched posts' ids, it need not load them all).
	"""

	platform: Platform
	handles: frozenset[str] = field(default_factory=frozenset)
	instance: str | None = None
	sent_ids: frozenset[str] = field(default_factory=frozenset)

	@classmethod
	def of(
		cls,
		platform: Platform | str,
		handles: Iterable[str] = (),
		*,
		instance: str | None = None,
		sent_ids: Iterable[str] = (),
	) -> OwnAccount:
		platform = Platform(platform)
		keys = {_key(platform, handle, instance) for handle in handles}
		return cls(
			platform=platform,
			handles=frozenset(key for key in keys if key),
			instance=instance,
			sent_ids=frozenset(str(value) for value in sent_ids if value),
		)

	def wrote(self, mention: Mention) -> bool:
		"""Whether the post is the account's own: its author or a reply it sent."""
		if Platform(mention.platform) is not self.platform:
			return False
		if mention.external_id in self.sent_ids:
			return True
		return (
			bool(self.handles) and _key(self.platform, mention.author.handle, self.instance) in self.handles
		)


def _key(platform: Platform, handle: str, instance: str | None) -> str:
	"""The profile key of a handle, or "" for one that cannot be keyed (empty, or a local
	Mastodon handle without a known instance: better no match than a wrong one)."""
	if not (handle or "").strip():
		return ""
	try:
		return profile_key(platform, handle, instance)[1]
	except ValueError:
		return ""
