using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Signaling.Quality;
using Switchboard.Signaling.Rooms;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Signaling.Tests;

/// <summary>A real Kestrel on 127.0.0.1 with the signaling server at /ws, configured per test through "Signaling:*" settings.</summary>
public sealed class SignalingHost : IAsyncDisposable
{
    public static readonly ApiKey Key = new() { Key = "test-key", Secret = "test-secret-that-is-long-enough-for-hs256" };

    private readonly WebApplication _app;

    private SignalingHost(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public IRoomAdministration Rooms => _app.Services.GetRequiredService<IRoomAdministration>();

    public CallQualityLog Quality => _app.Services.GetRequiredService<CallQualityLog>();

    public static async Task<SignalingHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?>
        {
            ["Signaling:ApiKeys:0:Key"] = Key.Key,
            ["Signaling:ApiKeys:0:Secret"] = Key.Secret,
            ["Signaling:AllowAnonymous"] = "true",
        };
        foreach (var (key, value) in settings) config["Signaling:" + key] = value;
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSignaling();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapSignaling("/ws");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new SignalingHost(app, new Uri(address.Replace("http://", "ws://") + "/ws"));
    }

    /// <summary>The current value of one of this host's observable signaling instruments (meter "Switchboard.Signaling").</summary>
    public long Observe(string instrumentName)
    {
        var factory = _app.Services.GetRequiredService<IMeterFactory>();
        long value = -1;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == instrumentName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, _, _) => value = measurement);
        listener.SetMeasurementEventCallback<int>((_, measurement, _, _) => value = measurement);
        listener.Start();
        listener.RecordObservableInstruments();
        return value;
    }

    /// <summary>Collects what one of this host's histograms records into <paramref name="into"/> until disposed.</summary>
    public IDisposable Record(string instrumentName, List<double> into)
    {
        var factory = _app.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory && instrument.Name == instrumentName) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, measurement, _, _) =>
        {
            lock (into) into.Add(measurement);
        });
        listener.Start();
        return listener;
    }

    public Task<TestClient> ConnectAsync() => TestClient.ConnectAsync(Endpoint);

    /// <summary>Connects and joins; returns the client with its joined message read.</summary>
    public async Task<TestClient> JoinAsync(string room, string? name = null, string? token = null)
    {
        var client = await ConnectAsync();
        await client.SendAsync(new { type = "join", room, name, token });
        client.Joined = await client.ExpectAsync("joined");
        return client;
    }

    public static string Token(string identity, string? room, Grants grants, TimeSpan? lifetime = null, ApiKey? key = null, DateTimeOffset? notBefore = null) =>
        AccessTokenCodec.Create(new AccessToken(identity, null, room, grants, DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1)), notBefore), key ?? Key, DateTimeOffset.UtcNow);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
