using Switchboard.Protocols.Stun;
using Switchboard.Turn.Tests.Server.Support;

namespace Switchboard.Turn.Tests.Server;

/// <summary>RFC 8489 §6.3.1: unknown comprehension-required attributes get 420; comprehension-optional ones are ignored.</summary>
public sealed class UnknownAttributeTests : IDisposable
{
    private readonly TurnHarness _turn = new();

    public void Dispose() => _turn.Dispose();

    [Fact]
    public void AuthenticatedAllocate_WithUnknownRequiredAttribute_Gets420WithIntegrityAndNoAllocation()
    {
        var client = _turn.Client();

        var response = client.Allocate(r => r.Add(0x0031, [0, 0, 0, 0]).Add(0x0032, [1]));

        response.AssertError(StunMethod.Allocate, StunErrorCode.UnknownAttribute);
        Assert.Equal(new ushort[] { 0x0031, 0x0032 }, StunErrorCode.DecodeUnknownAttributes(response.Get(StunAttributeType.UnknownAttributes)));
        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(0, _turn.Server.AllocationCount);
        Assert.Equal(0, _turn.Server.UdpPorts.InUse);
    }

    [Fact]
    public void AuthenticatedAllocate_WithUnknownOptionalAttribute_Succeeds()
    {
        var client = _turn.Client();

        client.Allocate(r => r.Add(0x8031, [1, 2, 3, 4])).AssertSuccess(StunMethod.Allocate);
    }

    [Fact]
    public void UnauthenticatedAllocate_WithUnknownRequiredAttribute_IsChallengedFirst()
    {
        // RFC 8489 §6.3: the unknown attributes are looked at once the authentication checks are done,
        // so a stranger learns nothing but the challenge.
        var client = _turn.Client();

        var response = client.Exchange(new StunRequest(StunMethod.Allocate).RequestedTransport(17).Add(0x0031, [0, 0, 0, 0]));

        response.AssertError(StunMethod.Allocate, StunErrorCode.Unauthenticated);
    }

    [Fact]
    public void UnknownRequiredAttributeAfterMessageIntegrity_IsIgnored()
    {
        // §14.5: attributes after MESSAGE-INTEGRITY (other than the integrity and fingerprint ones) are ignored.
        var client = _turn.Client();
        var request = client.Sign(new StunRequest(StunMethod.Allocate).RequestedTransport(17));
        var signed = request.Build();
        var extended = new byte[signed.Length + 8];
        signed.CopyTo(extended, 0);
        extended[signed.Length + 1] = 0x31; // type 0x0031, length 4, value 0
        extended[signed.Length + 3] = 4;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(extended.AsSpan(2), (ushort)(extended.Length - 20));

        var response = client.SendRaw(extended, request.TransactionId);

        Assert.NotNull(response);
        response.AssertSuccess(StunMethod.Allocate);
    }

    [Theory]
    [InlineData(StunMethod.Refresh)]
    [InlineData(StunMethod.CreatePermission)]
    [InlineData(StunMethod.ChannelBind)]
    public void OtherAuthenticatedMethods_WithUnknownRequiredAttribute_Get420(StunMethod method)
    {
        var client = _turn.Client();
        client.Allocated();

        var response = client.Request(method, r => r.Add(0x7FFE, []));

        response.AssertError(method, StunErrorCode.UnknownAttribute);
        Assert.Equal(new ushort[] { 0x7FFE }, StunErrorCode.DecodeUnknownAttributes(response.Get(StunAttributeType.UnknownAttributes)));
        Assert.True(response.VerifyIntegrity(client.Key));
        Assert.Equal(1, _turn.Server.AllocationCount);
    }

    [Fact]
    public void KnownResponseOnlyAttributeInRequest_IsIgnored()
    {
        // RFC 8489 §6.3: known-but-unexpected attributes SHOULD be ignored, not answered with 420.
        var client = _turn.Client();
        var binding = new StunRequest(StunMethod.Binding);
        var address = new byte[8];
        StunAddress.Encode(address, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), binding.TransactionId);
        binding.Add(StunAttributeType.XorMappedAddress, address);

        client.Exchange(binding).AssertSuccess(StunMethod.Binding);
    }
}
