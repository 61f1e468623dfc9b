using System.Security.Cryptography;

namespace Switchboard.Server;

/// <summary>
/// When Switchboard runs all-in-one without TURN credentials, it makes a TURN REST API secret at first
/// start and keeps it in the data directory, so that TURN is never an open relay and the signaling
/// server in the same process can mint time-limited credentials with it.
/// </summary>
public static class GeneratedTurnSecret
{
    public const string FileName = "turn-rest-secret";

    public static string LoadOrCreate(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0) return existing;
        }
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }
}
