#!/usr/bin/env bash
# Generate tandem's default music on hold (class `default`, directory `moh`): two short
# melodies of plucked notes over a soft chord, made with sox `synth`; 8 kHz, 16-bit, mono WAV.
# Output: prompts/moh/ (or the directory given as $1). Deterministic for one sox version.
#   apt-get install sox
set -euo pipefail
out="${1:-$(cd "$(dirname "$0")" && pwd)/moh}"
command -v sox >/dev/null || { echo "make-moh: sox is not installed (apt-get install sox)" >&2; exit 1; }
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# melody NAME CHORD-NOTES... -- MELODY-NOTES...: each melody note 0.4 s, plucked, over the chord.
melody() {
  local name="$1"; shift
  local chord=() notes=()
  while [ "$1" != "--" ]; do chord+=("$1"); shift; done
  shift
  notes=("$@")
  local len parts=()
  len=$(awk "BEGIN { print ${#notes[@]} * 0.4 }")
  local i=0
  for n in "${notes[@]}"; do
    sox -n -r 8000 -c 1 -b 16 "$tmp/n$i.wav" synth 0.4 pluck "$n" fade 0 0.4 0.1
    parts+=("$tmp/n$i.wav"); i=$((i + 1))
  done
  sox "${parts[@]}" "$tmp/line.wav"
  local synth=()
  for c in "${chord[@]}"; do synth+=(sine "$c"); done
  sox -n -r 8000 -c 1 -b 16 "$tmp/pad.wav" synth "$len" "${synth[@]}" remix - fade 0.3 "$len" 0.5 vol 0.25
  sox -m "$tmp/line.wav" "$tmp/pad.wav" -r 8000 -c 1 -b 16 "$out/$name.wav" norm -6
}

melody tandem-1 C4 E4 G4 -- C5 E5 G5 E5 D5 F5 A5 F5 E5 G5 C6 G5
melody tandem-2 A3 C4 E4 -- A4 C5 E5 C5 G4 B4 D5 B4 F4 A4 C5 A4
du -sh "$out" | sed 's/^/make-moh: /'
