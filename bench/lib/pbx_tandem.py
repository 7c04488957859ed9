"""The PBX under test: tandem's configuration for a load run, and how to start it.

Everything tandem-specific lives here so that the load side (sipp, /proc sampling) can drive
another PBX started the same way (`PEER_PBX_CMD`, e.g. a tandem build of an earlier commit):
the files are Asterisk-format (sip.conf, extensions.conf, rtp.conf), and the daemon is started
as `CMD run --config DIR --data DIR` and is ready when its stderr says `tandem ready`.
"""

import os
import shlex
import subprocess

from proc import child_preexec

READY_TEXT = "tandem ready"


def write_config(config_dir, pbx_port, uac_port, uas_port, rtp_range, exten="100"):
    """sip.conf with the load generators as static peers (no auth, no registration), a
    dialplan that sends `exten` to the UAS, and tandem's own RTP range.

    The UAC is a `type=friend` with `insecure=invite` (calls in without a challenge) and the
    UAS a `type=peer` at a fixed address: static peers are what the security defaults exempt,
    so no rate ban can cut a load run short."""
    os.makedirs(config_dir, exist_ok=True)
    files = {
        "sip.conf": (
            "[general]\n"
            "bindaddr=127.0.0.1\n"
            f"bindport={pbx_port}\n"
            "context=public\n"
            "\n"
            "[uac]\n"
            "type=friend\n"
            "host=127.0.0.1\n"
            f"port={uac_port}\n"
            "insecure=invite\n"
            "context=internal\n"
            "\n"
            "[uas]\n"
            "type=peer\n"
            "host=127.0.0.1\n"
            f"port={uas_port}\n"
        ),
        "extensions.conf": (
            "[public]\n"
            "\n"
            "[internal]\n"
            f"exten => {exten},1,Dial(SIP/uas,20)\n"
            " same => n,Hangup()\n"
        ),
        "rtp.conf": f"[general]\nrtpstart={rtp_range[0]}\nrtpend={rtp_range[1]}\n",
    }
    for name, text in files.items():
        with open(os.path.join(config_dir, name), "w", encoding="utf-8") as f:
            f.write(text)


def command(binary_or_cmd, config_dir, data_dir):
    """argv that starts the daemon: `BIN run --config DIR --data DIR`. `binary_or_cmd` may be
    a command line (shell words) such as PEER_PBX_CMD."""
    return shlex.split(binary_or_cmd) + ["run", "--config", config_dir, "--data", data_dir]


def start(argv, stderr_path, env=None):
    """Start the daemon with its stderr going to `stderr_path`; returns the Popen."""
    err = open(stderr_path, "wb")
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
            env=env,
            preexec_fn=child_preexec,
        )
    finally:
        err.close()
