// Cameras, microphones and speakers (docs/sdk.md "Devices"): list them, open them, tell why they did not open, measure a
// microphone's level and play a media element through a chosen speaker. An ES module with no dependencies.

const KIND_NAMES = { videoinput: 'Camera', audioinput: 'Microphone', audiooutput: 'Speaker' };

/** Whether this browser can choose the speaker a media element plays through (HTMLMediaElement.setSinkId). */
export const canChooseSpeaker = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

/**
 * The devices this page may use, each `{deviceId, label}`. Browsers name them (and give their ids) only once the page
 * has been allowed a camera or microphone: before that the lists are empty. `speakers` is empty where the browser
 * cannot choose one.
 * @returns {Promise<{ cameras: {deviceId: string, label: string}[], microphones: {deviceId: string, label: string}[], speakers: {deviceId: string, label: string}[] }>}
 */
export async function listDevices() {
  if (!navigator.mediaDevices) return { cameras: [], microphones: [], speakers: [] };
  const all = await navigator.mediaDevices.enumerateDevices();
  const of = (kind) => all.filter((d) => d.kind === kind && d.deviceId)
    .map(({ deviceId, label }, i) => ({ deviceId, label: label || `${KIND_NAMES[kind]} ${i + 1}` }));
  return { cameras: of('videoinput'), microphones: of('audioinput'), speakers: canChooseSpeaker ? of('audiooutput') : [] };
}

/** A getUserMedia constraint: off, any device, or this one. */
const constraint = (wanted, deviceId) => (wanted ? (deviceId ? { deviceId: { exact: deviceId } } : true) : false);

/**
 * Opens the camera and the microphone (the given devices, else the default ones). When one of them does not exist, the
 * stream has the other alone; it rejects when neither opens, with the error of getUserMedia (see `mediaProblem`).
 * @param {{ audio?: boolean, video?: boolean, microphone?: string, camera?: string }} [options]
 * @returns {Promise<MediaStream>}
 */
export async function openMedia({ audio = true, video = true, microphone, camera } = {}) {
  const open = (a, v) => navigator.mediaDevices.getUserMedia({ audio: constraint(a, microphone), video: constraint(v, camera) });
  try {
    return await open(audio, video);
  } catch (error) {
    if (!audio || !video || mediaProblem(error) !== 'no-device') throw error;
    return open(true, false).catch(() => open(false, true)).catch(() => Promise.reject(error));
  }
}

/**
 * Why a camera or microphone did not open, from getUserMedia's error: `denied` (the user or the browser's settings
 * refused), `no-device` (none exists, or not the one asked for), `in-use` (another program holds it), `insecure` (the
 * page is not https or localhost) or `other`.
 * @param {Error} error @returns {'denied' | 'no-device' | 'in-use' | 'insecure' | 'other'}
 */
export function mediaProblem(error) {
  if (!navigator.mediaDevices) return 'insecure';
  switch (error?.name) {
    case 'NotAllowedError': case 'SecurityError': return 'denied';
    case 'NotFoundError': case 'OverconstrainedError': return 'no-device';
    case 'NotReadableError': case 'AbortError': return 'in-use';
    default: return 'other';
  }
}

/**
 * A microphone's loudness, for a level meter: `level` is 0..1 when read. Browsers start audio processing only after the
 * user has interacted with the page: `resume()` from a click or key press.
 */
export class LevelMeter {
  /** @param {MediaStream} stream a stream with an audio track */
  constructor(stream) {
    this.context = new AudioContext();
    this._source = this.context.createMediaStreamSource(stream);
    this._analyser = this.context.createAnalyser();
    this._analyser.fftSize = 1024;
    this._source.connect(this._analyser);
    this._samples = new Float32Array(this._analyser.fftSize);
  }

  /** The level now, 0..1: the root mean square of the last samples, scaled so that speech fills most of it. */
  get level() {
    this._analyser.getFloatTimeDomainData(this._samples);
    let sum = 0;
    for (const sample of this._samples) sum += sample * sample;
    return Math.min(1, Math.sqrt(sum / this._samples.length) * 4);
  }

  resume() {
    return this.context.resume();
  }

  close() {
    this._source.disconnect();
    return this.context.close();
  }
}

/**
 * Plays a media element through the speaker `deviceId` ('' for the default) where the browser can choose it; elsewhere
 * does nothing. @param {HTMLMediaElement} element @param {string} deviceId
 */
export async function setSpeaker(element, deviceId) {
  if (canChooseSpeaker && element.sinkId !== deviceId) await element.setSinkId(deviceId);
}
