import json
import os
import subprocess
import sys

from social_crm.engine.cli import main
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.server import SeedPost


def test_fetch_json_prints_only_json_lines_and_saves_the_cursor(tmp_path, capsys, monkeypatch):
	monkeypatch.setenv("SOCIAL_CRM_ACCESS_TOKEN", "cli-token")
	cursor_file = tmp_path / "cursor.json"
	with FakeMastodon(token="cli-token") as fake:
		fake.add_post(SeedPost(text="<p>Acme Cloud: Grüße 🎉</p>", author="anna", lang="de"))
		fake.add_post(text="#AcmeCloud läuft")
		argv = [
			"fetch",
			"--platform",
			"mastodon",
			"--base-url",
			fake.base_url,
			"--query",
			"Acme",
			"--query",
			"#AcmeCloud",
			"--json",
			"--cursor-file",
			str(cursor_file),
		]
		assert main(argv) == 0
		out, err = capsys.readouterr()
		lines = out.splitlines()
		mentions = [json.loads(line) for line in lines]
		assert len(mentions) == 2
		assert {m["text"] for m in mentions} == {"Acme Cloud: Grüße 🎉", "#AcmeCloud läuft"}
		assert all(m["platform"] == "Mastodon" and "raw" not in m for m in mentions)
		assert "2 mentions" in err
		assert "cli-token" not in out + err
		assert main(argv) == 0
		out, err = capsys.readouterr()
		assert out == "" and "0 mentions" in err
	assert "search:Acme" in json.loads(cursor_file.read_text())


def test_fetch_errors_go_to_stderr_with_nonzero_exit(capsys, monkeypatch):
	monkeypatch.setenv("SOCIAL_CRM_ACCESS_TOKEN", "wrong-secret-value")
	with FakeMastodon(token="right") as fake:
		code = main(
			["fetch", "--platform", "mastodon", "--base-url", fake.base_url, "--query", "Acme", "--json"]
		)
	out, err = capsys.readouterr()
	assert code == 1 and out == ""
	assert err.startswith("error: ") and "refused the credentials" in err
	assert "wrong-secret-value" not in err


def test_credentials_file_is_read(tmp_path, capsys):
	creds = tmp_path / "creds.json"
	creds.write_text(json.dumps({"access_token": "file-token"}))
	with FakeMastodon(token="file-token") as fake:
		fake.add_post(text="Acme")
		code = main(
			[
				"fetch",
				"--platform",
				"mastodon",
				"--base-url",
				fake.base_url,
				"--query",
				"Acme",
				"--json",
				"--credentials-file",
				str(creds),
			]
		)
	assert code == 0 and len(capsys.readouterr().out.splitlines()) == 1


def test_console_command_runs_as_a_process(tmp_path):
	with FakeMastodon(token="proc-token") as fake:
		fake.add_post(text="Acme Cloud im Prozess")
		env = {**os.environ, "SOCIAL_CRM_ACCESS_TOKEN": "proc-token"}
		done = subprocess.run(
			[
				sys.executable,
				"-m",
				"social_crm.engine.cli",
				"fetch",
				"--platform",
				"mastodon",
				"--base-url",
				fake.base_url,
				"--query",
				"Acme",
				"--json",
			],
			capture_output=True,
			text=True,
			env=env,
			timeout=60,
			check=False,
		)
	assert done.returncode == 0, done.stderr
	assert [json.loads(line)["text"] for line in done.stdout.splitlines()] == ["Acme Cloud im Prozess"]


def test_demo_runs_the_pipeline_and_prints_each_mention(capsys):
	assert main(["demo"]) == 0
	out = capsys.readouterr().out
	assert "Create Ticket SOC-TKT-00001" in out
	assert "tickets opened" in out


def test_fetch_reads_a_facebook_page_instagram_account_and_youtube_channel(capsys, monkeypatch):
	from social_crm.engine.platform_fakes.facebook import FakeFacebook
	from social_crm.engine.platform_fakes.instagram import FakeInstagram
	from social_crm.engine.platform_fakes.youtube import CHANNEL, FakeYouTube

	monkeypatch.setenv("SOCIAL_CRM_ACCESS_TOKEN", "page-token-cli")
	monkeypatch.setenv("SOCIAL_CRM_API_KEY", "yt-key-cli")
	with FakeFacebook(token="page-token-cli") as facebook, FakeInstagram(token="page-token-cli") as instagram:
		with FakeYouTube(api_key="yt-key-cli") as youtube:
			facebook.add_post(text="Die Rechnung ist doppelt abgebucht")
			instagram.add_post(text="Love the new look!", author="lisa.m")
			youtube.add_post(text="Tolles Video, aber der Ton ist zu leise")
			runs = [
				("facebook", facebook.base_url, "1000001", "Die Rechnung ist doppelt abgebucht"),
				("instagram", instagram.base_url, "17841400000000001", "Love the new look!"),
				("youtube", youtube.base_url, CHANNEL, "Tolles Video, aber der Ton ist zu leise"),
			]
			for slug, base_url, query, text in runs:
				assert (
					main(["fetch", "--platform", slug, "--base-url", base_url, "--query", query, "--json"])
					== 0
				)
				out, err = capsys.readouterr()
				assert [json.loads(line)["text"] for line in out.splitlines()] == [text]
				assert "page-token-cli" not in out + err and "yt-key-cli" not in out + err
