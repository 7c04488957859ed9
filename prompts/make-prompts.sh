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
mkdir -p "$out/digits" "$out/letters"
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
say pbx-transfer "Transfer."
say privacy-incorrect "I am sorry, that number is incorrect."
names=(zero one two three four five six seven eight nine)
for d in 0 1 2 3 4 5 6 7 8 9; do
  say "digits/$d" "${names[$d]}"
done
# Words for SayNumber, SayDigits and SayAlpha, leading and trailing silence trimmed so that
# spoken numbers and spelled words run together and the files stay small.
word() {
  espeak-ng -v en-us -s 170 -w "$tmp/raw.wav" "$2"
  sox "$tmp/raw.wav" -r 8000 -c 1 -b 16 "$out/$1.wav" \
    silence 1 0.01 1% reverse silence 1 0.01 1% reverse norm -3
}
teens=(ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen)
for n in 0 1 2 3 4 5 6 7 8 9; do
  word "digits/1$n" "${teens[$n]}"
done
tens=(x x twenty thirty forty fifty sixty seventy eighty ninety)
for n in 2 3 4 5 6 7 8 9; do
  word "digits/${n}0" "${tens[$n]}"
done
word digits/hundred "hundred"
word digits/thousand "thousand"
word digits/million "million"
word digits/star "star"
word digits/pound "pound"
word digits/minus "minus"
for l in a b c d e f g h i j k l m n o p q r s t u v w x y z; do
  word "letters/$l" "$l"
done
# Voicemail (app_voicemail's prompt names). Sentences:
say vm-login "Mailbox?"
say vm-password "Password."
say vm-incorrect "Login incorrect."
say vm-goodbye "Goodbye."
say vm-nomore "No more messages."
say vm-msgsaved "saved."
say vm-deleted "deleted."
say vm-helpexit "Press star for help, or pound to exit."
say vm-prev "Press 4 for the previous message."
say vm-repeat "Press 5 to repeat the current message."
say vm-next "Press 6 to play the next message."
say vm-delete "Press 7 to delete this message."
say vm-savemessage "Press 9 to save this message."
say auth-thankyou "Thank you."
# ... and words that are spliced with numbers ("you have 2 new messages"):
word vm-youhave "you have"
word vm-INBOX "new"
word vm-Old "old"
word vm-and "and"
word vm-no "no"
word vm-messages "messages"
word vm-message "message"
word vm-first "first"
word vm-last "last"
word vm-onefor "press 1 for"
word vm-theperson "the person at extension"
word vm-isunavail "is unavailable."
word vm-isonphone "is on the phone."
# A 1 kHz beep of a quarter second (voicemail, Record).
sox -n -r 8000 -c 1 -b 16 "$out/beep.wav" synth 0.25 sine 1000 vol 0.5
du -sh "$out" | sed 's/^/make-prompts: /'
