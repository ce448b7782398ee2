// Social activity on the Customer and Contact forms and the person card on the Social Ticket.
// Data comes from social_crm.insights (only what the user may read). Everything that came from
// a platform is escaped here before it becomes HTML, and only http(s) URLs become links.
frappe.provide("frappe.social_crm");

(() => {
	const esc = (value) => frappe.utils.escape_html(value === null || value === undefined ? "" : String(value));
	const safe_url = (url) => {
		url = String(url || "").trim();
		return /^https?:\/\//i.test(url) ? url : "";
	};
	const PLATFORM_COLOURS = {
		Mastodon: "purple",
		Bluesky: "blue",
		Reddit: "orange",
		X: "gray",
		"Hacker News": "orange",
		"RSS/Atom": "yellow",
		Facebook: "blue",
		Instagram: "pink",
		YouTube: "red",
		LinkedIn: "blue",
		XING: "green",
	};
	const SENTIMENT_COLOURS = { Positive: "green", Neutral: "gray", Negative: "red" };

	function platform_badge(platform) {
		const colour = PLATFORM_COLOURS[platform] || "gray";
		return `<span class="indicator-pill no-indicator-dot ${colour}" title="${esc(__(platform))}">${esc(__(platform))}</span>`;
	}

	function sentiment_badge(label, score) {
		if (!label) return "";
		const colour = SENTIMENT_COLOURS[label] || "gray";
		const figure = typeof score === "number" ? ` ${score >= 0 ? "+" : ""}${score.toFixed(2)}` : "";
		return `<span class="indicator-pill ${colour}" style="white-space:nowrap">${esc(__(label))}${esc(figure)}</span>`;
	}

	function link(url, text) {
		const href = safe_url(url);
		if (!href) return esc(text);
		return `<a href="${esc(href)}" target="_blank" rel="noopener noreferrer">${esc(text)}</a>`;
	}

	function form_link(doctype, name, text) {
		const route = `/app/${frappe.router.slug(doctype)}/${encodeURIComponent(name)}`;
		return `<a href="${esc(route)}">${esc(text || name)}</a>`;
	}

	function person_card(person) {
		const profiles = person.profiles
			.map((p) => {
				const followers =
					p.followers
						? `<span class="text-muted small">${esc(__("{0} followers", [format_number(p.followers, null, 0)]))}</span>`
						: "";
				const verified = p.verified ? ` <span class="text-muted small">✓ ${esc(__("Verified"))}</span>` : "";
				return `<div class="social-profile-row" style="display:flex;gap:8px;align-items:center;margin:4px 0">
					${platform_badge(p.platform)}
					<span>${link(p.url, "@" + p.handle)}</span>${verified}
					${followers}
					<span class="text-muted small">${form_link("Social Profile", p.name, __("Profile"))}</span>
				</div>`;
			})
			.join("");
		const title =
			person.link_doctype === "Social Profile"
				? esc(person.name)
				: form_link(person.link_doctype, person.link_name, person.name || person.link_name);
		return `<div class="social-person border rounded" style="padding:8px 12px;margin-bottom:8px">
			<div class="bold">${title}</div>${profiles}</div>`;
	}

	function mentions_list(mentions) {
		if (!mentions.length) return `<p class="text-muted">${esc(__("No mentions yet."))}</p>`;
		return mentions
			.map(
				(m) => `<div class="social-mention" style="border-bottom:1px solid var(--border-color);padding:6px 0">
				<div style="display:flex;gap:8px;align-items:center">
					${platform_badge(m.platform)} ${sentiment_badge(m.sentiment_label, m.sentiment_score)}
					<span class="text-muted small">@${esc(m.author_handle)} · ${esc(frappe.datetime.prettyDate(m.posted_at))}</span>
				</div>
				<div style="margin-top:4px">${esc(m.snippet)}</div>
				<div class="small">${link(m.url, __("Open Post"))} · ${form_link("Social Mention", m.name, __("Mention"))}${
					m.social_ticket ? " · " + form_link("Social Ticket", m.social_ticket) : ""
				}</div>
			</div>`
			)
			.join("");
	}

	function tickets_list(tickets) {
		if (!tickets.length) return `<p class="text-muted">${esc(__("No open social tickets."))}</p>`;
		return tickets
			.map(
				(t) => `<div style="display:flex;gap:8px;align-items:center;margin:4px 0">
				${platform_badge(t.platform)}
				<span class="indicator-pill ${t.status === "Open" ? "red" : "orange"}">${esc(__(t.status))}</span>
				${form_link("Social Ticket", t.name, t.subject)}
				<span class="text-muted small">${esc(t.priority ? __(t.priority) : "")}</span>
			</div>`
			)
			.join("");
	}

	function empty_state(doctype) {
		return `<div class="text-muted" style="padding:8px 0">
			<p>${esc(__("No social profile is linked to this {0} yet.", [__(doctype)]))}</p>
			<p>${esc(
				__(
					"To link one, open a Social Mention by this person and use Link to Customer, or open the Social Profile and set its Customer or Contact. A LinkedIn or XING profile can be added by hand as a business card."
				)
			)}</p>
		</div>`;
	}

	// A section at the top of the form's first tab (the dashboard sits in the Connections tab
	// of forms with tabs, out of sight); a refresh replaces it.
	function section(frm, key, label) {
		if (frm[key]) frm[key].remove();
		const tabs = frm.layout.tabs || [];
		const host = tabs.length ? tabs[0].wrapper : frm.layout.page;
		frm[key] = $(`<div class="row form-section card-section social-crm-section">
			<div class="section-head col-sm-12">${esc(label)}</div>
			<div class="section-body col-sm-12"></div>
		</div>`).prependTo(host);
		return frm[key].find(".section-body");
	}

	function render(frm, doctype) {
		frappe
			.xcall("social_crm.insights.social_activity", { doctype, name: frm.doc.name })
			.then((data) => {
				const has_profiles = data.people.length > 0;
				const html = `<div class="social-panel row">
					<div class="col-md-6">
						<h6 class="text-muted uppercase">${esc(__("Social Profiles"))}</h6>
						${has_profiles ? data.people.map(person_card).join("") : empty_state(doctype)}
						${data.can_add_profile ? `<button class="btn btn-xs btn-default social-add-profile">${esc(__("Add LinkedIn or XING Profile"))}</button>` : ""}
						<h6 class="text-muted uppercase" style="margin-top:16px">${esc(__("Open Social Tickets"))}</h6>
						${tickets_list(data.tickets)}
						<h6 class="text-muted uppercase" style="margin-top:16px">${esc(__("Sentiment, Last 90 Days"))}</h6>
						<div class="social-trend"></div>
					</div>
					<div class="col-md-6">
						<h6 class="text-muted uppercase">${esc(__("Latest Mentions"))}</h6>
						${mentions_list(data.mentions)}
					</div>
				</div>`;
				const body = section(frm, "__social_panel", __("Social")).html(html);
				body.find(".social-add-profile").on("click", () => add_business_profile(frm, doctype));
				draw_trend(body.find(".social-trend")[0], data.trend);
			});
	}

	function draw_trend(element, trend) {
		if (!element || !trend || !trend.mentions.some((n) => n > 0)) {
			$(element).html(`<p class="text-muted">${esc(__("No mentions in the last 90 days."))}</p>`);
			return;
		}
		new frappe.Chart(element, {
			type: "axis-mixed",
			height: 160,
			data: {
				labels: trend.labels.map((day) => frappe.datetime.str_to_user(day)),
				datasets: [
					{ name: __("Average Sentiment"), chartType: "line", values: trend.average.map((v) => (v === null ? 0 : v)) },
					{ name: __("Negative Mentions"), chartType: "bar", values: trend.negative },
				],
			},
			colors: ["blue", "red"],
			axisOptions: { xIsSeries: 1, xAxisMode: "tick" },
			lineOptions: { dotSize: 3 },
		});
	}

	function add_business_profile(frm, doctype) {
		const dialog = new frappe.ui.Dialog({
			title: __("Add LinkedIn or XING Profile"),
			fields: [
				{ fieldname: "platform", fieldtype: "Select", label: __("Platform"), options: "LinkedIn\nXING", reqd: 1, default: "LinkedIn" },
				{ fieldname: "profile_url", fieldtype: "Data", options: "URL", label: __("Profile URL"), reqd: 1 },
				{ fieldname: "handle", fieldtype: "Data", label: __("Handle"), reqd: 1 },
			],
			primary_action_label: __("Add"),
			primary_action(values) {
				if (!safe_url(values.profile_url)) {
					frappe.msgprint(__("The profile URL must start with https:// or http://."));
					return;
				}
				const link_field = doctype === "Customer" ? "customer" : "contact";
				frappe.db
					.insert({ doctype: "Social Profile", ...values, [link_field]: frm.doc.name })
					.then(() => {
						dialog.hide();
						render(frm, doctype);
					});
			},
		});
		dialog.show();
	}

	function render_person(frm) {
		if (!frm.doc.social_profile) return;
		frappe.xcall("social_crm.insights.ticket_person", { ticket: frm.doc.name }).then((data) => {
			if (frm.__social_person) frm.__social_person.remove();
			if (!data.people.length) return;
			section(frm, "__social_person", __("Person")).html(data.people.map(person_card).join(""));
		});
	}

	frappe.social_crm.panel = { render, render_person, esc, safe_url, sentiment_badge, platform_badge };
})();
