using System.Diagnostics;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Diagnostics;

/// <summary>
/// The TURN server's spans (ActivitySource "Switchboard.Turn", docs/tracing.md): one "Allocate" per Allocate request,
/// tagged with its result ("success"; "challenge" or "error" with the STUN error code; "no answer"). Nothing is recorded while
/// no listener samples the source.
/// </summary>
public static class TurnTracing
{
    public const string SourceName = "Switchboard.Turn";

    private static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartAllocate(ClientConnection connection)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity("Allocate", ActivityKind.Server);
        activity?.SetTag("network.transport", TransportName(connection.Transport));
        activity?.SetTag("turn.result", "no answer");
        return activity;
    }

    /// <summary>Whether an Allocate span runs on this thread (so that its tags are worth making).</summary>
    internal static bool IsTraced => Current is not null;

    /// <summary>The Allocate running on this thread got a success response.</summary>
    internal static void Allocated(string relays)
    {
        if (Current is not { } activity) return;
        activity.SetTag("turn.result", "success");
        activity.SetTag("turn.relayed_address", relays);
    }

    /// <summary>The Allocate running on this thread (if traced) was challenged for credentials (401, or 438 for a stale nonce): the usual first answer.</summary>
    internal static void Challenged(int errorCode)
    {
        if (Current is not { } activity) return;
        activity.SetTag("turn.result", "challenge");
        activity.SetTag("stun.error_code", errorCode);
    }

    /// <summary>The Allocate running on this thread (if traced) got an error response.</summary>
    internal static void Failed(int errorCode)
    {
        if (Current is not { } activity) return;
        activity.SetTag("turn.result", "error");
        activity.SetTag("stun.error_code", errorCode);
        activity.SetStatus(ActivityStatusCode.Error, errorCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Activity? Current => Activity.Current is { } activity && activity.Source == Source ? activity : null;

    private static string TransportName(ClientTransport transport) => transport switch
    {
        ClientTransport.Udp => "udp",
        ClientTransport.Tcp => "tcp",
        ClientTransport.Tls => "tls",
        _ => "dtls",
    };
}
