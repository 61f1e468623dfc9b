namespace Switchboard.EndToEnd.Servers;

/// <summary>
/// One Switchboard TURN server shared by the tests of a class; it takes long-term and REST credentials at once. Its
/// user quota is raised: turnutils_uclient's load (-m 10, rounded up to 12 clients with two sessions each) is 24
/// allocations of one user, more than the default 12.
/// </summary>
public sealed class SwitchboardFixture : IAsyncLifetime
{
    /// <summary>Room for the allocations one user makes in the interop load tests.</summary>
    public const string UserQuotaForLoad = "--Turn:UserQuota=64";

    private SwitchboardProcess? _server;

    public SwitchboardProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await SwitchboardProcess.StartAsync([UserQuotaForLoad]);

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
