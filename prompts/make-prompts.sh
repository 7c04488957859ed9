#!/usr/bin/env bash
# Generate tandem's demo prompts with Debian's espeak-ng and sox: 8 kHz, 16-bit, mono WAV,
# what Playback() plays best to G.711 phones. Output: prompts/sounds/ (or the directory given
# as $1). Re-running overwrites; the result is deterministic for one espeak-ng version.
#   apt-get install espeak-ng sox
set -euo pipefail
out="${1:-$(cd "$(dirname "$0")" && pwd)/sounds}"
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make-prompts: $tool is not installed (apt-get install espeak-ng sox)" >&2; exit 1; }
done
mkdir -p "$out/digits"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# say NAME "TEXT": speech at 8 kHz mono 16-bit, normalised to -3 dBFS.
say() {
  espeak-ng -v en-us -s 150 -w "$tmp/raw.wav" "$2"
  sox "$tmp/raw.wav" -r 8000 -c 1 -b 16 "$out/$1.wav" norm -3
}

say demo-congrats "Congratulations. You have reached tandem. Press 1 for the echo test, or hang up."
say demo-echotest "This is the echo test. Speak, and you will hear yourself. Press the pound key when done."
say demo-echodone "The echo test is done."
say demo-thanks "Thank you for calling. Goodbye."
say vm-intro "Please leave a message after the tone."
say pbx-invalid "I am sorry, that is not a valid extension."
names=(zero one two three four five six seven eight nine)
for d in 0 1 2 3 4 5 6 7 8 9; do
  say "digits/$d" "${names[$d]}"
done
# A 1 kHz beep of a quarter second (voicemail, Record).
sox -n -r 8000 -c 1 -b 16 "$out/beep.wav" synth 0.25 sine 1000 vol 0.5
du -sh "$out" | sed 's/^/make-prompts: /'
