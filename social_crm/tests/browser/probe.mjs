// Browser test of the desk against stored hostile platform data (run by hand on a test site,
// after seed.py; not in CI). Logs in as Administrator and as a Support Team user, opens every
// list, report view (with every platform-data column), form and print view of Social Mention,
// Social Profile, Social Ticket, Social Account, Social Fetch Log and the Issues (timeline), and
// records:
//   - every JS dialog (alert/confirm/prompt), dismissed,
//   - window.__xss, which every hostile payload sets when it runs,
//   - every request to a host other than the site's (aborted, so nothing leaves).
// It also clicks Test Connection on the sentinel account (the token must not come back).
// Exit code 1 if anything was recorded. Usage:
//   node probe.mjs --site http://t9.localhost:8019 --agent browser-agent@example.com \
//     --agent-password ... --admin-password admin [--sentinel SENTINEL-...] [--out results/probe.json]
//     [--users agent]   (only the Support Team user, e.g. in a second process beside the first)
import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const args = Object.fromEntries(
	process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 ? pairs : [...pairs, [value.replace(/^--/, ""), all[i + 1]]]), [])
);
const SITE = new URL(args.site);
const OUT = args.out || "results/probe.json";
const DOCTYPES = ["Social Mention", "Social Profile", "Social Ticket", "Social Account", "Social Fetch Log", "Issue"];
// Columns of platform data per doctype, for the report view.
const REPORT_COLUMNS = {
	"Social Mention": ["name", "author_handle", "author_name", "text", "url", "raw_payload", "triage_reason", "external_id"],
	"Social Profile": ["name", "handle", "display_name", "bio", "profile_url", "avatar_url"],
	"Social Ticket": ["name", "subject", "triage_reason", "reply_error", "reply_url"],
	"Social Account": ["name", "base_url", "last_error", "cursor_state"],
	"Social Fetch Log": ["name", "error", "status"],
	"Issue": ["name", "subject", "description"],
};

const findings = { dialogs: [], xss: [], outside_requests: [], page_errors: [], visited: [], sentinel_seen: [] };

function slug(doctype) {
	return doctype.toLowerCase().replace(/ /g, "-");
}

// Requests go through the page (Chromium resolves *.localhost; Node's resolver does not).
async function call(page, path, { method = "GET", form = null, params = {} } = {}) {
	const url = new URL(path, SITE);
	for (const [key, value] of Object.entries(params)) url.searchParams.set(key, typeof value === "string" ? value : JSON.stringify(value));
	return page.evaluate(
		async ({ href, method, form }) => {
			const headers = { Accept: "application/json" };
			if (window.frappe?.csrf_token) headers["X-Frappe-CSRF-Token"] = window.frappe.csrf_token;
			const response = await fetch(href, { method, headers, body: form ? new URLSearchParams(form) : undefined });
			const body = await response.json().catch(() => ({}));
			return response.ok ? body.data ?? body.message ?? true : null;
		},
		{ href: url.href, method, form }
	);
}

async function login(page, user, password) {
	await page.goto(new URL("/login", SITE).href, { waitUntil: "domcontentloaded" });
	if (!(await call(page, "/api/method/login", { method: "POST", form: { usr: user, pwd: password } })))
		throw new Error(`login as ${user} failed`);
}

async function api(page, path, params = {}) {
	return call(page, path, { params });
}

async function saveReportColumns(page, doctype) {
	const fields = REPORT_COLUMNS[doctype].map((field) => [field, doctype]);
	await call(page, "/api/method/frappe.model.utils.user_settings.save", {
		method: "POST",
		form: { doctype, user_settings: JSON.stringify({ Report: { fields, order_by: "creation desc" } }) },
	});
}

function watch(page, user) {
	page.on("dialog", async (dialog) => {
		findings.dialogs.push({ user, url: page.url(), type: dialog.type(), message: dialog.message() });
		await dialog.dismiss().catch(() => {});
	});
	page.on("pageerror", (error) => findings.page_errors.push({ user, url: page.url(), error: String(error).slice(0, 300) }));
}

