using Switchboard.Signaling.Protocol;

namespace Switchboard.Signaling;

// Keepalive and the resume window, driven by one periodic sweep rather than a timer per connection.
public sealed partial class SignalingHub
{
    /// <summary>How often <see cref="SweepAsync"/> should run.</summary>
    public TimeSpan SweepInterval => TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(_options.PingIntervalSeconds, _options.JoinTimeoutSeconds) * 250, 100, 1000));

    /// <summary>
    /// Closes connections that have not joined in time, pings connections due a ping, drops silent ones, and ends
    /// participants whose resume window has passed.
    /// </summary>
    public async ValueTask SweepAsync()
    {
        foreach (var connection in _connections.Keys)
        {
            if (connection.Session is null && !connection.IsClosing && connection.SinceOpened > JoinTimeout)
                Fail(connection, ErrorCodes.JoinTimeout, $"join or resume within {_options.JoinTimeoutSeconds} s of connecting (Signaling:JoinTimeoutSeconds)", null,
                    closeCode: CloseCodes.PolicyViolation);
            else if (connection.SinceLastReceived > 2 * PingInterval) connection.Abort();
            else if (connection.SinceLastPing >= PingInterval) connection.SendPing();
        }
        var now = _time.GetUtcNow();
        _quality.Sweep(now, _sessions.ContainsKey);
        foreach (var session in _sessions.Values)
        {
            if (session.DisconnectedAt is { } since && now - since > ResumeWindow)
                await LeaveAsync(session, LeaveReasons.Timeout, CloseCodes.Normal, null);
        }
    }

    /// <summary>The server is stopping: every client is told and its connection closed (1001).</summary>
    public void CloseAll()
    {
        foreach (var connection in _connections.Keys)
            Fail(connection, ErrorCodes.ServerShuttingDown, "the server is stopping", null, CloseCodes.GoingAway);
    }
}
