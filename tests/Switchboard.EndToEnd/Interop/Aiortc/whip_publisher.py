"""A WHIP encoder on aiortc (Debian python3-aiortc), for the interop test: not a browser, only HTTP and a peer connection.

Usage: whip_publisher.py ENDPOINT DIRECTORY [TOKEN]. Publishes a synthetic video (a bar moving over a gradient, 320x240
at 15 fps, VP8) and audio (a 440 Hz tone, Opus) by POSTing its offer to ENDPOINT (/whip/{room}), writes `session.json`
({"status", "location", "etag"}) once the answer is set, and `connected` once DTLS is up. When a file `stop` appears in
DIRECTORY it DELETEs the session, writes `deleted` with the status of the DELETE, and exits; it gives up after 120 s.
"""
import asyncio
import fractions
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import aioice.ice
import numpy
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from av import AudioFrame, VideoFrame

# aioice leaves 127.0.0.1 out of its host candidates; this machine may have nothing else.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

WIDTH, HEIGHT, FPS = 320, 240, 15
AUDIO_RATE, AUDIO_PTIME = 48000, 0.02


class MovingBar(VideoStreamTrack):
    """A gradient with a bright bar that moves one column of blocks per frame, so every frame differs."""

    def __init__(self):
        super().__init__()
        self._count = 0
        self._start = None
        ramp = numpy.linspace(0, 255, WIDTH, dtype=numpy.uint8)
        self._background = numpy.stack([numpy.tile(ramp, (HEIGHT, 1))] * 3, axis=2)

    async def recv(self):
        if self._start is None:
            self._start = time.time()
        await asyncio.sleep(max(0, self._start + self._count / FPS - time.time()))
        image = self._background.copy()
        x = (self._count * 8) % WIDTH
        image[:, x:x + 16] = (255, 64, 0)
        frame = VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts = self._count * (90000 // FPS)
        frame.time_base = fractions.Fraction(1, 90000)
        self._count += 1
        return frame


class Tone(AudioStreamTrack):
    """A 440 Hz tone at 48 kHz in 20 ms frames."""

    def __init__(self):
        super().__init__()
        self._samples = 0
        self._start = None

    async def recv(self):
        if self._start is None:
            self._start = time.time()
        await asyncio.sleep(max(0, self._start + self._samples / AUDIO_RATE - time.time()))
        count = int(AUDIO_RATE * AUDIO_PTIME)
        t = (numpy.arange(count) + self._samples) / AUDIO_RATE
        samples = (numpy.sin(2 * math.pi * 440 * t) * 8000).astype(numpy.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._samples
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._samples += count
        return frame


def request(method, url, token, body=None, content_type=None):
    """One HTTP request; returns (status, headers, body), HTTP errors included."""
    req = urllib.request.Request(url, data=body, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path + ".tmp", "w") as out:
        out.write(text)
    os.rename(path + ".tmp", path)


async def main(endpoint, directory, token):
    pc = RTCPeerConnection()
    pc.addTransceiver(Tone(), direction="sendonly")
    pc.addTransceiver(MovingBar(), direction="sendonly")

    @pc.on("connectionstatechange")
    def on_state():
        if pc.connectionState == "connected":
            write(directory, "connected", "")

    # aiortc gathers its candidates in setLocalDescription, so the offer is complete: no PATCH needed.
    await pc.setLocalDescription(await pc.createOffer())
    status, headers, body = await asyncio.to_thread(
        request, "POST", endpoint, token, pc.localDescription.sdp.encode(), "application/sdp")
    if status != 201:
        write(directory, "session.json", json.dumps({"status": status, "error": body}))
        await pc.close()
        return
    location = urllib.parse.urljoin(endpoint, headers["Location"])
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
    write(directory, "session.json", json.dumps({"status": status, "location": location, "etag": headers["ETag"]}))

    deadline = time.time() + 120
    while not os.path.exists(os.path.join(directory, "stop")) and time.time() < deadline:
        await asyncio.sleep(0.1)
    status, _, _ = await asyncio.to_thread(request, "DELETE", location, None)
    write(directory, "deleted", str(status))
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
