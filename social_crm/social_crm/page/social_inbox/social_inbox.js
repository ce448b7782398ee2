// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt
// The Social Inbox: a stream of conversations (tickets with their thread, mentions that need a
// decision) an agent works without opening forms. Every value comes from social_crm/inbox.py,
// which returns only what the user may read; post text arrives escaped (text_html) and every
// other value is escaped here. Live: "social_inbox_update" says which conversation changed,
// "social_inbox_viewing" who else is looking at the open one.
const INBOX = "social_crm.inbox.";
const esc = (value) => frappe.utils.escape_html(value == null ? "" : String(value));
const PLATFORM_COLOURS = {
	Mastodon: "#6364ff",
	Bluesky: "#1185fe",
	Reddit: "#ff4500",
	X: "#000000",
	"Hacker News": "#ff6600",
	"RSS/Atom": "#f26522",
};
const SENTIMENT_COLOURS = { Negative: "red", Neutral: "gray", Positive: "green" };
const VIEWER_TIMEOUT = 50 * 1000;
const HEARTBEAT = 20 * 1000;

frappe.pages["social-inbox"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({ parent: wrapper, title: __("Social Inbox"), single_column: true });
	wrapper.social_inbox = new SocialInbox(page, wrapper);
};

frappe.pages["social-inbox"].on_page_show = function (wrapper) {
	if (wrapper.social_inbox) wrapper.social_inbox.show();
};

class SocialInbox {
	constructor(page, wrapper) {
		this.page = page;
		this.wrapper = $(wrapper);
		this.items = [];
		this.current = null; // the open conversation (answer of inbox.conversation)
		this.selected = -1;
		this.viewers = {};
		this.filters = {};
		this.make_layout();
		this.make_filters();
		this.bind_realtime();
		this.bind_keys();
		frappe.require(["/assets/social_crm/js/social_reply.js", "/assets/social_crm/js/mention_actions.js"], () => {
			frappe.xcall(INBOX + "get_filters").then((filters) => {
				this.set_filter_values(filters);
				this.refresh();
			});
		});
	}

	// --- layout ---------------------------------------------------------------------------

	make_layout() {
		// appended, not main.html(): the page's filter form lives in main too
		this.$body = $(`
			<div class="social-inbox row">
				<div class="col-md-5 social-inbox-stream" style="max-height: calc(100vh - 220px); overflow-y: auto;">
					<div class="social-inbox-list"></div>
					<div class="social-inbox-more text-center p-3"></div>
				</div>
				<div class="col-md-7 social-inbox-conversation">
					<div class="text-muted p-4">${__("Choose a conversation (j/k to move, r to reply, e to mark done).")}</div>
				</div>
			</div>`).appendTo(this.page.main);
		this.$list = this.$body.find(".social-inbox-list");
		this.$more = this.$body.find(".social-inbox-more");
		this.$conversation = this.$body.find(".social-inbox-conversation");
		this.page.set_primary_action(__("Refresh"), () => this.refresh(), "refresh");
		this.page.add_menu_item(__("Social Tickets"), () => frappe.set_route("List", "Social Ticket"));
		this.page.add_menu_item(__("Social Mentions"), () => frappe.set_route("List", "Social Mention"));
		this.page.add_menu_item(__("Social Saved Reply"), () => frappe.set_route("List", "Social Saved Reply"));
		this.$list.on("click", ".social-inbox-item", (event) => {
			this.select($(event.currentTarget).data("index"));
		});
	}

