namespace Switchboard.Server.Http;

/// <summary>Limits of the HTTP listeners (web app, <c>/ws</c>, <c>/api</c>), bound from the "Http" section beside <c>Http:Urls</c>.</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    /// <summary>How long a client may take to send a request's headers, however it paces them.</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>The slowest a request body may arrive, averaged, after a grace of <see cref="MinDataRateGrace"/>; slower is cut off.</summary>
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    public static readonly TimeSpan MinDataRateGrace = TimeSpan.FromSeconds(5);
}
