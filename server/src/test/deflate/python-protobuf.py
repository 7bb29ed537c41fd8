"""Python `websockets` on the Protobuf subprotocol with permessage-deflate (binary frames compressed):
    python3 python-protobuf.py <ws-url-with-token> <subscribe-frame-hex> <ack-marker> <count>
Sends the subscribe frame (built by the test from the schema), prints "ready" when a binary message holding
<ack-marker> (the command id) arrives, then waits for <count> binary messages holding '"seq":1' .. '"seq":N'
(the JSON payload travels as raw bytes in the Protobuf envelope), prints "ext=..." and "ok <count>"."""
import asyncio
import sys

import websockets


async def main(url, subscribe_hex, marker, want):
    async with websockets.connect(url, subprotocols=["switchboard.v1.protobuf"], compression="deflate",
                                  max_size=1 << 20) as ws:
        if ws.subprotocol != "switchboard.v1.protobuf":
            print("FAILED: subprotocol %s" % ws.subprotocol, flush=True)
            return 1
        await ws.send(bytes.fromhex(subscribe_hex))
        seen = 0
        ready = False
        while seen < want:
            msg = await asyncio.wait_for(ws.recv(), 30)
            if isinstance(msg, str):
                print("FAILED: a text frame", flush=True)
                return 1
            if not ready and marker.encode() in msg:
                ready = True
                print("ready", flush=True)
            while seen < want and (b'"seq":%d' % (seen + 1)) in msg:
                seen += 1
        ext = [(x.name, x.remote_no_context_takeover, x.local_no_context_takeover) for x in ws.extensions]
        print("ext=%s" % ext, flush=True)
        print("ok %d" % seen, flush=True)
        return 0


sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))))
