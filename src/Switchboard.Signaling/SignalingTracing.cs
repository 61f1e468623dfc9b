using System.Diagnostics;

namespace Switchboard.Signaling;

/// <summary>
/// The signaling server's spans (ActivitySource "Switchboard.Signaling", docs/tracing.md): each join is a trace of its
/// own ("join", with "token check" and "room store admit" inside), and the participant's later media offers and
/// relayed offers and answers are spans of that trace. While no listener samples the source (tracing off), every
/// start returns null and costs one check.
/// </summary>
public static class SignalingTracing
{
    public const string SourceName = "Switchboard.Signaling";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A span of the trace <paramref name="trace"/> names (a new trace when it is default), never a child of the
    /// WebSocket request whose connection carries the message: that request lasts as long as the connection.
    /// </summary>
    internal static Activity? StartInTrace(string name, ActivityContext trace = default, ActivityKind kind = ActivityKind.Internal)
    {
        if (!Source.HasListeners()) return null;
        Activity.Current = null;
        return Source.StartActivity(name, kind, trace);
    }

    /// <summary>A span inside the one running now (e.g. the join's steps).</summary>
    internal static Activity? Start(string name) => Source.StartActivity(name);

    /// <summary>Marks <paramref name="activity"/> failed with the error code the client was sent.</summary>
    internal static void Refused(this Activity? activity, string code)
    {
        if (activity is null) return;
        activity.SetTag("switchboard.error_code", code);
        activity.SetStatus(ActivityStatusCode.Error, code);
    }
}
