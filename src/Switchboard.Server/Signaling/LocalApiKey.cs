using Switchboard.Signaling;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Signaling;

/// <summary>
/// The API key a command of this machine signs with: the server's first configured one (appsettings.json, Switchboard__
/// environment variables, --Section:Key settings), or the one kept in the data directory, made now if missing so that a
/// server started later accepts what was signed.
/// </summary>
public static class LocalApiKey
{
    /// <exception cref="InvalidOperationException">A setting that does not bind.</exception>
    /// <exception cref="IOException">The data directory's key cannot be read or made.</exception>
    public static ApiKey Load(string[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables("Switchboard__")
            .AddCommandLine(settings)
            .Build();
        var signaling = configuration.GetSection(SignalingOptions.Section).Get<SignalingOptions>() ?? new SignalingOptions();
        var data = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        if (signaling.ApiKeys.FirstOrDefault() is { } configured) return configured;
        var key = GeneratedApiKey.LoadOrCreate(data.DataDirectory, out string? replaced);
        if (replaced is not null)
            Console.Error.WriteLine($"The API key file held no usable key; it was moved to {replaced} and a new key made: tokens signed before no longer validate.");
        return key;
    }
}