	make_filters() {
		const option = (value, label) => ({ value, label });
		const change = () => this.filters_changed();
		this.fields = {
			keyword: this.page.add_field({ fieldname: "keyword", fieldtype: "Data", label: __("Keyword"), change }),
			platform: this.page.add_field({
				fieldname: "platform",
				fieldtype: "Select",
				label: __("Platform"),
				options: [option("", __("All Platforms"))].concat(
					["Mastodon", "Bluesky", "Reddit", "X", "Hacker News", "RSS/Atom"].map((p) => option(p, __(p)))
				),
				change,
			}),
			sentiment: this.page.add_field({
				fieldname: "sentiment",
				fieldtype: "Select",
				label: __("Sentiment"),
				options: [option("", __("Any Sentiment")), option("Negative", __("Negative")), option("Neutral", __("Neutral")), option("Positive", __("Positive"))],
				change,
			}),
			status: this.page.add_field({
				fieldname: "status",
				fieldtype: "Select",
				label: __("Status"),
				options: [
					option("open", __("Needs Work")),
					option("New", __("New")),
					option("Replied", __("Replied")),
					option("Resolved", __("Resolved")),
					option("Closed", __("Closed")),
					option("Ignored", __("Ignored")),
					option("all", __("All")),
				],
				default: "open",
				change,
			}),
			assigned: this.page.add_field({
				fieldname: "assigned",
				fieldtype: "Select",
				label: __("Assigned To"),
				options: [option("", __("Anyone")), option("me", __("Me")), option("unassigned", __("Unassigned"))],
				change,
			}),
			customer: this.page.add_field({ fieldname: "customer", fieldtype: "Link", options: "Customer", label: __("Customer"), change }),
			language: this.page.add_field({ fieldname: "language", fieldtype: "Data", label: __("Language"), change }),
			sort: this.page.add_field({
				fieldname: "sort",
				fieldtype: "Select",
				label: __("Sort"),
				options: [option("newest", __("Newest First")), option("urgent", __("Most Urgent First"))],
				default: "newest",
				change,
			}),
		};
	}

	set_filter_values(filters) {
		this.setting_filters = true;
		for (const [key, field] of Object.entries(this.fields)) {
			field.set_value(filters[key] || (key === "status" ? "open" : key === "sort" ? "newest" : ""));
		}
		this.filters = filters;
		this.setting_filters = false;
	}

	get_filter_values() {
		const filters = {};
		for (const [key, field] of Object.entries(this.fields)) {
			const value = field.get_value();
			if (value) filters[key] = value;
		}
		return filters;
	}

	filters_changed() {
		if (this.setting_filters) return;
		clearTimeout(this.filter_timeout);
		this.filter_timeout = setTimeout(() => {
			this.filters = this.get_filter_values();
			frappe.xcall(INBOX + "save_filters", { filters: this.filters });
			this.refresh();
		}, 300);
	}

	show() {
		if (this.items.length) this.refresh();
	}

	// --- the stream -----------------------------------------------------------------------

	refresh(start = 0) {
		return frappe
			.xcall(INBOX + "conversations", { filters: this.filters, start, page_length: 20 })
			.then((result) => {
				this.items = start ? this.items.concat(result.items) : result.items;
				this.total = result.total;
				this.render_list();
				if (!start && this.items.length && this.selected < 0) this.select(0);
				if (this.current) {
					const index = this.index_of(this.current.doctype, this.current.name);
					if (index >= 0) this.mark_selected(index);
				}
			});
	}

	index_of(doctype, name) {
		return this.items.findIndex((item) => item.doctype === doctype && item.name === name);
	}

	render_list() {
		if (!this.items.length) {
			this.$list.html(`<div class="text-muted p-4">${__("Nothing to work on with these filters.")}</div>`);
		} else {
			this.$list.html(this.items.map((item, index) => this.item_html(item, index)).join(""));
		}
		this.$more.empty();
		if (this.items.length < this.total) {
			$(`<button class="btn btn-default btn-sm">${__("Load More")}</button>`)
				.appendTo(this.$more)
				.on("click", () => this.refresh(this.items.length));
		}
		if (this.selected >= 0) this.mark_selected(this.selected);
	}