async function visit(page, user, path) {
	const url = new URL(path, SITE).href;
	try {
		// Inside the desk, route like a user clicking (a full load boots the desk again: slow);
		// print views and the first page load for real.
		const inDesk = path.startsWith("/app/") && (await page.evaluate(() => !!window.frappe?.set_route).catch(() => false));
		if (inDesk) {
			await page.evaluate((route) => frappe.set_route(route), path.slice(5).split("/").map(decodeURIComponent));
			await page.waitForTimeout(1500);
		} else {
			await page.goto(url, { waitUntil: "load", timeout: 30000 }); // the realtime socket never idles
		}
	} catch (error) {
		findings.page_errors.push({ user, url, error: `navigation: ${String(error).slice(0, 200)}` });
	}
	await page.waitForLoadState("networkidle", { timeout: 3000 }).catch(() => {});
	await page.waitForTimeout(500); // formatters and timeline render after the data arrives
	const flag = await page.evaluate(() => window.__xss).catch(() => undefined);
	if (flag !== undefined && flag !== null) findings.xss.push({ user, url, flag: String(flag) });
	if (args.sentinel) {
		const html = await page.content().catch(() => "");
		if (html.includes(args.sentinel)) findings.sentinel_seen.push({ user, url });
	}
	findings.visited.push({ user, path });
	writeFileSync(OUT, JSON.stringify(findings, null, 1)); // so far, in case the run is cut short
}

async function probe(browser, user, password) {
	const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
	await context.route("**/*", (route) => {
		const url = new URL(route.request().url());
		// the site on any port (the desk also tries its realtime port) is not an outside host
		if (["data:", "blob:"].includes(url.protocol) || url.hostname === SITE.hostname) return route.continue();
		findings.outside_requests.push({ user, url: url.href.slice(0, 300), from: route.request().frame()?.url() });
		return route.abort();
	});
	const page = await context.newPage();
	watch(page, user);
	await login(page, user, password);
	await visit(page, user, "/app/social-mention");
	const printviews = [];
	for (const doctype of DOCTYPES) {
		const names = (await api(page, `/api/resource/${doctype}`, { limit_page_length: "200", fields: ["name"] })) || [];
		await visit(page, user, `/app/${slug(doctype)}`);
		await saveReportColumns(page, doctype);
		await visit(page, user, `/app/${slug(doctype)}/view/report`);
		for (const { name } of names) {
			const id = encodeURIComponent(name);
			await visit(page, user, `/app/${slug(doctype)}/${id}`);
			await visit(page, user, `/app/print/${encodeURIComponent(doctype)}/${id}`);
			printviews.push(`/printview?doctype=${encodeURIComponent(doctype)}&name=${id}&format=Standard&trigger_print=0`);
		}
	}
	for (const path of printviews) await visit(page, user, path);
	if (args.sentinel) await testConnection(page, user);
	await context.close();
}

async function testConnection(page, user) {
	const accounts = (await api(page, "/api/resource/Social Account", { filters: { account_name: "Sentinel Mastodon" } })) || [];
	for (const { name } of accounts) {
		await visit(page, user, `/app/social-account/${encodeURIComponent(name)}`);
		const button = page.getByRole("button", { name: "Test Connection" });
		if (await button.count()) {
			await button.first().click();
			await page.waitForTimeout(3000);
			const html = await page.content();
			if (html.includes(args.sentinel)) findings.sentinel_seen.push({ user, url: "Test Connection dialog" });
			findings.visited.push({ user, path: "Test Connection" });
		}
	}
}

mkdirSync(dirname(OUT), { recursive: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
	if (args.users !== "agent") await probe(browser, "Administrator", args["admin-password"] || "admin");
	if (args.agent) await probe(browser, args.agent, args["agent-password"]);
} finally {
	await browser.close();
}
const summary = {
	site: SITE.href,
	pages: findings.visited.length,
	dialogs: findings.dialogs.length,
	xss: findings.xss.length,
	outside_requests: findings.outside_requests.length,
	sentinel_seen: findings.sentinel_seen.length,
	page_errors: findings.page_errors.length,
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify({ summary, ...findings }, null, 1));
console.log(JSON.stringify(summary));
process.exit(summary.dialogs || summary.xss || summary.outside_requests || summary.sentinel_seen ? 1 : 0);
