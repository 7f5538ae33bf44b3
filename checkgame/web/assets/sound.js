// Sound cues, off unless the player turns them on (remembered in localStorage): short tones made with the Web
// Audio API, so there is no audio file to download or license. A browser lets a page make sound only after a
// gesture on it, so the audio context is created on the toggle's click, or on the first tap after a reload.

const SOUND_KEY = "checkgame.sound";

/** Each cue: notes as [frequency in Hz, start in s, length in s], and the waveform. */
const CUES = {
  turn: { wave: "sine", notes: [[660, 0, 0.12], [880, 0.13, 0.18]] }, // rising: it is your turn
  attack: { wave: "square", notes: [[330, 0, 0.1], [247, 0.11, 0.1], [196, 0.22, 0.22]] }, // falling: you are attacked
  gameOver: { wave: "triangle", notes: [[523, 0, 0.15], [659, 0.16, 0.15], [784, 0.32, 0.15], [1047, 0.48, 0.35]] },
};

let enabled = readEnabled();
let context = null;
const played = []; // what was played, newest last (the toggle shows the last one in data-last-cue)

function readEnabled() {
  try {
    return localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

export const soundEnabled = () => enabled;

/** Turn the cues on or off and remember it; turning on (a click) is the gesture that unlocks audio. */
export function setSoundEnabled(on) {
  enabled = Boolean(on);
  try { localStorage.setItem(SOUND_KEY, enabled ? "on" : "off"); } catch { /* not remembered */ }
  if (enabled) unlock();
}

/** Create or resume the audio context: only ever called from a user gesture. */
export function unlock() {
  if (!enabled) return;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return; // no Web Audio: the cues stay silent
  if (!context) context = new Context();
  if (context.state === "suspended") context.resume().catch(() => {});
}

/** Play cue `name` ("turn", "attack", "gameOver") if sound is on; returns whether it was played. */
export function play(name) {
  const cue = CUES[name];
  if (!cue) throw new Error(`no sound cue ${name}`);
  if (!enabled || !context || context.state !== "running") return false;
  const start = context.currentTime + 0.01;
  for (const [frequency, at, length] of cue.notes) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = cue.wave;
    oscillator.frequency.value = frequency;
    // A quick rise and an exponential fall: no click at either end of the note.
    gain.gain.setValueAtTime(0.0001, start + at);
    gain.gain.exponentialRampToValueAtTime(0.18, start + at + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + at + length);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start + at);
    oscillator.stop(start + at + length + 0.02);
  }
  played.push(name);
  return true;
}

/** The cues played so far on this page, oldest first. */
export const playedCues = () => [...played];