	item_html(item, index) {
		const m = item.mention || {};
		const title = item.kind === "ticket" ? `${__("Social Ticket")} ${esc(item.name)}` : `${__("Mention needs a decision")} · ${esc(item.name)}`;
		return `<div class="social-inbox-item frappe-card p-3 mb-2" data-index="${index}"
				data-doctype="${esc(item.doctype)}" data-name="${esc(item.name)}" style="cursor: pointer;">
			<div class="d-flex align-items-start">
				${this.avatar_html(m)}
				<div class="ml-2 flex-fill" style="min-width: 0;">
					<div class="d-flex justify-content-between">
						<div class="text-truncate"><b>${esc(m.author_name || m.author_handle)}</b>
							<span class="text-muted small">@${esc((m.author_handle || "").replace(/^@/, ""))}</span></div>
						${this.platform_html(item.platform)}
					</div>
					<div class="small text-muted">${title}${
						item.customer_name ? ` · <span class="text-success">${esc(item.customer_name)}</span>` : ""
					}</div>
					<div class="social-inbox-text my-1" style="overflow-wrap: anywhere;">${m.text_html || ""}</div>
					<div class="d-flex flex-wrap align-items-center small">
						${this.sentiment_html(m)} ${this.status_html(item)} ${this.age_html(item)}
						${item.assigned && item.assigned.length ? `<span class="ml-2 text-muted">${__("Assigned to {0}", [item.assigned.map((a) => esc(a.full_name)).join(", ")])}</span>` : ""}
						<span class="social-inbox-viewers ml-2"></span>
					</div>
				</div>
			</div>
		</div>`;
	}

	avatar_html(m) {
		const initials = esc(((m.author_name || m.author_handle || "?").replace(/^@/, "")[0] || "?").toUpperCase());
		// avatar_url is http(s) only (inbox.safe_url); no referrer goes to the platform's CDN
		return m.avatar_url
			? `<span class="avatar avatar-medium"><img class="avatar-frame" src="${esc(m.avatar_url)}" referrerpolicy="no-referrer" alt="${initials}"
				onerror="this.replaceWith(Object.assign(document.createElement('div'), {className: 'avatar-frame standard-image', textContent: this.alt}))"></span>`
			: `<span class="avatar avatar-medium"><div class="avatar-frame standard-image">${initials}</div></span>`;
	}

	platform_html(platform) {
		const colour = PLATFORM_COLOURS[platform] || "#888";
		return `<span class="social-inbox-platform badge" title="${esc(__(platform))}"
			style="background: ${colour}; color: #fff; white-space: nowrap;">${esc(__(platform))}</span>`;
	}

	sentiment_html(m) {
		if (!m.sentiment_label) return "";
		const score = m.sentiment_score == null ? "" : ` ${m.sentiment_score >= 0 ? "+" : ""}${Number(m.sentiment_score).toFixed(2)}`;
		return `<span class="indicator-pill ${SENTIMENT_COLOURS[m.sentiment_label] || "gray"} mr-2">${esc(__(m.sentiment_label))}${esc(score)}</span>`;
	}

	status_html(item) {
		const label = item.kind === "ticket" ? item.status : item.triage_action || item.status;
		let html = `<span class="indicator-pill blue mr-2">${esc(__(label))}</span>`;
		if (item.priority) html += `<span class="indicator-pill ${item.priority === "High" || item.priority === "Urgent" ? "orange" : "gray"} mr-2">${esc(__(item.priority))}</span>`;
		if (item.reply_status === "Awaiting Approval") html += `<span class="indicator-pill yellow mr-2">${__("Awaiting Approval")}</span>`;
		return html;
	}

	age_html(item) {
		const m = item.mention || {};
		// comment_when returns Frappe's own markup (a span around the formatted date)
		let html = m.posted_at ? `<span class="text-muted mr-2">${frappe.datetime.comment_when(m.posted_at)}</span>` : "";
		const sla = item.sla || {};
		if (sla.due) {
			const label = sla.kind === "response" ? __("Response due") : __("Resolution due");
			html += sla.overdue
				? `<span class="indicator-pill red mr-2">${__("Overdue")}: ${esc(label)}</span>`
				: `<span class="text-muted mr-2">${esc(label)} ${esc(frappe.datetime.str_to_user(sla.due))}</span>`;
		}
		return html;
	}

