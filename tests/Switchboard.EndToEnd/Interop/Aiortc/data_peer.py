"""A participant of a Switchboard room's data bus on aiortc (Debian python3-aiortc), for the interop test.

Exchanges files in the directory given as its argument: writes offer.sdp, waits for answer.sdp, opens the two bus
channels (protocol switchboard-data/1: reliable, and lossy with maxRetransmits 0), writes `open` once both are, appends
every bus frame it receives to received.jsonl, answers the first "chat" message with its own messages (send_all), and
exits after a frame with topic "bye", or after 90 s.
"""
import asyncio
import hashlib
import json
import os
import sys

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription

PROTOCOL = "switchboard-data/1"
TEXT, SERVER_ONLY, PAYLOAD_FOLLOWS, NOTICE = 1, 2, 4, 8

# aioice leaves 127.0.0.1 out of its host candidates; this machine may have nothing else.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


def encode_frame(flags, topic, ids, payload):
    out = bytearray([1, flags])
    data = topic.encode()
    out += bytes([len(data)]) + data
    out.append(len(ids))
    for value in ids:
        data = value.encode()
        out += bytes([len(data)]) + data
    return bytes(out) + payload


def decode_frame(data):
    if len(data) < 4 or data[0] != 1:
        raise ValueError("not a bus frame")
    flags, offset = data[1], 2

    def take():
        nonlocal offset
        length = data[offset]
        value = data[offset + 1:offset + 1 + length].decode()
        offset += 1 + length
        return value

    topic = take()
    count = data[offset]
    offset += 1
    ids = [take() for _ in range(count)]
    return flags, topic, ids, data[offset:]


async def main(directory):
    path = lambda name: os.path.join(directory, name)
    pc = RTCPeerConnection()
    reliable = pc.createDataChannel("switchboard", protocol=PROTOCOL)
    lossy = pc.createDataChannel("switchboard-lossy", protocol=PROTOCOL, ordered=False, maxRetransmits=0)
    done = asyncio.Event()
    opened = set()
    pending = {}
    answered = []

    def record(channel, flags, topic, ids, payload):
        entry = {"channel": channel.label, "topic": topic, "from": ids[0] if ids else None,
                 "notice": bool(flags & NOTICE), "text": bool(flags & TEXT), "size": len(payload),
                 "sha256": hashlib.sha256(payload).hexdigest()}
        if flags & TEXT:
            entry["value"] = payload.decode()
        with open(path("received.jsonl"), "a") as out:
            out.write(json.dumps(entry) + "\n")
        if topic == "chat" and not answered:
            answered.append(topic)
            send_all()
        if topic == "bye":
            done.set()

    def listen(channel):
        @channel.on("open")
        def on_open():
            opened.add(channel.label)
            if len(opened) == 2:
                open(path("open"), "w").close()

        @channel.on("message")
        def on_message(message):
            data = message.encode() if isinstance(message, str) else bytes(message)
            if channel.label in pending:
                flags, topic, ids = pending.pop(channel.label)
                return record(channel, flags, topic, ids, data)
            try:
                flags, topic, ids, payload = decode_frame(data)
            except (ValueError, IndexError, UnicodeDecodeError):
                return
            if flags & PAYLOAD_FOLLOWS:
                pending[channel.label] = (flags, topic, ids)
            else:
                record(channel, flags, topic, ids, payload)

    def send_all():
        reliable.send(encode_frame(TEXT, "chat", [], "hello from aiortc".encode()))
        blob = bytes((i * 7) & 0xFF for i in range(60000))
        reliable.send(encode_frame(0, "blob", [], blob))
        lossy.send(encode_frame(TEXT, "cursor", [], b"12,34"))
        with open(path("sent.json"), "w") as out:
            json.dump({"blob": hashlib.sha256(blob).hexdigest()}, out)

    listen(reliable)
    listen(lossy)
    await pc.setLocalDescription(await pc.createOffer())
    with open(path("offer.sdp.tmp"), "w") as out:
        out.write(pc.localDescription.sdp)
    os.rename(path("offer.sdp.tmp"), path("offer.sdp"))
    while not os.path.exists(path("answer.sdp")):
        await asyncio.sleep(0.05)
    with open(path("answer.sdp")) as answer:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer.read(), type="answer"))
    try:
        await asyncio.wait_for(done.wait(), timeout=90)
        await asyncio.sleep(1)  # what send_all queued leaves before the association closes
    finally:
        await pc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
