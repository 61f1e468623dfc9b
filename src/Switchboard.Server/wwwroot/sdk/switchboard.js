// Switchboard JS SDK: join a room on a Switchboard server and call everyone in it (docs/sdk.md).
// Speaks the native signaling protocol (docs/signaling.md). In an `sfu` room it runs one RTCPeerConnection to the
// server's media server, which forwards everyone's tracks; in a `p2p` room one RTCPeerConnection per remote
// participant (a mesh). An ES module with no dependencies: import { Room } from '/sdk/switchboard.js'.
import { CallStats } from './call-stats.js';
import { DataBus } from './data-bus.js';

/** An error the server (or the connection) reported; `code` is one of docs/signaling.md's error codes, or 'unreachable'. */
export class SignalingError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'SignalingError';
    this.code = code;
  }
}

/**
 * @typedef {{ id: string, identity: string, name: string, state: object, joinedAt: string }} ParticipantInfo
 * @typedef {ParticipantInfo & { stream: MediaStream | null, screenStream: MediaStream | null, pc: RTCPeerConnection | null }} RemoteParticipant
 * @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected'} ConnectionState
 * @typedef {'microphone' | 'camera' | 'screen' | 'screen-audio'} TrackSource
 * @typedef {{ id: string, participantId: string, kind: 'audio' | 'video', source: TrackSource, muted: boolean, layers: number }} TrackInfo
 * @typedef {{ trackId: string, transceiver: RTCRtpTransceiver, track: MediaStreamTrack | null, participant: RemoteParticipant | null }} Subscription
 */

/** Simulcast encodings of the camera in an sfu room, low to high. */
const SIMULCAST = [{ rid: 'q', scale: 4 }, { rid: 'h', scale: 2 }, { rid: 'f', scale: 1 }];

/**
 * How many of them a camera of this size sends. libwebrtc sends no more layers than the resolution allows (3 from
 * 960x540, 2 from 480x270, else 1) and drops the top ones, so a 640x480 camera given all three would send only its
 * 1/4 and 1/2 sizes: the SDK leaves out the bottom ones instead, and the top layer is always the full size.
 */
function simulcastLayerCount(width, height) {
  if (!width || !height) return SIMULCAST.length;
  const pixels = width * height;
  return pixels >= 960 * 540 ? 3 : pixels >= 480 * 270 ? 2 : 1;
}

const isStopped = (transceiver) => transceiver.direction === 'stopped' || transceiver.currentDirection === 'stopped';

/**
 * A room on a Switchboard server. Events (CustomEvent, details in brackets):
 * `connection-state` {state}, `participant-joined` {participant}, `participant-left` {participant, reason},
 * `participant-updated` {participant}, `track` {participant, track, stream, source}, `track-ended` {participant, track, source},
 * `message` {from, data, broadcast}, `data` {from, topic, data, reliable} (from: null for the server), `error` {code, message};
 * in sfu rooms also `tracks` {tracks},
 * `track-muted` {participant, source, muted}, `active-speakers` {speakers: [{participant, level}]} and `stats` {summary}
 * (every `statsInterval` ms: the media connection's summary, docs/signaling.md "Call quality").
 */