	mark_selected(index) {
		this.selected = index;
		this.$list.find(".social-inbox-item").css("outline", "");
		const $item = this.$list.find(`.social-inbox-item[data-index="${index}"]`);
		$item.css("outline", "2px solid var(--primary)");
		if ($item.length && $item[0].scrollIntoView) $item[0].scrollIntoView({ block: "nearest" });
	}

	select(index) {
		if (index < 0 || index >= this.items.length) return;
		this.mark_selected(index);
		const item = this.items[index];
		this.open(item.doctype, item.name);
	}

	move(step) {
		const next = this.selected < 0 ? 0 : this.selected + step;
		if (next >= this.items.length && this.items.length < this.total) {
			this.refresh(this.items.length).then(() => this.select(next));
			return;
		}
		this.select(Math.max(0, Math.min(next, this.items.length - 1)));
	}

	// --- one conversation -----------------------------------------------------------------

	open(doctype, name) {
		if (this.current && (this.current.doctype !== doctype || this.current.name !== name)) this.leave();
		return frappe.xcall(INBOX + "conversation", { doctype, name }).then((conversation) => {
			this.current = conversation;
			this.viewers = {};
			this.render_conversation();
			this.announce("open");
		});
	}

	render_conversation() {
		const c = this.current;
		const m = c.mention || {};
		const thread = (c.thread || []).map((entry) => this.thread_entry_html(entry)).join("");
		this.$conversation.html(`
			<div class="frappe-card p-3">
				<div class="social-inbox-collision"></div>
				<div class="d-flex justify-content-between align-items-start">
					<div>
						<h4 class="mb-1">${c.kind === "ticket" ? esc(c.subject) : __("Mention needs a decision")}</h4>
						<div class="small text-muted">
							<a href="/app/${frappe.router.slug(c.doctype)}/${encodeURIComponent(c.name)}">${esc(c.name)}</a>
							${c.issue ? ` · <a href="/app/issue/${encodeURIComponent(c.issue)}">${esc(c.issue)}</a>` : ""}
							· ${esc(__(c.platform))}
							${c.customer_name ? ` · ${__("Customer")}: <b>${esc(c.customer_name)}</b>` : ` · ${__("No customer linked")}`}
						</div>
					</div>
					${this.platform_html(c.platform)}
				</div>
				<div class="small my-2">${this.sentiment_html(m)} ${this.status_html(c)} ${this.age_html(c)}</div>
				${c.reason ? `<div class="small text-muted mb-2"><b>${__("Why")}:</b> ${esc(c.reason)}</div>` : ""}
				<div class="small text-muted mb-2">${__("Likes")}: ${esc(m.engagement ? m.engagement.likes : 0)} ·
					${__("Replies")}: ${esc(m.engagement ? m.engagement.replies : 0)} ·
					${__("Reposts")}: ${esc(m.engagement ? m.engagement.reposts : 0)}
					${m.followers != null ? ` · ${__("Followers")}: ${esc(m.followers)}` : ""}</div>
				<div class="social-inbox-actions mb-3"></div>
				<div class="social-inbox-thread">${thread}</div>
				<div class="social-inbox-reply mt-3"></div>
			</div>`);
		this.render_actions();
		this.render_reply();
		this.render_viewers();
	}

	thread_entry_html(entry) {
		const sent = entry.direction !== "received";
		const label =
			entry.direction === "draft"
				? `${__("Draft reply")} (${esc(__(entry.reply_status))})`
				: sent
				? __("Our reply")
				: `${esc(entry.author_name || entry.author_handle)} <span class="text-muted">@${esc((entry.author_handle || "").replace(/^@/, ""))}</span>`;
		return `<div class="social-inbox-entry p-2 mb-2 rounded ${sent ? "ml-5" : "mr-5"}"
				data-direction="${esc(entry.direction)}"
				style="background: ${sent ? "var(--green-highlight-color, #eaf5ee)" : "var(--subtle-fg, #f4f5f6)"};">
			<div class="small d-flex justify-content-between">
				<span><b>${label}</b>${sent && entry.author_name ? ` · ${esc(entry.author_name)}` : ""}</span>
				<span class="text-muted">${entry.posted_at ? frappe.datetime.comment_when(entry.posted_at) : ""}</span>
			</div>
			<div class="mt-1" style="overflow-wrap: anywhere;">${entry.text_html || ""}</div>
			${entry.url ? `<div class="small mt-1"><a href="${esc(entry.url)}" target="_blank" rel="noopener noreferrer">${__("Open Post")}</a></div>` : ""}
		</div>`;
	}

