// The camera, microphone and speaker choice of the room page, on the pre-join screen and in the Devices dialog: the
// lists, the microphone level meter, switching a device (the SDK swaps the track, in a call without renegotiation) and
// what to do when the browser refuses or no device exists. Choices are remembered in localStorage.
import { listDevices, openMedia, mediaProblem, LevelMeter, setSpeaker } from '/sdk/devices.js';

const $ = (id) => document.getElementById(id);
const remembered = { camera: 'switchboard.camera', microphone: 'switchboard.microphone', speaker: 'switchboard.speaker' };

/** What the user can do about a camera or microphone that did not open. @param {Error} error */
export function explain(error) {
  switch (mediaProblem(error)) {
    case 'denied': return 'The browser blocked the camera and microphone. Allow them for this site (the icon in the address bar) and reload; meanwhile you can join to watch and listen.';
    case 'no-device': return 'No camera or microphone was found. Connect one and reload; meanwhile you can join to watch and listen.';
    case 'in-use': return 'The camera or microphone is in use by another program. Close it and reload.';
    case 'insecure': return 'Camera and microphone need a secure page: open this room over https (or on localhost).';
    default: return `${error.message}. Reload to try again; meanwhile you can join to watch and listen.`;
  }
}

export class DeviceChoice {
  /** @param {import('/sdk/switchboard.js').Room} room the room whose local stream the choice feeds */
  constructor(room) {
    this.room = room;
    /** The speaker chosen ('' the default), for every remote video. */
    this.speaker = localStorage.getItem(remembered.speaker) ?? '';
    this._meter = null;
    this._meterTimer = null;
    $('camera-select').addEventListener('change', () => this._switch('video', $('camera-select').value));
    $('microphone-select').addEventListener('change', () => this._switch('audio', $('microphone-select').value));
    $('speaker-select').addEventListener('change', () => this._chooseSpeaker($('speaker-select').value));
    // Audio processing starts after the first interaction with the page (the browsers' autoplay rules).
    for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, () => this._meter?.resume(), { capture: true });
  }

  /**
   * Opens the remembered (else the default) camera and microphone and fills the lists. Returns the stream, or null
   * with the reason shown in the guidance (`#device-guidance`) when nothing opened.
   * @returns {Promise<{ stream: MediaStream | null, problem: string | null }>}
   */
  async open() {
    let stream = null, problem = null;
    try {
      stream = await openMedia({ camera: localStorage.getItem(remembered.camera) ?? undefined, microphone: localStorage.getItem(remembered.microphone) ?? undefined })
        .catch((error) => (mediaProblem(error) === 'no-device' ? openMedia() : Promise.reject(error)));
      if (!stream.getVideoTracks().length) problem = 'No camera was found: the others will hear you but not see you.';
      if (!stream.getAudioTracks().length) problem = 'No microphone was found: the others will see you but not hear you.';
    } catch (error) {
      problem = explain(error);
      this.error = error;
    }
    this._guide(problem);
    if (stream) await this.room.publish(stream);
    await this._fill();
    this._startMeter();
    return { stream, problem };
  }

  /** Stops the meter and the local tracks (leaving). */
  close() {
    clearInterval(this._meterTimer);
    this._meter?.close();
    this.room.localStream?.getTracks().forEach((t) => t.stop());
  }

  /** Plays `video` through the chosen speaker. @param {HTMLMediaElement} video */
  playThrough(video) {
    setSpeaker(video, this.speaker).catch(() => {});
  }

  _guide(text) {
    $('device-guidance').textContent = text ?? '';
    $('device-guidance').hidden = !text;
  }

  async _fill() {
    const { cameras, microphones, speakers } = await listDevices();
    const current = (kind) => this.room.localStream?.getTracks().find((t) => t.kind === kind)?.getSettings().deviceId;
    fillSelect($('camera-select'), cameras, current('video'), 'No camera');
    fillSelect($('microphone-select'), microphones, current('audio'), 'No microphone');
    fillSelect($('speaker-select'), speakers, this.speaker, 'Default speaker');
    $('speaker-choice').hidden = speakers.length === 0;
  }

  _startMeter() {
    clearInterval(this._meterTimer);
    this._meter?.close();
    this._meter = null;
    const stream = this.room.localStream;
    if (!stream?.getAudioTracks().length) return;
    this._meter = new LevelMeter(stream);
    this._meterTimer = setInterval(() => { $('mic-level').value = this._meter.level; }, 100);
  }

  /** Opens another camera or microphone and sends it in place of the current one. */
  async _switch(kind, deviceId) {
    try {
      const stream = await openMedia(kind === 'video' ? { audio: false, camera: deviceId } : { video: false, microphone: deviceId });
      const track = stream.getTracks()[0];
      const old = this.room.localStream?.getTracks().find((t) => t.kind === kind);
      await this.room.replaceLocalTrack(track);
      old?.stop();
      localStorage.setItem(kind === 'video' ? remembered.camera : remembered.microphone, deviceId);
      this._guide(null);
      if (kind === 'audio') this._startMeter();
    } catch (error) {
      this._guide(explain(error));
    }
  }

  async _chooseSpeaker(deviceId) {
    this.speaker = deviceId;
    localStorage.setItem(remembered.speaker, deviceId);
    for (const video of document.querySelectorAll('.tile:not(.local) video')) this.playThrough(video);
  }
}

/** Fills a device list, selecting `selected`; a list with no device says so and is disabled. */
function fillSelect(select, devices, selected, none) {
  select.replaceChildren(...devices.map(({ deviceId, label }) => new Option(label, deviceId, false, deviceId === selected)));
  if (!devices.length) select.append(new Option(none, ''));
  select.disabled = devices.length === 0;
}
