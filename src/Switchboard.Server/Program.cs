using Microsoft.Extensions.Options;
using Switchboard.Media;
using Switchboard.Media.Contracts;
using Switchboard.Media.Echo;
using Switchboard.Media.Recording;
using Switchboard.Media.Sfu;
using Switchboard.Server;
using Switchboard.Server.Api;
using Switchboard.Server.Cli;
using Switchboard.Server.Configuration.Coturn;
using Switchboard.Server.Gateways;
using Switchboard.Server.Http;
using Switchboard.Server.Signaling;
using Switchboard.Server.Telemetry;
using Switchboard.Signaling;
using Switchboard.Signaling.Ice;
using Switchboard.Signaling.WhipWhep;
using Switchboard.Turn;
using Switchboard.Turn.Configuration;
using Switchboard.Turn.Diagnostics;

if (args.Length > 0 && args[0] == "token") return TokenCommand.Run(args[1..], TimeProvider.System);
if (args.Length > 0 && args[0] is "rooms" or "participants" or "stats") return await AdminCommand.RunAsync(args, TimeProvider.System, Console.Out, Console.Error);
if (args.Length > 0 && args[0] == "load-test") return await LoadTestCommand.RunAsync(args[1..], TimeProvider.System, Console.Out, Console.Error);

CommandLine commandLine;
try { commandLine = CommandLine.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (commandLine.ShowHelp)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = commandLine.ConfigurationArgs, ContentRootPath = AppContext.BaseDirectory });
CoturnTranslation? coturn = null;
if (commandLine.CoturnConfigPath is { } coturnPath)
{
    coturn = CoturnConfigFile.Load(coturnPath);
    if (!coturn.Succeeded)
    {
        foreach (var error in coturn.Errors) Console.Error.WriteLine(error);
        return 2;
    }
    builder.Configuration.AddInMemoryCollection(coturn.Settings);
}
// Environment (Switchboard__Turn__Realm) and arguments win over files, the coturn file included.
builder.Configuration.AddEnvironmentVariables("Switchboard__");
builder.Configuration.AddCommandLine(commandLine.ConfigurationArgs);

// Read by the runtime when the first socket operation starts, which is after this line.
if (builder.Configuration.GetValue<bool>("Turn:InlineSocketCompletions"))
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

builder.WebHost.UseUrls(builder.Configuration["Http:Urls"] ?? "http://0.0.0.0:8080");
builder.Services.AddHttpLimits();
builder.Services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section);
builder.Services.AddOptions<TurnOptions>().BindConfiguration(TurnOptions.Section);
if (commandLine.Role != ServerRole.Media) builder.Services.AddOptions<TurnOptions>().ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<TurnOptions>, TurnOptionsValidator>();
string? generatedSecretDirectory = null;
string? replacedApiKeyFile = null;
if (commandLine.Role == ServerRole.All)
{
    // All-in-one: without configured credentials, TURN gets a secret kept in the data directory.
    builder.Services.PostConfigure<TurnOptions>(turn =>
    {
        if (turn.NoAuth || turn.Users.Length > 0 || turn.StaticAuthSecrets.Length > 0) return;
        var data = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        turn.StaticAuthSecrets = [GeneratedTurnSecret.LoadOrCreate(data.DataDirectory)];
        generatedSecretDirectory = data.DataDirectory;
    });
}
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<TurnMetrics>();
if (builder.Services.AddTelemetry(builder.Configuration) is { } telemetryError)
{
    Console.Error.WriteLine($"Configuration error: {telemetryError}");
    return 2;
}
if (commandLine.Role == ServerRole.All)
{
    builder.Services.AddSingleton<IIceServerSource, TurnIceServerSource>();
    builder.Services.AddSignaling();
    builder.Services.AddRestApi();
    builder.Services.PostConfigure<SignalingOptions>(signaling =>
    {
        if (signaling.ApiKeys.Length > 0) return;
        var data = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        signaling.ApiKeys = [GeneratedApiKey.LoadOrCreate(data.DataDirectory, out replacedApiKeyFile)];
    });
}
bool runsTurn = commandLine.Role != ServerRole.Media, runsMedia = commandLine.Role != ServerRole.Turn;
if (runsMedia)
{
    builder.Services.AddMedia();
    // Recordings go under the data directory unless the setting names an absolute path.
    builder.Services.PostConfigure<MediaOptions>(media =>
    {
        var data = builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        media.Recording.Directory = Path.Combine(data.DataDirectory, media.Recording.Directory);
    });
}
// Rooms in sfu mode go through the media server of this process.
if (commandLine.Role == ServerRole.All)
{
    builder.Services.AddSingleton<IRoomMedia>(sp => sp.GetRequiredService<SfuService>());
    builder.Services.AddSingleton<IRoomData>(sp => sp.GetRequiredService<SfuService>());
    builder.Services.AddSingleton<IRoomRecording>(sp => sp.GetRequiredService<RecordingService>());
    builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section);
    builder.Services.AddSingleton<GatewayService>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewayService>());
}
if (runsTurn)
{
    builder.Services.AddSingleton(sp => new TurnCertificateProvider(
        sp.GetRequiredService<IOptions<TurnOptions>>().Value, sp.GetRequiredService<IOptions<ServerOptions>>().Value.DataDirectory,
        sp.GetRequiredService<ILogger<TurnCertificateProvider>>()));
    builder.Services.AddSingleton<TurnService>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<TurnService>());
}
builder.Services.Configure<HostOptions>(host =>
{
    var drain = builder.Configuration.GetValue<int?>("Turn:DrainTimeoutSeconds") ?? new TurnOptions().DrainTimeoutSeconds;
    host.ShutdownTimeout = TimeSpan.FromSeconds(drain + 5);
});

