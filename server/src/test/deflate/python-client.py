"""Python `websockets` (Debian's python3-websockets) with its default permessage-deflate offer:
    python3 python-client.py <ws-url-with-token> <channel> <count>
Subscribes (its frames go out compressed: the library compresses every message), prints "ready", waits
for <count> `message` pushes with "seq" 1..count, then prints "ext=<agreed parameters>" and "ok <count>".
Exits 1 on a failure."""
import asyncio
import json
import sys

import websockets


async def main(url, channel, want):
    async with websockets.connect(url, subprotocols=["switchboard.v1.json"], compression="deflate",
                                  max_size=1 << 20) as ws:
        seen = []
        while len(seen) < want:
            text = await asyncio.wait_for(ws.recv(), 30)
            envs = json.loads(text)
            for e in envs if isinstance(envs, list) else [envs]:
                if e["type"] == "welcome":
                    await ws.send(json.dumps({"v": 1, "type": "subscribe", "id": "s1", "channel": channel}))
                elif e["type"] == "ping":
                    await ws.send('{"v":1,"type":"pong"}')
                elif e["type"] == "ack" and e.get("id") == "s1":
                    print("ready", flush=True)
                elif e["type"] == "message":
                    seen.append(e["payload"]["seq"])
                elif e["type"] == "error":
                    print("FAILED: error %s" % e, flush=True)
                    return 1
        if seen != list(range(1, want + 1)):
            print("FAILED: seq %s" % seen, flush=True)
            return 1
        ext = [(x.name, x.remote_no_context_takeover, x.local_no_context_takeover) for x in ws.extensions]
        print("ext=%s" % ext, flush=True)
        print("ok %d" % len(seen), flush=True)
        return 0


sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