	render_actions() {
		const c = this.current;
		const $actions = this.$conversation.find(".social-inbox-actions");
		const button = (label, action, css = "btn-default") =>
			$(`<button class="btn btn-xs ${css} mr-1 mb-1">${label}</button>`).appendTo($actions).on("click", action);
		if (!c.can_write) {
			$actions.html(`<span class="text-muted small">${__("You can read this conversation but not change it.")}</span>`);
			return;
		}
		const mine = (c.assigned || []).some((a) => a.user === frappe.session.user);
		if (mine) button(__("Unassign Me"), () => this.act("unassign"));
		else button(__("Assign to Me"), () => this.act("assign"));
		button(__("Mark Done") + " (e)", () => this.mark_done());
		button(__("Ignore"), () => this.act("ignore"));
		button(__("Reclassify"), () => this.reclassify());
		button(__("Link to Customer"), () => this.link_customer());
		if (c.can_create_ticket) button(__("Create Ticket"), () => this.create_ticket());
		const m = c.mention || {};
		if (c.can_create_lead && !m.lead) button(__("Create Lead"), () => this.sales("create_lead", "Lead"));
		if (m.lead) button(__("Lead") + ": " + esc(m.lead), () => frappe.set_route("Form", "Lead", m.lead));
		if (c.can_create_opportunity && c.customer && !m.sales_opportunity) {
			button(__("Create Opportunity"), () => this.sales("create_opportunity", "Opportunity"));
		}
	}

	act(method, args = {}) {
		const c = this.current;
		return frappe
			.xcall(INBOX + method, Object.assign({ doctype: c.doctype, name: c.name }, args))
			.then(() => this.reload_current());
	}

	reload_current() {
		const c = this.current;
		return Promise.all([this.open(c.doctype, c.name), this.refresh()]);
	}

	mark_done() {
		if (!this.current || !this.current.can_write) return;
		this.act("mark_done").then(() => frappe.show_alert({ message: __("Marked as done"), indicator: "green" }));
	}

	reclassify() {
		const dialog = new frappe.ui.Dialog({
			title: __("Reclassify Sentiment"),
			fields: [
				{
					fieldname: "label",
					fieldtype: "Select",
					label: __("Sentiment"),
					options: [
						{ value: "Positive", label: __("Positive") },
						{ value: "Neutral", label: __("Neutral") },
						{ value: "Negative", label: __("Negative") },
					],
					reqd: 1,
				},
			],
			primary_action_label: __("Save"),
			primary_action: ({ label }) => {
				dialog.hide();
				this.act("reclassify", { label }).then(() =>
					frappe.show_alert({ message: __("Sentiment corrected; triage decided again"), indicator: "green" })
				);
			},
		});
		dialog.show();
	}

	link_customer() {
		// the same dialog as the mention list's, with the engine's suggestions
		frappe.social_crm.mention_actions.link_to_customer([this.current.opening_mention], { refresh: () => this.reload_current() });
	}

	create_ticket() {
		frappe.xcall(INBOX + "create_ticket", { name: this.current.name }).then((ticket) => {
			frappe.show_alert({ message: __("Social Ticket created"), indicator: "green" });
			this.open("Social Ticket", ticket);
			this.refresh();
		});
	}

