using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Media.Peers;
using Switchboard.Media.Transport;
using Switchboard.Protocols.Sdp;

namespace Switchboard.Media.Gateway;

/// <summary>
/// The transport of the SFU's gateways: each connection is plain RTP on a UDP port of its own
/// (<see cref="PlainRtpConnection"/>), bound to the media listen address, found in the answer as its one host candidate.
/// Runs the connections' timers, as the WebRTC transport does for its peers.
/// </summary>
public sealed class PlainRtpTransport : IHostedService, IDisposable
{
    private static readonly TimeSpan TimerPeriod = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<string, PlainRtpConnection> _connections = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IOptions<MediaOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PlainRtpTransport> _logger;
    private Task? _timers;

    public PlainRtpTransport(Sfu.SfuService sfu, IOptions<MediaOptions> options, TimeProvider time, ILogger<PlainRtpTransport> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        sfu.PlainRtp = this;
    }

    public int Count => _connections.Count;

    /// <summary>A new connection for a gateway's offer (made once: a new offer makes a new connection); null when full.</summary>
    public NewConnection? Connect(WebRtcOffer offer, IMediaPeerHandler handler, Contracts.PlainRtpPeer peer)
    {
        if (_connections.Count >= _options.Value.MaxPeers) return null;
        IPAddress address = IPAddress.Parse(_options.Value.ListenAddress);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = true;
        socket.Bind(new IPEndPoint(address, 0));
        var connection = new PlainRtpConnection(RandomNumberGenerator.GetHexString(16, lowercase: true), socket, handler,
            PlainRtpRoutes.Read(offer.Sdp), peer.Source, peer.KeyFrameInterval);
        _connections[connection.Id] = connection;
        new Thread(() =>
        {
            connection.ReceiveLoop(_time);
            _connections.TryRemove(connection.Id, out _);
        })
        { IsBackground = true, Name = $"plain RTP {connection.LocalPort}" }.Start();
        handler.OnConnected(connection);
        _logger.LogInformation("Plain RTP connection {Id} on UDP port {Port}", connection.Id, connection.LocalPort);
        var candidate = new IceCandidate("1", 1, "udp", 1, address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Any) ? "0.0.0.0" : address.ToString(),
            connection.LocalPort, "host", null, null, null);
        return new NewConnection(connection, new AnswerTransport("", "", offer.Fingerprint, "passive", [candidate], IceLite: true));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timers = Task.Run(() => RunTimersAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (PlainRtpConnection connection in _connections.Values) connection.Close("server shutting down");
        await _stopping.CancelAsync();
        if (_timers is not null) await _timers.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunTimersAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimerPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                long now = _time.GetMillis();
                foreach (PlainRtpConnection connection in _connections.Values) RunTimer(connection, now);
            }
        }
        catch (OperationCanceledException) { }
    }

    private void RunTimer(PlainRtpConnection connection, long now)
    {
        try
        {
            if (connection.IsClosed) return;
            if (now >= connection.NextTimerAt) connection.NextTimerAt = connection.Handler.OnTimer(connection, now);
            if (connection.KeyFrameIntervalMillis > 0 && now >= connection.NextKeyFrameRequestAt)
            {
                connection.NextKeyFrameRequestAt = now + connection.KeyFrameIntervalMillis;
                connection.RequestKeyFrames(now);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Plain RTP connection {Id}: its timer failed", connection.Id);
        }
    }
}