export class Room extends EventTarget {
  /**
   * @param {{ url?: string, rtcConfig?: RTCConfiguration, simulcast?: boolean, statsInterval?: number, sendStats?: boolean }} [options]
   *   url: the signaling WebSocket (default: /ws on the page's host);
   *   rtcConfig: merged over the ICE servers the server hands out (e.g. { iceTransportPolicy: 'relay' });
   *   simulcast: in sfu rooms, send the camera in three sizes so that each receiver gets the one it shows (default true);
   *   statsInterval: in sfu rooms, summarize the media connection every this many ms (default 5000, at least 1000; 0: never);
   *   sendStats: send each summary to the server, which keeps the call's quality timeline (default true).
   */
  constructor(options = {}) {
    super();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = options.url ?? `${scheme}//${location.host}/ws`;
    this.rtcConfig = options.rtcConfig ?? {};
    this.simulcast = options.simulcast ?? true;
    this.statsInterval = options.statsInterval === 0 ? 0 : Math.max(1000, options.statsInterval ?? 5000);
    this.sendStats = options.sendStats ?? true;
    /** sfu: the media connection's latest summary (the `stats` event's). @type {object | null} */
    this.lastStats = null;
    this._statsTimer = null;
    /** @type {Map<string, RemoteParticipant>} */
    this.participants = new Map();
    /** @type {ParticipantInfo | null} */
    this.localParticipant = null;
    /** @type {MediaStream | null} */
    this.localStream = null;
    /** @type {ConnectionState} */
    this.connectionState = 'idle';
    /** The signaling WebSocket, exposed for diagnostics. @type {WebSocket | null} */
    this.socket = null;
    this.roomName = null;
    this._joinOptions = null;
    this._iceServers = [];
    this._resumeToken = null;
    this._resumeWindow = 20000;
    this._pingInterval = 15000;
    this._lastSeq = 0;
    this._lastHeard = 0;
    this._watchdog = null;
    this._leaving = false;
    this._pending = null;
    this._videoOverride = null;
    /** How media flows in this room, from the join answer: 'sfu' or 'p2p'. @type {'sfu' | 'p2p' | null} */
    this.media = null;
    /** Whether the room is being recorded now (sfu rooms; the `recording` event says when it changes). */
    this.recording = false;
    /** sfu: the one peer connection to the media server (for diagnostics and getStats). @type {RTCPeerConnection | null} */
    this.pc = null;
    /** sfu: the room's data bus over the peer connection's data channels. @type {DataBus | null} */
    this._data = null;
    /** sfu: every published track of the room, by id. @type {Map<string, TrackInfo>} */
    this.tracks = new Map();
    /** sfu: what this participant receives, by track id (transceiver and mid, for diagnostics). @type {Map<string, Subscription>} */
    this.subscriptions = new Map();
    /** sfu: the participants speaking now, loudest first. @type {{ participant: object, level: number }[]} */
    this.activeSpeakers = [];
    this._screenTrack = null;
    this._muted = { microphone: false, camera: false, screen: false, 'screen-audio': false };
    /**
     * What this participant sends, by source; `answered` once the server has the track, `muted` as the server knows it.
     * @type {Map<string, { transceiver: RTCRtpTransceiver, answered: boolean, muted: boolean, layers?: { rid: string, width?: number, height?: number }[] }>}
     */
    this._publishers = new Map();
    this._rejected = new Set();
    /** @type {RTCRtpTransceiver[]} */
    this._toStop = [];
    this._negotiating = false;
    this._negotiateAgain = false;
    this._mediaPending = null;
    this._mediaRequests = 0;
    this._videoSizes = new Map();
    this._layersQueue = Promise.resolve();
    /** The camera's simulcast layers the server last asked for (layers message), low to high. @type {boolean[] | null} */
    this._cameraLayers = null;
  }

  /**
   * Connects and joins a room. Resolves with this participant's info; rejects with a SignalingError.
   * @param {string} room
   * @param {{ name?: string, token?: string, state?: object }} [options]
   */
  async join(room, options = {}) {
    this.roomName = room;
    this._joinOptions = options;
    this._leaving = false;
    await this._open();
    return this._request({ type: 'join', id: 'join', room, name: options.name, token: options.token, state: options.state });
  }

  /** Sends these tracks to everyone in the room (now and to those who join later). @param {MediaStream} stream */
  async publish(stream) {
    this.localStream = stream;
    if (this.media === 'sfu') return this._negotiate();
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
  }

  /** Stops sending media (the calls stay up, receiving). */
  async unpublish() {
    this.localStream = null;
    if (this.media === 'sfu') return this._negotiate();
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
  }

  /**
   * Sends another video track in place of the camera's, or the camera again with null.
   * No renegotiation: the same sender carries it.
   * @param {MediaStreamTrack | null} track
   */
  async replaceVideoTrack(track) {
    this._videoOverride = track;
    if (this.media === 'sfu') {
      const camera = this._publishers.get('camera');
      if (camera && !isStopped(camera.transceiver)) await camera.transceiver.sender.replaceTrack(this._localTrack('video'));
      else if (this._localTrack('video')) await this._negotiate();
      return;
    }
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
  }

  /**
   * Sends `track`, a microphone or camera from another device, in place of the local stream's track of its kind: the
   * track is swapped in `localStream` and on the senders that carry it, without renegotiation. A muted source stays
   * muted; the old track is not stopped (the caller stops it).
   * @param {MediaStreamTrack} track
   */
  async replaceLocalTrack(track) {
    const stream = this.localStream ?? (this.localStream = new MediaStream());
    const source = track.kind === 'audio' ? 'microphone' : 'camera';
    track.enabled = !this._muted[source];
    for (const old of stream.getTracks().filter((t) => t.kind === track.kind)) stream.removeTrack(old);
    stream.addTrack(track);
    if (this.media === 'sfu') {
      const publisher = this._publishers.get(source);
      if (publisher && !isStopped(publisher.transceiver)) await publisher.transceiver.sender.replaceTrack(this._localTrack(track.kind));
      else await this._negotiate();
      return;
    }
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
  }

  /**
   * Shares a screen (a track from getDisplayMedia), or stops sharing with null. In an sfu room the screen is a track
   * of its own (source 'screen') beside the camera; in a p2p room it takes the camera's place (replaceVideoTrack).
   * @param {MediaStreamTrack | null} track
   */
  async publishScreen(track) {
    if (this.media !== 'sfu' && this.media !== null) return this.replaceVideoTrack(track);
    this._screenTrack = track;
    const screen = this._publishers.get('screen');
    if (track && screen && !isStopped(screen.transceiver)) return screen.transceiver.sender.replaceTrack(track);
    return this._negotiate();
  }

