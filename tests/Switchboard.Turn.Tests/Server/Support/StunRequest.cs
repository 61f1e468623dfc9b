using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocols.Stun;

namespace Switchboard.Turn.Tests.Server.Support;

/// <summary>A STUN message under construction: any attribute types and values, optional integrity and FINGERPRINT.</summary>
internal sealed class StunRequest
{
    private readonly List<(ushort Type, byte[] Value)> _attributes = [];

    public StunRequest(StunMethod method, StunClass @class = StunClass.Request, byte[]? transactionId = null)
    {
        Type = new StunMessageType(method, @class);
        TransactionId = transactionId ?? RandomNumberGenerator.GetBytes(StunConstants.TransactionIdLength);
    }

    public StunMessageType Type { get; }
    public byte[] TransactionId { get; }
    public IReadOnlyList<(ushort Type, byte[] Value)> Attributes => _attributes;

    /// <summary>Key for MESSAGE-INTEGRITY (or MESSAGE-INTEGRITY-SHA256 when <see cref="IntegritySha256"/>).</summary>
    public byte[]? IntegrityKey { get; set; }
    public bool IntegritySha256 { get; set; }
    public bool Fingerprint { get; set; }

    public StunRequest Add(ushort type, byte[] value)
    {
        _attributes.Add((type, value));
        return this;
    }

    public StunRequest Add(StunAttributeType type, byte[] value) => Add((ushort)type, value);

    public StunRequest Insert(int index, StunAttributeType type, byte[] value)
    {
        _attributes.Insert(index, ((ushort)type, value));
        return this;
    }

    public bool Has(StunAttributeType type) => _attributes.Exists(a => a.Type == (ushort)type);

    public StunRequest AddString(StunAttributeType type, string value) => Add(type, Encoding.UTF8.GetBytes(value));

    public StunRequest AddUInt32(StunAttributeType type, uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return Add(type, bytes);
    }

    public StunRequest AddUInt64(StunAttributeType type, ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return Add(type, bytes);
    }

    /// <summary>A one-byte value followed by three reserved bytes (REQUESTED-TRANSPORT, the address family attributes).</summary>
    public StunRequest AddByteAndReserved(StunAttributeType type, byte value) => Add(type, [value, 0, 0, 0]);

    public StunRequest RequestedTransport(byte protocol) => AddByteAndReserved(StunAttributeType.RequestedTransport, protocol);

    public StunRequest Lifetime(uint seconds) => AddUInt32(StunAttributeType.Lifetime, seconds);

    public StunRequest XorPeerAddress(IPEndPoint peer)
    {
        var value = new byte[StunAddress.EncodedLength(peer.Address)];
        StunAddress.Encode(value, peer, TransactionId);
        return Add(StunAttributeType.XorPeerAddress, value);
    }

    public StunRequest ChannelNumber(ushort channel)
    {
        var value = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(value, channel);
        return Add(StunAttributeType.ChannelNumber, value);
    }

    public byte[] Build()
    {
        var buffer = new byte[70_000];
        var writer = new StunMessageWriter(buffer, Type, TransactionId);
        foreach (var (type, value) in _attributes) writer.Add((StunAttributeType)type, value);
        if (IntegrityKey is not null)
        {
            if (IntegritySha256) writer.AddMessageIntegritySha256(IntegrityKey);
            else writer.AddMessageIntegrity(IntegrityKey);
        }
        if (Fingerprint) writer.AddFingerprint();
        return writer.Written.ToArray();
    }
}
