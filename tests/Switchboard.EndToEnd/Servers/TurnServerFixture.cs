using Switchboard.EndToEnd.Infrastructure;

namespace Switchboard.EndToEnd.Servers;

/// <summary>
/// The TURN server under test, shared by the tests of one class. Servers start on first use, not when the
/// fixture is made, so that a class whose tests are all skipped starts nothing.
/// </summary>
public abstract class TurnServerFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<IAsyncDisposable> started = [];
    private Task<ITurnServer>? longTerm;
    private Task<ITurnServer>? rest;

    /// <summary>Short name for messages ("switchboard", "coturn").</summary>
    public abstract string Name { get; }

    /// <summary>A server that accepts the long-term credentials alice:secret.</summary>
    public Task<ITurnServer> LongTermCredentialsServerAsync() => GetAsync(rest: false);

    /// <summary>A server that accepts TURN REST credentials made from <see cref="TurnCredentials.AuthSecret"/>.</summary>
    public Task<ITurnServer> RestSecretServerAsync() => GetAsync(rest: true);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        IAsyncDisposable[] servers;
        lock (started)
        {
            servers = [.. started];
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        started.Clear();
        gate.Dispose();
    }

    /// <summary>Starts the server for long-term credentials.</summary>
    protected abstract Task<ITurnServer> StartLongTermCredentialsServerAsync();

    /// <summary>Starts the server for REST credentials (not called when <see cref="OneServerTakesBothCredentials"/>).</summary>
    protected abstract Task<ITurnServer> StartRestSecretServerAsync();

    /// <summary>True when one server accepts long-term and REST credentials at once.</summary>
    protected abstract bool OneServerTakesBothCredentials { get; }

    // A start that failed stays failed: the next tests of the class get the same exception at once instead of
    // waiting for another start timeout each.
    private async Task<ITurnServer> GetAsync(bool rest)
    {
        Task<ITurnServer> start;
        await gate.WaitAsync();
        try
        {
            start = rest && !OneServerTakesBothCredentials
                ? this.rest ??= StartTrackedAsync(StartRestSecretServerAsync)
                : longTerm ??= StartTrackedAsync(StartLongTermCredentialsServerAsync);
        }
        finally
        {
            gate.Release();
        }

        return await start;
    }

    private async Task<ITurnServer> StartTrackedAsync(Func<Task<ITurnServer>> start)
    {
        var server = await start();
        if (server is IAsyncDisposable disposable)
        {
            lock (started)
            {
                started.Add(disposable);
            }
        }

        return server;
    }
}

/// <summary>The Switchboard server: one process takes both long-term and REST credentials.</summary>
public sealed class SwitchboardFixture : TurnServerFixture
{
    public override string Name => "switchboard";

    protected override async Task<ITurnServer> StartLongTermCredentialsServerAsync() => await SwitchboardProcess.StartAsync();

    protected override Task<ITurnServer> StartRestSecretServerAsync() => throw new NotSupportedException();

    protected override bool OneServerTakesBothCredentials => true;
}

/// <summary>coturn, the reference: one turnserver per authentication mode.</summary>
public sealed class CoturnFixture : TurnServerFixture
{
    public override string Name => "coturn";

    protected override async Task<ITurnServer> StartLongTermCredentialsServerAsync() => await CoturnProcess.StartAsync(CoturnAuth.LongTermCredentials);

    protected override async Task<ITurnServer> StartRestSecretServerAsync() => await CoturnProcess.StartAsync(CoturnAuth.RestSecret);

    // coturn 4.6.1 with --use-auth-secret rejects the --user accounts ("Cannot find credentials of user").
    protected override bool OneServerTakesBothCredentials => false;
}
