// Browser test of the Social Inbox on a real bench (not part of CI; see README.md here).
//
// Two agents log in; both open the same conversation and each sees the other's collision
// warning; agent 1 replies (the reply goes to the local Mastodon fake over real HTTP), agent 2's
// page shows the sent reply and the new status without a reload; a poll afterwards does not
// store our own reply as a mention; with approval on, a second reply waits for the manager.
// Screenshots go to docs/screenshots/.
//
// Environment: SITE_URL (http://127.0.0.1:8000), SITE (site name), BENCH (bench directory),
// PYTHON (the bench's env/bin/python), BENCH_CLI (bench), CHROMIUM (/usr/bin/chromium).
import { chromium } from "playwright-core";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import readline from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const shots = resolve(repo, "docs/screenshots");
const SITE_URL = process.env.SITE_URL || "http://127.0.0.1:8000";
const SITE = process.env.SITE;
const BENCH = process.env.BENCH;
const PYTHON = process.env.PYTHON || `${BENCH}/env/bin/python`;
const PASSWORD = "Inbox-Test-2026!";
const AGENT_1 = "inbox-agent-1@example.com";
const AGENT_2 = "inbox-agent-2@example.com";
const MANAGER = "inbox-manager@example.com";
assert.ok(SITE && BENCH, "set SITE and BENCH");

function bench(method, kwargs = {}) {
	const out = execFileSync(process.env.BENCH_CLI || "bench", ["--site", SITE, "execute", method, "--kwargs", JSON.stringify(kwargs)], {
		cwd: BENCH,
		encoding: "utf8",
	});
	const line = out.trim().split("\n").reverse().find((l) => l.startsWith("{"));
	return line ? JSON.parse(line) : null;
}

async function start_fake() {
	const fake = spawn(PYTHON, ["-m", "social_crm.tests.browser.fake_mastodon"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
	const first = await new Promise((ok) => readline.createInterface({ input: fake.stdout }).once("line", ok));
	return { process: fake, ...JSON.parse(first) };
}

async function login(browser, user) {
	const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "en-US" });
	context.setDefaultTimeout(60000);
	context.setDefaultNavigationTimeout(180000);
	const page = await context.newPage();
	// logged in from the page itself: Chromium resolves *.localhost site names, Node does not
	await page.goto(`${SITE_URL}/login`);
	const status = await page.evaluate(
		async ([usr, pwd]) =>
			(await fetch("/api/method/login", { method: "POST", body: new URLSearchParams({ usr, pwd }) })).status,
		[user, PASSWORD]
	);
	assert.equal(status, 200, `login of ${user}`);
	page.on("pageerror", (error) => console.error(`[${user}] page error:`, error.message));
	await page.goto(`${SITE_URL}/app/social-inbox`);
	await page.waitForSelector(".social-inbox-item", { timeout: 30000 });
	return page;
}

async function open_ticket(page, ticket) {
	await page.click(`.social-inbox-item[data-name="${ticket}"]`);
	await page.waitForFunction(
		(name) => document.querySelector(".social-inbox-conversation a")?.textContent.includes(name),
		ticket
	);
}

const fake = await start_fake();
let browser;
try {
	const prepared = bench("social_crm.tests.browser.fixtures.prepare", { base_url: fake.base_url, token: fake.token });
	console.log("fetch:", prepared.fetch.status, "new", prepared.fetch.new_mentions, "tickets", prepared.tickets.length);
	assert.ok(prepared.tickets.length >= 1, "the negative post opened a ticket");
	const ticket = prepared.tickets[0].name;
	const mentions_before = prepared.mentions.length;

	browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
	const one = await login(browser, AGENT_1);
	const two = await login(browser, AGENT_2);
	mkdirSync(shots, { recursive: true });

	await open_ticket(one, ticket);
	await open_ticket(two, ticket);
	// each sees the other (presence over socketio, in the document's room)
	await one.waitForSelector(".social-inbox-collision-warning", { timeout: 30000 });
	await two.waitForSelector(".social-inbox-collision-warning", { timeout: 30000 });
	assert.match(await one.textContent(".social-inbox-collision-warning"), /Bruno Agent/);
	assert.match(await two.textContent(".social-inbox-collision-warning"), /Agnes Agent/);
	// post text is shown as text, with the http(s) link clickable
	assert.ok(await one.$('.social-inbox-thread a[href="https://status.example/acme"]'));
	await one.screenshot({ path: `${shots}/inbox.png` });

	// agent 2's page must change without a reload
	await two.evaluate(() => (window.__no_reload = true));
	const text = "Hallo Lena, das tut uns leid. Wir sind dran und melden uns gleich. Agnes";
	await one.fill(".social-inbox-reply textarea", text);
	assert.match(await one.textContent(".social-reply-counter"), new RegExp(`${[...text].length} of 500`));
	await one.screenshot({ path: `${shots}/conversation.png` });
	await one.click(".social-inbox-send");
	await one.waitForSelector('.social-inbox-entry[data-direction="sent"]', { timeout: 30000 });
	await two.waitForSelector('.social-inbox-entry[data-direction="sent"]', { timeout: 30000 });
	assert.equal(await two.evaluate(() => window.__no_reload), true, "agent 2's page was not reloaded");
	await two.waitForFunction(
		(name) => document.querySelector(`.social-inbox-item[data-name="${name}"]`)?.textContent.includes("Replied"),
		ticket,
		{ timeout: 30000 }
	);

	// the next poll brings our reply back from the platform: it must not become a mention
	const after = bench("social_crm.tests.browser.fixtures.refetch");
	const sent = after.tickets.find((t) => t.name === ticket);
	assert.equal(sent.reply_status, "Sent");
	assert.equal(sent.reply_author, AGENT_1);
	assert.ok(sent.reply_external_id);
	assert.equal(after.mentions.length, mentions_before, "our reply was not stored as a mention");
	assert.ok(!after.mentions.some((m) => m.author_handle.startsWith("acme@")));

	// approval: a second ticket's reply waits for the manager
	bench("social_crm.tests.browser.fixtures.approval", { required: 1 });
	await one.reload();
	await one.waitForSelector(".social-inbox-item");
	let other = prepared.tickets[1] && prepared.tickets[1].name;
	if (!other) {
		// the refund question is a suggestion: the agent opens the ticket from the inbox
		await one.click('.social-inbox-item[data-doctype="Social Mention"]');
		await one.waitForSelector(".social-inbox-actions button");
		await one.click('.social-inbox-actions button:has-text("Create Ticket")');
		await one.waitForSelector(".social-inbox-send");
		other = bench("social_crm.tests.browser.fixtures.show").tickets.find((t) => t.name !== ticket).name;
	}
	{
		await open_ticket(one, other);
		await one.fill(".social-inbox-reply textarea", "Hi Sam, sorry about the double charge. We are on it.");
		await one.click(".social-inbox-send");
		await one.waitForSelector(".social-inbox-approval", { timeout: 30000 });
		const manager = await login(browser, MANAGER);
		await open_ticket(manager, other);
		await manager.waitForSelector(".social-inbox-approval button");
		await manager.screenshot({ path: `${shots}/approval.png` });
		await manager.click(".social-inbox-approval button");
		await manager.waitForSelector('.social-inbox-entry[data-direction="sent"]', { timeout: 30000 });
	}
	bench("social_crm.tests.browser.fixtures.approval", { required: 0 });
	console.log("ok: inbox to sent reply, live on the second agent's page, own reply not re-imported");
} finally {
	if (browser) await browser.close();
	fake.process.kill("SIGTERM");
}
