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


# The security defaults (sip.conf [general] autoban*, docs/security.md) ban a source above
# autoban_rate=500 requests/s, after 5 authentication failures, or at once for a scanner. Every
# bench config names its load generators (all on loopback) as exempt, so that no ban can cut a
# load run short; static peers are rate-exempt anyway, but REGISTER load comes from dynamic
# peers.
GENERAL_EXEMPT = "autoban_exempt=127.0.0.0/8\n"


def general(pbx_port, exempt=True):
    """The [general] section every bench config shares; `exempt=False` keeps the security
    defaults untouched (bench/flood)."""
    return ("[general]\n"
            "bindaddr=127.0.0.1\n"
            f"bindport={pbx_port}\n"
            "context=public\n"
            + (GENERAL_EXEMPT if exempt else ""))


def codec_lines(allow):
    """`disallow=all` + `allow=` lines for a peer, nothing when `allow` is empty."""
    return f"disallow=all\nallow={allow}\n" if allow else ""


def write_config(config_dir, pbx_port, uac_port, uas_port, rtp_range, exten="100", uac_allow="",
                 uas_allow="", exempt=True, http_port=None, extra_general=""):
    """sip.conf with the load generators as static peers (no auth, no registration), a
    dialplan that sends `exten` to the UAS, and tandem's own RTP range.

    The UAC is a `type=friend` with `insecure=invite` (calls in without a challenge) and the
    UAS a `type=peer` at a fixed address: static peers are rate-exempt under the security
    defaults, and `autoban_exempt` covers loopback besides, so no ban can cut a load run
    short. `uac_allow`/`uas_allow` (e.g. `ulaw` and `alaw`) restrict each side's codecs, so
    that a bridge between them transcodes (bench/transcode). `exempt=False`: no
    `autoban_exempt`, the security defaults as shipped (bench/flood). `http_port`: the
    Prometheus endpoint on 127.0.0.1 (http.conf), for the table-size gauges. `extra_general`:
    more `[general]` lines (bench/flood's TCP and TLS listeners)."""
    os.makedirs(config_dir, exist_ok=True)
    files = {
        "sip.conf": (
            general(pbx_port, exempt)
            + extra_general
            + "\n"
            "[uac]\n"
            "type=friend\n"
            "host=127.0.0.1\n"
            f"port={uac_port}\n"
            "insecure=invite\n"
            "context=internal\n"
            + codec_lines(uac_allow)
            + "\n"
            "[uas]\n"
            "type=peer\n"
            "host=127.0.0.1\n"
            f"port={uas_port}\n"
            + codec_lines(uas_allow)
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
    if http_port:
        files["http.conf"] = f"[general]\nenabled=yes\nbindaddr=127.0.0.1\nbindport={http_port}\n"
    for name, text in files.items():
        with open(os.path.join(config_dir, name), "w", encoding="utf-8") as f:
            f.write(text)


# The table-size gauges of /metrics (a PBX without them gives none), short names for bench lines.
TABLE_GAUGES = (("tandem_sip_transactions", "txns"), ("tandem_sip_dialogs", "dialogs"),
                ("tandem_sip_legs", "legs"), ("tandem_rtp_ports_in_use", "ports"))


def table_sizes(http_port, timeout=2.0):
    """{short name: value} of TABLE_GAUGES from the PBX's /metrics, {} when it cannot say."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=timeout) as r:
            text = r.read().decode("utf-8", "replace")
    except Exception:  # not listening, refused, timed out: no figures
        return {}
    names = dict(TABLE_GAUGES)
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in names:
            try:
                out[names[name]] = int(float(value))
            except ValueError:
                pass
    return out


def write_register_config(config_dir, pbx_port, users, rtp_range):
    """sip.conf with `users` dynamic peers `u1`..`uN` (secret `pw-N`) that register with digest
    auth (bench/register); the load generator's loopback address is `autoban_exempt`, so
    neither the rate limit nor sipp's first, challenged REGISTERs ban it."""
    os.makedirs(config_dir, exist_ok=True)
    peers = "".join(
        f"\n[u{i}]\ntype=friend\nhost=dynamic\nsecret=pw-{i}\ncontext=internal\n"
        for i in range(1, users + 1))
    files = {
        "sip.conf": general(pbx_port) + "maxexpiry=3600\ndefaultexpiry=3600\n" + peers,
        "extensions.conf": "[public]\n\n[internal]\n",
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
