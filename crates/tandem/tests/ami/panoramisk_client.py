"""A real AMI client (panoramisk, from PyPI) against tandem, driven by the Rust test.

Usage: panoramisk_client.py HOST PORT USERNAME SECRET

Logs in with a plaintext secret (what panoramisk does), prints `LOGGED IN` once the login
is accepted, then one line per event: `EVENT <Name> <Key>=<Value>;...`. Commands on stdin,
one per line:
  originate CHANNEL CONTEXT EXTEN   sends Originate with Async: true and prints
                                    `ORIGINATE <Response> <Reason>` from OriginateResponse
  getvar CHANNEL VARIABLE           sends Getvar and prints `GETVAR <Response> <Value>`
  quit                              logs off and exits
"""

import asyncio
import sys

from panoramisk import Manager


def say(line):
    print(line, flush=True)


async def main(host, port, username, secret):
    loop = asyncio.get_running_loop()
    manager = Manager(
        loop=loop,
        host=host,
        port=port,
        username=username,
        secret=secret,
        ping_delay=3600,
        reconnect_timeout=3600,
    )

    def on_event(_manager, event):
        name = event.get("Event", "?")
        fields = ";".join(
            "%s=%s" % (k, v) for k, v in sorted(event.items()) if k != "Event"
        )
        say("EVENT %s %s" % (name, fields))

    manager.register_event("*", on_event)
    await manager.connect()
    if manager.authenticated_future is not None:
        await manager.authenticated_future
    if not manager.authenticated:
        say("LOGIN FAILED")
        return 1
    say("LOGGED IN version=%s" % manager.protocol.version)

    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    while True:
        raw = await reader.readline()
        if not raw:
            break
        words = raw.decode().split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "getvar" and len(words) == 3:
            r = await manager.send_action(
                {"Action": "Getvar", "Channel": words[1], "Variable": words[2]}
            )
            say("GETVAR %s %s" % (r.get("Response"), r.get("Value")))
            continue
        if words[0] == "originate" and len(words) == 4:
            responses = await manager.send_action(
                {
                    "Action": "Originate",
                    "Channel": words[1],
                    "Context": words[2],
                    "Exten": words[3],
                    "Priority": "1",
                    "CallerID": "AMI <4242>",
                    "Async": "true",
                }
            )
            if not isinstance(responses, list):
                responses = [responses]
            for r in responses:
                if r.get("Event") == "OriginateResponse":
                    say("ORIGINATE %s %s" % (r.get("Response"), r.get("Reason")))
                else:
                    say("RESPONSE %s %s" % (r.get("Response"), r.get("Message")))
    await manager.send_action({"Action": "Logoff"})
    manager.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])))