	sales(method, doctype) {
		const c = this.current;
		frappe.xcall(INBOX + method, { doctype: c.doctype, name: c.name }).then((name) => {
			frappe.show_alert({ message: __("{0} {1} created", [__(doctype), esc(name)]), indicator: "green" });
			this.reload_current();
		});
	}

	// --- replying -------------------------------------------------------------------------

	render_reply() {
		const c = this.current;
		const $reply = this.$conversation.find(".social-inbox-reply");
		if (c.kind !== "ticket") return;
		const info = c.reply;
		if (!info) return;
		if (!info.reply_supported) {
			$reply.html(`<div class="text-muted small">${__("Replies cannot be posted on {0}. Answer on the platform itself, then resolve the ticket.", [esc(__(c.platform))])}</div>`);
			return;
		}
		if (info.reply_status === "Awaiting Approval") {
			$reply.html(`<div class="alert alert-warning social-inbox-approval">${__("This reply waits for a Social Media Manager's approval.")}</div>`);
			if (info.can_approve) {
				$(`<button class="btn btn-primary btn-sm">${__("Approve and Send")}</button>`)
					.appendTo($reply.find(".social-inbox-approval"))
					.on("click", () =>
						frappe
							.call({ method: "social_crm.api.approve_reply", args: { ticket: c.name }, freeze: true, freeze_message: __("Sending reply…") })
							.then((r) => {
								frappe.social_crm.reply.show_result(r.message);
								this.reload_current();
							})
					);
			}
			return;
		}
		if (!c.can_write || ["Resolved", "Closed"].includes(c.status)) return;
		$reply.html(`
			<div class="social-inbox-saved"></div>
			<div class="social-inbox-text-control"></div>
			<div class="d-flex justify-content-between align-items-center">
				<div class="social-inbox-counter"></div>
				<button class="btn btn-primary btn-sm social-inbox-send"></button>
			</div>
			${info.approval_required && !info.can_approve ? `<div class="small text-muted mt-1">${__("A Social Media Manager approves the reply before it is sent.")}</div>` : ""}`);
		this.reply_control = frappe.ui.form.make_control({
			parent: $reply.find(".social-inbox-text-control"),
			df: { fieldname: "reply_text", fieldtype: "Small Text", label: __("Reply on {0}", [__(c.platform)]) },
			render_input: true,
		});
		this.reply_control.set_value(info.reply_status === "Sent" ? "" : info.reply_text || "");
		const update = () =>
			$reply.find(".social-inbox-counter").html(frappe.social_crm.reply.counter_html(info, this.reply_control.get_value()));
		this.reply_control.$input.on("input", update);
		update();
		const saved = frappe.ui.form.make_control({
			parent: $reply.find(".social-inbox-saved"),
			df: { fieldname: "saved_reply", fieldtype: "Select", label: __("Saved Reply"), options: [""] },
			render_input: true,
		});
		frappe.social_crm.reply.load_saved_replies(c.name, (replies) => {
			saved.df.options = [""].concat(replies.map((s) => ({ value: s.name, label: `${s.title} (${s.language})` })));
			saved.refresh();
			saved.$input.on("change", () => {
				const chosen = replies.find((s) => s.name === saved.get_value());
				if (chosen) this.reply_control.set_value(chosen.text).then(update);
			});
		});
		$reply
			.find(".social-inbox-send")
			.text(info.approval_required && !info.can_approve ? __("Submit for Approval") : __("Send"))
			.on("click", () => this.send_reply(info));
	}

	send_reply(info) {
		const text = (this.reply_control.get_value() || "").trim();
		if (!text) return frappe.show_alert({ message: __("Write the reply first."), indicator: "orange" });
		if (info.limit && frappe.social_crm.reply.length(info, text) > info.limit) {
			return frappe.show_alert({ message: __("The reply is too long for {0}.", [__(info.platform)]), indicator: "red" });
		}
		frappe
			.call({
				method: "social_crm.api.send_reply",
				args: { ticket: this.current.name, text },
				freeze: true,
				freeze_message: __("Sending reply…"),
			})
			.then((r) => {
				frappe.social_crm.reply.show_result(r.message);
				this.reload_current();
			});
	}

