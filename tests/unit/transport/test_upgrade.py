"""The opening handshake: a good upgrade gets 101, anything malformed a plain 400, never an exception."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from checkgame.transport.ws.upgrade import (
    MAX_HEAD_BYTES,
    UpgradeError,
    parse_upgrade,
    receive_upgrade,
    refuse,
)
from tests.support.wsclient import upgrade_request


def test_a_good_upgrade_is_accepted_with_the_rfc_accept_token():
    upgrade = parse_upgrade(upgrade_request("/api/v1/ws?token=abc&lastSeq=7") + b"\x81\x80\0\0\0\0")

    assert upgrade.path == "/api/v1/ws"
    assert upgrade.query == {"token": "abc", "lastSeq": "7"}
    assert upgrade.trailing == b"\x81\x80\0\0\0\0"  # a first frame sent without waiting is kept
    answer = upgrade.accept_bytes()
    assert answer.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in answer  # RFC 6455 §1.3's example


def test_tokens_are_matched_in_lists_and_without_case():
    upgrade = parse_upgrade(upgrade_request(Upgrade="WebSocket", Connection="keep-alive, Upgrade"))

    assert upgrade.key == b"dGhlIHNhbXBsZSBub25jZQ=="


def test_a_subprotocol_is_confirmed_only_if_offered():
    upgrade = parse_upgrade(upgrade_request(Sec_WebSocket_Protocol="checkgame.v1, other"))

    assert upgrade.subprotocols == ("checkgame.v1", "other")
    assert b"Sec-WebSocket-Protocol: checkgame.v1\r\n" in upgrade.accept_bytes("checkgame.v1")
    with pytest.raises(ValueError, match="did not offer"):
        upgrade.accept_bytes("else")


MALFORMED = {
    "empty key": upgrade_request(Sec_WebSocket_Key=" "),
    "short key": upgrade_request(Sec_WebSocket_Key="c2hvcnQ="),
    "key not base64": upgrade_request(Sec_WebSocket_Key="!!!!!!!!!!!!!!!!!!!!!!=="),
    "no key": upgrade_request(Sec_WebSocket_Key=""),
    "two keys": upgrade_request().replace(b"\r\n\r\n", b"\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n\r\n"),
    "no version": upgrade_request(Sec_WebSocket_Version=""),
    "body": upgrade_request(Content_Length="1") + b"x",
    "chunked body": upgrade_request(Transfer_Encoding="chunked") + b"1\r\nx\r\n0\r\n\r\n",
    "no upgrade": upgrade_request(Upgrade=""),
    "upgrade to something else": upgrade_request(Upgrade="h2c"),
    "no connection upgrade": upgrade_request(Connection="keep-alive"),
    "POST": upgrade_request().replace(b"GET", b"POST", 1),
    "HTTP/1.0": upgrade_request().replace(b"HTTP/1.1", b"HTTP/1.0", 1),
    "garbage": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "no host": upgrade_request(Host=""),
    "incomplete": upgrade_request()[:-2],
}


@pytest.mark.parametrize("head", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_upgrade_is_refused_with_400(head):
    with pytest.raises(UpgradeError) as refused:
        parse_upgrade(head)

    assert refused.value.status_hint == 400
    assert refused.value.code == "BAD_UPGRADE"


def test_an_unsupported_version_names_the_supported_one():
    with pytest.raises(UpgradeError) as refused:
        parse_upgrade(upgrade_request(Sec_WebSocket_Version="8"))

    assert refused.value.status_hint == 400
    assert refused.value.headers == (("Sec-WebSocket-Version", "13"),)


async def test_the_rest_of_a_partial_head_is_read():
    client, server = trio.testing.memory_stream_pair()
    head = upgrade_request("/api/v1/ws?token=t")
    await client.send_all(head[20:])

    upgrade = await receive_upgrade(server, head[:20])

    assert upgrade.query == {"token": "t"}


async def test_a_head_that_never_ends_times_out_with_408(autojump_clock):
    client, server = trio.testing.memory_stream_pair()
    await client.send_all(upgrade_request()[:-4])

    with pytest.raises(UpgradeError) as refused:
        await receive_upgrade(server, timeout_s=10)

    assert refused.value.status_hint == 408
    assert trio.current_time() == pytest.approx(10)


async def test_an_endless_head_is_refused_with_431():
    client, server = trio.testing.memory_stream_pair()
    await client.send_all(upgrade_request()[:-4] + b"\r\nX-Padding: " + b"a" * MAX_HEAD_BYTES)

    with pytest.raises(UpgradeError) as refused:
        await receive_upgrade(server)

    assert refused.value.status_hint == 431


async def test_a_client_gone_before_the_end_of_its_head_is_a_400():
    client, server = trio.testing.memory_stream_pair()
    await client.send_all(upgrade_request()[:30])
    await client.aclose()

    with pytest.raises(UpgradeError) as refused:
        await receive_upgrade(server)

    assert refused.value.status_hint == 400


async def test_a_refusal_is_a_plain_http_answer_then_the_end(autojump_clock):
    client, server = trio.testing.memory_stream_pair()
    await client.send_all(upgrade_request(Content_Length="5") + b"body!")

    with trio.fail_after(5):
        await refuse(server, 503, "the server is draining: try again")
        answer = b""
        while data := await client.receive_some():
            answer += data

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert b"connection: close" in head.lower()
    assert body == b"the server is draining: try again\n"


async def test_refusing_a_client_that_is_gone_raises_nothing():
    client, server = trio.testing.memory_stream_pair()
    await client.aclose()

    await refuse(server, 400, "bad upgrade")
