using System.Runtime.CompilerServices;

namespace Switchboard.Protocols.Srtp;

/// <summary>
/// The replay list of RFC 3711 §3.3.2 as a sliding bitmap over the last 1024 packet indices (libwebrtc's size:
/// high-rate video reorders more than the RFC's minimum of 64). Check before authenticating; Accept after.
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 1024;

    [InlineArray(Size / 64)]
    struct Bits { ulong _element; }

    Bits _bits;
    ulong _highest;
    bool _started;

    public readonly ulong Highest => _highest;
    public readonly bool Started => _started;

    /// <summary>True when <paramref name="index"/> is new: ahead of the window, or inside it and not seen.</summary>
    public readonly bool Check(ulong index)
    {
        if (!_started || index > _highest) return true;
        if (_highest - index >= Size) return false;
        return (_bits[(int)(index % Size) / 64] & (1UL << (int)(index % 64))) == 0;
    }

    public void Accept(ulong index)
    {
        if (!_started)
        {
            _started = true;
            _highest = index;
        }
        else if (index > _highest)
        {
            // Slots of the indices the window slides over are reused for new indices: clear them.
            ulong advance = index - _highest;
            if (advance >= Size) ((Span<ulong>)_bits).Clear();
            else for (ulong i = _highest + 1; i <= index; i++) _bits[(int)(i % Size) / 64] &= ~(1UL << (int)(i % 64));
            _highest = index;
        }
        _bits[(int)(index % Size) / 64] |= 1UL << (int)(index % 64);
    }
}
