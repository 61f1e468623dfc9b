namespace Switchboard.EndToEnd.Servers;

/// <summary>One Switchboard TURN server shared by the tests of a class; it takes long-term and REST credentials at once.</summary>
public sealed class SwitchboardFixture : IAsyncLifetime
{
    private SwitchboardProcess? _server;

    public SwitchboardProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await SwitchboardProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
