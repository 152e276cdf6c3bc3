"""Comments: create, list, edit (author only), delete (any member), broadcasts and access rules."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from server.domain.events import CommentDeleted, CommentEdited, CommentPosted

from .support.api import Api, error_of, record_events


async def test_comment_lifecycle_with_broadcasts(api: Api, client: TestClient) -> None:
    alice, bob = await api.register(first_name="Alice", last_name="Smith"), await api.register()
    session = await api.session(alice, (await api.team(alice, bob))["id"])
    ts = session["id"]
    events = record_events(client)

    resp = await client.post(
        f"/training-sessions/{ts}/problem/A/comments", json={"content": "try DP"}, headers=alice.headers
    )
    assert resp.status == 201
    comment = await resp.json()
    assert comment["userId"] == alice.id and comment["userFirstName"] == "Alice"
    assert comment["userLastName"] == "Smith" and comment["userLogin"] == alice.login
    assert comment["problemAlias"] == "A" and comment["content"] == "try DP"
    assert comment["dtCreated"] == comment["dtUpdated"]
    await client.post(
        f"/training-sessions/{ts}/problem/A/comments", json={"content": "no, greedy"}, headers=bob.headers
    )
    await client.post(f"/training-sessions/{ts}/problem/B/comments", json={"content": "B is easy"}, headers=bob.headers)
    listed = await (await client.get(f"/training-sessions/{ts}/problem/A/comments", headers=bob.headers)).json()
    assert [c["content"] for c in listed] == ["try DP", "no, greedy"]

    resp = await client.patch(
        f"/training-sessions/{ts}/comments/{comment['id']}", json={"content": "try DP!"}, headers=alice.headers
    )
    assert resp.status == 200
    edited = await resp.json()
    assert edited["content"] == "try DP!" and edited["dtUpdated"] >= edited["dtCreated"]

    resp = await client.patch(
        f"/training-sessions/{ts}/comments/{comment['id']}", json={"content": "mine now"}, headers=bob.headers
    )
    await error_of(resp, 403)
    # the web client offers "delete" on every comment of the team: a teammate may delete alice's comment
    resp = await client.delete(f"/training-sessions/{ts}/comments/{comment['id']}", headers=bob.headers)
    assert resp.status == 204
    await error_of(await client.delete(f"/training-sessions/{ts}/comments/{comment['id']}", headers=alice.headers), 404)
    listed = await (await client.get(f"/training-sessions/{ts}/problem/A/comments", headers=alice.headers)).json()
    assert [c["content"] for c in listed] == ["no, greedy"]

    assert [type(e) for e in events] == [CommentPosted, CommentPosted, CommentPosted, CommentEdited, CommentDeleted]
    posted, edit, deleted = events[0], events[3], events[4]
    assert isinstance(posted, CommentPosted) and posted.comment.id == comment["id"] and posted.comment.session_id == ts
    assert isinstance(edit, CommentEdited) and edit.comment.content == edited["content"]
    assert deleted == CommentDeleted(ts, comment["id"])


async def test_comment_validation_and_access(api: Api, client: TestClient) -> None:
    alice, mallory = await api.register(), await api.register()
    ts = (await api.session(alice, (await api.team(alice))["id"]))["id"]
    other_ts = (await api.session(mallory, (await api.team(mallory))["id"]))["id"]
    url = f"/training-sessions/{ts}/problem/A/comments"
    for body in ({}, {"content": ""}, {"content": 5}, {"content": "x" * 10_001}):
        await error_of(await client.post(url, json=body, headers=alice.headers), 422)
    await error_of(
        await client.post(f"/training-sessions/{ts}/problem/Z/comments", json={"content": "x"}, headers=alice.headers),
        404,
    )
    await error_of(await client.post(url, json={"content": "spy"}, headers=mallory.headers), 403)
    await error_of(await client.get(url, headers=mallory.headers), 403)
    await error_of(await client.post(url, json={"content": "x"}), 401)
    mine = await (await client.post(url, json={"content": "mine"}, headers=alice.headers)).json()
    # a comment id from another session is not found through this one
    resp = await client.patch(
        f"/training-sessions/{other_ts}/comments/{mine['id']}", json={"content": "x"}, headers=mallory.headers
    )
    await error_of(resp, 404)
    foreign = f"/training-sessions/{other_ts}/comments/{mine['id']}"
    own = f"/training-sessions/{ts}/comments/{mine['id']}"
    await error_of(await client.delete(foreign, headers=mallory.headers), 404)
    # someone outside the team may neither delete nor edit it through its own session's path
    await error_of(await client.delete(own, headers=mallory.headers), 403)
    await error_of(await client.patch(own, json={"content": "x"}, headers=mallory.headers), 403)
