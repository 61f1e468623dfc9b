using System.Net.Http.Headers;
using Switchboard.EndToEnd.Servers;

namespace Switchboard.EndToEnd.Api;

/// <summary>The whole server (anonymous joins off) and an admin token made by <c>switchboard token create --admin</c>.</summary>
public class RestApiFixture : IAsyncLifetime
{
    private SwitchboardProcess? _server;

    public SwitchboardProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public string AdminToken { get; private set; } = "";

    /// <summary>The server's settings beyond ports and data directory.</summary>
    protected virtual string[] ServerArguments => [];

    public async Task InitializeAsync()
    {
        _server = await SwitchboardProcess.StartAsync(ServerArguments, role: "all");
        AdminToken = await TokenCreateAsync("--identity", "ops", "--admin");
    }

    /// <summary>Runs <c>switchboard token create ARGS</c> against the server's data directory; returns what it printed.</summary>
    public Task<string> TokenCreateAsync(params string[] arguments) => Server.TokenCreateAsync(arguments);

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Server.HttpBase, Timeout = TimeSpan.FromSeconds(15) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