	focus_reply() {
		if (this.reply_control && this.reply_control.$input) this.reply_control.$input.focus();
	}

	// --- live -----------------------------------------------------------------------------

	bind_realtime() {
		frappe.realtime.on("social_inbox_update", (data) => this.on_update(data));
		frappe.realtime.on("social_inbox_viewing", (data) => this.on_viewing(data));
		this.heartbeat = setInterval(() => {
			if (this.current && this.is_visible()) this.announce("open");
			this.render_viewers();
		}, HEARTBEAT);
		$(window).on("beforeunload", () => this.leave());
		frappe.router.on("change", () => {
			if (!this.is_visible()) this.leave();
		});
	}

	is_visible() {
		return frappe.get_route_str() === "social-inbox";
	}

	on_update(data) {
		if (!data || !(data.doctype || data.names)) return;
		// one conversation ({doctype, name}) or a page the fetch job stored ({names: {doctype: [names]}})
		const changed = (doctype, name) =>
			data.names ? (data.names[doctype] || []).includes(name) : data.doctype === doctype && data.name === name;
		clearTimeout(this.update_timeout);
		// a fetch stores many mentions at once: one refresh for the burst
		this.update_timeout = setTimeout(() => {
			if (!this.is_visible()) return;
			this.refresh();
			const c = this.current;
			if (c && (changed(c.doctype, c.name) || changed("Social Mention", c.opening_mention))) {
				const typing = this.reply_control && this.reply_control.$input && this.reply_control.$input.is(":focus");
				if (!typing) this.open(c.doctype, c.name);
			}
		}, 500);
	}

	announce(state) {
		const c = this.current;
		if (!c) return;
		if (state === "open") {
			// idempotent, and retried with every heartbeat: Frappe throttles subscriptions to one a second
			frappe.realtime.doc_subscribe(c.doctype, c.name);
			this.subscribed = `${c.doctype}/${c.name}`;
		}
		return frappe.xcall(INBOX + "viewing", { doctype: c.doctype, name: c.name, state }).catch(() => {});
	}

	leave() {
		const c = this.current;
		if (!c || !this.subscribed) return;
		this.announce("closed");
		frappe.realtime.doc_unsubscribe(c.doctype, c.name);
		this.subscribed = null;
	}

	on_viewing(data) {
		if (!data || data.user === frappe.session.user) return;
		const c = this.current;
		if (!c || data.doctype !== c.doctype || data.name !== c.name) return;
		if (data.state === "closed") delete this.viewers[data.user];
		else {
			const known = this.viewers[data.user];
			this.viewers[data.user] = { full_name: data.full_name, seen: Date.now() };
			// answer a newcomer once, so they see us too without waiting for the heartbeat
			if (!known) this.announce("open");
		}
		this.render_viewers();
	}

	render_viewers() {
		const now = Date.now();
		for (const [user, viewer] of Object.entries(this.viewers)) {
			if (now - viewer.seen > VIEWER_TIMEOUT) delete this.viewers[user];
		}
		const names = Object.values(this.viewers).map((v) => esc(v.full_name));
		const $box = this.$conversation.find(".social-inbox-collision");
		$box.html(
			names.length
				? `<div class="alert alert-warning social-inbox-collision-warning">${__("{0} is also looking at this conversation.", [names.join(", ")])}</div>`
				: ""
		);
	}

	// --- keys -----------------------------------------------------------------------------

	bind_keys() {
		const typing = () => $(document.activeElement).is("input, textarea, select, [contenteditable]");
		const key = (shortcut, description, action) =>
			frappe.ui.keys.add_shortcut({
				shortcut,
				description,
				page: this.page,
				action: () => {
					if (!typing()) action();
				},
			});
		key("j", __("Next conversation"), () => this.move(1));
		key("k", __("Previous conversation"), () => this.move(-1));
		key("r", __("Reply"), () => this.focus_reply());
		key("e", __("Mark done"), () => this.mark_done());
	}
}
