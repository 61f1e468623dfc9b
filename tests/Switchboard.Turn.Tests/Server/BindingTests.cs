using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;
using Switchboard.Turn.Transports;

namespace Switchboard.Turn.Tests.Server;

/// <summary>Binding (RFC 8489 §6.3.1): answered without authentication on every transport.</summary>
public sealed class BindingTests : IDisposable
{
    private readonly TurnHarness _turn = new();

    public void Dispose() => _turn.Dispose();

    [Theory]
    [InlineData(ClientTransport.Udp, "127.0.0.1")]
    [InlineData(ClientTransport.Tcp, "127.0.0.1")]
    [InlineData(ClientTransport.Udp, "::1")]
    public void XorMappedAddress_IsTheClientsAddress(ClientTransport transport, string address)
    {
        var client = _turn.Client(transport: transport, address: address);

        var response = client.Exchange(new StunRequest(StunMethod.Binding)).AssertSuccess(StunMethod.Binding);

        Assert.Equal(client.Connection.RemoteEndPoint, response.GetXorAddress(StunAttributeType.XorMappedAddress));
        Assert.False(response.Has(StunAttributeType.MessageIntegrity));
        Assert.False(response.Has(StunAttributeType.Fingerprint));
        Assert.Equal("Switchboard", response.GetString(StunAttributeType.Software));
    }

    [Fact]
    public void RequestWithFingerprint_GetsResponseWithValidFingerprintLast()
    {
        var client = _turn.Client();

        var response = client.Exchange(new StunRequest(StunMethod.Binding) { Fingerprint = true }).AssertSuccess(StunMethod.Binding);

        Assert.Equal(StunAttributeType.Fingerprint, response.Attributes[^1].Type);
        Assert.True(response.VerifyFingerprint());
    }

    [Fact]
    public void RequestWithBadFingerprint_IsDropped()
    {
        var client = _turn.Client();
        var message = new StunRequest(StunMethod.Binding) { Fingerprint = true }.Build();
        message[^1] ^= 0x01;

        Assert.Null(client.SendRaw(message));
        Assert.Equal(0, client.Connection.PendingCount);
    }

    [Fact]
    public void UnknownComprehensionOptionalAttribute_IsIgnored()
    {
        var client = _turn.Client();

        var response = client.Exchange(new StunRequest(StunMethod.Binding).Add(0x8031, [1, 2, 3, 4]));

        response.AssertSuccess(StunMethod.Binding);
    }

    [Fact]
    public void UnknownComprehensionRequiredAttribute_Gets420ListingIt()
    {
        var client = _turn.Client();

        var response = client.Exchange(new StunRequest(StunMethod.Binding).Add(0x0031, [1, 2, 3, 4]).Add(0x8031, [5, 6, 7, 8]));

        response.AssertError(StunMethod.Binding, StunErrorCode.UnknownAttribute, "Unknown Attribute");
        Assert.Equal(new ushort[] { 0x0031 }, StunErrorCode.DecodeUnknownAttributes(response.Get(StunAttributeType.UnknownAttributes)));
    }

    [Fact]
    public void SoftwareIsLeftOut_WhenNotConfigured()
    {
        using var turn = new TurnHarness(o => o.Software = "");

        var response = turn.Client().Exchange(new StunRequest(StunMethod.Binding)).AssertSuccess(StunMethod.Binding);

        Assert.False(response.Has(StunAttributeType.Software));
    }
}
