"""The PBXs one bench run measures: tandem, and the `PEER_PBX_CMD` peer when it is set.

The peer is started exactly as tandem is (`CMD run --config DIR --data DIR`, with the same
Asterisk-format files from pbx_tandem) and is ready when its stderr says PEER_READY_TEXT
(default `tandem ready`): a tandem build of an earlier commit serves for before/after
comparisons (Asterisk is not in Debian 12). Each script runs the same load against each PBX in
turn, in the same run, and prints the ratio tandem/peer of its figures (`ratios`).

Config generation (pbx_tandem) stays apart from load generation (sipp_load, rtpload), so a
peer needing other files only needs another config writer.
"""

import os

import pbx_tandem


def targets(tandem_cmd):
    """[(name, command, ready text)]: ("tandem", ...) first, then ("peer", ...) if PEER_PBX_CMD
    is set."""
    out = [("tandem", tandem_cmd, pbx_tandem.READY_TEXT)]
    peer = os.environ.get("PEER_PBX_CMD", "").strip()
    if peer:
        out.append(("peer", peer, os.environ.get("PEER_READY_TEXT", pbx_tandem.READY_TEXT)))
    return out


def ratios(tandem, peer, keys):
    """` peer_K=V ... ratio_K=T/P` for each key in `keys` both dicts hold as numbers ("na" when
    the peer's figure is 0 or missing)."""
    out = []
    for k in keys:
        p = peer.get(k)
        out.append(f"peer_{k}={fmt(p)}")
    for k in keys:
        t, p = tandem.get(k), peer.get(k)
        r = (t / p) if isinstance(t, (int, float)) and isinstance(p, (int, float)) and p else None
        out.append(f"ratio_{k}={fmt(r)}")
    return " " + " ".join(out)


def fmt(v):
    if v is None:
        return "na"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v)
