using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Switchboard.Server.Signaling;
using Switchboard.Signaling.Tokens;

namespace Switchboard.Server.Cli;

/// <summary>
/// <c>switchboard rooms ...</c>, <c>participants ...</c> and <c>stats</c>: the REST API from the command line, against a
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
               switchboard stats [--once]     (the dashboard's overview, a line a second)

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

        using HttpClient? http = await ClientAsync(request.Server, request.Token, request.Settings, time, errors);
        if (http is null) return 2;
        try
        {
            if (request.Noun == "stats")
            {
                using HttpResponseMessage? refused = await StatsView.RunAsync(http, request.Once, output);
                return refused is null ? 0 : await RefusedAsync(refused, errors);
            }
            using HttpResponseMessage response = await request.SendAsync(http);
            if (!response.IsSuccessStatusCode) return await RefusedAsync(response, errors);
            string body = await response.Content.ReadAsStringAsync();
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

    /// <summary>
    /// An HTTP client for the server's REST API with an admin token: the one given, else $SWITCHBOARD_TOKEN, else one
    /// signed with this machine's API key; null (and why, on <paramref name="errors"/>) when there is none.
    /// </summary>
    internal static async Task<HttpClient?> ClientAsync(Uri server, string? token, string[] settings, TimeProvider time, TextWriter errors, TimeSpan? lifetime = null)
    {
        try
        {
            token ??= Environment.GetEnvironmentVariable("SWITCHBOARD_TOKEN") ?? AccessTokenCodec.Create(
                new AccessToken("switchboard-cli", null, null, new Grants(Admin: true), time.GetUtcNow().Add(lifetime ?? TimeSpan.FromMinutes(5))), LocalApiKey.Load(settings), time.GetUtcNow());
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"No admin token: give --token or SWITCHBOARD_TOKEN, or run where the server's API key is ({e.Message})");
            return null;
        }
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Says the server's refusal (its status, and its problem+json title and detail); exit code 1.</summary>
    private static async Task<int> RefusedAsync(HttpResponseMessage response, TextWriter errors)
    {
        await errors.WriteLineAsync($"{(int)response.StatusCode} {Problem(await response.Content.ReadAsStringAsync()) ?? response.ReasonPhrase}");
        return 1;
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
