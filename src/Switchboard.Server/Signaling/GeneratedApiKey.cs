using System.Security.Cryptography;
using System.Text.Json;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Signaling;

/// <summary>
/// When no API key is configured, Switchboard makes one at first start and keeps it in the data directory, so
/// that `switchboard token create` and the server sign and check tokens with the same key.
/// </summary>
public static class GeneratedApiKey
{
    public const string FileName = "api-key.json";

    public static ApiKey LoadOrCreate(string dataDirectory) => LoadOrCreate(dataDirectory, out _);

    /// <param name="replaced">
    /// When the file existed but held no usable key: where it was moved before a new key was made (tokens signed with
    /// the old key no longer validate, so the operator must hear of it).
    /// </param>
    public static ApiKey LoadOrCreate(string dataDirectory, out string? replaced)
    {
        replaced = null;
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            try
            {
                var existing = JsonSerializer.Deserialize<StoredKey>(File.ReadAllText(path));
                if (existing is { Key.Length: > 0, Secret.Length: >= ApiKey.MinimumSecretLength }) return new ApiKey { Key = existing.Key, Secret = existing.Secret };
            }
            catch (JsonException) { }
            replaced = $"{path}.unreadable-{DateTime.UtcNow:yyyyMMddHHmmss}";
            File.Move(path, replaced, overwrite: true);
        }
        var key = new ApiKey
        {
            Key = "sb_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant(),
            Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(new StoredKey(key.Key, key.Secret)));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    sealed record StoredKey(string Key, string Secret);
}