  /**
   * Mutes or unmutes this participant's microphone or camera: the local track stops sending (track.enabled) and, in an
   * sfu room, the server stops forwarding it and tells everyone (track-muted).
   * @param {'microphone' | 'camera'} source @param {boolean} muted
   */
  mute(source, muted) {
    this._muted[source] = muted;
    const track = source === 'microphone' ? this._localTrack('audio') : source === 'camera' ? this.localStream?.getVideoTracks()[0] : null;
    if (track) track.enabled = !muted;
    // Before the server has the track, the next offer's publish entry (or the check after its answer) carries it.
    const publisher = this._publishers.get(source);
    if (this.media === 'sfu' && publisher?.answered && publisher.muted !== muted) {
      publisher.muted = muted;
      this._send({ type: 'mute', source, muted });
    }
  }

  /**
   * Tells the server how large a remote video is shown (sfu rooms), so that it forwards the simulcast layer that fits:
   * watches the element's size (CSS pixels times devicePixelRatio; 0x0 when hidden) and sends track-settings when it
   * changes. Returns a function that stops watching.
   * @param {string} participantId @param {TrackSource} source @param {HTMLVideoElement} video
   */
  observeVideo(participantId, source, video) {
    const trackId = `${participantId}/${source}`;
    let timer = null;
    const report = () => {
      timer = null;
      const ratio = window.devicePixelRatio || 1;
      const shown = video.isConnected && video.getClientRects().length > 0;
      this._setVideoSize(trackId, shown ? Math.round(video.clientWidth * ratio) : 0, shown ? Math.round(video.clientHeight * ratio) : 0);
    };
    const observer = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(report, 200);
    });
    observer.observe(video);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }

  /** Publishes this participant's state (e.g. { audio: false }) to the others. @param {object} state */
  setState(state) {
    this.localParticipant = { ...this.localParticipant, state };
    this._send({ type: 'update', state });
  }

  /** Sends application data to one participant, or to everyone else without `to`. @param {any} data @param {string} [to] */
  send(data, to) {
    this._send({ type: 'message', data, to });
  }

  /**
   * Sends a message on the room's data bus: to everyone else, to some participants (`to`: ids), or to server code
   * only (`to: 'server'`); reliable (ordered, default) or lossy (`reliable: false`: unordered, never retransmitted);
   * `topic` lets the app tell its kinds of messages apart. In an sfu room it goes through the media server's data
   * channels (the server sets the sender); in a p2p room through signaling. Resolves once queued.
   * @param {string | ArrayBuffer | ArrayBufferView} data
   * @param {{ to?: string | string[], reliable?: boolean, topic?: string }} [options]
   */
  async sendData(data, options = {}) {
    if (this.media === 'sfu') {
      if (!this._data) throw new SignalingError('media-unavailable', 'no connection to the media server');
      return this._data.send(data, options);
    }
    if (options.to === 'server') throw new SignalingError('media-unavailable', 'a p2p room has no server-side data bus');
    const payload = typeof data === 'string' ? { text: data } : { base64: toBase64(data) };
    const message = { $data: { topic: options.topic ?? '', ...payload } };
    const to = options.to === undefined ? [undefined] : [options.to].flat();
    for (const id of to) this._send({ type: 'message', data: message, to: id });
  }

  /** Leaves the room and closes every call. */
  async leave() {
    this._leaving = true;
    this._send({ type: 'leave' });
    this._closeAllPeers();
    this._closeMedia();
    clearInterval(this._watchdog);
    this.socket?.close(1000);
    this._setState('disconnected');
  }

  // --- signaling connection ---

  _open() {
    return new Promise((resolve, reject) => {
      this._setState(this._resumeToken ? 'reconnecting' : 'connecting');
      const socket = new WebSocket(this.url);
      this.socket = socket;
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this._lastHeard = Date.now();
        clearInterval(this._watchdog);
        this._watchdog = setInterval(() => this._checkAlive(socket), 1000);
        resolve();
      };
      socket.onmessage = (event) => this._onMessage(event.data);
      socket.onclose = () => {
        if (socket !== this.socket) return;
        clearInterval(this._watchdog);
        if (!opened) reject(new SignalingError('unreachable', `cannot reach the signaling server at ${this.url}`));
        else this._onConnectionLost();
      };
    });
  }

  /** Two ping intervals without a word from the server: the connection is dead even if the socket says otherwise. */
  _checkAlive(socket) {
    if (socket === this.socket && Date.now() - this._lastHeard > 2 * this._pingInterval) socket.close();
  }

  _onConnectionLost() {
    if (this._leaving) return;
    if (!this._resumeToken) {
      this._setState('disconnected');
      this._rejectPending(new SignalingError('unreachable', 'the connection to the signaling server closed'));
      return;
    }
    this._resume(Date.now());
  }

  /** Reconnects with backoff inside the resume window and resumes; past the window, joins again. */
  async _resume(since) {
    let delay = 250;
    while (!this._leaving) {
      try {
        await this._open();
        await this._request({ type: 'resume', id: 'resume', resumeToken: this._resumeToken, lastSeq: this._lastSeq });
        return;
      } catch (error) {
        if (error instanceof SignalingError && error.code === 'resume-failed') return this._rejoin();
        if (Date.now() - since > this._resumeWindow) return this._rejoin();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  /** The session is gone: start over with new calls. */
  async _rejoin() {
    this._closeAllPeers();
    this._closeMedia();
    this._resumeToken = null;
    this._lastSeq = 0;
    try {
      if (this.socket?.readyState !== WebSocket.OPEN) await this._open();
      await this._request({ type: 'join', id: 'join', room: this.roomName, ...this._joinOptions, state: this.localParticipant?.state });
    } catch (error) {
      this._setState('disconnected');
      this._emit('error', { code: error.code ?? 'unreachable', message: error.message });
    }
  }

  _request(message) {
    return new Promise((resolve, reject) => {
      this._pending = { id: message.id, resolve, reject };
      this._send(message);
    });
  }

  _rejectPending(error) {
    const pending = this._pending;
    this._pending = null;
    pending?.reject(error);
  }

  _send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  _setState(state) {
    if (this.connectionState === state) return;
    this.connectionState = state;
    this._emit('connection-state', { state });
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _onMessage(text) {
    this._lastHeard = Date.now();
    const message = JSON.parse(text);
    if (typeof message.seq === 'number') {
      if (message.seq <= this._lastSeq) return; // already seen before a resume
      this._lastSeq = message.seq;
    }
    switch (message.type) {
      case 'ping': return this._send({ type: 'pong' });
      case 'pong': return;
      case 'joined': return this._onJoined(message, false);
      case 'resumed': return this._onJoined(message, true);
      case 'participant-joined': return this._addParticipant(message.participant, false);
      case 'participant-left': return this._removeParticipant(message.participantId, message.reason);
      case 'participant-updated': return this._updateParticipant(message.participant);
      case 'offer':
      case 'answer': return this._enqueue(message.from, (p) => this._onDescription(p, message.type, message.sdp));
      case 'candidate': return this._enqueue(message.from, (p) => this._onCandidate(p, message.candidate));
      case 'message': return message.data?.$data
        ? this._onSignaledData(message.from, message.data.$data)
        : this._emit('message', { from: this.participants.get(message.from) ?? { id: message.from }, data: message.data, broadcast: message.broadcast });
      case 'media-answer': return this._onMediaAnswer(message.sdp);
      case 'tracks': return this._onTracks(message.tracks ?? []);
      case 'speakers': return this._onSpeakers(message.speakers ?? []);
      case 'layers': return this._onLayers(message.trackId, message.active ?? []);
      case 'recording': return this._onRecording(message.active === true);
      case 'error': return this._onError(message);
    }
  }

  /** The room's recording started or stopped: `room.recording` says which, and a `recording` event tells. */
  _onRecording(active) {
    if (this.recording === active) return;
    this.recording = active;
    this._emit('recording', { active });
  }

  _onJoined(message, resumed) {
    this.localParticipant = message.participant;
    this._iceServers = message.iceServers ?? [];
    this._resumeToken = message.resumeToken;
    this._pingInterval = message.pingInterval;
    this._resumeWindow = message.resumeWindow;
    this.grants = message.grants;
    // A server that does not announce the media mode predates the SFU: its rooms are meshes.
    this.media = message.media === 'sfu' ? 'sfu' : 'p2p';
    if (this.media === 'p2p' && this._screenTrack && !this._videoOverride) this._videoOverride = this._screenTrack; // publishScreen before join
    for (const participant of message.participants) {
      // p2p: those already here get our offer; on a resume, only those who came meanwhile are new.
      if (!this.participants.has(participant.id)) this._addParticipant(participant, !resumed);
    }
    if (this.media === 'sfu') this._startMedia(message.tracks ?? [], resumed);
    this._onRecording(message.recording === true);
    this._setState('connected');
    const pending = this._pending;
    this._pending = null;
    pending?.resolve(message.participant);
  }

  _onError(message) {
    const error = new SignalingError(message.code, message.message);
    if (this._pending && message.requestId === this._pending.id) return this._rejectPending(error);
    if (this._mediaPending && message.requestId === this._mediaPending.id) {
      const pending = this._mediaPending;
      this._mediaPending = null;
      pending.reject(error);
      return;
    }
    if (message.fatal) {
      this._leaving = true;
      this._closeAllPeers();
      this._closeMedia();
      this._setState('disconnected');
    }
    this._emit('error', { code: message.code, message: message.message });
  }

  // --- participants and their calls ---

  /** @param {ParticipantInfo} info @param {boolean} offer whether this side starts the call */
  _addParticipant(info, offer) {
    if (this.participants.has(info.id)) return this._updateParticipant(info);
    /** @type {RemoteParticipant} */
    const participant = { ...info, stream: null, screenStream: null, pc: null, queue: Promise.resolve(), makingOffer: false, ignoreOffer: false };
    this.participants.set(info.id, participant);
    if (this.media !== 'sfu') participant.pc = this._createPeer(participant, offer);
    this._emit('participant-joined', { participant });
    // sfu: a track of this participant may have arrived before the participant did.
    for (const subscription of this.subscriptions.values()) {
      if (subscription.track && !subscription.participant && this.tracks.get(subscription.trackId)?.participantId === info.id) this._showTrack(subscription);
    }
  }

  _removeParticipant(id, reason) {
    const participant = this.participants.get(id);
    if (!participant) return;
    this.participants.delete(id);
    participant.pc?.close();
    this._emit('participant-left', { participant, reason });
  }

  _updateParticipant(info) {
    const participant = this.participants.get(info.id);
    if (!participant) return;
    Object.assign(participant, { name: info.name, state: info.state });
    this._emit('participant-updated', { participant });
  }

  _closeAllPeers() {
    for (const participant of this.participants.values()) participant.pc?.close();
    this.participants.clear();
  }

  /** Signaling for one peer is applied in arrival order. */
  _enqueue(from, work) {
    const participant = this.participants.get(from);
    if (!participant) return;
    participant.queue = participant.queue.then(() => work(participant)).catch((error) => this._emit('error', { code: 'webrtc', message: String(error) }));
  }

  _createPeer(participant, offer) {
    const pc = new RTCPeerConnection({ iceServers: this._iceServers, ...this.rtcConfig });
    // "Perfect negotiation": the side with the greater id yields when both offer at once.
    participant.polite = this.localParticipant.id > participant.id;
    pc.onicecandidate = ({ candidate }) => this._send({ type: 'candidate', to: participant.id, candidate: candidate ? candidate.toJSON() : null });
    pc.onnegotiationneeded = async () => {
      try {
        participant.makingOffer = true;
        await pc.setLocalDescription();
        this._send({ type: pc.localDescription.type, to: participant.id, sdp: pc.localDescription.sdp });
      } catch (error) {
        this._emit('error', { code: 'webrtc', message: String(error) });
      } finally {
        participant.makingOffer = false;
      }
    };
    pc.ontrack = ({ track, streams }) => {
      participant.stream = streams[0] ?? participant.stream ?? new MediaStream();
      if (!participant.stream.getTracks().includes(track)) participant.stream.addTrack(track);
      track.addEventListener('ended', () => this._emit('track-ended', { participant, track }));
      this._emit('track', { participant, track, stream: participant.stream });
    };
    if (offer) {
      // The newcomer offers one audio and one video transceiver to each participant already there.
      const stream = this.localStream ?? new MediaStream();
      pc.addTransceiver(this._localTrack('audio') ?? 'audio', { direction: 'sendrecv', streams: [stream] });
      pc.addTransceiver(this._localTrack('video') ?? 'video', { direction: 'sendrecv', streams: [stream] });
    }
    return pc;
  }

  _localTrack(kind) {
    if (kind === 'video' && this._videoOverride) return this._videoOverride;
    return this.localStream?.getTracks().find((t) => t.kind === kind) ?? null;
  }

  /** Puts the local tracks on the peer's senders (the answerer's transceivers come from the offer). */
  async _attachLocalTracks(pc) {
    if (!pc || pc.signalingState === 'closed') return;
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      if (transceiver.currentDirection === 'stopped') continue;
      if (transceiver.direction === 'recvonly') transceiver.direction = 'sendrecv';
      await transceiver.sender.replaceTrack(this._localTrack(kind));
      if (this.localStream) transceiver.sender.setStreams?.(this.localStream);
    }
  }

  async _onDescription(participant, type, sdp) {
    const pc = participant.pc;
    const collision = type === 'offer' && (participant.makingOffer || pc.signalingState !== 'stable');
    participant.ignoreOffer = !participant.polite && collision;
    if (participant.ignoreOffer) return;
    await pc.setRemoteDescription({ type, sdp });
    if (type === 'offer') {
      await this._attachLocalTracks(pc);
      await pc.setLocalDescription();
      this._send({ type: 'answer', to: participant.id, sdp: pc.localDescription.sdp });
    }
  }

  async _onCandidate(participant, candidate) {
    try {
      await participant.pc.addIceCandidate(candidate ?? undefined);
    } catch (error) {
      if (!participant.ignoreOffer) throw error;
    }
  }

  // --- sfu: one peer connection to the media server ---

  /** After joined/resumed in an sfu room: a new peer connection, or (resumed) the one that stayed up. */
  /** p2p rooms: a data bus message that came through signaling. */
  _onSignaledData(from, { topic, text, base64 }) {
    const data = typeof text === 'string' ? text : typeof base64 === 'string' ? fromBase64(base64) : null;
    if (data === null) return;
    this._emit('data', { from: this.participants.get(from) ?? { id: from }, topic: String(topic ?? ''), data, reliable: true });
  }

  _startMedia(tracks, resumed) {
    if (resumed && this.pc) {
      // An offer sent while the socket was down never reached the server: its answer would have been among the
      // messages replayed right after `resumed`. Mute changes sent meanwhile are lost too: say them again.
      const pending = this._mediaPending;
      if (pending) setTimeout(() => { if (this._mediaPending === pending) this._send(pending.message); }, 2000);
      const self = this.localParticipant.id;
      for (const track of tracks) {
        const publisher = this._publishers.get(track.source);
        if (track.participantId === self && publisher?.answered && track.muted !== this._muted[track.source]) {
          publisher.muted = this._muted[track.source];
          this._send({ type: 'mute', source: track.source, muted: publisher.muted });
        }
      }
      this._onTracks(tracks);
      return;
    }
    const pc = new RTCPeerConnection({ iceServers: this._iceServers, bundlePolicy: 'max-bundle', ...this.rtcConfig });
    this.pc = pc;
    this._data = new DataBus(pc,
      (m) => this._emit('data', { from: m.participantId === null ? null : this.participants.get(m.participantId) ?? { id: m.participantId },
        topic: m.topic, data: m.data, reliable: m.reliable }),
      (notice) => this._emit('error', notice));
    pc.ontrack = (event) => {
      const mid = event.transceiver.mid;
      const subscription = [...this.subscriptions.values()].find((s) => s.transceiver === event.transceiver || (mid !== null && s.transceiver.mid === mid));
      if (!subscription) return;
      subscription.track = event.track;
      this._showTrack(subscription);
    };
    this._onTracks(tracks, false);
    this._negotiate();
    this._startStats(pc);
  }

  /** Every statsInterval ms while the peer connection lasts: a summary, emitted and (sendStats) sent as `stats`. */
  _startStats(pc) {
    if (this.statsInterval === 0) return;
    const stats = new CallStats(pc, (mid) => {
      const subscription = [...this.subscriptions.values()].find((s) => s.transceiver.mid === mid);
      return subscription && !this.tracks.get(subscription.trackId)?.muted ? subscription.trackId : null;
    });
    let busy = false;
    this._statsTimer = setInterval(async () => {
      if (busy || pc !== this.pc) return;
      busy = true;
      try {
        const summary = await stats.sample();
        if (!summary || pc !== this.pc) return;
        this.lastStats = summary;
        if (this.sendStats) this._send({ type: 'stats', ...summary });
        this._emit('stats', { summary });
      } catch (error) {
        this._emit('error', { code: 'webrtc', message: String(error) });
      } finally {
        busy = false;
      }
    }, this.statsInterval);
  }

  _closeMedia() {
    clearInterval(this._statsTimer);
    this._data?.close();
    this._data = null;
    this.pc?.close();
    this.pc = null;
    this._publishers.clear();
    this.subscriptions.clear();
    this.tracks = new Map();
    this._toStop = [];
    this._rejected.clear();
    this._cameraLayers = null;
    this.activeSpeakers = [];
    const pending = this._mediaPending;
    this._mediaPending = null;
    pending?.reject(new SignalingError('closed', 'the media connection closed'));
  }

  /**
   * Brings the peer connection in line with what this participant publishes and subscribes to: one media-offer at a
   * time; whatever changes while one is out is offered after its answer. Resolves when nothing is left to offer.
   */
  _negotiate() {
    if (this.media !== 'sfu' || !this.pc) return Promise.resolve();
    this._negotiateAgain = true;
    if (this._negotiating) return this._negotiation;
    this._negotiating = true;
    this._negotiation = (async () => {
      try {
        while (this._negotiateAgain && this.pc) {
          this._negotiateAgain = false;
          try {
            await this._negotiateOnce();
          } catch (error) {
            if (error.code !== 'closed') this._emit('error', { code: error.code ?? 'webrtc', message: error.message ?? String(error) });
          }
        }
      } finally {
        this._negotiating = false;
      }
    })();
    return this._negotiation;
  }

  async _negotiateOnce() {
    const pc = this.pc;
    if (!pc || pc.signalingState !== 'stable') return;
    await this._syncPublishers(pc);
    this._syncSubscriptions(pc);
    for (const transceiver of this._toStop.splice(0)) if (!isStopped(transceiver)) transceiver.stop();
    await pc.setLocalDescription(await pc.createOffer());
    if (pc !== this.pc) return;
    // The mids exist now that the offer is the local description.
    const publish = [];
    for (const [source, publisher] of this._publishers) {
      const { mid } = publisher.transceiver;
      if (mid === null || isStopped(publisher.transceiver)) continue;
      publisher.muted = this._muted[source] ?? false;
      publish.push({ mid, source, muted: publisher.muted, ...(publisher.layers ? { layers: publisher.layers } : {}) });
    }
    const offered = [...this.subscriptions.values()].filter((s) => s.transceiver.mid !== null && !isStopped(s.transceiver));
    const subscribe = offered.map((s) => ({ mid: s.transceiver.mid, trackId: s.trackId }));
    let sdp;
    try {
      sdp = await this._mediaRequest({ type: 'media-offer', sdp: pc.localDescription.sdp, publish, subscribe });
    } catch (error) {
      if (pc === this.pc && pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      throw error;
    }
    if (pc !== this.pc || pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    this._applyLayers();
    for (const [source, publisher] of this._publishers) {
      if (publisher.transceiver.mid === null || isStopped(publisher.transceiver)) continue;
      publisher.answered = true;
      if (publisher.muted !== this._muted[source]) this.mute(source, this._muted[source]); // muted while the offer was out
    }
    for (const subscription of offered) {
      if (this.subscriptions.get(subscription.trackId) !== subscription) continue;
      if (isStopped(subscription.transceiver)) {
        // Rejected (the track went meanwhile): not asked for again until the room's tracks change.
        this._rejected.add(subscription.trackId);
        this._endSubscription(subscription);
        continue;
      }
      if (!subscription.established) {
        subscription.established = true;
        const size = this._videoSizes.get(subscription.trackId);
        if (size) this._send({ type: 'track-settings', trackId: subscription.trackId, width: size.width, height: size.height });
      }
    }
  }

  /** Microphone and camera of the published stream, and the screen, each on a sendonly transceiver of its own. */
  async _syncPublishers(pc) {
    const wanted = { microphone: this._localTrack('audio'), camera: this._localTrack('video'), screen: this._screenTrack };
    for (const [source, track] of Object.entries(wanted)) {
      let current = this._publishers.get(source);
      if (current && isStopped(current.transceiver)) {
        this._publishers.delete(source);
        current = undefined;
      }
      if (!track) {
        if (current) {
          this._toStop.push(current.transceiver);
          this._publishers.delete(source);
        }
        continue;
      }
      if (this._muted[source]) track.enabled = false;
      if (current) {
        if (current.transceiver.sender.track !== track) await current.transceiver.sender.replaceTrack(track);
        continue;
      }
      const stream = source === 'screen' ? new MediaStream([track]) : (this.localStream ?? new MediaStream([track]));
      const layers = source === 'camera' && this.simulcast ? this._layersOf(track) : [];
      /** @type {RTCRtpTransceiverInit} */
      const init = { direction: 'sendonly', streams: [stream] };
      if (layers.length > 1) init.sendEncodings = layers.map(({ rid, scale }) => ({ rid, scaleResolutionDownBy: scale }));
      const transceiver = pc.addTransceiver(track, init);
      if (source === 'camera') this._cameraLayers = null; // all layers on until the server says otherwise
      this._publishers.set(source, {
        transceiver,
        answered: false,
        muted: false,
        layers: layers.length > 1 ? layers.map(({ rid, width, height }) => ({ rid, ...(width ? { width, height } : {}) })) : undefined,
      });
    }
  }

  /** The simulcast layers a camera track is sent in, low to high, with their sizes from the track's settings. */
  _layersOf(track) {
    const { width, height } = track.getSettings();
    return SIMULCAST.slice(SIMULCAST.length - simulcastLayerCount(width, height)).map(({ rid, scale }) =>
      (width && height ? { rid, scale, width: Math.round(width / scale), height: Math.round(height / scale) } : { rid, scale }));
  }

  /** The tracks of the others that this participant should receive. */
  _wantedTracks() {
    const self = this.localParticipant?.id;
    return [...this.tracks.values()].filter((t) => t.participantId !== self && !this._rejected.has(t.id));
  }

  /** A recvonly transceiver for each new track; the transceivers of tracks that went are stopped. */
  _syncSubscriptions(pc) {
    for (const subscription of [...this.subscriptions.values()]) {
      if (!this.tracks.has(subscription.trackId)) this._endSubscription(subscription);
    }
    for (const track of this._wantedTracks()) {
      if (this.subscriptions.has(track.id)) continue;
      const transceiver = pc.addTransceiver(track.kind, { direction: 'recvonly' });
      this.subscriptions.set(track.id, { trackId: track.id, participantId: track.participantId, source: track.source, transceiver, track: null, participant: null, established: false });
    }
  }

  _subscriptionsOutOfDate() {
    const wanted = new Set(this._wantedTracks().map((t) => t.id));
    return wanted.size !== this.subscriptions.size || [...wanted].some((id) => !this.subscriptions.has(id));
  }

  /** A received track is shown: on the participant's stream (microphone, camera) or screenStream (screen). */
  _showTrack(subscription) {
    const participant = this.participants.get(subscription.participantId);
    if (!participant || !subscription.track) return;
    subscription.participant = participant;
    const key = subscription.source === 'screen' || subscription.source === 'screen-audio' ? 'screenStream' : 'stream';
    participant[key] ??= new MediaStream();
    const stream = participant[key];
    if (!stream.getTracks().includes(subscription.track)) stream.addTrack(subscription.track);
    this._emit('track', { participant, track: subscription.track, stream, source: subscription.source });
  }

  /** A subscribed track went: off its stream, track-ended, and its transceiver stopped at the next offer. */
  _endSubscription(subscription) {
    this.subscriptions.delete(subscription.trackId);
    this._toStop.push(subscription.transceiver);
    const { participant, track } = subscription;
    if (!participant || !track) return;
    const screen = subscription.source === 'screen' || subscription.source === 'screen-audio';
    (screen ? participant.screenStream : participant.stream)?.removeTrack(track);
    this._emit('track-ended', { participant, track, source: subscription.source });
  }

  _mediaRequest(message) {
    return new Promise((resolve, reject) => {
      const id = `media-offer-${++this._mediaRequests}`;
      this._mediaPending = { id, resolve, reject, message: { ...message, id } };
      this._send(this._mediaPending.message);
    });
  }

  _onMediaAnswer(sdp) {
    const pending = this._mediaPending;
    this._mediaPending = null;
    pending?.resolve(sdp);
  }

  /** @param {TrackInfo[]} list @param {boolean} [negotiate] whether to offer when the subscriptions change */
  _onTracks(list, negotiate = true) {
    const previous = this.tracks;
    this.tracks = new Map(list.map((t) => [t.id, t]));
    this._rejected.clear();
    this._emit('tracks', { tracks: list });
    for (const track of list) {
      if ((previous.get(track.id)?.muted ?? false) !== track.muted) {
        this._emit('track-muted', { participant: this._participantOf(track.participantId), source: track.source, muted: track.muted });
      }
    }
    // Tracks that went end at once; their transceivers stop with the next offer.
    for (const subscription of [...this.subscriptions.values()]) {
      if (!this.tracks.has(subscription.trackId)) this._endSubscription(subscription);
    }
    if (negotiate && (this._toStop.length > 0 || this._subscriptionsOutOfDate())) this._negotiate();
  }

  _onSpeakers(list) {
    this.activeSpeakers = list.map((s) => ({ participant: this._participantOf(s.participantId), level: s.level }));
    this._emit('active-speakers', { speakers: this.activeSpeakers });
  }

  /** The server says which simulcast layers of the camera someone receives: the others pause. */
  _onLayers(trackId, active) {
    if (!this.localParticipant || trackId !== `${this.localParticipant.id}/camera`) return;
    this._cameraLayers = active;
    this._applyLayers();
  }

  /**
   * Sets the camera's encodings active as the server last asked. Again after every answer: applying one sets each
   * simulcast encoding active from the answer's a=simulcast (not paused there), which undoes the server's request.
   */
  _applyLayers() {
    const sender = this._publishers.get('camera')?.transceiver.sender;
    if (!this._cameraLayers || !sender) return;
    this._layersQueue = this._layersQueue.then(async () => {
      const active = this._cameraLayers; // the latest by the time it runs
      if (!active || this._publishers.get('camera')?.transceiver.sender !== sender) return;
      const parameters = sender.getParameters();
      let changed = false;
      parameters.encodings?.forEach((encoding, i) => {
        if (typeof active[i] === 'boolean' && encoding.active !== active[i]) {
          encoding.active = active[i];
          changed = true;
        }
      });
      if (changed) await sender.setParameters(parameters);
    }).catch((error) => this._emit('error', { code: 'webrtc', message: String(error) }));
  }

  _setVideoSize(trackId, width, height) {
    const last = this._videoSizes.get(trackId);
    if (last && last.width === width && last.height === height) return;
    this._videoSizes.set(trackId, { width, height });
    if (this.media === 'sfu' && this.subscriptions.get(trackId)?.established) this._send({ type: 'track-settings', trackId, width, height });
  }

  _participantOf(id) {
    if (id === this.localParticipant?.id) return this.localParticipant;
    return this.participants.get(id) ?? { id };
  }
}

function toBase64(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(base64) {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}
