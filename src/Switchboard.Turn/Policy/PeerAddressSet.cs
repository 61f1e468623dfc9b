using System.Net;
using System.Runtime.CompilerServices;

namespace Switchboard.Turn.Policy;

/// <summary>
/// The addresses one peer address stands for, all of which the peer policy checks:
/// first the address the relay really reaches (<see cref="Reached"/>), then, for an IPv6 address
/// that embeds IPv4 addresses, the other embedded addresses and the IPv6 address itself.
/// A value type so that checking a peer allocates nothing beyond the embedded addresses.
/// </summary>
public struct PeerAddressSet
{
    /// <summary>Most addresses one peer can stand for: a NAT64 local-use address, itself and four readings.</summary>
    public const int Capacity = 5;

    private Buffer _addresses;
    private int _count;

    internal PeerAddressSet(IPAddress reached)
    {
        _addresses[0] = reached;
        _count = 1;
    }

    public readonly int Count => _count;

    /// <summary>The address packets to this peer really go to; see <see cref="PeerAddressNormalizer.Normalize"/>.</summary>
    public readonly IPAddress Reached => _addresses[0]!;

    public readonly IPAddress this[int index] =>
        (uint)index < (uint)_count ? _addresses[index]! : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Adds an address unless the set already holds an equal one.</summary>
    internal void Add(IPAddress address)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_addresses[i]!.Equals(address))
            {
                return;
            }
        }

        _addresses[_count++] = address;
    }

    public readonly IPAddress[] ToArray()
    {
        var result = new IPAddress[_count];
        for (var i = 0; i < _count; i++)
        {
            result[i] = _addresses[i]!;
        }

        return result;
    }

    public readonly Enumerator GetEnumerator() => new(this);

    public struct Enumerator(PeerAddressSet set)
    {
        private readonly PeerAddressSet _set = set;
        private int _index = -1;

        public readonly IPAddress Current => _set[_index];

        public bool MoveNext() => ++_index < _set.Count;
    }

    [InlineArray(Capacity)]
    private struct Buffer
    {
        private IPAddress? _element;
    }
}
