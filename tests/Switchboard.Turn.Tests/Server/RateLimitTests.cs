using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Server;

/// <summary>
/// Turn:UnauthenticatedRequestsPerSecond and Turn:UnauthenticatedRequestBurst: a token bucket per source IP
/// for every answer given to a request that has not proved its credentials.
/// </summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly TurnHarness _turn = new(o =>
    {
        o.UnauthenticatedRequestsPerSecond = 5;
        o.UnauthenticatedRequestBurst = 5;
    });

    public void Dispose() => _turn.Dispose();

    private StunResponse? Binding(string address = "127.0.0.1", Action<StunRequest>? attributes = null)
    {
        var request = new StunRequest(StunMethod.Binding);
        attributes?.Invoke(request);
        return _turn.Client(address: address).Send(request);
    }

    /// <summary>Sends Binding requests from the address until one goes unanswered.</summary>
    private void UseUpTheBurst(string address = "127.0.0.1")
    {
        int answered = 0;
        while (Binding(address) is not null) Assert.True(++answered <= 5, "more answers than the burst allows");
    }

    [Fact]
    public void SixthBindingInTheSameInstant_IsNotAnswered_WhileAnotherAddressIs()
    {
        for (int i = 0; i < 5; i++) Binding()!.AssertSuccess(StunMethod.Binding);

        Assert.Null(Binding());
        Binding("127.0.0.2")!.AssertSuccess(StunMethod.Binding);
        Binding("::1")!.AssertSuccess(StunMethod.Binding);
    }

    [Fact]
    public void TheBucketRefillsAtTheConfiguredRate()
    {
        UseUpTheBurst();
        _turn.Time.AdvanceSeconds(0.1);
        Assert.Null(Binding());

        _turn.Time.AdvanceSeconds(0.1); // 0.2 s at 5 a second: one more

        Assert.NotNull(Binding());
        Assert.Null(Binding());
    }

    [Fact]
    public void Challenges_CountToo()
    {
        for (int i = 0; i < 5; i++) _turn.Client().Challenge();

        Assert.Null(_turn.Client().Send(new StunRequest(StunMethod.Allocate).RequestedTransport(17)));
    }

    [Fact]
    public void AuthenticatedRequests_AreNotLimited()
    {
        var client = _turn.Client();
        client.Challenge();
        UseUpTheBurst();

        client.Allocated();
        client.Refresh().AssertSuccess(StunMethod.Refresh);
        client.CreatePermission(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.1"), 1));
    }

    [Fact]
    public void WrongPassword_IsLimited()
    {
        var client = _turn.Client(password: "wrong");
        client.Challenge();
        UseUpTheBurst();

        Assert.Null(client.Send(client.Sign(new StunRequest(StunMethod.Allocate).RequestedTransport(17))));
    }

    [Fact]
    public void StaleNonce_IsLimited()
    {
        var client = _turn.Client();
        client.Challenge();
        client.Nonce = "forged";
        UseUpTheBurst();

        Assert.Null(client.Send(client.Sign(new StunRequest(StunMethod.Allocate).RequestedTransport(17))));
    }

    [Fact]
    public void MissingCredentialAttributes_AreLimited()
    {
        var client = _turn.Client();
        UseUpTheBurst();
        var request = new StunRequest(StunMethod.Allocate).RequestedTransport(17);
        request.IntegrityKey = new byte[16];

        Assert.Null(client.Send(request));
    }

    [Fact]
    public void MalformedRequests_AreLimited()
    {
        UseUpTheBurst();
        var message = new StunRequest(StunMethod.Binding).Add(0x8022, [1, 2, 3, 4]).Build();
        message[23] = 40;

        Assert.Null(_turn.Client().SendRaw(message));
    }

    [Fact]
    public void UnknownAttributeAnswers_AreLimited()
    {
        UseUpTheBurst();

        Assert.Null(Binding(attributes: r => r.Add(0x0031, [0, 0, 0, 0])));
    }

    [Fact]
    public void UnknownMethodAnswers_AreLimited()
    {
        UseUpTheBurst();

        Assert.Null(_turn.Client().Send(new StunRequest((StunMethod)0x0FF)));
    }

    [Fact]
    public void QuietSources_AreForgottenBySweep()
    {
        using var turn = new TurnHarness(o => { o.UnauthenticatedRequestsPerSecond = 5; o.UnauthenticatedRequestBurst = 5; });
        for (int i = 0; i < 5; i++) turn.Client().Send(new StunRequest(StunMethod.Binding));
        turn.Time.AdvanceSeconds(2);

        turn.Time.FireTimers();

        for (int i = 0; i < 5; i++) Assert.NotNull(turn.Client().Send(new StunRequest(StunMethod.Binding)));
    }

    [Fact]
    public void ZeroRate_DisablesTheLimit()
    {
        using var turn = new TurnHarness(o => o.UnauthenticatedRequestsPerSecond = 0);

        for (int i = 0; i < 2000; i++) Assert.NotNull(turn.Client().Send(new StunRequest(StunMethod.Binding)));
    }
}
