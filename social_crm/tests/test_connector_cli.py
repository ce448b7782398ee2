import json
import os
import subprocess
import sys

import pytest

from social_crm.engine.cli import main
from social_crm.engine.platform_fakes.hackernews import FakeHackerNews
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


def run_cli(argv, capsys):
	"""Exit code, stdout and stderr of one in-process run (argparse exits with SystemExit)."""
	try:
		code = main(argv)
	except SystemExit as exc:
		code = exc.code
	out, err = capsys.readouterr()
	return code, out, err


def assert_one_clear_line(err):
	lines = err.strip().splitlines()
	assert len(lines) == 1 and lines[0].startswith("error: "), err
	assert "Traceback" not in err


@pytest.mark.parametrize(
	("extra", "needle"),
	[
		(["--base-url", "http://[::1"], "not a valid URL"),
		(["--base-url", "ftp://host/"], "http:// or https://"),
		(["--base-url", "http://host:99999/"], "not a valid URL"),
		(["--timeout", "0"], "more than 0 seconds"),
		(["--timeout", "nan"], "more than 0 seconds"),
		(["--page-limit", "0"], "at least 1"),
		(["--page-size", "-3"], "at least 1"),
		(["--query", "acme AND ("], "at position 9"),
		(["--query", "acme)"], "position"),
	],
)
def test_bad_arguments_exit_2_with_one_line_and_no_traceback(capsys, extra, needle):
	code, out, err = run_cli(["fetch", "--platform", "hackernews", "--query", "acme", *extra], capsys)
	assert code == 2 and out == ""
	assert_one_clear_line(err)
	assert needle in err


@pytest.mark.parametrize(
	("name", "content", "needle"),
	[
		("cursor", "[1, 2]", "must hold a JSON object, not list"),
		("cursor", "{not json", "not valid JSON (line 1"),
		("credentials", '["token"]', "must hold a JSON object, not list"),
		("credentials", '{"access_token": 5}', "must be a string"),
		("credentials", None, "does not exist"),
	],
)
def test_bad_files_exit_2_with_one_line(tmp_path, capsys, name, content, needle):
	path = tmp_path / f"{name}.json"
	if content is not None:
		path.write_text(content)
	code, out, err = run_cli(
		["fetch", "--platform", "hackernews", "--query", "acme", f"--{name}-file", str(path)], capsys
	)
	assert code == 2 and out == ""
	assert_one_clear_line(err)
	assert needle in err


def test_a_cursor_file_in_a_missing_directory_is_refused_before_fetching(tmp_path, capsys):
	with FakeHackerNews() as fake:
		fake.add_post(text="Acme")
		code, _out, err = run_cli(
			[
				"fetch",
				"--platform",
				"hackernews",
				"--base-url",
				fake.base_url,
				"--query",
				"Acme",
				"--cursor-file",
				str(tmp_path / "missing" / "cursor.json"),
			],
			capsys,
		)
		assert fake.requests == []
	assert code == 2 and "directory" in err and "does not exist" in err
	assert_one_clear_line(err)


@pytest.mark.parametrize(
	"cursor",
	[{"search:Acme": 5}, {"search:Acme": {"newest": "x"}}, {"search:Acme": {"newest": {"id": []}, "gap": 3}}],
)
def test_a_cursor_of_the_wrong_shape_starts_afresh_with_a_warning(tmp_path, capsys, cursor):
	path = tmp_path / "cursor.json"
	path.write_text(json.dumps(cursor))
	with FakeHackerNews() as fake:
		fake.add_post(text="Acme")
		code, out, err = run_cli(
			[
				"fetch",
				"--platform",
				"hackernews",
				"--base-url",
				fake.base_url,
				"--query",
				"Acme",
				"--json",
				"--cursor-file",
				str(path),
			],
			capsys,
		)
	assert code == 0 and len(out.splitlines()) == 1
	assert "Traceback" not in err
	assert "newest" in json.loads(path.read_text())["search:Acme"]


def test_a_refused_connection_says_refused(capsys):
	import socket

	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		port = probe.getsockname()[1]
	code, _out, err = run_cli(
		["fetch", "--platform", "hackernews", "--base-url", f"http://127.0.0.1:{port}", "--query", "Acme"],
		capsys,
	)
	assert code == 1 and "refused the connection" in err and "did not answer" not in err
	assert_one_clear_line(err)


def test_x_without_a_bearer_token_names_the_variable(capsys, monkeypatch):
	for variable in ("SOCIAL_CRM_BEARER_TOKEN", "SOCIAL_CRM_USER_ACCESS_TOKEN"):
		monkeypatch.delenv(variable, raising=False)
	code, _, err = run_cli(["fetch", "--platform", "x", "--query", "Acme"], capsys)
	assert code == 2 and "SOCIAL_CRM_BEARER_TOKEN" in err
	assert_one_clear_line(err)


def test_a_rate_limit_after_the_first_page_prints_what_came_and_exits_0(tmp_path, capsys):
	path = tmp_path / "cursor.json"
	with FakeHackerNews() as fake:
		fake.add_many(5, text="Acme {n}")
		fake.fail("rate_limit", path="/api/v1/search_by_date", skip=1, headers={"Retry-After": "600"})
		argv = ["fetch", "--platform", "hackernews", "--base-url", fake.base_url, "--query", "Acme"]
		argv += ["--json", "--page-size", "2", "--cursor-file", str(path)]
		code, out, err = run_cli(argv, capsys)
		assert code == 0 and len(out.splitlines()) == 2
		assert "rate limited" in err and "poll again" in err
		code, out, err = run_cli(argv, capsys)  # resumes below page 1, nothing twice
	assert code == 0 and len(out.splitlines()) == 3


def test_a_rate_limit_before_anything_came_exits_3(capsys):
	with FakeHackerNews() as fake:
		fake.fail("rate_limit", path="/api/v1/search_by_date", headers={"Retry-After": "600"})
		code, out, err = run_cli(
			["fetch", "--platform", "hackernews", "--base-url", fake.base_url, "--query", "Acme"], capsys
		)
	assert code == 3 and out == ""
	assert_one_clear_line(err)


def test_the_cursor_file_is_replaced_atomically(tmp_path, capsys, monkeypatch):
	"""A failing write leaves the old cursor whole and no temporary file behind."""
	from social_crm.engine import cli

	path = tmp_path / "cursor.json"
	path.write_text('{"old": {}}')

	def broken_dump(*args, **kwargs):
		args[1].write('{"half":')
		raise OSError(28, "No space left on device")

	monkeypatch.setattr(cli.json, "dump", broken_dump)
	with pytest.raises(OSError):
		cli.save_cursor(path, {"new": {}})
	assert path.read_text() == '{"old": {}}'
	assert [p.name for p in tmp_path.iterdir()] == ["cursor.json"]


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
