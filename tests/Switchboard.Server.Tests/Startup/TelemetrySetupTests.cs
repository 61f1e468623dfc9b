using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Switchboard.Server.Telemetry;
using Switchboard.Signaling;

namespace Switchboard.Server.Tests.Startup;

public class TelemetrySetupTests
{
    private static (ServiceProvider Services, string? Error) Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        var error = services.AddTelemetry(configuration);
        return (services.BuildServiceProvider(), error);
    }

    [Fact]
    public void Without_an_endpoint_metrics_are_registered_and_no_tracer_is()
    {
        var (services, error) = Build();
        using (services)
        {
            Assert.Null(error);
            Assert.NotNull(services.GetService<MeterProvider>());
            Assert.Null(services.GetService<TracerProvider>());
        }
    }

    [Fact]
    public void An_endpoint_registers_a_tracer_that_listens_to_the_servers_sources()
    {
        var (services, error) = Build((TelemetrySetup.EndpointKey, "http://127.0.0.1:4318"));
        using (services)
        {
            Assert.Null(error);
            Assert.NotNull(services.GetService<TracerProvider>());
            using var signaling = new ActivitySource(SignalingTracing.SourceName);
            Assert.True(signaling.HasListeners());
        }
    }

    [Theory]
    [InlineData(TelemetrySetup.EndpointKey, "collector:4318")]
    [InlineData(TelemetrySetup.EndpointKey, "ftp://collector")]
    [InlineData(TelemetrySetup.ProtocolKey, "http/json")]
    public void An_invalid_setting_is_an_error_naming_its_key(string key, string value)
    {
        var settings = new List<(string, string)> { (key, value) };
        if (key != TelemetrySetup.EndpointKey) settings.Add((TelemetrySetup.EndpointKey, "http://127.0.0.1:4318"));
        var (services, error) = Build([.. settings]);
        using (services)
        {
            Assert.NotNull(error);
            Assert.Contains(key, error);
            Assert.Contains(value, error);
        }
    }
}
