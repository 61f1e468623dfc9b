using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Switchboard.Server.Signaling;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Cli;

/// <summary>
/// <c>switchboard rooms ...</c> and <c>switchboard participants ...</c>: the REST API from the command line, against a
/// server URL with an admin token (given, or signed here with the local API key, as <c>token create</c> does).
/// Exit codes: 0 done, 1 the server refused or could not be reached, 2 a usage error.
/// </summary>
public static class AdminCommand
{
    public const string Usage = """
        Usage: switchboard rooms list
               switchboard rooms create NAME [--max-participants N] [--media sfu|p2p] [--record]
               switchboard rooms delete NAME
               switchboard participants list ROOM
               switchboard participants remove ROOM PARTICIPANT_ID

          --url URL       the server (default: $SWITCHBOARD_URL, else http://127.0.0.1:8080)
          --token TOKEN   an access token with the admin grant (default: $SWITCHBOARD_TOKEN, else one signed
                          with this machine's API key: the server's configuration or its data directory's key)
          --json          print the API's JSON instead of a table
          --Section:Key=value   settings for finding the API key (e.g. --Server:DataDirectory=/var/lib/switchboard)
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs <paramref name="args"/> (from the noun: "rooms list ...") and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TimeProvider time, TextWriter output, TextWriter errors)
    {
        AdminRequest request;
        try
        {
            request = AdminRequest.Parse(args);
        }
        catch (FormatException e)
        {
            await errors.WriteLineAsync(e.Message);
            await errors.WriteLineAsync(Usage);
            return 2;
        }

        string token;
        try
        {
            token = request.Token ?? Environment.GetEnvironmentVariable("SWITCHBOARD_TOKEN") ?? AccessTokenCodec.Create(
                new AccessToken("switchboard-cli", null, null, new Grants(Admin: true), time.GetUtcNow().AddMinutes(5)), LocalApiKey.Load(request.Settings), time.GetUtcNow());
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"No admin token: give --token or SWITCHBOARD_TOKEN, or run where the server's API key is ({e.Message})");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = request.Server, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using HttpResponseMessage response = await request.SendAsync(http);
            string body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                await errors.WriteLineAsync($"{(int)response.StatusCode} {Problem(body) ?? response.ReasonPhrase}");
                return 1;
            }
            if (request.AsJson && body.Length > 0) await output.WriteLineAsync(JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement, Json));
            else await output.WriteLineAsync(request.Describe(body));
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await errors.WriteLineAsync($"Cannot reach {request.Server}: {e.Message}");
            return 1;
        }
    }

    /// <summary>A problem+json answer's title and detail.</summary>
    private static string? Problem(string body)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            string? title = problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            return problem.TryGetProperty("detail", out var d) && d.GetString() is { } detail ? $"{title}: {detail}" : title;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Rows under a header, each column as wide as its widest cell.</summary>
    internal static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        int[] widths = [.. header.Select((_, c) => all.Max(r => r[c].Length))];
        return string.Join('\n', all.Select(r => string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : cell.PadRight(widths[c])))));
    }

    internal static string When(JsonElement value) => value.GetDateTimeOffset().ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
