"""The client's code-sync rules, run in the browser on the real modules: coalescing, echoes, re-sync, cursor.

These are the decisions the whole-training test can only reach by chance (what is "newer" after a drop,
which echo is ours); each is driven here with exact inputs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import Page

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]

# the scenario's statements run inside this function (composed here: the page's CSP forbids eval)
HARNESS = """async () => {
  const { CodeSync } = await import("/web/app/codesync.js");
  const sent = [];
  const remote = [];
  let online = true;
  const sync = new CodeSync({
    me: "1",
    send: (alias, code) => online && (sent.push([alias, code]), true),
    onRemote: (alias, code) => remote.push([alias, code]),
  });
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const setOnline = (value) => (online = value);
  SCENARIO
  return { sent, remote, text: sync.text("A"), local: sync.hasLocal("A") };
}"""


async def run(page: Page, scenario: str) -> dict[str, Any]:
    return await page.evaluate(HARNESS.replace("SCENARIO", scenario))  # type: ignore[no-any-return]


def typed_offline(server_text: str, typed: str) -> str:
    """A scenario's opening: synced on the server's text of A, the socket drops, `typed` is typed, it is back."""
    return f"""
        sync.resync({{ A: {json.dumps(server_text)} }}, true);
        setOnline(false);
        sync.edit("A", {json.dumps(typed)}); await wait(80);
        setOnline(true);
        """


async def test_a_burst_of_keystrokes_sends_few_updates_and_always_the_last_text(client_page: Page) -> None:
    result = await run(
        client_page,
        """
        let text = "";
        for (let i = 0; i < 40; i++) { text += "x"; sync.edit("A", text); }
        await wait(200);
        """,
    )
    assert 1 <= len(result["sent"]) <= 3
    assert result["sent"][-1] == ["A", "x" * 40]


async def test_own_echoes_never_rewind_the_editor_and_foreign_updates_apply(client_page: Page) -> None:
    result = await run(
        client_page,
        """
        sync.edit("A", "a"); await wait(80);
        sync.edit("A", "ab"); await wait(80);
        sync.received({ code: "a", problemAlias: "A", userId: "1" });   // our first echo: ignored
        sync.received({ code: "ab", problemAlias: "A", userId: "1" });  // our last echo: confirmed
        sync.received({ code: "abc", problemAlias: "A", userId: "1" }); // same user, another tab: applied
        sync.received({ code: "abcd", problemAlias: "A", userId: "2" }); // a teammate: applied
        """,
    )
    assert result["remote"] == [["A", "abc"], ["A", "abcd"]]
    assert result["text"] == "abcd" and result["local"] is False


async def test_a_foreign_update_waits_while_our_newer_text_is_on_its_way(client_page: Page) -> None:
    result = await run(
        client_page,
        """
        sync.edit("A", "mine"); await wait(80);
        sync.received({ code: "theirs", problemAlias: "A", userId: "2" }); // applied before ours on the server
        sync.received({ code: "mine", problemAlias: "A", userId: "1" });   // then ours: ours is the last word
        """,
    )
    assert result["remote"] == [] and result["text"] == "mine" and result["local"] is False


async def test_resync_resends_offline_text_when_the_server_has_a_version_we_knew(client_page: Page) -> None:
    result = await run(
        client_page,
        typed_offline("v1", "v1 typed offline")
        + """
        const outcome = sync.resync({ A: "v1" }, true);
        if (outcome.resent.join() !== "A") throw new Error(JSON.stringify(outcome));
        """,
    )
    assert result["sent"] == [["A", "v1 typed offline"]]
    assert result["text"] == "v1 typed offline"


async def test_resync_resends_when_the_server_lost_our_latest_updates(client_page: Page) -> None:
    # a crash loses the last snapshot interval: the server comes back with an older text of ours
    result = await run(
        client_page,
        """
        sync.resync({ A: "" }, true);
        sync.edit("A", "one"); await wait(80);
        sync.received({ code: "one", problemAlias: "A", userId: "1" });
        sync.edit("A", "one two"); await wait(80);
        setOnline(false);
        sync.edit("A", "one two three"); await wait(80);
        setOnline(true);
        sync.resync({ A: "one" }, true);
        """,
    )
    assert result["sent"][-1] == ["A", "one two three"]


async def test_resync_keeps_a_teammates_newer_text_and_reports_the_lost_edit(client_page: Page) -> None:
    result = await run(
        client_page,
        typed_offline("v1", "v1 mine")
        + """
        const outcome = sync.resync({ A: "v1 theirs" }, true);
        if (outcome.discarded.join() !== "A") throw new Error(JSON.stringify(outcome));
        """,
    )
    assert result["sent"] == [] and result["text"] == "v1 theirs" and result["remote"][-1] == ["A", "v1 theirs"]


async def test_resync_never_resends_without_the_right_to_edit(client_page: Page) -> None:
    result = await run(
        client_page,
        typed_offline("v1", "v1 mine")
        + """
        sync.resync({ A: "v1" }, false);  // a teammate holds control now
        """,
    )
    assert result["sent"] == [] and result["text"] == "v1"


async def test_a_refused_update_shows_the_servers_text_again(client_page: Page) -> None:
    result = await run(
        client_page,
        """
        sync.resync({ A: "server" }, true);
        sync.edit("A", "server + mine"); await wait(80);
        sync.rejected(null);
        """,
    )
    assert result["text"] == "server" and result["remote"][-1] == ["A", "server"] and result["local"] is False


async def test_a_remote_change_keeps_the_local_cursor_on_its_text(client_page: Page) -> None:
    cursor = await client_page.evaluate(
        """async () => {
          const { SharedEditor } = await import("/web/app/editor.js");
          const host = document.createElement("div");
          document.body.append(host);
          const editor = new SharedEditor(host, { onChange: () => {}, onSubmit: () => {} });
          editor.setReadOnly(false);
          editor.show("A", "int main() {}");
          editor.view.dispatch({ selection: { anchor: 4 } });           // after "int "
          editor.setText("A", "// remote line\\nint main() { return 0; }");
          const head = editor.view.state.selection.main.head;
          const text = editor.view.state.doc.toString();
          editor.destroy();
          return text.slice(head, head + 4);
        }"""
    )
    assert cursor == "main"


async def test_reconnect_delays_grow_exponentially_with_jitter_and_a_cap(client_page: Page) -> None:
    delays = await client_page.evaluate(
        """async () => {
          const { backoff } = await import("/web/app/socket.js");
          return [0, 1, 2, 3, 10, 30].map((attempt) => Array.from({ length: 50 }, () => backoff(attempt)));
        }"""
    )
    for attempt, samples in zip([0, 1, 2, 3, 10, 30], delays, strict=True):
        step = min(15000, 500 * 2**attempt)
        assert all(step / 2 <= d <= step for d in samples)
        assert len(set(samples)) > 1  # jittered: tabs do not retry in lockstep
