// Switchboard JS SDK: join a room on a Switchboard server and call everyone in it (docs/sdk.md).
// Speaks the native signaling protocol (docs/signaling.md) and runs one RTCPeerConnection per remote
// participant. An ES module with no dependencies: import { Room } from '/sdk/switchboard.js'.

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
 * @typedef {ParticipantInfo & { stream: MediaStream | null, pc: RTCPeerConnection | null }} RemoteParticipant
 * @typedef {'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected'} ConnectionState
 */

/**
 * A room on a Switchboard server. Events (CustomEvent, details in brackets):
 * `connection-state` {state}, `participant-joined` {participant}, `participant-left` {participant, reason},
 * `participant-updated` {participant}, `track` {participant, track, stream}, `track-ended` {participant, track},
 * `message` {from, data, broadcast}, `error` {code, message}.
 */
export class Room extends EventTarget {
  /**
   * @param {{ url?: string, rtcConfig?: RTCConfiguration }} [options]
   *   url: the signaling WebSocket (default: /ws on the page's host);
   *   rtcConfig: merged over the ICE servers the server hands out (e.g. { iceTransportPolicy: 'relay' }).
   */
  constructor(options = {}) {
    super();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = options.url ?? `${scheme}//${location.host}/ws`;
    this.rtcConfig = options.rtcConfig ?? {};
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
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
  }

  /** Stops sending media (the calls stay up, receiving). */
  async unpublish() {
    this.localStream = null;
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
  }

  /**
   * Sends another video track in place of the camera's (e.g. a screen share), or the camera again with null.
   * No renegotiation: the same sender carries it.
   * @param {MediaStreamTrack | null} track
   */
  async replaceVideoTrack(track) {
    this._videoOverride = track;
    for (const participant of this.participants.values()) await this._attachLocalTracks(participant.pc);
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

  /** Leaves the room and closes every call. */
  async leave() {
    this._leaving = true;
    this._send({ type: 'leave' });
    this._closeAllPeers();
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
      case 'message': return this._emit('message', { from: this.participants.get(message.from) ?? { id: message.from }, data: message.data, broadcast: message.broadcast });
      case 'error': return this._onError(message);
    }
  }

  _onJoined(message, resumed) {
    this.localParticipant = message.participant;
    this._iceServers = message.iceServers ?? [];
    this._resumeToken = message.resumeToken;
    this._pingInterval = message.pingInterval;
    this._resumeWindow = message.resumeWindow;
    this.grants = message.grants;
    for (const participant of message.participants) {
      // Those already here get our offer; on a resume, only those who came meanwhile are new.
      if (!this.participants.has(participant.id)) this._addParticipant(participant, !resumed);
    }
    this._setState('connected');
    const pending = this._pending;
    this._pending = null;
    pending?.resolve(message.participant);
  }

  _onError(message) {
    const error = new SignalingError(message.code, message.message);
    if (this._pending && message.requestId === this._pending.id) return this._rejectPending(error);
    if (message.fatal) {
      this._leaving = true;
      this._closeAllPeers();
      this._setState('disconnected');
    }
    this._emit('error', { code: message.code, message: message.message });
  }

  // --- participants and their calls ---

  /** @param {ParticipantInfo} info @param {boolean} offer whether this side starts the call */
  _addParticipant(info, offer) {
    if (this.participants.has(info.id)) return this._updateParticipant(info);
    /** @type {RemoteParticipant} */
    const participant = { ...info, stream: null, pc: null, queue: Promise.resolve(), makingOffer: false, ignoreOffer: false };
    this.participants.set(info.id, participant);
    participant.pc = this._createPeer(participant, offer);
    this._emit('participant-joined', { participant });
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
}