WebApplication app;
try { app = builder.Build(); }
catch (OptionsValidationException e) { return ConfigurationErrors(e); } // Kestrel reads the Http limits as it is built
var log = app.Services.GetRequiredService<ILogger<Program>>();
if (coturn is not null)
{
    if (coturn.FormatIgnored() is { } ignored) log.LogWarning("{Ignored}", ignored);
    foreach (var warning in coturn.Warnings) log.LogWarning("{Warning}", warning);
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    if (replacedApiKeyFile is not null)
        log.LogWarning("The API key file held no usable key; it was moved to {Path} and a new key made: tokens signed before no longer validate",
            replacedApiKeyFile);
    if (generatedSecretDirectory is not null)
        log.LogInformation("No TURN credentials configured: TURN REST API credentials use the secret kept in {Path}",
            Path.Combine(generatedSecretDirectory, GeneratedTurnSecret.FileName));
});

app.MapGet("/healthz", (IServiceProvider services) => services.GetService<TurnService>()?.Server is { IsDraining: true }
    ? Results.Text("draining", statusCode: StatusCodes.Status503ServiceUnavailable)
    : Results.Text("ok")).ExcludeFromDescription();
app.MapPrometheusScrapingEndpoint("/metrics");
if (commandLine.Role == ServerRole.All)
{
    app.UseWebSockets();
    app.MapSignaling("/ws").ExcludeFromDescription();
    app.MapWhipWhep();
    app.MapHls();
    app.MapWebApp();
    app.MapRestApi();
    app.Lifetime.ApplicationStarted.Register(() =>
    {
        var signaling = app.Services.GetRequiredService<IOptions<SignalingOptions>>().Value;
        if (!signaling.AllowAnonymous)
            log.LogInformation("Joining needs an access token: `switchboard token create --room R --identity I` prints one (open /room/R?token=...), " +
                "or start with --Signaling:AllowAnonymous=true to let anyone join from the web app without one (development)");
    });
}

if (runsMedia)
{
    app.MapEcho();
    app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<MediaMetrics>()); // its instruments exist from here on
}

try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    return ConfigurationErrors(e);
}
catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"Configuration error: {e.Message}");
    return 2;
}
catch (System.Net.Sockets.SocketException e)
{
    Console.Error.WriteLine($"Cannot listen: {e.Message}");
    return 1;
}

static int ConfigurationErrors(OptionsValidationException e)
{
    foreach (var failure in e.Failures) Console.Error.WriteLine($"Configuration error: {failure}");
    return 2;
}

public partial class Program;
